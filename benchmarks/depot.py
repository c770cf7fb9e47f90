"""Benchmark: server time of the « Déposer le dossier » button, and writes on plain pages.

For each volume asked (``--dossiers 150 20000``), a PostgreSQL database
``portail_bench_depot_<N>`` holding the référentiel and ``generer_volume --dossiers N`` (built
once, reused while it exists; ``--reconstruire`` rebuilds it). A child process per database,
through Django's test Client (no network, no browser: the time the server spends):

- creates an open call of this year, a structure and ``--depots`` complete, signed drafts, then
  submits them one by one (POST of « Déposer le dossier »), timing each request;
- times the « dossier en PDF » download of a submitted dossier (``GET /dossiers/<pk>/pdf/``);
- counts the INSERT/UPDATE/DELETE of a signed-in user's plain pages, once the session settled:
  catalogue, « Mes dossiers » and a dossier (porteur), the instruction queue (instructeur).

It prints one JSON object per volume and a table. To measure an older version of the portal,
run this same file from a copy of that version (``git archive <commit> | tar -x -C …``): it
uses nothing but URLs and the test factories.

Usage (from the repository root):
    .venv/bin/python benchmarks/depot.py --dossiers 150 20000
"""

import argparse
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
SERVEUR = os.environ.get("BENCH_DEPOT_SERVEUR", "postgres://postgres@127.0.0.1:5432")
ANNEE_VOLUME = 2025
ECRITURE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def _base(dossiers):
    return f"portail_bench_depot_{dossiers}"


def _env(dossiers):
    os.environ["DATABASE_URL"] = f"{SERVEUR}/{_base(dossiers)}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "contrat_ville.settings.dev"
    os.environ["DEBUG"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    sys.path.insert(0, str(RACINE))
    import django

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)


def _existe(nom):
    import psycopg2

    connexion = psycopg2.connect(f"{SERVEUR}/postgres")
    try:
        with connexion.cursor() as curseur:
            curseur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [nom])
            return curseur.fetchone() is not None
    finally:
        connexion.close()


def construire(dossiers):
    """A fresh database: migrations, référentiel, role groups, ``generer_volume``."""
    import psycopg2

    nom = _base(dossiers)
    connexion = psycopg2.connect(f"{SERVEUR}/postgres")
    connexion.autocommit = True
    with connexion.cursor() as curseur:
        curseur.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')
        curseur.execute(f'CREATE DATABASE "{nom}"')
    connexion.close()
    _env(dossiers)
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("loaddata", "referentiel", verbosity=0)
    for role in ("porteur", "instructeur", "comite", "administrateur"):
        Group.objects.get_or_create(name=role)
    debut = time.perf_counter()
    call_command("generer_volume", dossiers=dossiers, annee=ANNEE_VOLUME)
    print(f"… generer_volume --dossiers {dossiers} : {time.perf_counter() - debut:.1f} s",
          file=sys.stderr, flush=True)
    with connection.cursor() as curseur:
        curseur.execute("VACUUM ANALYZE")


def _ecritures(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(url)
    assert reponse.status_code == 200, (url, reponse.status_code)
    return sum(1 for q in requetes.captured_queries if ECRITURE.match(q["sql"]))


def _appel_ouvert():
    import datetime

    from django.utils import timezone

    from candidatures.models import AppelAProjets
    from referentiel.models import Contrat

    maintenant = timezone.now()
    appel, _cree = AppelAProjets.objects.update_or_create(
        contrat=Contrat.objects.par_defaut(), annee=timezone.localdate().year,
        defaults={
            "titre": "Appel à projets du banc de mesure",
            "presentation": "Banc de mesure du dépôt.",
            "ouverture": maintenant - datetime.timedelta(days=1),
            "cloture": maintenant + datetime.timedelta(days=30),
            "enveloppe_totale": 250000,
        },
    )
    return appel


def mesurer(dossiers, depots):
    """Runs in the child: returns the figures of one database."""
    _env(dossiers)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from candidatures.models import Dossier, Habilitation, Statut
    from referentiel.models import Contrat
    from tests.candidatures.factories import (
        DossierFactory,
        MembreFactory,
        StructureFactory,
        UtilisateurFactory,
    )

    call_command("migrate", verbosity=0)
    setup_test_environment()
    # Each run adds its own accounts and structures beside those of earlier runs.
    depart = 200_000 + int(time.time()) % 7_000 * 100
    for fabrique in (StructureFactory, UtilisateurFactory, DossierFactory):
        fabrique.reset_sequence(depart)
    appel = _appel_ouvert()
    membre = MembreFactory(utilisateur__porteur=True)
    brouillons = [
        DossierFactory(structure=membre.structure, appel=appel, complet=membre.utilisateur)
        for _ in range(depots + 1)
    ]
    porteur = Client()
    porteur.force_login(membre.utilisateur)
    porteur.get(reverse("dossiers:detail", args=[brouillons[0].pk]))  # warm up
    durees, requetes = [], []
    for dossier in brouillons[1:]:
        with CaptureQueriesContext(connection) as capture:
            debut = time.perf_counter()
            reponse = porteur.post(reverse("dossiers:deposer", args=[dossier.pk]))
            durees.append(time.perf_counter() - debut)
        requetes.append(len(capture.captured_queries))
        dossier.refresh_from_db()
        assert reponse.status_code == 302 and dossier.statut == Statut.DEPOSE, dossier.pk

    depose = brouillons[1]
    pdf = []
    for _ in range(3):
        debut = time.perf_counter()
        reponse = porteur.get(reverse("dossiers:pdf", args=[depose.pk]))
        pdf.append(time.perf_counter() - debut)

    contrat = Contrat.objects.par_defaut()
    instructeur = UtilisateurFactory()
    Habilitation.objects.create(utilisateur=instructeur, role="instructeur", contrat=contrat,
                                territoire_id=contrat.territoire_id)
    personnel = Client()
    personnel.force_login(instructeur)
    pages = {
        "catalogue (porteur)": (porteur, reverse("referentiel:index")),
        "mes dossiers (porteur)": (porteur, reverse("dossiers:liste")),
        "dossier (porteur)": (porteur, reverse("dossiers:detail", args=[depose.pk])),
        "catalogue (instructeur)": (personnel, reverse("referentiel:index")),
        "file (instructeur)": (personnel, reverse("evaluation:file", args=[appel.pk])),
    }
    for client, url in pages.values():  # the session settles on the first pages
        client.get(url)
    ecritures = {nom: _ecritures(client, url) for nom, (client, url) in pages.items()}
    return {
        "dossiers_en_base": Dossier.objects.count(),
        "depot_s": {
            "mediane": round(statistics.median(durees), 3),
            "max": round(max(durees), 3),
            "min": round(min(durees), 3),
            "n": len(durees),
            "requetes": statistics.median(requetes),
        },
        "pdf_dossier_s": round(statistics.median(pdf), 3),
        "pdf_statut": reponse.status_code,
        "ecritures_par_get": ecritures,
        "charge": [round(c, 2) for c in os.getloadavg()],
    }


def principal():
    global SERVEUR
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, nargs="+", default=[150, 20000])
    parser.add_argument("--depots", type=int, default=10, help="Dépôts mesurés par base.")
    parser.add_argument("--reconstruire", action="store_true")
    parser.add_argument("--serveur", default=SERVEUR, help="PostgreSQL (sans nom de base).")
    parser.add_argument("--construire", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--mesurer", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    SERVEUR = os.environ["BENCH_DEPOT_SERVEUR"] = args.serveur
    if args.construire:
        construire(args.construire)
        return
    if args.mesurer:
        print(json.dumps(mesurer(args.mesurer, args.depots)), flush=True)
        return
    resultats = {}
    for dossiers in args.dossiers:
        if args.reconstruire or not _existe(_base(dossiers)):
            enfant = subprocess.run([sys.executable, __file__, "--construire", str(dossiers)],
                                    cwd=RACINE, check=False)
            if enfant.returncode:
                raise SystemExit(f"Échec de la construction de {_base(dossiers)}")
        sortie = subprocess.run(
            [sys.executable, __file__, "--mesurer", str(dossiers), "--depots", str(args.depots)],
            cwd=RACINE, check=True, capture_output=True, text=True,
        ).stdout
        resultats[dossiers] = json.loads(sortie.strip().splitlines()[-1])
        print(json.dumps({"dossiers": dossiers, **resultats[dossiers]}, ensure_ascii=False),
              flush=True)
    print(f"{'volume':>8} {'dépôt médian':>13} {'dépôt max':>10} {'PDF':>7}  écritures par GET")
    for dossiers, r in resultats.items():
        print(f"{dossiers:>8} {r['depot_s']['mediane']:>12.3f}s {r['depot_s']['max']:>9.3f}s "
              f"{r['pdf_dossier_s']:>6.3f}s  {r['ecritures_par_get']}")


if __name__ == "__main__":
    principal()
