"""The Cerfa n°12156 project budget grid, in one place, and the one function that totals it."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CHARGE = "charge"
PRODUIT = "produit"
CONTRIBUTION_EMPLOI = "86"
CONTRIBUTION_RESSOURCE = "87"


@dataclass(frozen=True)
class Ligne:
    """One line of the grid: ``cote`` says which total it counts in."""

    code: str
    numero: str
    libelle: str
    cote: str
    contrat_ville: bool = False
    a_preciser: str = ""


# The request to the contrat de ville is what the call funds: the État's specific credits for
# politique de la ville (ANCT, programme 147) and Alès Agglomération's share (EPCI).
LIGNES = [
    Ligne("60", "60", "Achats", CHARGE),
    Ligne("61", "61", "Services extérieurs", CHARGE),
    Ligne("62", "62", "Autres services extérieurs", CHARGE),
    Ligne("63", "63", "Impôts et taxes", CHARGE),
    Ligne("64", "64", "Charges de personnel", CHARGE),
    Ligne("65", "65", "Autres charges de gestion courante", CHARGE),
    Ligne("66", "66", "Charges financières", CHARGE),
    Ligne("67", "67", "Charges exceptionnelles", CHARGE),
    Ligne("68", "68", "Dotation aux amortissements", CHARGE),
    Ligne("ci", "", "Charges indirectes affectées au projet", CHARGE),
    Ligne("860", "860", "Secours en nature", CONTRIBUTION_EMPLOI),
    Ligne("861", "861", "Mise à disposition gratuite de biens et services", CONTRIBUTION_EMPLOI),
    Ligne("862", "862", "Prestations", CONTRIBUTION_EMPLOI),
    Ligne("864", "864", "Personnel bénévole", CONTRIBUTION_EMPLOI),
    Ligne("70", "70", "Ventes de produits finis, prestations de services", PRODUIT),
    Ligne("73", "73", "Dotations et produits de tarification", PRODUIT),
    Ligne(
        "74_etat_pv",
        "74",
        "État — politique de la ville (ANCT, programme 147)",
        PRODUIT,
        contrat_ville=True,
    ),
    Ligne(
        "74_etat_autre", "74", "État — autres ministères", PRODUIT, a_preciser="ministère(s)"
    ),
    Ligne("74_region", "74", "Région Occitanie", PRODUIT),
    Ligne("74_departement", "74", "Département du Gard", PRODUIT),
    Ligne("74_epci", "74", "EPCI — Alès Agglomération", PRODUIT, contrat_ville=True),
    Ligne("74_communes", "74", "Commune(s)", PRODUIT, a_preciser="commune(s)"),
    Ligne("74_caf", "74", "Organismes sociaux (CAF…)", PRODUIT, a_preciser="organisme(s)"),
    Ligne("74_europe", "74", "Fonds européens", PRODUIT, a_preciser="fonds"),
    Ligne("74_asp", "74", "Agence de services et de paiement (emplois aidés)", PRODUIT),
    Ligne(
        "74_autres_ep",
        "74",
        "Autres établissements publics",
        PRODUIT,
        a_preciser="établissement(s)",
    ),
    Ligne("74_prive", "74", "Aides privées (fondations…)", PRODUIT, a_preciser="financeur(s)"),
    Ligne(
        "75", "75", "Autres produits de gestion courante (756 cotisations, 758 dons, mécénat)",
        PRODUIT,
    ),
    Ligne("76", "76", "Produits financiers", PRODUIT),
    Ligne("77", "77", "Produits exceptionnels", PRODUIT),
    Ligne("78", "78", "Reprises sur amortissements et provisions", PRODUIT),
    Ligne("79", "79", "Transfert de charges", PRODUIT),
    Ligne("rp", "", "Ressources propres affectées au projet", PRODUIT),
    Ligne("870", "870", "Bénévolat", CONTRIBUTION_RESSOURCE),
    Ligne("871", "871", "Prestations en nature", CONTRIBUTION_RESSOURCE),
    Ligne("875", "875", "Dons en nature", CONTRIBUTION_RESSOURCE),
]

PAR_CODE = {ligne.code: ligne for ligne in LIGNES}
CODES = [ligne.code for ligne in LIGNES]
CODES_CONTRAT_VILLE = [ligne.code for ligne in LIGNES if ligne.contrat_ville]


def lignes_du_cote(cote):
    return [ligne for ligne in LIGNES if ligne.cote == cote]


@dataclass(frozen=True)
class Totaux:
    """Totals of a budget, in whole euros; ``part_demandee`` is a percentage of the charges."""

    charges: int
    produits: int
    contributions_emplois: int
    contributions_ressources: int
    montant_demande: int

    @property
    def equilibre(self):
        return self.charges == self.produits

    @property
    def contributions_equilibrees(self):
        return self.contributions_emplois == self.contributions_ressources

    @property
    def valide(self):
        return self.charges > 0 and self.equilibre and self.contributions_equilibrees

    @property
    def total_charges(self):
        return self.charges + self.contributions_emplois

    @property
    def total_produits(self):
        return self.produits + self.contributions_ressources

    @property
    def part_demandee(self):
        if not self.charges:
            return None
        part = Decimal(self.montant_demande * 100) / Decimal(self.charges)
        return part.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def totaliser(montants):
    """Total a budget given as ``{code: montant}`` (missing or empty lines count as 0)."""
    sommes = {CHARGE: 0, PRODUIT: 0, CONTRIBUTION_EMPLOI: 0, CONTRIBUTION_RESSOURCE: 0}
    demande = 0
    for code, montant in montants.items():
        ligne = PAR_CODE.get(code)
        if ligne is None or not montant:
            continue
        sommes[ligne.cote] += int(montant)
        if ligne.contrat_ville:
            demande += int(montant)
    return Totaux(
        charges=sommes[CHARGE],
        produits=sommes[PRODUIT],
        contributions_emplois=sommes[CONTRIBUTION_EMPLOI],
        contributions_ressources=sommes[CONTRIBUTION_RESSOURCE],
        montant_demande=demande,
    )
