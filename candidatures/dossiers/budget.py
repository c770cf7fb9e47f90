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
    parent: str = ""
    # The form version from which the funder's name is required (older dossiers named the
    # region, department and EPCI in the label itself).
    precision_depuis: int = 1


# The request to the contrat de ville is what the call funds: the État's specific credits for
# politique de la ville (ANCT, programme 147) and the intercommunality's share (EPCI, named on
# the line; by default the territory of the call's contract).
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
    Ligne("69", "69", "Impôts sur les bénéfices (IS) ; participation des salariés", CHARGE),
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
    Ligne("74_region", "74", "Région(s)", PRODUIT, a_preciser="région(s)", precision_depuis=2),
    Ligne(
        "74_departement", "74", "Département(s)", PRODUIT, a_preciser="département(s)",
        precision_depuis=2,
    ),
    Ligne(
        "74_epci", "74", "Intercommunalité(s) : EPCI", PRODUIT, contrat_ville=True,
        a_preciser="intercommunalité(s)", precision_depuis=2,
    ),
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
    Ligne("75", "75", "Autres produits de gestion courante", PRODUIT),
    Ligne("76", "76", "Produits financiers", PRODUIT),
    Ligne("77", "77", "Produits exceptionnels", PRODUIT),
    Ligne("78", "78", "Reprises sur amortissements et provisions", PRODUIT),
    Ligne("79", "79", "Transfert de charges", PRODUIT),
    Ligne("rp", "", "Ressources propres affectées au projet", PRODUIT),
    Ligne("870", "870", "Bénévolat", CONTRIBUTION_RESSOURCE),
    Ligne("871", "871", "Prestations en nature", CONTRIBUTION_RESSOURCE),
    Ligne("875", "875", "Dons en nature", CONTRIBUTION_RESSOURCE),
]

# Optional details of a line ("dont …"): when any is given, the line is their sum.
SOUS_LIGNES = [
    Ligne("604", "604", "Prestations de services", CHARGE, parent="60"),
    Ligne("606", "606", "Achats matières et fournitures", CHARGE, parent="60"),
    Ligne("60_autres", "", "Autres fournitures", CHARGE, parent="60"),
    Ligne("613", "613", "Locations", CHARGE, parent="61"),
    Ligne("615", "615", "Entretien et réparation", CHARGE, parent="61"),
    Ligne("616", "616", "Assurance", CHARGE, parent="61"),
    Ligne("618", "618", "Documentation", CHARGE, parent="61"),
    Ligne("622", "622", "Rémunérations intermédiaires et honoraires", CHARGE, parent="62"),
    Ligne("623", "623", "Publicité, publication", CHARGE, parent="62"),
    Ligne("625", "625", "Déplacements, missions", CHARGE, parent="62"),
    Ligne("627", "627", "Services bancaires, autres", CHARGE, parent="62"),
    Ligne("631", "631", "Impôts et taxes sur rémunération", CHARGE, parent="63"),
    Ligne("635", "635", "Autres impôts et taxes", CHARGE, parent="63"),
    Ligne("641", "641", "Rémunération des personnels", CHARGE, parent="64"),
    Ligne("645", "645", "Charges sociales", CHARGE, parent="64"),
    Ligne("647", "647", "Autres charges de personnel", CHARGE, parent="64"),
    Ligne("756", "756", "Cotisations", PRODUIT, parent="75"),
    Ligne("758", "758", "Dons manuels – mécénat", PRODUIT, parent="75"),
    Ligne("750", "750", "Autres produits", PRODUIT, parent="75"),
]
TOUTES = LIGNES + SOUS_LIGNES

PAR_CODE = {ligne.code: ligne for ligne in TOUTES}
CODES = [ligne.code for ligne in TOUTES]
SOUS_LIGNES_DE = {
    ligne.code: [s for s in SOUS_LIGNES if s.parent == ligne.code] for ligne in LIGNES
}
# Every line in the order of the printed grid: each line followed by its details.
TOUTES_ORDONNEES = [
    d for ligne in LIGNES for d in (ligne, *SOUS_LIGNES_DE[ligne.code])
]
# Lines the Cerfa 12156*06 added: account 75 must be detailed from that form on.
A_DETAILLER_DEPUIS_2 = ("75",)
CODES_CONTRAT_VILLE = [ligne.code for ligne in LIGNES if ligne.contrat_ville]
# Public funders a dossier names on their line (Cerfa n°12156*06): « Région Occitanie »…
FINANCEURS_NOMMES = {
    "74_region": "Région", "74_departement": "Département", "74_epci": "Intercommunalité",
    "74_communes": "Commune(s)",
}


def financeur_nomme(code, precision, territoire=""):
    """The funder a line names: what the dossier typed, else, for the intercommunality, the
    territory of the call's contract (the default the form offers)."""
    return (precision or "").strip() or (territoire if code == "74_epci" else "")


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


def reporter_sous_lignes(lignes):
    """Set each line that has details to the sum of its details, in ``{code: {"montant": …}}``.

    A line whose details are all empty keeps the amount typed on it.
    """
    for parent, sous_lignes in SOUS_LIGNES_DE.items():
        details = [lignes[s.code].get("montant") or 0 for s in sous_lignes if s.code in lignes]
        if sum(details):
            lignes[parent] = {**lignes.get(parent, {}), "montant": sum(details)}
    return lignes


def totaliser(montants):
    """Total a budget given as ``{code: montant}`` (missing or empty lines count as 0).

    Details of a line (``SOUS_LIGNES``) are already in its amount: they do not count again.
    """
    sommes = {CHARGE: 0, PRODUIT: 0, CONTRIBUTION_EMPLOI: 0, CONTRIBUTION_RESSOURCE: 0}
    demande = 0
    for code, montant in montants.items():
        ligne = PAR_CODE.get(code)
        if ligne is None or ligne.parent or not montant:
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
