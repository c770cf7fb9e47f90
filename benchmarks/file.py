"""Benchmark: the instruction queue and its exports at 150 and at 20,000 dossiers.

One PostgreSQL database per size (``portail_bench_file_<n>``), built once with ``manage.py
generer_volume`` and reused (``--reconstruire`` rebuilds it). ``generer_volume`` inserts rows
directly: the amounts asked are then filled in one UPDATE (``actualiser_montants_demandes``), as
the data migration does for existing dossiers.

For each size, one child process, logged in (Django's test Client) as an instructeur of the
contract, measures the median of ``--repetitions`` runs of:

- the queue: first page, a filtered page (pilier and a structure typed by name), sorted by the
  amount asked, page 50 (the last page when there are fewer);
- the sort by amount as it was before (a correlated subquery summing each dossier's budget
  lines), for comparison, evaluated on the same first page;
- the XLSX and CSV export *requests* (the file itself below the threshold, else the page of the
  background build), and the background build of the XLSX (the task, run in the process).

It prints a table and, with ``--document``, rewrites the section « File d'instruction et
exports » at the end of ``docs/performances.md``.

Usage (from the repository root):
    .venv/bin/python benchmarks/file.py [--tailles 150 20000] [--repetitions 7] [--document]
"""

import argparse
import datetime
import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
SERVEUR = os.environ.get("BENCH_FILE_SERVEUR", "postgres://postgres@127.0.0.1:5432")
ANNEE = 2025
OBJECTIF = 1.5
MESURES = [
    ("file", "file, page 1"),
    ("file_filtree", "file filtrée : pilier 1 et structure « Association »"),
    ("file_statut", "file : statut « retenu », page 3"),
    ("file_triee", "file triée par montant demandé (décroissant)"),
    ("file_page_50", "file, page 50 (ou la dernière)"),
    ("ancien_tri", "ancien tri par montant : sous-requête corrélée (référence)"),
    ("export_xlsx", "requête d'export XLSX"),
    ("export_csv", "requête d'export CSV"),
    ("construction_xlsx", "construction du XLSX en arrière-plan (tâche)"),
]
DOCUMENT = RACINE / "docs" / "performances.md"
DEBUT_SECTION = "<!-- benchmarks/file.py : début -->"
FIN_SECTION = "<!-- benchmarks/file.py : fin -->"


def _base(taille):
    return f"portail_bench_file_{taille}"


def _env(taille):
    os.environ["DATABASE_URL"] = f"{SERVEUR}/{_base(taille)}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "contrat_ville.settings.dev"
    os.environ["DEBUG"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    sys.path.insert(0, str(RACINE))
    import django

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)


# --- Building ---------------------------------------------------------------------------------


def _creer_base(nom):
    import psycopg2

    connexion = psycopg2.connect(f"{SERVEUR}/postgres")
    connexion.autocommit = True
    try:
        with connexion.cursor() as curseur:
            curseur.execute(f'DROP DATABASE IF EXISTS "{nom}"')
            curseur.execute(f'CREATE DATABASE "{nom}"')
    finally:
        connexion.close()


def construire(taille):
    """Migrate, load the contract, generate ``taille`` dossiers, fill the amounts asked."""
    _creer_base(_base(taille))
    _env(taille)
    from django.core.management import call_command

    from candidatures.dossiers.services.montants import actualiser_montants_demandes
    from candidatures.models import Dossier

    call_command("migrate", verbosity=0)
    call_command("loaddata", "referentiel", verbosity=0)
    debut = time.perf_counter()
    call_command("generer_volume", dossiers=taille, annee=ANNEE, stdout=sys.stderr)
    actualiser_montants_demandes(Dossier.objects.filter(appel__annee=ANNEE))
    from django.db import connection

    with connection.cursor() as curseur:
        curseur.execute("ANALYZE")
    print(json.dumps({"construite_en_s": round(time.perf_counter() - debut, 1)}), flush=True)


def _existe(taille):
    import psycopg2

    try:
        psycopg2.connect(f"{SERVEUR}/{_base(taille)}").close()
    except psycopg2.OperationalError:
        return False
    return True


# --- Measuring (child) ------------------------------------------------------------------------


def _compte():
    from candidatures.models import Habilitation, Role, Utilisateur
    from referentiel.models import Contrat

    contrat = Contrat.objects.par_defaut()
    utilisateur, cree = Utilisateur.objects.get_or_create(
        email="banc-file@exemple.test", defaults={"prenom": "Banc", "nom": "File"}
    )
    if cree:
        Habilitation.objects.create(
            utilisateur=utilisateur, role=Role.INSTRUCTEUR, contrat=contrat,
            territoire=contrat.territoire,
        )
    return utilisateur


def _ancien_tri(appel, utilisateur):
    """The first page sorted by amount the way it was done before: a subquery per row."""
    from django.db.models import IntegerField, OuterRef, Subquery, Sum, Value
    from django.db.models.functions import Coalesce

    from candidatures.dossiers import budget
    from candidatures.models import LigneBudget
    from evaluation.instruction.selectors import file as selectors_file

    somme = Coalesce(
        Subquery(
            LigneBudget.objects.filter(dossier=OuterRef("pk"), code__in=budget.CODES_CONTRAT_VILLE)
            .values("dossier").annotate(total=Sum("montant")).values("total"),
            output_field=IntegerField(),
        ),
        Value(0),
    )
    file = selectors_file.file_triee(appel=appel, filtres={}, user=utilisateur)
    return list(file.annotate(ancien=somme).order_by("-ancien", "numero")[:50])


def mesurer(taille, repetitions):
    _env(taille)
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from candidatures.models import AppelAProjets, Dossier
    from evaluation.instruction import taches
    from evaluation.models import GenerationExport
    from referentiel.models import Pilier

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    utilisateur = _compte()
    appel = AppelAProjets.objects.get(contrat__par_defaut=True, annee=ANNEE)
    pilier = Pilier.objects.filter(contrat=appel.contrat).order_by("ordre").first()
    client = Client()
    client.force_login(utilisateur)
    file = reverse("evaluation:file", args=[appel.pk])
    requetes = {
        "file": (file, {}),
        "file_filtree": (file, {"pilier": pilier.pk, "structure": "Association"}),
        "file_statut": (file, {"statut": "retenu", "page": 3}),
        "file_triee": (file, {"tri": "-montant"}),
        "file_page_50": (file, {"page": 50}),
        "export_xlsx": (reverse("evaluation:export_xlsx", args=[appel.pk]), {}),
        "export_csv": (reverse("evaluation:export_csv", args=[appel.pk]), {}),
    }

    def une_fois(cle):
        debut = time.perf_counter()
        if cle == "ancien_tri":
            _ancien_tri(appel, utilisateur)
        elif cle == "construction_xlsx":
            generation = GenerationExport.objects.create(
                appel=appel, nature=GenerationExport.Nature.FILE_XLSX, empreinte="banc",
                demandee_par=utilisateur,
            )
            taches.generer_export.call(generation_id=str(generation.pk))
            generation.refresh_from_db()
            assert generation.etat == "terminee", generation.message
            generation.fichier.delete(save=False)
            generation.delete()
        else:
            url, parametres = requetes[cle]
            reponse = client.get(url, parametres)
            assert reponse.status_code in (200, 302), (cle, reponse.status_code)
            if reponse.streaming:
                b"".join(reponse.streaming_content)
        return time.perf_counter() - debut

    resultats = {"dossiers": Dossier.objects.filter(appel=appel).count()}
    for cle, _libelle in MESURES:
        if cle == "construction_xlsx":  # a minute at 20,000 dossiers: once, no warm-up
            resultats[cle] = round(une_fois(cle) * 1000, 1)
            continue
        une_fois(cle)  # warm-up
        durees = [une_fois(cle) for _ in range(repetitions)]
        resultats[cle] = round(statistics.median(durees) * 1000, 1)
    GenerationExport.objects.filter(empreinte__regex=r"^[0-9a-f]{64}$").delete()
    print(json.dumps(resultats), flush=True)


# --- Parent -----------------------------------------------------------------------------------


def _enfant(*arguments):
    sortie = subprocess.run(
        [sys.executable, __file__, *arguments], cwd=RACINE, text=True, capture_output=True,
        check=False,
    )
    if sortie.returncode:
        sys.stderr.write(sortie.stderr[-4000:])
        raise SystemExit(f"Échec de {' '.join(arguments)}")
    return json.loads(sortie.stdout.strip().splitlines()[-1])


def tableau(tailles, resultats):
    petite, grande = tailles[0], tailles[-1]
    lignes = [
        f"| Mesure | {resultats[petite]['dossiers']} dossiers (ms) | "
        f"{resultats[grande]['dossiers']} dossiers (ms) | rapport |",
        "|---|---:|---:|---:|",
    ]
    for cle, libelle in MESURES:
        a, b = resultats[petite][cle], resultats[grande][cle]
        lignes.append(f"| {libelle} | {a:.1f} | {b:.1f} | {b / a:.2f} |")
    return "\n".join(lignes)


def ecrire_document(chemin, texte):
    contenu = chemin.read_text(encoding="utf-8")
    bloc = f"{DEBUT_SECTION}\n{texte}\n{FIN_SECTION}"
    if DEBUT_SECTION in contenu:
        avant, reste = contenu.split(DEBUT_SECTION, 1)
        contenu = avant + bloc + reste.split(FIN_SECTION, 1)[1]
    else:
        contenu = contenu.rstrip("\n") + "\n\n" + bloc + "\n"
    chemin.write_text(contenu, encoding="utf-8")


def principal():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tailles", type=int, nargs="+", default=[150, 20000])
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--reconstruire", action="store_true")
    parser.add_argument("--document", action="store_true",
                        help="Écrire le tableau dans docs/performances.md.")
    parser.add_argument("--construire", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--mesurer", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.construire:
        construire(args.construire)
        return
    if args.mesurer:
        mesurer(args.mesurer, args.repetitions)
        return
    resultats = {}
    for taille in args.tailles:
        if args.reconstruire or not _existe(taille):
            print(f"… construction de {_base(taille)}", file=sys.stderr, flush=True)
            print(_enfant("--construire", str(taille)), file=sys.stderr, flush=True)
        resultats[taille] = _enfant(
            "--mesurer", str(taille), "--repetitions", str(args.repetitions)
        )
    texte = tableau(args.tailles, resultats)
    print(texte)
    print(json.dumps({
        "date": datetime.date.today().isoformat(), "machine": platform.platform(),
        "charge": os.getloadavg(), "resultats": resultats,
    }, ensure_ascii=False))
    if args.document:
        ecrire_document(DOCUMENT, texte)


if __name__ == "__main__":
    principal()
