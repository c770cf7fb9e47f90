"""Pages benchmark: each page each role uses, at 150 and 20 000 dossiers, SQLite and PostgreSQL.

For each configuration (database, number of dossiers), in a child process of its own, within a
hard time cap, everything on 127.0.0.1:

1. a fresh database (PostgreSQL ``portail_pages``, recreated; or a SQLite file in a temporary
   directory), migrated, with the référentiel, the demo and a past call of N dossiers
   (``generer_volume``, timed); static files collected;
2. accounts made with the ORM (benchmarks/charge_donnees.py): a porteur (member of a generated
   structure, with a draft on the open call), an instructeur, a comité member;
3. for each page, in this process (Django test client, benchmark settings): status, bytes and
   number of SQL queries;
4. gunicorn (production settings from benchmarks/pages_reglages.py, which only adds the floor
   page ``/plancher/``): p50/p95 of the page measured in alternation with the floor (page,
   floor, page, floor… so both see the same machine load), their ratio; throughput with
   ``wrk`` (Debian package) at 1, 8 and 32 connections, a few seconds each.

The parent prints the Markdown tables and writes every figure as JSON (``--sortie``).

Usage (from the repository root, after scripts/setup.sh and ``apt-get install wrk``):
    .venv/bin/python benchmarks/pages.py --bases sqlite,postgres --tailles 150,20000
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from charge import (
    BASE_DEFAUT,
    RACINE,
    Processus,
    attendre_serveur,
    environnement,
    port_libre,
    recreer_base,
    verifier_locale,
)
from pages_mesures import debits, latences, rapport

BASE_PG = BASE_DEFAUT.rsplit("/", 1)[0] + "/portail_pages"
REGLAGES = "benchmarks.pages_reglages"


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bases", default="sqlite,postgres")
    parser.add_argument("--tailles", default="150,20000")
    parser.add_argument("--repetitions", type=int, default=15,
                        help="mesures de chaque page (et autant du plancher, en alternance)")
    parser.add_argument("--budget-page", type=float, default=25.0,
                        help="durée maximale des mesures de latence d'une page (s)")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--duree-debit", type=int, default=3, help="secondes de wrk par mesure")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--plafond", type=int, default=1500,
                        help="durée maximale d'une configuration, préparation comprise (s)")
    parser.add_argument("--prefixe", default=None,
                        help="bases PostgreSQL nommées <prefixe>_pages_<taille> (gardées après "
                             "la mesure) au lieu de portail_pages")
    parser.add_argument("--pages", default="",
                        help="seulement les pages dont le nom contient l'un de ces textes "
                             "(séparés par des virgules ; les planchers toujours)")
    parser.add_argument("--sans-boutons", action="store_true",
                        help="ne pas chronométrer décider / demander des corrections")
    parser.add_argument("--sortie", default=str(RACINE / "benchmarks" / "pages_resultats.json"))
    parser.add_argument("--une", default=None, help=argparse.SUPPRESS)  # base:taille (enfant)
    return parser.parse_args(argv)


def main(argv=None):
    args = arguments(argv)
    if args.une:
        base, taille = args.une.split(":")
        print(json.dumps(mesurer_configuration(args, base, int(taille))))
        return
    resultats = []
    for base in args.bases.split(","):
        for taille in [int(t) for t in args.tailles.split(",")]:
            debut = time.monotonic()
            try:
                sortie = subprocess.run(
                    [sys.executable, __file__, *(argv or sys.argv[1:]),
                     "--une", f"{base}:{taille}"],
                    cwd=RACINE, capture_output=True, text=True, timeout=args.plafond,
                )
            except subprocess.TimeoutExpired:
                print(f"{base} {taille} : plafond de {args.plafond} s atteint", file=sys.stderr)
                continue
            if sortie.returncode:
                print(f"{base} {taille} : échec\n{sortie.stderr[-3000:]}", file=sys.stderr)
                continue
            resultat = json.loads(sortie.stdout.strip().splitlines()[-1])
            resultat["duree_totale_s"] = round(time.monotonic() - debut, 1)
            resultats.append(resultat)
            Path(args.sortie).write_text(json.dumps(resultats, indent=1, ensure_ascii=False))
    print(rapport(resultats))


# --- One configuration (child process) ------------------------------------------------------


def base_pg(prefixe, taille):
    """``portail_pages`` by default; ``<prefixe>_pages_<taille>`` when a prefix is given."""
    if not prefixe:
        return BASE_PG
    return BASE_DEFAUT.rsplit("/", 1)[0] + f"/{prefixe}_pages_{taille}"


def preparer(base, taille, repertoire, processus, prefixe=None):
    url = verifier_locale(base_pg(prefixe, taille)) if base == "postgres" else (
        f"sqlite:///{repertoire / 'pages.sqlite3'}"
    )
    if base == "postgres":
        recreer_base(url)
    env = environnement(repertoire, url, production=False)
    annee = date.today().year - 1
    manage = [sys.executable, "manage.py"]
    for commande in (["migrate", "--noinput", "-v0"], ["charger_referentiel"], ["demo"]):
        processus.executer("preparation", manage + commande, env)
    debut = time.perf_counter()
    processus.executer(
        "preparation",
        manage + ["generer_volume", "--dossiers", str(taille), "--annee", str(annee)], env,
    )
    generation = time.perf_counter() - debut
    if base == "postgres":
        # What autovacuum does to a database in service (statistics, and the visibility map
        # that lets a count read an index alone), at once after the bulk load.
        processus.executer(
            "preparation", manage + ["dbshell", "--", "-c", "VACUUM ANALYZE"], env
        )
    return url, annee, generation


def mesurer_configuration(args, base, taille):
    repertoire = Path(tempfile.mkdtemp(prefix="pages-"))
    processus = Processus(repertoire)
    try:
        url, annee, generation = preparer(base, taille, repertoire, processus, args.prefixe)
        port = port_libre()
        env = environnement(repertoire, url, production=True, port=port)
        env.update({"DJANGO_SETTINGS_MODULE": REGLAGES, "PYTHONPATH": str(RACINE),
                    "PORTAIL_DOUBLE_AUTHENTIFICATION": "facultative",
                    "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}"})
        processus.executer(
            "preparation", [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            env,
        )
        os.environ.update(env)
        sys.path.insert(0, str(RACINE))
        import django

        django.setup()
        from pages_boutons import mesurer_boutons
        from pages_comptes import pages_par_role, preparer_comptes

        comptes = preparer_comptes(annee)
        choix = [c for c in args.pages.split(",") if c]
        pages = pages_par_role(comptes, choix)  # status, bytes and queries measured in process
        boutons = [] if args.sans_boutons else mesurer_boutons(comptes)
        from django.db import connections

        connections.close_all()
        gunicorn = processus.lancer("gunicorn", [
            sys.executable, "-m", "gunicorn", "contrat_ville.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
            "--timeout", "120", "--graceful-timeout", "5", "--log-level", "warning",
        ], env)
        adresse = f"http://127.0.0.1:{port}"
        attendre_serveur(adresse, gunicorn)
        resultat = {"base": base, "dossiers": taille, "generation_s": round(generation, 1),
                    "workers": args.workers, "boutons": boutons,
                    "charge_debut": [round(c, 1) for c in os.getloadavg()], "pages": []}
        partiel = Path(f"{args.sortie}.{base}-{taille}.partiel")
        for page in pages:
            page.update(latences(adresse, page, args.repetitions, args.budget_page))
            page["debits"] = debits(
                adresse, page, [int(c) for c in args.clients.split(",")], args.duree_debit,
                repertoire, args.workers,
            )
            # Written page by page: a configuration stopped by the cap keeps what it measured.
            resultat["pages"].append(page)
            resultat["charge_fin"] = [round(c, 1) for c in os.getloadavg()]
            partiel.write_text(json.dumps(resultat, indent=1, ensure_ascii=False))
        return resultat
    finally:
        processus.arreter_tout()
        shutil.rmtree(repertoire, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
