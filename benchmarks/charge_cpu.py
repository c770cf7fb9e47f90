"""Load test, CPU accounting (Linux): what the server, the database and the client consumed.

On a shared machine the latencies depend on everyone else's load; the CPU seconds the server
spent per request do not (much). They are read from /proc at the start and at the end of the
window: gunicorn and the worker by their process group, PostgreSQL by the backends of the
load-test database (a backend that exits during the window is not counted).
"""

import os
import time
from pathlib import Path

TIC = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _processus():
    """(pid, process group, CPU ticks, command line) of every readable process."""
    for repertoire in Path("/proc").glob("[0-9]*"):
        try:
            stat = (repertoire / "stat").read_text()
            ligne = (repertoire / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace"
            )
        except OSError:
            continue
        champs = stat.rsplit(")", 1)[1].split()
        # After the command name: state, ppid, pgrp (index 2) … utime, stime (11, 12).
        yield int(repertoire.name), int(champs[2]), int(champs[11]) + int(champs[12]), ligne


def instantane(groupes, base):
    """CPU ticks so far: group name → {pid: ticks}, PostgreSQL backends of ``base`` under "base"."""
    resultat = {nom: {} for nom in [*groupes, "base"]}
    for pid, groupe, tics, ligne in _processus():
        for nom, pgid in groupes.items():
            if groupe == pgid:
                resultat[nom][pid] = tics
        if ligne.startswith("postgres:") and f" {base} " in ligne:
            resultat["base"][pid] = tics
    return {"mesure_le": time.monotonic(), "processus": resultat, "client": time.process_time()}


def ecart(avant, apres):
    """CPU seconds spent between two snapshots, per group, plus the client's own."""
    resultat = {}
    for nom, pids in apres["processus"].items():
        debut = avant["processus"].get(nom, {})
        resultat[nom] = round(sum(t - debut.get(pid, 0) for pid, t in pids.items()) / TIC, 1)
    resultat["client"] = round(apres["client"] - avant["client"], 1)
    resultat["duree"] = round(apres["mesure_le"] - avant["mesure_le"], 1)
    return resultat
