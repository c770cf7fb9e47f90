"""Annual bilans: the figures of one or several calls, aggregated in the database, as dataclasses.

Every figure is summed by the database at the finest level the contract's tree needs (the
action, each dossier having one main action) and rolled up to objective, orientation and pilier
in Python: a sum of sums, exact because a dossier counts under one action only. A dossier may
cover several QPV: it then counts once in each of them (the QPV table does not add up).
"""

import hashlib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from candidatures.dossiers import budget
from candidatures.models import (
    STATUTS_REFUSES,
    STATUTS_RETENUS,
    AppelAProjets,
    Dossier,
    HistoriqueStatut,
    LigneBudget,
    PrevisionIndicateur,
    Statut,
    Structure,
)
from referentiel.models import (
    Action,
    Contrat,
    Indicateur,
    Objectif,
    Orientation,
    Pilier,
    QuartierPrioritaire,
)

from ..models import Bilan, LigneCompteRendu, Modification, RealisationIndicateur

# Changing what the files hold changes this: every kept file is then built again.
VERSION_FORMAT = "2"

CODES_FINANCEURS = [ligne.code for ligne in budget.LIGNES if ligne.numero == "74"]
CODES_CONTRAT_VILLE = set(budget.CODES_CONTRAT_VILLE)


def statuts_comptes(inclure_deposes):
    """Dossiers whose bilan counts: validated (clôturé), plus submitted ones if asked."""
    if inclure_deposes:
        return [Statut.CLOTURE, Statut.BILAN_DEPOSE]
    return [Statut.CLOTURE]


# --- Scope ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Perimetre:
    """Which dossiers a bilan covers: the calls of a range of years, optionally narrowed."""

    contrat_id: int
    annee_debut: int
    annee_fin: int
    pilier_id: int | None = None
    quartier_id: int | None = None
    structure_id: int | None = None
    inclure_deposes: bool = False

    @classmethod
    def pour_appel(cls, appel, **options):
        return cls(contrat_id=appel.contrat_id, annee_debut=appel.annee, annee_fin=appel.annee,
                   **options)

    def dossiers(self):
        """Submitted dossiers in the scope (a draft never counts)."""
        dossiers = Dossier.objects.filter(
            appel__contrat_id=self.contrat_id,
            appel__annee__gte=self.annee_debut,
            appel__annee__lte=self.annee_fin,
            depose_le__isnull=False,
        )
        if self.pilier_id:
            dossiers = dossiers.filter(action_principale__objectif__orientation__pilier_id=(
                self.pilier_id
            ))
        if self.quartier_id:
            # A subquery rather than a join: grouping by QPV later must see every QPV.
            dossiers = dossiers.filter(
                pk__in=Dossier.quartiers.through.objects.filter(
                    quartierprioritaire_id=self.quartier_id
                ).values("dossier_id")
            )
        if self.structure_id:
            dossiers = dossiers.filter(structure_id=self.structure_id)
        return dossiers

    def dossiers_comptes(self):
        """Submitted dossiers of the scope whose bilan counts."""
        return self.dossiers().filter(statut__in=statuts_comptes(self.inclure_deposes))

    def cle(self):
        """A stable text naming the scope (part of the file's key)."""
        return (
            f"c{self.contrat_id}-a{self.annee_debut}-{self.annee_fin}-p{self.pilier_id or ''}"
            f"-q{self.quartier_id or ''}-s{self.structure_id or ''}-d{int(self.inclure_deposes)}"
        )


# --- Plain results ----------------------------------------------------------------------------


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


# --- Aggregation ------------------------------------------------------------------------------


def _statistiques(comptes):
    """Aggregates of dossier rows: counts, amounts (one-to-one joins only), beneficiaries."""
    return {
        "deposes": Count("pk"),
        "retenus": Count("pk", filter=Q(statut__in=STATUTS_RETENUS)),
        "refuses": Count("pk", filter=Q(statut__in=STATUTS_REFUSES)),
        "montant_propose": Sum("instruction__montant_propose"),
        "montant_accorde": Sum("decision__montant_accorde"),
        "realisees": Count("pk", filter=Q(statut__in=comptes)),
        "beneficiaires_femmes": Sum("bilan__beneficiaires_femmes", filter=Q(statut__in=comptes)),
        "beneficiaires_hommes": Sum("bilan__beneficiaires_hommes", filter=Q(statut__in=comptes)),
        "beneficiaires_filles": Sum("bilan__beneficiaires_filles", filter=Q(statut__in=comptes)),
        "beneficiaires_garcons": Sum(
            "bilan__beneficiaires_garcons", filter=Q(statut__in=comptes)
        ),
    }


CHAMPS_STATISTIQUES = [
    "deposes", "retenus", "refuses", "montant_propose", "montant_accorde", "realisees",
    "beneficiaires_femmes", "beneficiaires_hommes", "beneficiaires_filles",
    "beneficiaires_garcons",
]


def _chiffres(ligne, demande=0):
    return Chiffres(montant_demande=demande, **{c: ligne[c] or 0 for c in CHAMPS_STATISTIQUES})


def agreger(perimetre, *, maintenant=None):
    """Sum the figures of ``perimetre`` in the database; return a ``BilanAnnuel``."""
    comptes = statuts_comptes(perimetre.inclure_deposes)
    dossiers = perimetre.dossiers()
    stats = _statistiques(comptes)

    # 1. Dossiers by year and action: the base of the tree, of the years and of the totals.
    par_action = list(
        dossiers.values("appel__annee", "action_principale_id").annotate(**stats).order_by()
    )
    # 2. Budgets by year, action and line: the request to the contrat de ville, the funders.
    budgets = list(
        LigneBudget.objects.filter(dossier__in=dossiers)
        .values("dossier__appel__annee", "dossier__action_principale_id", "code")
        .annotate(montant=Sum("montant"))
        .order_by()
    )
    # 3. Comptes rendus financiers of the counted bilans, by pilier and line.
    comptes_rendus = list(
        LigneCompteRendu.objects.filter(
            bilan__dossier__in=dossiers, bilan__dossier__statut__in=comptes,
            code__in=CODES_FINANCEURS,
        )
        .values("bilan__dossier__action_principale__objectif__orientation__pilier_id", "code")
        .annotate(prevu=Sum("prevu"), realise=Sum("realise"))
        .order_by()
    )
    # 4–5. Indicators: achieved in the counted bilans, forecast by the same dossiers.
    realisations = list(
        RealisationIndicateur.objects.filter(
            bilan__dossier__in=dossiers, bilan__dossier__statut__in=comptes
        )
        .values("indicateur_id")
        .annotate(
            bilans=Count("pk", filter=~Q(valeur=None) | ~Q(valeur_femmes=None)
                         | ~Q(valeur_hommes=None) | ~Q(valeur_filles=None)
                         | ~Q(valeur_garcons=None)),
            valeur=Sum("valeur"), femmes=Sum("valeur_femmes"), hommes=Sum("valeur_hommes"),
            filles=Sum("valeur_filles"), garcons=Sum("valeur_garcons"),
        )
        .order_by()
    )
    previsions = list(
        PrevisionIndicateur.objects.filter(dossier__in=dossiers, dossier__statut__in=comptes)
        .values("indicateur_id")
        .annotate(
            valeur=Sum("valeur"), femmes=Sum("valeur_femmes"), hommes=Sum("valeur_hommes"),
            filles=Sum("valeur_filles"), garcons=Sum("valeur_garcons"),
        )
        .order_by()
    )
    # 6. By QPV (a dossier counts in each of its QPV), 7. by structure.
    par_quartier = list(dossiers.values("quartiers").annotate(**stats).order_by())
    par_structure = list(
        dossiers.values("structure_id", "structure__raison_sociale", "structure__sigle",
                        "structure__siret")
        .annotate(**stats)
        .order_by()
    )
    # The request by QPV and by structure: budgets grouped the same way.
    demande_par_quartier = dict(
        LigneBudget.objects.filter(dossier__in=dossiers, code__in=CODES_CONTRAT_VILLE)
        .values("dossier__quartiers")
        .annotate(montant=Sum("montant"))
        .values_list("dossier__quartiers", "montant")
        .order_by()
    )
    demande_par_structure = dict(
        LigneBudget.objects.filter(dossier__in=dossiers, code__in=CODES_CONTRAT_VILLE)
        .values("dossier__structure_id")
        .annotate(montant=Sum("montant"))
        .values_list("dossier__structure_id", "montant")
        .order_by()
    )

    return _assembler(
        perimetre, maintenant or timezone.now(), par_action, budgets, comptes_rendus,
        realisations, previsions, par_quartier, par_structure, demande_par_quartier,
        demande_par_structure,
    )


def _valeurs(ligne):
    return Valeurs(
        valeur=ligne["valeur"] or 0, femmes=ligne["femmes"] or 0, hommes=ligne["hommes"] or 0,
        filles=ligne["filles"] or 0, garcons=ligne["garcons"] or 0,
    )


def _evolution(avant, apres):
    def variation(a, b):
        return None if not a else part(b - a, a)

    return {
        "deposes": variation(avant.deposes, apres.deposes),
        "retenus": variation(avant.retenus, apres.retenus),
        "montant_accorde": variation(avant.montant_accorde, apres.montant_accorde),
        "beneficiaires_total": variation(avant.beneficiaires_total, apres.beneficiaires_total),
    }


def _arbre(perimetre):
    """The contract's tree, as ordered rows with empty figures, and the action → rows index.

    Plain values rather than model instances: this runs for every bilan and dashboard.
    """
    piliers = Pilier.objects.filter(contrat_id=perimetre.contrat_id)
    if perimetre.pilier_id:
        piliers = piliers.filter(pk=perimetre.pilier_id)
    piliers = list(piliers.order_by("ordre", "code").values_list("pk", "code", "titre"))
    ids = [p[0] for p in piliers]
    orientations = Orientation.objects.filter(pilier_id__in=ids).order_by(
        "pilier__ordre", "ordre", "code"
    ).values_list("pk", "code", "titre", "pilier_id")
    objectifs = Objectif.objects.filter(orientation__pilier_id__in=ids).order_by(
        "orientation__pilier__ordre", "orientation__ordre", "ordre", "code"
    ).values_list("pk", "code", "titre", "orientation_id")
    actions = Action.objects.filter(objectif__orientation__pilier_id__in=ids).order_by(
        "objectif__orientation__pilier__ordre", "objectif__orientation__ordre",
        "objectif__ordre", "ordre", "code",
    ).values_list("pk", "code", "libelle", "objectif_id")
    lignes = {"piliers": {}, "orientations": {}, "objectifs": {}, "actions": {}}
    for pk, code, titre in piliers:
        lignes["piliers"][pk] = LigneNiveau("pilier", code, titre, code, "")
    for pk, code, titre, parent in orientations:
        pilier = lignes["piliers"][parent]
        lignes["orientations"][pk] = LigneNiveau("orientation", code, titre, pilier.code,
                                                 pilier.code)
    parents = {}
    for pk, code, titre, parent in objectifs:
        orientation = lignes["orientations"][parent]
        lignes["objectifs"][pk] = LigneNiveau("objectif", code, titre, orientation.pilier_code,
                                              orientation.code)
        parents[pk] = parent
    par_code = {ligne.code: ligne for ligne in lignes["piliers"].values()}
    chemins = {}
    for pk, code, libelle, parent in actions:
        objectif = lignes["objectifs"][parent]
        orientation = lignes["orientations"][parents[parent]]
        ligne = LigneNiveau("action", code, libelle, objectif.pilier_code, objectif.code)
        lignes["actions"][pk] = ligne
        chemins[pk] = (ligne, objectif, orientation, par_code[objectif.pilier_code])
    return lignes, chemins


def _assembler(perimetre, maintenant, par_action, budgets, comptes_rendus, realisations,
               previsions, par_quartier, par_structure, demande_par_quartier,
               demande_par_structure):
    lignes, chemins = _arbre(perimetre)
    demande, financeurs, financeurs_par_pilier = _financeurs(
        lignes, chemins, budgets, comptes_rendus
    )
    total = Chiffres()
    annees = {}
    for ligne in par_action:
        cle = (ligne["appel__annee"], ligne["action_principale_id"])
        chiffres = _chiffres(ligne, demande.get(cle, 0))
        total.ajouter(chiffres)
        annees.setdefault(cle[0], LigneAnnee(cle[0])).chiffres.ajouter(chiffres)
        for niveau in chemins.get(cle[1], ()):
            niveau.chiffres.ajouter(chiffres)
    liste_indicateurs = _indicateurs(lignes, realisations, previsions)
    noms_quartiers = {
        q.pk: q for q in QuartierPrioritaire.objects.filter(
            pk__in={ligne["quartiers"] for ligne in par_quartier} | {perimetre.quartier_id}
        )
    }
    quartiers = _quartiers(par_quartier, noms_quartiers, demande_par_quartier)

    structures = sorted(
        (
            LigneStructure(
                structure_id=ligne["structure_id"],
                nom=(
                    f"{ligne['structure__raison_sociale']} ({ligne['structure__sigle']})"
                    if ligne["structure__sigle"]
                    else ligne["structure__raison_sociale"]
                ),
                siret=ligne["structure__siret"],
                chiffres=_chiffres(ligne, demande_par_structure.get(ligne["structure_id"]) or 0),
            )
            for ligne in par_structure
        ),
        key=lambda s: (s.nom.lower(), s.structure_id),
    )

    liste_annees = [annees[a] for a in sorted(annees)]
    for avant, apres in zip(liste_annees, liste_annees[1:], strict=False):
        apres.evolution = _evolution(avant.chiffres, apres.chiffres)

    return BilanAnnuel(
        perimetre=perimetre,
        contrat=str(Contrat.objects.get(pk=perimetre.contrat_id)),
        appels=list(
            AppelAProjets.objects.filter(
                contrat_id=perimetre.contrat_id,
                annee__gte=perimetre.annee_debut,
                annee__lte=perimetre.annee_fin,
            ).order_by("annee")
        ),
        pilier=str(Pilier.objects.get(pk=perimetre.pilier_id)) if perimetre.pilier_id else "",
        quartier=str(noms_quartiers[perimetre.quartier_id]) if perimetre.quartier_id else "",
        structure=(
            str(Structure.objects.get(pk=perimetre.structure_id)) if perimetre.structure_id else ""
        ),
        genere_le=maintenant,
        total=total,
        piliers=list(lignes["piliers"].values()),
        orientations=list(lignes["orientations"].values()),
        objectifs=list(lignes["objectifs"].values()),
        actions=list(lignes["actions"].values()),
        financeurs=list(financeurs.values()),
        financeurs_par_pilier={p: list(f.values()) for p, f in financeurs_par_pilier.items()},
        indicateurs=liste_indicateurs,
        quartiers=quartiers,
        structures=structures,
        annees=liste_annees,
    )


def _financeurs(lignes, chemins, budgets, comptes_rendus):
    """The request per (year, action), and the financers' amounts in total and per pillar."""
    demande = {}
    financeurs = {code: Financeur(code, budget.PAR_CODE[code].libelle) for code in CODES_FINANCEURS}
    financeurs_par_pilier = {
        ligne.code: {code: Financeur(code, budget.PAR_CODE[code].libelle)
                     for code in CODES_FINANCEURS}
        for ligne in lignes["piliers"].values()
    }
    pilier_de_l_action = {a: chemin[3].code for a, chemin in chemins.items()}
    for ligne in budgets:
        cle = (ligne["dossier__appel__annee"], ligne["dossier__action_principale_id"])
        if ligne["code"] in CODES_CONTRAT_VILLE:
            demande[cle] = demande.get(cle, 0) + ligne["montant"]
        if ligne["code"] in financeurs:
            financeurs[ligne["code"]].demande += ligne["montant"]
            pilier = pilier_de_l_action.get(ligne["dossier__action_principale_id"])
            if pilier:
                financeurs_par_pilier[pilier][ligne["code"]].demande += ligne["montant"]
    code_pilier = {pk: ligne.code for pk, ligne in lignes["piliers"].items()}
    for ligne in comptes_rendus:
        for cible in (
            financeurs,
            financeurs_par_pilier.get(code_pilier.get(
                ligne["bilan__dossier__action_principale__objectif__orientation__pilier_id"]
            ), {}),
        ):
            if ligne["code"] in cible:
                cible[ligne["code"]].prevu_bilans += ligne["prevu"] or 0
                cible[ligne["code"]].realise_bilans += ligne["realise"] or 0
    return demande, financeurs, financeurs_par_pilier


def _indicateurs(lignes, realisations, previsions):
    """The indicators of the bilans, forecast and realised, in the order of the contract."""
    indicateurs = {}
    ids = {r["indicateur_id"] for r in realisations} | {p["indicateur_id"] for p in previsions}
    ventilations = dict(Indicateur.Ventilation.choices)
    for pk, pilier, objectif, ordre, libelle, ventilation in Indicateur.objects.filter(
        pk__in=ids, nature=Indicateur.Nature.NOMBRE
    ).values_list(
        "pk", "objectif__orientation__pilier__code", "objectif__code", "ordre", "libelle",
        "ventilation",
    ):
        indicateurs[pk] = LigneIndicateur(
            indicateur_id=pk, pilier_code=pilier, objectif_code=objectif, ordre=ordre,
            libelle=libelle, ventilation=ventilation,
            ventilation_libelle=str(ventilations[ventilation]),
        )
    for ligne in realisations:
        if ligne["indicateur_id"] in indicateurs:
            cible = indicateurs[ligne["indicateur_id"]]
            cible.bilans = ligne["bilans"]
            cible.realise = _valeurs(ligne)
    for ligne in previsions:
        if ligne["indicateur_id"] in indicateurs:
            indicateurs[ligne["indicateur_id"]].prevu = _valeurs(ligne)
    rang_objectif = {o.code: i for i, o in enumerate(lignes["objectifs"].values())}
    return sorted(
        indicateurs.values(), key=lambda i: (rang_objectif.get(i.objectif_code, 0), i.ordre)
    )


def _quartiers(par_quartier, noms_quartiers, demande_par_quartier):
    """The figures per priority district, the dossiers without one last."""
    quartiers = []
    for ligne in par_quartier:
        qpv = noms_quartiers.get(ligne["quartiers"])
        quartiers.append(
            LigneQuartier(
                code=qpv.code if qpv else "",
                nom=str(qpv) if qpv else "Aucun quartier renseigné",
                chiffres=_chiffres(ligne, demande_par_quartier.get(ligne["quartiers"]) or 0),
            )
        )
    quartiers.sort(key=lambda q: (q.code == "", q.nom))
    return quartiers


# --- Raw rows -----------------------------------------------------------------------------------


@dataclass(slots=True)
class LigneBrute:
    """One dossier × indicator, for pivot tables: forecast and achieved values side by side."""

    annee: int
    reference: str
    structure: str
    pilier: str
    orientation: str
    objectif: str
    action: str
    quartiers: str
    statut: str
    indicateur: str
    ventilation: str
    prevu: Valeurs
    realise: Valeurs


def lignes_brutes(perimetre):
    """Dossier × numeric indicator rows of the counted bilans, ordered by year and reference."""
    dossiers = perimetre.dossiers_comptes()
    infos = {
        d[0]: d
        for d in dossiers.values_list(
            "pk", "appel__annee", "reference", "structure__raison_sociale", "statut",
            "action_principale__code", "action_principale__objectif__code",
            "action_principale__objectif__orientation__code",
            "action_principale__objectif__orientation__pilier__code",
        )
    }
    quartiers = {}
    liens = list(Dossier.quartiers.through.objects.filter(
        dossier_id__in=dossiers.values("pk")
    ).values_list("dossier_id", "quartierprioritaire_id"))
    noms = {
        q.pk: str(q)
        for q in QuartierPrioritaire.objects.filter(pk__in={qpv for _d, qpv in liens})
    }
    for dossier_id, qpv_id in liens:
        quartiers.setdefault(dossier_id, []).append(noms[qpv_id])
    indicateurs = {
        i.pk: i for i in Indicateur.objects.filter(
            nature=Indicateur.Nature.NOMBRE, objectif__contrat_id=perimetre.contrat_id
        )
    }
    colonnes = ("valeur", "valeur_femmes", "valeur_hommes", "valeur_filles", "valeur_garcons")
    valeurs = {}
    for ligne in PrevisionIndicateur.objects.filter(dossier__in=dossiers).values_list(
        "dossier_id", "indicateur_id", *colonnes
    ):
        valeurs[(ligne[0], ligne[1])] = [Valeurs(*(v or 0 for v in ligne[2:])), Valeurs()]
    for ligne in RealisationIndicateur.objects.filter(bilan__dossier__in=dossiers).values_list(
        "bilan__dossier_id", "indicateur_id", *colonnes
    ):
        if ligne[1] not in indicateurs:
            continue
        paire = valeurs.setdefault((ligne[0], ligne[1]), [Valeurs(), Valeurs()])
        paire[1] = Valeurs(*(v or 0 for v in ligne[2:]))
    statuts = {valeur: str(libelle) for valeur, libelle in Statut.choices}
    lignes = []
    for (dossier_id, indicateur_id), (prevu, realise) in valeurs.items():
        info = infos.get(dossier_id)
        indicateur = indicateurs.get(indicateur_id)
        if info is None or indicateur is None:
            continue
        lignes.append(
            LigneBrute(
                annee=info[1], reference=info[2], structure=info[3], pilier=info[8] or "",
                orientation=info[7] or "", objectif=info[6] or "", action=info[5] or "",
                quartiers=", ".join(sorted(quartiers.get(dossier_id, []))),
                statut=statuts[info[4]],
                indicateur=indicateur.libelle,
                ventilation=indicateur.ventilation_json or "",
                prevu=prevu, realise=realise,
            )
        )
    lignes.sort(key=lambda lg: (lg.annee, lg.reference, lg.objectif, lg.indicateur))
    return lignes


# --- Fingerprint ----------------------------------------------------------------------------------


def empreinte(perimetre):
    """A hash of what the figures depend on: it changes whenever a dossier of the scope does."""
    dossiers = perimetre.dossiers()
    ids = dossiers.values("pk")
    elements = [
        VERSION_FORMAT,
        perimetre.cle(),
        dossiers.aggregate(n=Count("pk"), m=Max("modifie_le")),
        HistoriqueStatut.objects.filter(dossier__in=ids).aggregate(n=Count("pk"), m=Max("le")),
        Bilan.objects.filter(dossier__in=ids).aggregate(n=Count("pk"), m=Max("modifie_le")),
        Modification.objects.filter(dossier__in=ids).aggregate(n=Count("pk"), m=Max("le")),
    ]
    return hashlib.sha256(repr(elements).encode()).hexdigest()


# --- A structure's own bilan ----------------------------------------------------------------------


@dataclass
class LigneIndicateurDossier:
    libelle: str
    ventilation: str
    prevu: Valeurs
    realise: Valeurs | None


@dataclass
class LigneFinanciere:
    code: str
    libelle: str
    prevu: int
    realise: int | None

    @property
    def ecart(self):
        return None if self.realise is None else self.realise - self.prevu


@dataclass
class FicheDossier:
    """One dossier of a structure, with its bilan as reported (whatever its status)."""

    reference: str
    intitule: str
    annee: int
    action: str
    statut: str
    bilan_compte: bool
    montant_demande: int
    montant_accorde: int | None
    beneficiaires: Valeurs | None
    indicateurs: list
    financier: list


def fiches_dossiers(perimetre):
    """Every submitted dossier of the scope with its forecast and reported figures."""
    dossiers = perimetre.dossiers()
    comptes = set(statuts_comptes(perimetre.inclure_deposes))
    lignes = list(
        dossiers.values_list(
            "pk", "reference", "intitule", "appel__annee", "action_principale__code", "statut",
            "decision__montant_accorde", "bilan__beneficiaires_femmes",
            "bilan__beneficiaires_hommes", "bilan__beneficiaires_filles",
            "bilan__beneficiaires_garcons", "bilan__pk",
        ).order_by("appel__annee", "reference")
    )
    demandes = dict(
        LigneBudget.objects.filter(dossier__in=dossiers, code__in=CODES_CONTRAT_VILLE)
        .values("dossier_id").annotate(m=Sum("montant")).values_list("dossier_id", "m")
        .order_by()
    )
    colonnes = ("valeur", "valeur_femmes", "valeur_hommes", "valeur_filles", "valeur_garcons")
    indicateurs = {
        i.pk: i for i in Indicateur.objects.filter(
            nature=Indicateur.Nature.NOMBRE, objectif__contrat_id=perimetre.contrat_id
        )
    }
    valeurs = {}
    for ligne in PrevisionIndicateur.objects.filter(dossier__in=dossiers).values_list(
        "dossier_id", "indicateur_id", *colonnes
    ):
        valeurs.setdefault(ligne[0], {})[ligne[1]] = [Valeurs(*(v or 0 for v in ligne[2:])), None]
    for ligne in RealisationIndicateur.objects.filter(bilan__dossier__in=dossiers).values_list(
        "bilan__dossier_id", "indicateur_id", *colonnes
    ):
        if ligne[1] in indicateurs:
            paire = valeurs.setdefault(ligne[0], {}).setdefault(ligne[1], [Valeurs(), None])
            paire[1] = Valeurs(*(v or 0 for v in ligne[2:]))
    financier = {}
    for dossier_id, code, prevu, realise in LigneCompteRendu.objects.filter(
        bilan__dossier__in=dossiers
    ).values_list("bilan__dossier_id", "code", "prevu", "realise"):
        financier.setdefault(dossier_id, {})[code] = (prevu, realise)
    statuts = {valeur: str(libelle) for valeur, libelle in Statut.choices}
    fiches = []
    for (pk, reference, intitule, annee, action, statut, accorde, bf, bh, bfi, bg,
         bilan_pk) in lignes:
        fiches.append(
            FicheDossier(
                reference=reference, intitule=intitule, annee=annee, action=action or "",
                statut=statuts[statut], bilan_compte=statut in comptes,
                montant_demande=demandes.get(pk, 0), montant_accorde=accorde,
                beneficiaires=Valeurs(0, bf or 0, bh or 0, bfi or 0, bg or 0)
                if bilan_pk else None,
                indicateurs=[
                    LigneIndicateurDossier(
                        libelle=indicateurs[i].libelle,
                        ventilation=indicateurs[i].get_ventilation_display(),
                        prevu=prevu, realise=realise,
                    )
                    for i, (prevu, realise) in sorted(
                        valeurs.get(pk, {}).items(),
                        key=lambda e: (indicateurs[e[0]].objectif_id, indicateurs[e[0]].ordre)
                        if e[0] in indicateurs else (0, 0),
                    )
                    if i in indicateurs
                ],
                financier=[
                    LigneFinanciere(ligne.code, ligne.libelle, *financier[pk][ligne.code])
                    for ligne in budget.LIGNES
                    if ligne.code in financier.get(pk, {})
                ],
            )
        )
    return fiches


# --- Multi-year view of one contract ------------------------------------------------------------


@dataclass
class Serie:
    """One measure year by year (``valeurs`` in the order of ``BilanPluriannuel.annees``)."""

    libelle: str
    valeurs: list
    format: str = "entier"

    @property
    def total(self):
        return sum(self.valeurs)


@dataclass
class IndicateurPluriannuel:
    """A numeric indicator: forecast by the retained dossiers, achieved in the counted bilans."""

    indicateur_id: int
    ordre: int
    libelle: str
    ventilation: str
    prevu: Serie
    realise: Serie

    @property
    def taux(self):
        """Achieved over forecast, year by year (None where nothing was forecast)."""
        return [part(r, p) for p, r in zip(self.prevu.valeurs, self.realise.valeurs, strict=True)]

    @property
    def taux_total(self):
        return part(self.realise.total, self.prevu.total)


@dataclass
class ObjectifPluriannuel:
    code: str
    titre: str
    pilier_code: str
    retenus: Serie
    demande: Serie
    accorde: Serie
    bilans: Serie
    indicateurs: list = field(default_factory=list)

    @property
    def series(self):
        return [self.retenus, self.demande, self.accorde, self.bilans]


@dataclass
class BilanPluriannuel:
    """Each year (call) of one contract side by side: per objective, forecast and achieved."""

    perimetre: Perimetre
    contrat: str
    territoire: str
    generation: str
    appels: list
    annees: list
    total: ObjectifPluriannuel
    objectifs: list
    genere_le: object

    @property
    def inclure_deposes(self):
        return self.perimetre.inclure_deposes

    @property
    def periode(self):
        p = self.perimetre
        return str(p.annee_debut) if p.annee_debut == p.annee_fin else (
            f"{p.annee_debut}–{p.annee_fin}"
        )


def _objectif_pluriannuel(annees, code, titre, pilier_code, par_annee, demandes, deposes):
    def serie(libelle, cle, format="entier"):
        return Serie(libelle, [par_annee.get(a, {}).get(cle) or 0 for a in annees], format)

    return ObjectifPluriannuel(
        code=code, titre=titre, pilier_code=pilier_code,
        retenus=serie("Dossiers retenus", "retenus"),
        demande=Serie("Montant demandé", [demandes.get(a) or 0 for a in annees], "euros"),
        accorde=serie("Montant accordé", "accorde", "euros"),
        bilans=serie("Bilans validés ou déposés" if deposes else "Bilans validés", "bilans"),
    )


def agreger_pluriannuel(perimetre, *, maintenant=None):
    """Sum, per year and objective of ``perimetre``'s contract, in the database (constant
    queries): retained dossiers, amounts requested and granted, counted bilans; per numeric
    indicator, the forecast of the retained dossiers and the achieved values of counted bilans.
    """
    comptes = statuts_comptes(perimetre.inclure_deposes)
    retenus = perimetre.dossiers().filter(statut__in=STATUTS_RETENUS)
    objectif = "action_principale__objectif_id"
    par_objectif = retenus.values("appel__annee", objectif).annotate(
        retenus=Count("pk"), accorde=Sum("decision__montant_accorde"),
        bilans=Count("pk", filter=Q(statut__in=comptes)),
    ).order_by()
    demandes = LigneBudget.objects.filter(
        dossier__in=retenus, code__in=CODES_CONTRAT_VILLE
    ).values("dossier__appel__annee", f"dossier__{objectif}").annotate(
        montant=Sum("montant")
    ).order_by()
    colonnes = {
        "valeur": Sum("valeur"), "femmes": Sum("valeur_femmes"), "hommes": Sum("valeur_hommes"),
        "filles": Sum("valeur_filles"), "garcons": Sum("valeur_garcons"),
    }
    previsions = PrevisionIndicateur.objects.filter(dossier__in=retenus).values(
        "dossier__appel__annee", "indicateur_id"
    ).annotate(**colonnes).order_by()
    realisations = RealisationIndicateur.objects.filter(
        bilan__dossier__in=retenus.filter(statut__in=comptes)
    ).values("bilan__dossier__appel__annee", "indicateur_id").annotate(**colonnes).order_by()

    appels = list(
        AppelAProjets.objects.filter(
            contrat_id=perimetre.contrat_id, annee__gte=perimetre.annee_debut,
            annee__lte=perimetre.annee_fin,
        ).order_by("annee")
    )
    annees = [a.annee for a in appels]
    chiffres = {}  # objective id (None: every objective) -> year -> figures
    for ligne in par_objectif:
        for cle in (ligne[objectif], None):
            cible = chiffres.setdefault(cle, {}).setdefault(ligne["appel__annee"], {})
            for nom in ("retenus", "accorde", "bilans"):
                cible[nom] = cible.get(nom, 0) + (ligne[nom] or 0)
    montants = {}
    for ligne in demandes:
        for cle in (ligne[f"dossier__{objectif}"], None):
            par_annee = montants.setdefault(cle, {})
            annee = ligne["dossier__appel__annee"]
            par_annee[annee] = par_annee.get(annee, 0) + ligne["montant"]

    objectifs = Objectif.objects.filter(contrat_id=perimetre.contrat_id)
    if perimetre.pilier_id:
        objectifs = objectifs.filter(orientation__pilier_id=perimetre.pilier_id)
    lignes = {}
    for pk, code, titre, pilier_code in objectifs.order_by(
        "orientation__pilier__ordre", "orientation__ordre", "ordre", "code"
    ).values_list("pk", "code", "titre", "orientation__pilier__code"):
        lignes[pk] = _objectif_pluriannuel(
            annees, code, titre, pilier_code, chiffres.get(pk, {}), montants.get(pk, {}),
            perimetre.inclure_deposes,
        )
    _indicateurs_pluriannuels(lignes, annees, previsions, realisations, perimetre.contrat_id)
    contrat = Contrat.objects.select_related("territoire", "generation").get(
        pk=perimetre.contrat_id
    )
    return BilanPluriannuel(
        perimetre=perimetre, contrat=contrat.nom, territoire=contrat.territoire.nom,
        generation=contrat.generation.nom, appels=appels, annees=annees,
        total=_objectif_pluriannuel(
            annees, "", "Tous les objectifs", "", chiffres.get(None, {}), montants.get(None, {}),
            perimetre.inclure_deposes,
        ),
        objectifs=[
            o for o in lignes.values()
            if o.retenus.total or any(i.prevu.total or i.realise.total for i in o.indicateurs)
        ],
        genere_le=maintenant or timezone.now(),
    )


def _indicateurs_pluriannuels(lignes, annees, previsions, realisations, contrat_id):
    """Attach each numeric indicator with values to its objective, forecast and achieved."""
    valeurs = {}  # indicator id -> (forecast, achieved), each year -> total
    for source, cle_annee, rang in (
        (previsions, "dossier__appel__annee", 0), (realisations, "bilan__dossier__appel__annee", 1)
    ):
        for ligne in source:
            paire = valeurs.setdefault(ligne["indicateur_id"], ({}, {}))
            paire[rang][ligne[cle_annee]] = _valeurs(ligne).total
    ventilations = dict(Indicateur.Ventilation.choices)
    for pk, objectif_id, ordre, libelle, ventilation in Indicateur.objects.filter(
        pk__in=list(valeurs), nature=Indicateur.Nature.NOMBRE, objectif__contrat_id=contrat_id,
        objectif_id__in=list(lignes),
    ).order_by("ordre").values_list("pk", "objectif_id", "ordre", "libelle", "ventilation"):
        prevu, realise = valeurs[pk]
        lignes[objectif_id].indicateurs.append(IndicateurPluriannuel(
            indicateur_id=pk, ordre=ordre, libelle=libelle,
            ventilation=str(ventilations[ventilation]),
            prevu=Serie("Prévu", [prevu.get(a, 0) for a in annees]),
            realise=Serie("Réalisé", [realise.get(a, 0) for a in annees]),
        ))
