"""Each year (call) of one contract side by side: per objective, forecast and achieved."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils import timezone

from candidatures.models import STATUTS_RETENUS, AppelAProjets, LigneBudget, PrevisionIndicateur
from referentiel.models import Contrat, Indicateur, Objectif

from ...models import RealisationIndicateur
from .perimetre import CODES_CONTRAT_VILLE, Perimetre, statuts_comptes
from .resultats import part, valeurs_de


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
    # Forecasts and budget lines carry their dossier's call: read by the scope's calls too.
    appels = perimetre.appels().values("pk")
    demandes = LigneBudget.objects.filter(
        appel__in=appels, dossier__in=retenus, code__in=CODES_CONTRAT_VILLE
    ).values("dossier__appel__annee", f"dossier__{objectif}").annotate(
        montant=Sum("montant")
    ).order_by()
    colonnes = {
        "valeur": Sum("valeur"), "femmes": Sum("valeur_femmes"), "hommes": Sum("valeur_hommes"),
        "filles": Sum("valeur_filles"), "garcons": Sum("valeur_garcons"),
    }
    previsions = PrevisionIndicateur.objects.filter(appel__in=appels, dossier__in=retenus).values(
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
            paire[rang][ligne[cle_annee]] = valeurs_de(ligne).total
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
