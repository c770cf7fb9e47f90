"""The budget grid and its totals."""

from decimal import Decimal

from candidatures.dossiers import budget


def test_grille_complete_et_codes_uniques():
    """The grid holds the Cerfa accounts 60–68, 70–79, 86x, 87x and one 74 line per funder."""

    codes = budget.CODES

    assert len(codes) == len(set(codes))
    assert {"60", "68", "ci", "860", "864", "70", "79", "rp", "870", "875"} <= set(codes)
    assert len([c for c in codes if c.startswith("74_")]) == 11


def test_montant_demande_etat_politique_de_la_ville_et_agglomeration():
    """The contrat de ville request is the État politique de la ville line plus the EPCI line."""

    assert budget.CODES_CONTRAT_VILLE == ["74_etat_pv", "74_epci"]


def test_totaliser_un_budget_equilibre():
    """Charges, produits, 86 and 87 are totalled apart; the share is computed on the charges."""

    totaux = budget.totaliser(
        {"60": 1000, "64": 3000, "864": 500, "74_etat_pv": 1500, "74_epci": 500, "70": 2000,
         "870": 500}
    )

    assert (totaux.charges, totaux.produits) == (4000, 4000)
    assert (totaux.contributions_emplois, totaux.contributions_ressources) == (500, 500)
    assert (totaux.total_charges, totaux.total_produits) == (4500, 4500)
    assert totaux.montant_demande == 2000
    assert totaux.part_demandee == Decimal("50.0")
    assert totaux.valide


def test_totaliser_ignore_lignes_vides_et_inconnues():
    """Missing, empty or unknown lines count as nothing."""

    totaux = budget.totaliser({"60": None, "61": 0, "inconnu": 99})

    assert totaux.charges == 0
    assert totaux.part_demandee is None
    assert not totaux.valide


def test_desequilibres_detectes():
    """Charges ≠ produits, or 86 ≠ 87, make the budget invalid."""

    assert not budget.totaliser({"60": 100, "70": 90}).equilibre
    assert not budget.totaliser({"60": 100, "70": 100, "860": 5}).contributions_equilibrees
