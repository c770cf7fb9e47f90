"""What an annual bilan holds: plain dataclasses, already summed (no database access)."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from referentiel.models import Indicateur

from .perimetre import Perimetre

VENTILATIONS_COURTES = {
    Indicateur.Ventilation.FH: "F/H",
    Indicateur.Ventilation.FG: "F/G",
    Indicateur.Ventilation.FH_FG: "F/H et F/G",
}


def part(numerateur, denominateur):
    """A share in [0, 1] rounded to 4 decimals (so « 37,5 % » prints the same everywhere)."""
    if not denominateur:
        return None
    return float(
        (Decimal(numerateur) / Decimal(denominateur)).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        )
    )


@dataclass(slots=True)
class Chiffres:
    """Counts and amounts (whole euros) of a set of dossiers, beneficiaries of counted bilans."""

    deposes: int = 0
    retenus: int = 0
    refuses: int = 0
    montant_demande: int = 0
    montant_propose: int = 0
    montant_accorde: int = 0
    realisees: int = 0
    beneficiaires_femmes: int = 0
    beneficiaires_hommes: int = 0
    beneficiaires_filles: int = 0
    beneficiaires_garcons: int = 0

    def ajouter(self, autre):
        # Written out: this runs for every action row at every level of the tree.
        self.deposes += autre.deposes
        self.retenus += autre.retenus
        self.refuses += autre.refuses
        self.montant_demande += autre.montant_demande
        self.montant_propose += autre.montant_propose
        self.montant_accorde += autre.montant_accorde
        self.realisees += autre.realisees
        self.beneficiaires_femmes += autre.beneficiaires_femmes
        self.beneficiaires_hommes += autre.beneficiaires_hommes
        self.beneficiaires_filles += autre.beneficiaires_filles
        self.beneficiaires_garcons += autre.beneficiaires_garcons

    @property
    def accorde_au_dessus(self):
        """More granted than the instruction proposed."""
        return self.montant_accorde > self.montant_propose

    @property
    def autres(self):
        """Dossiers neither retained nor refused: in instruction, withdrawn, classés sans suite."""
        return self.deposes - self.retenus - self.refuses

    @property
    def beneficiaires_total(self):
        return (
            self.beneficiaires_femmes + self.beneficiaires_hommes + self.beneficiaires_filles
            + self.beneficiaires_garcons
        )

    @property
    def part_femmes(self):
        """Share of women and girls among the beneficiaries."""
        return part(self.beneficiaires_femmes + self.beneficiaires_filles, self.beneficiaires_total)


@dataclass(slots=True)
class Valeurs:
    """Sums of indicator values, by sex when the indicator asks for it."""

    valeur: int = 0
    femmes: int = 0
    hommes: int = 0
    filles: int = 0
    garcons: int = 0

    def ajouter(self, autre):
        for nom in self.__slots__:
            setattr(self, nom, getattr(self, nom) + getattr(autre, nom))

    @property
    def total(self):
        return self.valeur + self.femmes + self.hommes + self.filles + self.garcons

    @property
    def part_femmes(self):
        """Share of women and girls among the values broken down by sex."""
        sexes = self.femmes + self.hommes + self.filles + self.garcons
        return part(self.femmes + self.filles, sexes)


@dataclass
class LigneNiveau:
    """One row of the tree (pilier, orientation, objective or action) with its figures."""

    niveau: str
    code: str
    titre: str
    pilier_code: str
    parent_code: str
    chiffres: Chiffres = field(default_factory=Chiffres)


@dataclass
class Financeur:
    """A funder line of account 74: forecast in the budgets, and in and out of counted bilans."""

    code: str
    libelle: str
    demande: int = 0
    prevu_bilans: int = 0
    realise_bilans: int = 0

    @property
    def ecart(self):
        return self.realise_bilans - self.prevu_bilans


@dataclass
class LigneIndicateur:
    indicateur_id: int
    pilier_code: str
    objectif_code: str
    ordre: int
    libelle: str
    ventilation: str
    ventilation_libelle: str
    bilans: int = 0
    prevu: Valeurs = field(default_factory=Valeurs)
    realise: Valeurs = field(default_factory=Valeurs)

    @property
    def par_sexe(self):
        return self.ventilation != Indicateur.Ventilation.AUCUNE

    @property
    def libelle_court(self):
        """« Nombre d'habitants mobilisés — F/H »: no nested brackets, nothing if not by sex."""
        courte = VENTILATIONS_COURTES.get(self.ventilation)
        return f"{self.libelle} — {courte}" if courte else self.libelle

    @property
    def taux_realisation(self):
        return part(self.realise.total, self.prevu.total)


@dataclass
class LigneQuartier:
    code: str
    nom: str
    chiffres: Chiffres = field(default_factory=Chiffres)


@dataclass
class LigneStructure:
    structure_id: int
    nom: str
    siret: str
    chiffres: Chiffres = field(default_factory=Chiffres)


@dataclass
class LigneAnnee:
    annee: int
    chiffres: Chiffres = field(default_factory=Chiffres)
    evolution: dict = field(default_factory=dict)


@dataclass
class BilanAnnuel:
    """Everything the dashboard, the PDF and the workbook show, already summed."""

    perimetre: Perimetre
    contrat: str
    appels: list
    pilier: str
    quartier: str
    structure: str
    genere_le: object
    total: Chiffres
    piliers: list
    orientations: list
    objectifs: list
    actions: list
    financeurs: list
    financeurs_par_pilier: dict
    indicateurs: list
    quartiers: list
    structures: list
    annees: list

    @property
    def inclure_deposes(self):
        return self.perimetre.inclure_deposes

    @property
    def periode(self):
        p = self.perimetre
        return str(p.annee_debut) if p.annee_debut == p.annee_fin else (
            f"{p.annee_debut}–{p.annee_fin}"
        )

    @property
    def plusieurs_annees(self):
        return len(self.annees) > 1

    def sous_niveaux(self, liste, parent_code):
        return [ligne for ligne in liste if ligne.parent_code == parent_code]

    def indicateurs_du_pilier(self, pilier_code):
        return [i for i in self.indicateurs if i.pilier_code == pilier_code]



def valeurs_de(ligne):
    """The ``Valeurs`` of a row of sums named valeur, femmes, hommes, filles, garcons."""
    return Valeurs(
        valeur=ligne["valeur"] or 0, femmes=ligne["femmes"] or 0, hommes=ligne["hommes"] or 0,
        filles=ligne["filles"] or 0, garcons=ligne["garcons"] or 0,
    )
