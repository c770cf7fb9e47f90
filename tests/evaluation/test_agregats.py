"""Annual bilan figures on the hand-computed dataset: every expected number is written out."""

import pytest

from evaluation.bilans.agregats import Perimetre, agreger, empreinte, lignes_brutes
from referentiel.models import Pilier, QuartierPrioritaire
from tests.evaluation.factories import jeu_bilans

pytestmark = pytest.mark.django_db


def _chiffres(c):
    return (
        c.deposes, c.retenus, c.refuses, c.montant_demande, c.montant_propose, c.montant_accorde,
        c.realisees, c.beneficiaires_femmes, c.beneficiaires_hommes, c.beneficiaires_filles,
        c.beneficiaires_garcons,
    )


@pytest.fixture
def jeu():
    return jeu_bilans()


@pytest.fixture
def bilan_2025(jeu):
    return agreger(Perimetre.pour_appel(jeu["appel_2025"]))


def test_totaux_de_l_appel_bilans_valides(bilan_2025):
    """Six submitted dossiers, four retained, one refused; validated bilans only."""
    assert _chiffres(bilan_2025.total) == (6, 4, 1, 25000, 16500, 13500, 2, 42, 38, 0, 0)
    assert bilan_2025.total.beneficiaires_total == 80
    assert bilan_2025.total.part_femmes == 0.525


def test_totaux_avec_les_bilans_deposes(jeu):
    """Including submitted bilans adds D2's beneficiaries and its carried-out action."""
    bilan = agreger(Perimetre.pour_appel(jeu["appel_2025"], inclure_deposes=True))

    assert _chiffres(bilan.total) == (6, 4, 1, 25000, 16500, 13500, 3, 52, 43, 8, 7)
    assert bilan.total.beneficiaires_total == 110
    assert bilan.total.part_femmes == 0.5455


def test_par_pilier(bilan_2025):
    """Each pilier sums its dossiers; pilier 4 has none."""
    piliers = {p.code: _chiffres(p.chiffres) for p in bilan_2025.piliers}

    assert piliers == {
        "1": (4, 3, 0, 14000, 11500, 9500, 1, 30, 20, 0, 0),
        "2": (1, 0, 1, 5000, 0, 0, 0, 0, 0, 0, 0),
        "3": (1, 1, 0, 6000, 5000, 4000, 1, 12, 18, 0, 0),
        "4": (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    }


def test_par_orientation_objectif_et_action(bilan_2025):
    """Orientation 1.1, objective 1.1.1 and its actions roll up D1 and D5."""
    orientations = {o.code: _chiffres(o.chiffres) for o in bilan_2025.orientations}
    objectifs = {o.code: _chiffres(o.chiffres) for o in bilan_2025.objectifs}
    actions = {a.code: _chiffres(a.chiffres) for a in bilan_2025.actions}

    assert orientations["1.1"] == (2, 1, 0, 8500, 6000, 5000, 1, 30, 20, 0, 0)
    assert orientations["1.6"] == (1, 1, 0, 3000, 3000, 2500, 0, 0, 0, 0, 0)
    assert objectifs["1.1.1"] == (2, 1, 0, 8500, 6000, 5000, 1, 30, 20, 0, 0)
    assert actions["1.1.1.a"] == (1, 1, 0, 7000, 6000, 5000, 1, 30, 20, 0, 0)
    assert actions["1.1.1.b"] == (1, 0, 0, 1500, 0, 0, 0, 0, 0, 0, 0)
    assert actions["1.3.3.a"] == (1, 1, 0, 2500, 2500, 2000, 0, 0, 0, 0, 0)
    assert actions["1.1.1.c"] == (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)


def test_indicateurs_prevu_et_realise(bilan_2025):
    """Indicators of the validated bilans: F/H sums, total, share of women, forecast."""
    lignes = {(i.objectif_code, i.ordre): i for i in bilan_2025.indicateurs}

    assert set(lignes) == {("1.1.1", 1), ("1.1.1", 6), ("3.1.3", 1)}
    habitants = lignes[("1.1.1", 6)]
    assert (habitants.realise.femmes, habitants.realise.hommes, habitants.realise.total) == (
        30, 20, 50
    )
    assert (habitants.prevu.femmes, habitants.prevu.hommes, habitants.prevu.total) == (25, 25, 50)
    assert habitants.realise.part_femmes == 0.6
    assert habitants.taux_realisation == 1.0
    assert habitants.bilans == 1
    emploi = lignes[("3.1.3", 1)]
    assert (emploi.realise.femmes, emploi.realise.hommes, emploi.realise.total) == (12, 18, 30)
    assert emploi.realise.part_femmes == 0.4
    assert emploi.taux_realisation == 1.5
    animations = lignes[("1.1.1", 1)]
    assert (animations.realise.valeur, animations.prevu.valeur) == (12, 10)
    assert animations.realise.part_femmes is None


def test_indicateur_filles_garcons_des_bilans_deposes(jeu):
    """With submitted bilans, the F/H and F/G indicator of D2 appears with its four values."""
    bilan = agreger(Perimetre.pour_appel(jeu["appel_2025"], inclure_deposes=True))
    sport = next(i for i in bilan.indicateurs if i.objectif_code == "1.6.1")

    assert (
        sport.realise.femmes, sport.realise.hommes, sport.realise.filles, sport.realise.garcons
    ) == (10, 5, 8, 7)
    assert sport.realise.total == 30
    assert sport.prevu.total == 40
    assert sport.realise.part_femmes == 0.6
    assert sport.taux_realisation == 0.75


def test_par_quartier(bilan_2025):
    """A dossier counts in each of its QPV; dossiers without QPV have their own row."""
    quartiers = {q.code: _chiffres(q.chiffres) for q in bilan_2025.quartiers}

    assert quartiers == {
        "ales": (3, 2, 1, 15000, 9000, 7500, 1, 30, 20, 0, 0),
        "anduze-centre-ville": (2, 2, 0, 5500, 5500, 4500, 0, 0, 0, 0, 0),
        "la-grand-combe-trescol-la-levade": (1, 1, 0, 6000, 5000, 4000, 1, 12, 18, 0, 0),
        "": (1, 0, 0, 1500, 0, 0, 0, 0, 0, 0, 0),
    }


def test_par_structure(bilan_2025):
    """Each structure sums its own dossiers."""
    structures = {s.nom: _chiffres(s.chiffres) for s in bilan_2025.structures}

    assert structures == {
        "Association Alpha": (2, 2, 0, 10000, 9000, 7500, 1, 30, 20, 0, 0),
        "Association Bêta": (2, 1, 1, 11000, 5000, 4000, 1, 12, 18, 0, 0),
        "Association Gamma": (2, 1, 0, 4000, 2500, 2000, 0, 0, 0, 0, 0),
    }


def test_financeurs_du_compte_74(bilan_2025):
    """Requested by funder line in every budget; forecast and actual in validated bilans."""
    financeurs = {
        f.code: (f.demande, f.prevu_bilans, f.realise_bilans)
        for f in bilan_2025.financeurs
        if f.demande or f.prevu_bilans
    }

    assert financeurs == {
        "74_etat_pv": (13500, 4000, 4000),
        "74_epci": (11500, 9000, 8500),
        "74_region": (1000, 1000, 1200),
        "74_departement": (2000, 2000, 1000),
    }
    pilier_3 = {f.code: f.realise_bilans for f in bilan_2025.financeurs_par_pilier["3"]}
    assert (pilier_3["74_epci"], pilier_3["74_departement"]) == (6000, 1000)


def test_evolution_sur_deux_annees(jeu):
    """2024 then 2025, with the change from one year to the next."""
    bilan = agreger(Perimetre(contrat_id=jeu["appel_2025"].contrat_id, annee_debut=2024,
                              annee_fin=2025))

    assert [a.annee for a in bilan.annees] == [2024, 2025]
    annee_2024, annee_2025 = bilan.annees
    assert _chiffres(annee_2024.chiffres) == (1, 1, 0, 3000, 3000, 3000, 1, 20, 20, 0, 0)
    assert annee_2025.evolution == {
        "deposes": 5.0, "retenus": 3.0, "montant_accorde": 3.5, "beneficiaires_total": 1.0,
    }
    assert bilan.total.deposes == 7
    habitants = next(i for i in bilan.indicateurs if (i.objectif_code, i.ordre) == ("1.1.1", 6))
    assert (habitants.realise.femmes, habitants.realise.hommes) == (48, 42)


def test_filtre_pilier_et_quartier(jeu):
    """Narrowing to pilier 1 and to the QPV of Anduze keeps D2 and D6 only."""
    perimetre = Perimetre.pour_appel(
        jeu["appel_2025"], pilier_id=Pilier.objects.get(code="1").pk,
        quartier_id=QuartierPrioritaire.objects.get(code="anduze-centre-ville").pk,
    )

    bilan = agreger(perimetre)

    assert _chiffres(bilan.total) == (2, 2, 0, 5500, 5500, 4500, 0, 0, 0, 0, 0)
    assert [p.code for p in bilan.piliers] == ["1"]
    quartiers = {q.code: q.chiffres.deposes for q in bilan.quartiers}
    assert quartiers == {"ales": 1, "anduze-centre-ville": 2}


def test_nombre_de_requetes_constant(jeu, django_assert_max_num_queries):
    """The aggregation runs a fixed number of queries, whatever the number of dossiers."""
    with django_assert_max_num_queries(17):
        agreger(Perimetre.pour_appel(jeu["appel_2025"]))


def test_lignes_brutes(jeu):
    """One row per dossier × numeric indicator of the counted bilans, forecast beside achieved."""
    lignes = lignes_brutes(Perimetre.pour_appel(jeu["appel_2025"]))

    resume = [
        (lg.reference, lg.action, lg.indicateur[:27], lg.prevu.total, lg.realise.femmes,
         lg.realise.hommes, lg.realise.total)
        for lg in lignes
    ]
    d1, d3 = jeu["dossiers"][0], jeu["dossiers"][2]
    assert sorted(resume) == sorted([
        (d1.reference, "1.1.1.a", "Nombre d'animations par qua", 10, 0, 0, 12),
        (d1.reference, "1.1.1.a", "Nombre d'habitants mobilisé", 50, 30, 20, 50),
        (d3.reference, "3.1.3.a", "Nombre de personnes et typo", 20, 12, 18, 30),
    ])
    assert lignes[0].quartiers == "Alès"


def test_empreinte_change_avec_les_donnees(jeu):
    """The fingerprint is stable until a dossier of the scope changes."""
    from evaluation.bilans.services import depot as services_bilans_depot
    from tests.evaluation.factories import UtilisateurFactory

    perimetre = Perimetre.pour_appel(jeu["appel_2025"], inclure_deposes=True)
    avant = empreinte(perimetre)
    assert empreinte(perimetre) == avant
    d2 = jeu["dossiers"][1]

    services_bilans_depot.valider_bilan(bilan=d2.bilan, par=UtilisateurFactory(instructeur=True))

    assert empreinte(perimetre) != avant
    assert empreinte(Perimetre.pour_appel(jeu["appel_2025"], inclure_deposes=False)) != avant


def test_chaque_dossier_lu_une_seule_fois(jeu):
    """The dossiers' own figures (instruction, decision, bilan) and their budget lines are read
    by one query each, not once per grouping (action, QPV, structure): the cost of a contract's
    year does not multiply with the size of the tables shared by every contract."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as requetes:
        agreger(Perimetre.pour_appel(jeu["appel_2025"]))

    sql = [r["sql"].lower() for r in requetes]
    assert sum('"evaluation_instruction"' in s for s in sql) == 1
    assert sum('"evaluation_decision"' in s for s in sql) == 1
    assert sum("from \"candidatures_lignebudget\"" in s for s in sql) == 1
    # Filtered by the scope's calls (the index that starts with the call), not by a join.
    lecture = next(s for s in sql if '"evaluation_instruction"' in s)
    assert '"candidatures_dossier"."appel_id" in' in lecture


def test_lignes_des_dossiers_lues_par_l_appel(jeu):
    """Instruction, decision and bilan rows are joined on the scope's calls too, and the
    fingerprint filters the status history, bilans and trail by call: PostgreSQL reads them
    through their index that starts with the call, whatever the other contracts hold."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluation.bilans.agregats import bilan_annuel

    appel = jeu["appel_2025"]
    with CaptureQueriesContext(connection) as requetes:
        agreger(Perimetre.pour_appel(appel))
    lecture = next(r["sql"] for r in requetes if '"evaluation_instruction"' in r["sql"])
    for table in ("evaluation_instruction", "evaluation_decision", "evaluation_bilan"):
        alias = re.search(rf'JOIN "{table}" "?(\w+)"? ON', lecture).group(1)
        assert re.search(rf'"?{alias}"?\."appel_id" IN \({appel.pk}\)', lecture), table

    with CaptureQueriesContext(connection) as requetes:
        bilan_annuel(Perimetre.pour_appel(appel))
    empreinte_sql = requetes[0]["sql"]
    for table in ("candidatures_historiquestatut", "evaluation_bilan", "evaluation_modification"):
        assert re.search(
            rf'FROM "{table}"( "?(\w+)"?)? WHERE \("?(\2|{table})"?\."appel_id" IN \(SELECT',
            empreinte_sql,
        ), table


def test_autres_dossiers_completent_la_synthese(bilan_2025):
    """Deposited = retained + refused + the rest (D5 in instruction)."""
    t = bilan_2025.total
    assert (t.deposes, t.retenus, t.refuses, t.autres) == (6, 4, 1, 1)
