"""Benchmark: one contract's pages in a portal of 50 contracts, against that contract alone.

Two PostgreSQL databases, built once and reused while they match the options asked for
(``--reconstruire`` rebuilds them):

- « seul » (``portail_bench_seul``): the default contract alone, its call with N dossiers;
- « 50 contrats » (``portail_bench_50``): the same contract and 49 copies of its tree
  (``generer_volume --copies 49``), N dossiers on each call, interleaved row by row as when
  every territory takes submissions at the same time: 50 × N dossiers in all.

``--prefixe P`` names them ``P_bench_seul`` and ``P_bench_50`` instead.

The measured contract's dossiers are the same in both (each contract draws from its own random
stream). Each contract gets an account habilitated (instructeur and comité) on it alone.

One child process per database stays open with a warm connection; the parent asks them in turn
(seul, 50, then 50, seul…) for each measure and keeps the median of ``--repetitions`` runs:

(a) the instruction queue, through Django's test Client logged in as the contract's account:
    first page, a filtered and sorted page, a search;
(b) the programmation page of the contract's call;
(c) the annual aggregation of the contract (``evaluation.bilans.agregats.agreger``, no PDF),
    and the same figures kept under the data's fingerprint (``bilan_annuel``, a second view).

It prints the table, writes the ratios into ``benchmarks/resultats.json`` (other entries kept)
and the section « Un contrat parmi 50 » of ``docs/performances.md``. ``--expliquer`` instead
compares every query of each measure between the two databases and prints the EXPLAIN ANALYZE
of those that slow down.

Usage (from the repository root):
    .venv/bin/python benchmarks/contrats.py
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
import textwrap
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
# Children inherit the server chosen with --serveur through this variable.
SERVEUR = os.environ.get("BENCH_CONTRATS_SERVEUR", "postgres://postgres@127.0.0.1:5432")
# Database names: ``<prefix>_bench_seul`` and ``<prefix>_bench_50`` (--prefixe, inherited by the
# children through this variable), so that several people can share one server.
PREFIXE = os.environ.get("BENCH_CONTRATS_PREFIXE", "portail")
BASES = {"seul": f"{PREFIXE}_bench_seul", "50": f"{PREFIXE}_bench_50"}
ANNEE = 2025
OBJECTIF = 1.5
MESURES = [
    ("file", "file d'instruction, page 1"),
    ("file_filtree", "file filtrée : pilier 1, tri par montant décroissant"),
    ("file_recherche", "file : recherche « Passerelles », page 2"),
    ("programmation", "programmation de l'appel"),
    ("agregation", "agrégation annuelle du contrat"),
    ("agregation_gardee", "agrégation gardée : seconde vue, données inchangées"),
]
DOCUMENT = RACINE / "docs" / "performances.md"
DEBUT_SECTION = "<!-- benchmarks/contrats.py : début -->"
FIN_SECTION = "<!-- benchmarks/contrats.py : fin -->"


def _enfant(*arguments, **kwargs):
    return subprocess.Popen(
        [sys.executable, __file__, *arguments], cwd=RACINE, text=True, **kwargs
    )


def _env(base):
    os.environ["DATABASE_URL"] = f"{SERVEUR}/{BASES[base]}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "contrat_ville.settings.dev"
    os.environ["DEBUG"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["CONN_MAX_AGE"] = "86400"
    sys.path.insert(0, str(RACINE))
    import django

    django.setup()
    # One "successful login" line per child is noise here.
    logging.getLogger("axes").setLevel(logging.WARNING)


# --- Parent ----------------------------------------------------------------------------------


def principal():
    global SERVEUR
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contrats", type=int, default=50)
    parser.add_argument("--dossiers", type=int, default=5000, help="Dossiers par contrat.")
    parser.add_argument("--repetitions", type=int, default=11)
    parser.add_argument("--reconstruire", action="store_true")
    parser.add_argument("--expliquer", action="store_true")
    parser.add_argument("--sortie", default=str(RACINE / "benchmarks" / "resultats.json"))
    parser.add_argument("--document", default=str(DOCUMENT))
    parser.add_argument("--serveur", default=SERVEUR, help="PostgreSQL (sans nom de base).")
    parser.add_argument("--prefixe", default=PREFIXE,
                        help="Préfixe des noms de base (<préfixe>_bench_seul, <préfixe>_bench_50).")
    parser.add_argument("--construire", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--mesurer", help=argparse.SUPPRESS)
    args = parser.parse_args()
    SERVEUR = os.environ["BENCH_CONTRATS_SERVEUR"] = args.serveur
    os.environ["BENCH_CONTRATS_PREFIXE"] = args.prefixe
    BASES.update(seul=f"{args.prefixe}_bench_seul", **{"50": f"{args.prefixe}_bench_50"})
    if args.construire:
        base, contrats, dossiers = args.construire
        construire(base, int(contrats), int(dossiers))
        return
    if args.mesurer:
        servir(args.mesurer)
        return
    bases = {}
    for base, contrats in (("seul", 1), ("50", args.contrats)):
        bases[base] = preparer(base, contrats, args.dossiers, args.reconstruire)
    enfants = {base: _enfant("--mesurer", base, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
               for base in BASES}
    try:
        for enfant in enfants.values():
            _lire(enfant)  # ready: migrated, logged in, warmed up
        if args.expliquer:
            expliquer(enfants)
            return
        debut = time.perf_counter()
        charge_avant = os.getloadavg()
        resultats = mesurer(enfants, args.repetitions)
        execution = {
            "duree_s": round(time.perf_counter() - debut, 1),
            "charge": [round(c, 2) for c in (*charge_avant, *os.getloadavg())],
        }
    finally:
        for enfant in enfants.values():
            enfant.stdin.close()
            enfant.wait()
    entree = {
        "benchmark": "contrats",
        "date": datetime.date.today().isoformat(),
        "machine": machine(),
        "bases": bases,
        "repetitions": args.repetitions,
        "execution": execution,
        "objectif": OBJECTIF,
        "mesures": resultats,
    }
    print(tableau(resultats))
    ecrire_json(Path(args.sortie), entree)
    ecrire_document(Path(args.document), entree)


def preparer(base, contrats, dossiers, reconstruire):
    """The description of database ``base``, built first unless it matches what is asked."""
    description = None if reconstruire else _description(BASES[base])
    if description and (description["contrats"], description["dossiers_par_contrat"]) == (
        contrats, dossiers
    ):
        print(f"… base {BASES[base]} réutilisée (construite le {description['construite_le']})",
              file=sys.stderr, flush=True)
        return description
    print(f"… construction de {BASES[base]} : {contrats} contrat(s) × {dossiers} dossiers",
          file=sys.stderr, flush=True)
    if _enfant("--construire", base, str(contrats), str(dossiers)).wait():
        raise SystemExit(f"Échec de la construction de {BASES[base]}")
    return _description(BASES[base])


def _description(nom):
    import psycopg2

    connexion = psycopg2.connect(f"{SERVEUR}/postgres")
    try:
        with connexion.cursor() as curseur:
            curseur.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = %s", [nom],
            )
            ligne = curseur.fetchone()
    finally:
        connexion.close()
    try:
        return json.loads(ligne[0]) if ligne and ligne[0] else None
    except ValueError:
        return None


def _demander(enfant, **requete):
    enfant.stdin.write(json.dumps(requete) + "\n")
    enfant.stdin.flush()
    return _lire(enfant)


def _lire(enfant):
    ligne = enfant.stdout.readline()
    if not ligne:
        raise SystemExit("Un processus de mesure s'est arrêté (voir ci-dessus).")
    return json.loads(ligne)


def mesurer(enfants, repetitions):
    """Each measure in turn on both databases, alternating which goes first; medians."""
    resultats = []
    for cle, libelle in MESURES:
        durees = {base: [] for base in BASES}
        for rang in range(repetitions):
            ordre = list(BASES) if rang % 2 == 0 else list(reversed(BASES))
            for base in ordre:
                durees[base].append(_demander(enfants[base], mesure=cle)["duree"])
        infos = {base: _demander(enfants[base], infos=cle) for base in BASES}
        seul, cinquante = (statistics.median(durees[b]) for b in BASES)
        resultat = {
            "cle": cle, "libelle": libelle,
            "seul_s": seul, "cinquante_s": cinquante, "rapport": cinquante / seul,
            "requetes_seul": infos["seul"]["requetes"], "requetes_50": infos["50"]["requetes"],
            "octets_seul": infos["seul"]["octets"], "octets_50": infos["50"]["octets"],
            "durees_seul": durees["seul"], "durees_50": durees["50"],
        }
        resultats.append(resultat)
        print(tableau([resultat], entete=not resultats[:-1]), file=sys.stderr, flush=True)
    return resultats


def expliquer(enfants, seuil=OBJECTIF, minimum_ms=1.0):
    """Every query of each measure, timed on both databases; EXPLAIN ANALYZE where it slows."""
    for cle, libelle in MESURES:
        releves = {base: _demander(enfants[base], requetes=cle) for base in BASES}
        print(f"\n## {libelle}\n")
        seul, cinquante = releves["seul"], releves["50"]
        if len(seul) != len(cinquante):
            print(f"Nombre de requêtes différent : {len(seul)} contre {len(cinquante)}")
        for rang, (a, b) in enumerate(zip(seul, cinquante, strict=False)):
            lent = b["ms"] > minimum_ms and b["ms"] > seuil * max(a["ms"], 0.05)
            print(f"{rang:>3} {a['ms']:8.2f} ms {b['ms']:8.2f} ms {'!!' if lent else '  '} "
                  f"{' '.join(b['sql'].split())[:150]}")
            if lent:
                plans = {base: _demander(enfants[base], plan=cle, rang=rang)["plan"]
                         for base in BASES}
                for base in BASES:
                    print(f"\n    --- plan ({base})\n" + "\n".join(
                        "    " + ligne for ligne in plans[base].splitlines()))
                print()


def machine():
    memoire = next(
        (int(ligne.split()[1]) // 1024 // 1024 for ligne in Path("/proc/meminfo").read_text()
         .splitlines() if ligne.startswith("MemTotal")), None,
    )
    import django
    import psycopg2

    connexion = psycopg2.connect(f"{SERVEUR}/postgres")
    with connexion.cursor() as curseur:
        reglages = {}
        for nom in ("server_version", "shared_buffers", "work_mem", "random_page_cost"):
            curseur.execute(f"SHOW {nom}")
            reglages[nom] = curseur.fetchone()[0]
    connexion.close()
    return {
        "coeurs": os.cpu_count(), "memoire_go": memoire,
        "python": platform.python_version(), "django": django.get_version(),
        "postgresql": reglages,
    }


def _ms(secondes):
    if secondes < 0.1:
        return f"{secondes * 1000:.1f} ms".replace(".", ",")
    return f"{secondes * 1000:,.0f} ms".replace(",", " ")


def tableau(resultats, entete=True):
    lignes = [
        "| mesure | requêtes (seul / 50) | seul | 50 contrats | rapport |",
        "| --- | ---: | ---: | ---: | ---: |",
    ] if entete else []
    for r in resultats:
        lignes.append(
            f"| {r['libelle']} | {r['requetes_seul']} / {r['requetes_50']} | {_ms(r['seul_s'])} "
            f"| {_ms(r['cinquante_s'])} | {r['rapport']:.2f} |"
        )
    return "\n".join(lignes)


def ecrire_json(chemin, entree):
    """Replace this benchmark's entry in the results file; every other entry is kept."""
    existant = json.loads(chemin.read_text()) if chemin.exists() else []
    existant = [e for e in existant if e.get("benchmark") != "contrats"]
    chemin.write_text(json.dumps([*existant, entree], indent=2, ensure_ascii=False) + "\n")


def _nombre(n):
    return f"{n:,}".replace(",", " ")


def _fr(x, decimales=1):
    return f"{x:.{decimales}f}".replace(".", ",")


def _paragraphe(texte, puce=False):
    return textwrap.fill(texte, width=100, subsequent_indent="  " if puce else "",
                         break_on_hyphens=False)


def section(entree):
    """The generated part of the « Un contrat parmi 50 » section of docs/performances.md."""
    m, seul, cinquante = entree["machine"], entree["bases"]["seul"], entree["bases"]["50"]
    pg = m["postgresql"]
    puces = [
        f"- Machine : {m['coeurs']} cœurs virtuels, {m['memoire_go']} Go de mémoire, partagés "
        "avec d'autres processus (charge moyenne sur 1, 5 et 15 min, avant puis après les "
        f"mesures : {' ; '.join(_fr(c, 2) for c in entree['execution']['charge'])}).",
        f"- Python {m['python']}, Django {m['django']}, PostgreSQL "
        f"{pg['server_version'].split()[0]} en local (shared_buffers {pg['shared_buffers']}, "
        f"work_mem {pg['work_mem']}, random_page_cost {pg['random_page_cost']}).",
        f"- Base « seul » (`{BASES['seul']}`) : {_nombre(seul['dossiers'])} dossiers, "
        f"{_nombre(seul['lignes'])} lignes générées en {_fr(seul['generation_s'])} s.",
        f"- Base « 50 contrats » (`{BASES['50']}`) : {cinquante['contrats']} contrats, "
        f"{_nombre(cinquante['dossiers'])} dossiers, {_nombre(cinquante['lignes'])} lignes "
        f"générées en {_fr(cinquante['generation_s'] / 60)} min ; construction complète "
        f"(base, migrations, référentiel, génération, comptes, VACUUM ANALYZE) : "
        f"{_fr(cinquante['construction_s'] / 60)} min.",
    ]
    lignes = [
        DEBUT_SECTION,
        _paragraphe(
            f"Mesuré le {entree['date']} : médiane de {entree['repetitions']} passages par "
            "mesure, les deux bases interrogées en alternance (seul, 50, puis 50, seul…) par "
            "deux processus gardant chacun sa connexion ouverte ; « meilleurs passages » : "
            "rapport des durées minimales, le moins troublé par la charge de la machine."
        ),
        "",
        *(_paragraphe(p, puce=True) for p in puces),
        "",
        "| mesure | requêtes (seul / 50) | seul | 50 contrats | rapport | meilleurs passages "
        "| objectif |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in entree["mesures"]:
        rapport = _fr(r["rapport"], 2)
        if r["rapport"] <= entree["objectif"]:
            rapport = f"**{rapport}**"
        lignes.append(
            f"| {r['libelle']} | {r['requetes_seul']} / {r['requetes_50']} "
            f"| {_ms(r['seul_s'])} | {_ms(r['cinquante_s'])} | {rapport} "
            f"| {_fr(min(r['durees_50']) / min(r['durees_seul']), 2)} "
            f"| {_fr(entree['objectif'])} |"
        )
    lignes += [
        "",
        _paragraphe(
            f"Passage des mesures : {_fr(entree['execution']['duree_s'] / 60)} min. Chaque "
            "durée est dans l'entrée `\"benchmark\": \"contrats\"` de "
            "`benchmarks/resultats.json`."
        ),
        FIN_SECTION,
    ]
    return "\n".join(lignes)


def ecrire_document(document, entree):
    """Replace the generated part of the section (between its two markers) in ``document``."""
    texte = document.read_text()
    if DEBUT_SECTION not in texte:
        raise SystemExit(f"{document} : repères {DEBUT_SECTION!r} introuvables.")
    avant, reste = texte.split(DEBUT_SECTION, 1)
    _ancien, apres = reste.split(FIN_SECTION, 1)
    document.write_text(avant + section(entree) + apres)


# --- Child: build a database ------------------------------------------------------------------


def construire(base, contrats, dossiers):
    import io

    import psycopg2

    debut = time.perf_counter()
    nom = BASES[base]
    connexion = psycopg2.connect(f"{SERVEUR}/postgres")
    connexion.autocommit = True
    with connexion.cursor() as curseur:
        curseur.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')
        curseur.execute(f'CREATE DATABASE "{nom}"')
    _env(base)
    from django.core.management import call_command
    from django.db import connection

    from candidatures.models import Dossier, Habilitation, Utilisateur
    from referentiel.models import Contrat

    call_command("migrate", verbosity=0)
    call_command("loaddata", "referentiel", verbosity=0)
    sortie = io.StringIO()
    debut_generation = time.perf_counter()
    call_command("generer_volume", dossiers=dossiers, annee=ANNEE, copies=contrats - 1,
                 stdout=sortie)
    generation = time.perf_counter() - debut_generation
    print(sortie.getvalue().strip(), file=sys.stderr, flush=True)
    lignes = int(sortie.getvalue().rsplit("(", 1)[1].split()[0])
    for contrat in Contrat.objects.all():
        utilisateur = Utilisateur.objects.create_user(
            f"personnel-{contrat.code}@bench.invalid", prenom="Claire", nom=contrat.code
        )
        for role in ("instructeur", "comite"):
            Habilitation.objects.create(utilisateur=utilisateur, role=role, contrat=contrat,
                                        territoire_id=contrat.territoire_id)
    with connection.cursor() as curseur:
        # What autovacuum gives a production database: statistics, visibility map.
        curseur.execute("VACUUM ANALYZE")
    description = {
        "contrats": contrats, "dossiers_par_contrat": dossiers,
        "dossiers": Dossier.objects.count(), "lignes": lignes,
        "generation_s": round(generation, 1),
        "construction_s": round(time.perf_counter() - debut, 1),
        "construite_le": datetime.datetime.now().isoformat(timespec="seconds"),
    }
    with connexion.cursor() as curseur:
        curseur.execute(f'COMMENT ON DATABASE "{nom}" IS %s', [json.dumps(description)])
    connexion.close()


# --- Child: measure on one database -----------------------------------------------------------


def servir(base):
    """Answer the parent's requests, one JSON line each, on database ``base``."""
    _env(base)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # an index added since the build
    actions = preparer_mesures()
    for cle, _libelle in MESURES:  # warm caches, imports, plans
        actions[cle]()
        actions[cle]()
    _repondre({"pret": True})
    for ligne in sys.stdin:
        requete = json.loads(ligne)
        if "mesure" in requete:
            debut = time.perf_counter()
            actions[requete["mesure"]]()
            _repondre({"duree": time.perf_counter() - debut})
        elif "infos" in requete:
            _repondre(infos(actions[requete["infos"]]))
        elif "requetes" in requete:
            _repondre(releve(actions[requete["requetes"]]))
        elif "plan" in requete:
            _repondre({"plan": plan(releve(actions[requete["plan"]], brut=True)[requete["rang"]])})


def _repondre(donnees):
    sys.stdout.write(json.dumps(donnees) + "\n")
    sys.stdout.flush()


def preparer_mesures():
    """The measured contract's measures, each a function returning the bytes it produced."""
    from django.test import Client
    from django.urls import reverse

    from candidatures.models import AppelAProjets, Utilisateur
    from evaluation.bilans.agregats import Perimetre, agreger, bilan_annuel
    from referentiel.models import Contrat, Pilier

    contrat = Contrat.objects.par_defaut()
    appel = AppelAProjets.objects.get(contrat=contrat, annee=ANNEE)
    client = Client()
    client.force_login(Utilisateur.objects.get(email=f"personnel-{contrat.code}@bench.invalid"))
    pilier = Pilier.objects.get(contrat=contrat, code="1")
    file = reverse("evaluation:file", args=[appel.pk])

    def page(url):
        def obtenir():
            reponse = client.get(url)
            if reponse.status_code != 200:
                raise SystemExit(f"{url} : {reponse.status_code}")
            return len(reponse.content)
        return obtenir

    perimetre = Perimetre.pour_appel(appel)
    return {
        "file": page(file),
        "file_filtree": page(f"{file}?pilier={pilier.pk}&tri=-montant"),
        "file_recherche": page(f"{file}?q=Passerelles&page=2"),
        "programmation": page(reverse("evaluation:programmation", args=[appel.pk])),
        "agregation": lambda: len(repr(agreger(perimetre))),
        # Empreinte of the data, then the kept figures read back (the first call keeps them).
        "agregation_gardee": lambda: len(repr(bilan_annuel(perimetre))),
    }


def infos(action):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as requetes:
        octets = action()
    return {"requetes": len(requetes), "octets": octets}


def releve(action, brut=False):
    """Each query ``action`` runs, with its duration (and its parameters when ``brut``)."""
    from django.db import connection

    requetes = []

    def chronometrer(execute, sql, params, many, context):
        debut = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            requetes.append({"sql": sql, "params": params,
                             "ms": (time.perf_counter() - debut) * 1000})

    with connection.execute_wrapper(chronometrer):
        action()
    if brut:
        return requetes
    return [{"sql": r["sql"], "ms": r["ms"]} for r in requetes]


def plan(requete):
    from django.db import connection

    if not requete["sql"].lstrip().upper().startswith("SELECT"):
        return "(pas un SELECT)"
    with connection.cursor() as curseur:
        curseur.execute("EXPLAIN (ANALYZE, BUFFERS) " + requete["sql"], requete["params"])
        return "\n".join(ligne for (ligne,) in curseur.fetchall())


if __name__ == "__main__":
    principal()
