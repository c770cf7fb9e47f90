"""Benchmark of the annual bilans: aggregation, XLSX and PDF, each beside the floor it is held to.

For every database and size, a child process creates a fresh database, loads the référentiel,
runs ``generer_volume`` and measures, the median of several runs:

- the aggregation (``agregats.agreger``): query count and time; floor: the same aggregates as
  one hand-written SQL statement (UNION ALL of the same GROUP BYs), fetched with a raw cursor;
- the raw rows (``agregats.lignes_brutes``); floor: one hand-written SQL statement;
- the workbook (``rendus_bilans.classeur_xlsx``); floor: openpyxl in write-only mode writing the
  same cells, already computed, without any style;
- the PDF (``rendus_bilans.bilan_pdf``); floor: WeasyPrint rendering the same HTML, already built
  (``candidatures.commun.pdf.pdf_depuis_html``);
- peak memory of each step (tracemalloc, in a separate pass) and of the process (ru_maxrss).

Usage (from the repository root):
    .venv/bin/python benchmarks/bilans.py --dossiers 1000 20000 --bases sqlite postgres
PostgreSQL: --postgres postgres://postgres@127.0.0.1:5432/portail_h6_bench (created and dropped).
"""

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
POSTGRES_DEFAUT = "postgres://postgres@127.0.0.1:5432/portail_h6_bench"


# --- Parent: one child per (database, size), then the table -------------------------------------


def principal():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, nargs="+", default=[1000, 20000])
    parser.add_argument("--bases", nargs="+", default=["sqlite", "postgres"],
                        choices=["sqlite", "postgres"])
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--postgres", default=POSTGRES_DEFAUT)
    parser.add_argument("--sortie", default=str(RACINE / "benchmarks" / "resultats.json"))
    parser.add_argument("--enfant", nargs=2, metavar=("BASE", "DOSSIERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.enfant:
        base, dossiers = args.enfant
        print(json.dumps(enfant(base, int(dossiers), args.repetitions, args.postgres)))
        return
    resultats = []
    for base in args.bases:
        for dossiers in args.dossiers:
            debut = time.perf_counter()
            print(f"… {base}, {dossiers} dossiers", file=sys.stderr, flush=True)
            sortie = subprocess.run(
                [sys.executable, __file__, "--enfant", base, str(dossiers),
                 "--repetitions", str(args.repetitions), "--postgres", args.postgres],
                cwd=RACINE, capture_output=True, text=True, check=False,
            )
            if sortie.returncode:
                print(sortie.stderr, file=sys.stderr)
                raise SystemExit(f"Échec pour {base} / {dossiers}")
            resultat = json.loads(sortie.stdout.strip().splitlines()[-1])
            resultat["duree_totale_s"] = round(time.perf_counter() - debut, 1)
            resultats.append(resultat)
            print(tableau([resultat]), flush=True)
    # Entries of the other benchmarks (with a "benchmark" key) stay in the file.
    fichier = Path(args.sortie)
    autres = (
        [e for e in json.loads(fichier.read_text()) if "benchmark" in e]
        if fichier.exists() else []
    )
    fichier.write_text(json.dumps(resultats + autres, indent=2, ensure_ascii=False))
    print(tableau(resultats))


def tableau(resultats):
    def ms(s):
        return f"{s * 1000:,.0f} ms".replace(",", " ")

    lignes = [
        "| base | dossiers | étape | mesuré | plancher | rapport | requêtes | pic mémoire |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in resultats:
        for etape, cle, plancher in (
            ("agrégation", "agregation", "agregation_sql"),
            ("agrégation (plancher : requêtes séparées)", "agregation", "agregation_sql_parties"),
            ("lignes brutes", "brutes", "brutes_sql"),
            ("XLSX", "xlsx", "xlsx_plancher"),
            ("PDF", "pdf", "pdf_plancher"),
        ):
            lignes.append(
                f"| {r['base']} | {r['dossiers']} | {etape} | {ms(r[cle])} | {ms(r[plancher])} "
                f"| {r[cle] / r[plancher]:.2f} | "
                f"{r['requetes'] if plancher == 'agregation_sql' else ''} | "
                f"{r['memoire_mo'][cle]:.0f} Mo |"
            )
    return "\n".join(lignes)


# --- Child: fresh database, volume, measures -----------------------------------------------------


def _preparer(base, dossiers, url_postgres):
    if base == "sqlite":
        fichier = Path(f"/tmp/bench-bilans-{dossiers}.sqlite3")
        for suffixe in ("", "-wal", "-shm"):
            Path(f"{fichier}{suffixe}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{fichier}"
    else:
        import psycopg2

        nom = url_postgres.rsplit("/", 1)[1]
        connexion = psycopg2.connect(url_postgres.rsplit("/", 1)[0] + "/postgres")
        connexion.autocommit = True
        with connexion.cursor() as curseur:
            curseur.execute(f'DROP DATABASE IF EXISTS "{nom}"')
            curseur.execute(f'CREATE DATABASE "{nom}"')
        connexion.close()
        os.environ["DATABASE_URL"] = url_postgres
    os.environ["DJANGO_SETTINGS_MODULE"] = "contrat_ville.settings.dev"
    sys.path.insert(0, str(RACINE))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("loaddata", "referentiel", verbosity=0)
    debut = time.perf_counter()
    call_command("generer_volume", dossiers=dossiers, annee=2025, stdout=io.StringIO())
    duree = time.perf_counter() - debut
    from django.db import connection

    # Fresh statistics, as a production database has them (autovacuum may lag a bulk load).
    with connection.cursor() as curseur:
        curseur.execute("ANALYZE")
    return duree


def _chrono(fonction):
    debut = time.perf_counter()
    resultat = fonction()
    return time.perf_counter() - debut, resultat


def _comparer(mesure, plancher, repetitions):
    """Medians of ``mesure`` and of its floor, run alternately so load changes hit both alike."""
    durees, durees_plancher, resultat = [], [], None
    for _ in range(repetitions):
        duree, resultat = _chrono(mesure)
        durees.append(duree)
        durees_plancher.append(_chrono(plancher)[0])
    return statistics.median(durees), statistics.median(durees_plancher), resultat


def _pic(fonction):
    tracemalloc.start()
    fonction()
    _actuel, pic = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return pic / 1024 / 1024


def enfant(base, dossiers, repetitions, url_postgres):
    generation = _preparer(base, dossiers, url_postgres)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from candidatures.commun.pdf import pdf_depuis_html
    from candidatures.models import AppelAProjets
    from evaluation.bilans import rendus as rendus_bilans
    from evaluation.bilans.agregats import Perimetre, agreger, lignes_brutes

    perimetre = Perimetre.pour_appel(AppelAProjets.objects.get(annee=2025))
    agreger(perimetre)  # warm caches (database pages, imports) before timing
    with CaptureQueriesContext(connection) as requetes:
        agreger(perimetre)
    t_agregation, t_sql, bilan = _comparer(
        lambda: agreger(perimetre), lambda: sql_agregation(connection, perimetre), repetitions
    )
    _t, t_sql_parties, _r = _comparer(
        lambda: None, lambda: sql_agregation_parties(connection, perimetre), repetitions
    )
    t_brutes, t_brutes_sql, lignes = _comparer(
        lambda: lignes_brutes(perimetre), lambda: sql_brutes(connection, perimetre), repetitions
    )
    cellules = cellules_des_tableaux(rendus_bilans.tableaux(bilan, lignes))
    t_xlsx, t_xlsx_plancher, contenu = _comparer(
        lambda: rendus_bilans.classeur_xlsx(bilan, lignes), lambda: plancher_xlsx(cellules),
        repetitions,
    )
    html = rendus_bilans.html_bilan(bilan)
    t_pdf, t_pdf_plancher, pdf = _comparer(
        lambda: rendus_bilans.bilan_pdf(bilan),
        lambda: pdf_depuis_html(html, rendus_bilans.FEUILLE_PDF),
        max(1, min(repetitions, 2)),
    )

    from pypdf import PdfReader

    memoire = {
        "agregation": _pic(lambda: agreger(perimetre)),
        "brutes": _pic(lambda: lignes_brutes(perimetre)),
        "xlsx": _pic(lambda: rendus_bilans.classeur_xlsx(bilan, lignes)),
        "pdf": _pic(lambda: rendus_bilans.bilan_pdf(bilan)),
    }
    return {
        "base": base,
        "dossiers": dossiers,
        "generation_volume_s": round(generation, 2),
        "requetes": len(requetes),
        "agregation": t_agregation,
        "agregation_sql": t_sql,
        "agregation_sql_parties": t_sql_parties,
        "brutes": t_brutes,
        "brutes_sql": t_brutes_sql,
        "lignes_brutes": len(lignes),
        "xlsx": t_xlsx,
        "xlsx_plancher": t_xlsx_plancher,
        "xlsx_octets": len(contenu),
        "cellules": sum(len(r) for _t, lignes_ in cellules for r in lignes_),
        "pdf": t_pdf,
        "pdf_plancher": t_pdf_plancher,
        "pdf_pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "memoire_mo": memoire,
        "rss_max_mo": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# --- Floors --------------------------------------------------------------------------------------


def cellules_des_tableaux(tableaux):
    """The cells the renderer writes, already computed: what the XLSX floor writes."""
    resultat = []
    for t in tableaux:
        lignes = [[c.libelle for c in t.colonnes]]
        if t.formats_par_ligne:
            lignes += [[libelle] if style == "titre" else [libelle, valeur]
                       for libelle, valeur, style in t.lignes]
        else:
            lignes += [list(r) for r in t.lignes]
        resultat.append((t.titre, lignes))
    return resultat


def plancher_xlsx(cellules):
    from openpyxl import Workbook

    classeur = Workbook(write_only=True)
    for titre, lignes in cellules:
        feuille = classeur.create_sheet(title=titre)
        for ligne in lignes:
            feuille.append(ligne)
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def _liste(valeurs):
    return ", ".join(f"'{v}'" for v in valeurs)


def requete_agregation(perimetre):
    """The aggregates of ``agreger`` as one hand-written statement, and its parameters."""
    from candidatures.dossiers import budget
    from candidatures.models import STATUTS_REFUSES, STATUTS_RETENUS
    from evaluation.bilans.agregats import statuts_comptes

    retenus = _liste(STATUTS_RETENUS)
    refuses = _liste(STATUTS_REFUSES)
    comptes = _liste(statuts_comptes(perimetre.inclure_deposes))
    contrat_ville = _liste(budget.CODES_CONTRAT_VILLE)
    stats = """COUNT(*), SUM(retenu), SUM(refuse), SUM(propose), SUM(accorde), SUM(compte),
        SUM(bf), SUM(bh), SUM(bfi), SUM(bg)"""
    requete = f"""
    WITH dos AS MATERIALIZED (
        SELECT d.id, d.statut, d.action_principale_id, d.structure_id, a.annee
        FROM candidatures_dossier d JOIN candidatures_appelaprojets a ON a.id = d.appel_id
        WHERE a.contrat_id = %s AND a.annee >= %s AND a.annee <= %s
          AND d.depose_le IS NOT NULL
    ), stat AS MATERIALIZED (
        SELECT dos.id, dos.annee, dos.action_principale_id, dos.structure_id,
          CASE WHEN dos.statut IN ({retenus}) THEN 1 ELSE 0 END AS retenu,
          CASE WHEN dos.statut IN ({refuses}) THEN 1 ELSE 0 END AS refuse,
          CASE WHEN dos.statut IN ({comptes}) THEN 1 ELSE 0 END AS compte,
          i.montant_propose AS propose, dc.montant_accorde AS accorde,
          CASE WHEN dos.statut IN ({comptes}) THEN b.beneficiaires_femmes END AS bf,
          CASE WHEN dos.statut IN ({comptes}) THEN b.beneficiaires_hommes END AS bh,
          CASE WHEN dos.statut IN ({comptes}) THEN b.beneficiaires_filles END AS bfi,
          CASE WHEN dos.statut IN ({comptes}) THEN b.beneficiaires_garcons END AS bg
        FROM dos
        LEFT JOIN evaluation_instruction i ON i.dossier_id = dos.id
        LEFT JOIN evaluation_decision dc ON dc.dossier_id = dos.id
        LEFT JOIN evaluation_bilan b ON b.dossier_id = dos.id
    )
    SELECT 'action', annee, action_principale_id, NULL, {stats}
      FROM stat GROUP BY annee, action_principale_id
    UNION ALL
    SELECT 'budget', dos.annee, dos.action_principale_id, lb.code, SUM(lb.montant),
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
      FROM candidatures_lignebudget lb JOIN dos ON dos.id = lb.dossier_id
      GROUP BY dos.annee, dos.action_principale_id, lb.code
    UNION ALL
    SELECT 'cr', ori.pilier_id, NULL, lcr.code, SUM(lcr.prevu), SUM(lcr.realise),
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
      FROM evaluation_lignecompterendu lcr
      JOIN evaluation_bilan b ON b.id = lcr.bilan_id
      JOIN dos ON dos.id = b.dossier_id
      JOIN referentiel_action act ON act.id = dos.action_principale_id
      JOIN referentiel_objectif obj ON obj.id = act.objectif_id
      JOIN referentiel_orientation ori ON ori.id = obj.orientation_id
      WHERE dos.statut IN ({comptes}) AND lcr.code LIKE '74%%'
      GROUP BY ori.pilier_id, lcr.code
    UNION ALL
    SELECT 'realise', ri.indicateur_id, NULL, NULL, COUNT(*), SUM(ri.valeur),
        SUM(ri.valeur_femmes), SUM(ri.valeur_hommes), SUM(ri.valeur_filles),
        SUM(ri.valeur_garcons), NULL, NULL, NULL, NULL
      FROM evaluation_realisationindicateur ri
      JOIN evaluation_bilan b ON b.id = ri.bilan_id JOIN dos ON dos.id = b.dossier_id
      WHERE dos.statut IN ({comptes}) GROUP BY ri.indicateur_id
    UNION ALL
    SELECT 'prevu', p.indicateur_id, NULL, NULL, COUNT(*), SUM(p.valeur),
        SUM(p.valeur_femmes), SUM(p.valeur_hommes), SUM(p.valeur_filles),
        SUM(p.valeur_garcons), NULL, NULL, NULL, NULL
      FROM candidatures_previsionindicateur p JOIN dos ON dos.id = p.dossier_id
      WHERE dos.statut IN ({comptes}) GROUP BY p.indicateur_id
    UNION ALL
    SELECT 'qpv', dq.quartierprioritaire_id, NULL, NULL, {stats}
      FROM stat LEFT JOIN candidatures_dossier_quartiers dq ON dq.dossier_id = stat.id
      GROUP BY dq.quartierprioritaire_id
    UNION ALL
    SELECT 'structure', stat.structure_id, NULL, MAX(s.raison_sociale), {stats}
      FROM stat JOIN candidatures_structure s ON s.id = stat.structure_id
      GROUP BY stat.structure_id
    UNION ALL
    SELECT 'demande_qpv', dq.quartierprioritaire_id, NULL, NULL, SUM(lb.montant),
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
      FROM candidatures_lignebudget lb JOIN dos ON dos.id = lb.dossier_id
      LEFT JOIN candidatures_dossier_quartiers dq ON dq.dossier_id = dos.id
      WHERE lb.code IN ({contrat_ville}) GROUP BY dq.quartierprioritaire_id
    UNION ALL
    SELECT 'demande_structure', dos.structure_id, NULL, NULL, SUM(lb.montant),
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
      FROM candidatures_lignebudget lb JOIN dos ON dos.id = lb.dossier_id
      WHERE lb.code IN ({contrat_ville}) GROUP BY dos.structure_id
    """
    return requete, [perimetre.contrat_id, perimetre.annee_debut, perimetre.annee_fin]


def sql_agregation(connection, perimetre):
    """The floor: the aggregates as one hand-written statement, one round trip."""
    requete, parametres = requete_agregation(perimetre)
    with connection.cursor() as curseur:
        curseur.execute(requete, parametres)
        return curseur.fetchall()


def sql_agregation_parties(connection, perimetre):
    """The same statement split at each UNION ALL, run one part after the other.

    SQLite plans the single statement worse than its parts: this second floor keeps the
    comparison honest there.
    """
    requete, parametres = requete_agregation(perimetre)
    entete, corps = requete.split("SELECT 'action'", 1)
    resultat = []
    with connection.cursor() as curseur:
        for partie in ("SELECT 'action'" + corps).split("UNION ALL"):
            curseur.execute(entete + partie, parametres)
            resultat += curseur.fetchall()
    return resultat


def sql_brutes(connection, perimetre):
    """The raw rows of ``lignes_brutes`` as one hand-written statement."""
    from evaluation.bilans.agregats import statuts_comptes

    comptes = _liste(statuts_comptes(perimetre.inclure_deposes))
    concatener = (
        "string_agg(q.nom, ', ')" if connection.vendor == "postgresql"
        else "group_concat(q.nom, ', ')"
    )
    requete = f"""
    WITH dos AS MATERIALIZED (
        SELECT d.id, a.annee, d.reference, d.statut, d.structure_id, d.action_principale_id
        FROM candidatures_dossier d JOIN candidatures_appelaprojets a ON a.id = d.appel_id
        WHERE a.contrat_id = %s AND a.annee >= %s AND a.annee <= %s
          AND d.depose_le IS NOT NULL AND d.statut IN ({comptes})
    ), qpv AS (
        SELECT dq.dossier_id, {concatener} AS noms
        FROM candidatures_dossier_quartiers dq
        JOIN dos ON dos.id = dq.dossier_id
        JOIN referentiel_quartierprioritaire q ON q.id = dq.quartierprioritaire_id
        GROUP BY dq.dossier_id
    )
    SELECT dos.annee, dos.reference, s.raison_sociale, pil.code, ori.code, obj.code, act.code,
        qpv.noms, dos.statut, ind.libelle, ind.ventilation,
        p.valeur_femmes, p.valeur_hommes, p.valeur_filles, p.valeur_garcons, p.valeur,
        ri.valeur_femmes, ri.valeur_hommes, ri.valeur_filles, ri.valeur_garcons, ri.valeur
    FROM candidatures_previsionindicateur p
    JOIN dos ON dos.id = p.dossier_id
    JOIN referentiel_indicateur ind ON ind.id = p.indicateur_id AND ind.nature = 'nombre'
    JOIN candidatures_structure s ON s.id = dos.structure_id
    JOIN referentiel_action act ON act.id = dos.action_principale_id
    JOIN referentiel_objectif obj ON obj.id = act.objectif_id
    JOIN referentiel_orientation ori ON ori.id = obj.orientation_id
    JOIN referentiel_pilier pil ON pil.id = ori.pilier_id
    LEFT JOIN evaluation_bilan b ON b.dossier_id = dos.id
    LEFT JOIN evaluation_realisationindicateur ri
      ON ri.bilan_id = b.id AND ri.indicateur_id = p.indicateur_id
    LEFT JOIN qpv ON qpv.dossier_id = dos.id
    ORDER BY dos.annee, dos.reference
    """
    with connection.cursor() as curseur:
        curseur.execute(requete, [perimetre.contrat_id, perimetre.annee_debut,
                                  perimetre.annee_fin])
        return curseur.fetchall()


if __name__ == "__main__":
    principal()
