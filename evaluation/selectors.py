"""Reads of the instruction: queue, automatic checks, checklist, trail, programmation."""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from candidatures.dossiers import budget
from candidatures.dossiers.journal import comparer, prendre_instantane
from candidatures.dossiers.selectors import (
    DOCUMENTS_STRUCTURE_REQUIS,
    exigences_du_dossier,
    totaux_budget,
)
from candidatures.dossiers.services.eligibilite import action_eligible
from candidatures.dossiers.services.erreurs import ActionNonEligible
from candidatures.models import (
    STATUTS_AVANT_DECISION,
    DemandeCorrection,
    DocumentStructure,
    Dossier,
    EnveloppePilier,
    HistoriqueStatut,
    LigneBudget,
    ModificationDossier,
    Role,
    Statut,
    Utilisateur,
)
from referentiel.models import Pilier

from .formats import euros
from .models import (
    AffectationPilier,
    Avis,
    Decision,
    Instruction,
    Lecture,
    Message,
    Modification,
    VerdictExigence,
)

# A dossier's activity report and approved accounts describe the last closed financial year:
# approved within six months of its end, they are at most 18 months old when a call opens.
# Older than that, they are out of date.
VALIDITE_DOCUMENTS_MOIS = {
    DocumentStructure.Type.RAPPORT_ACTIVITE: 18,
    DocumentStructure.Type.COMPTES_APPROUVES: 18,
}
# Above this share of the project's charges, the request to the contrat de ville is flagged
# for the instructor's attention (an alert, not a rule of the call).
PART_DEMANDEE_ALERTE = 80


def instructeurs():
    """Active users who may be assigned dossiers (role instructeur), by name."""
    return (
        Utilisateur.objects.filter(is_active=True, groups__name=Role.INSTRUCTEUR)
        .distinct()
        .order_by("nom", "prenom", "email")
    )


def instructeur_par_defaut(dossier):
    """The instructor the pilier table names for the dossier's main action, if any."""
    if not dossier.action_principale_id:
        return None
    affectation = (
        AffectationPilier.objects.select_related("instructeur")
        .filter(pilier__orientations__objectifs__actions=dossier.action_principale_id)
        .first()
    )
    return affectation.instructeur if affectation else None


def montant_demande(dossier):
    """What the structure asks of the contrat de ville, from its budget lines."""
    return totaux_budget(dossier).montant_demande


# --- The queue ----------------------------------------------------------------------------------

TRIS = {
    "reference": ("numero",),
    "structure": ("structure__raison_sociale", "numero"),
    "intitule": ("intitule", "numero"),
    "action": ("action_principale__code", "numero"),
    "montant": ("montant_demande_total", "numero"),
    "statut": ("statut", "numero"),
    "depose": ("depose_le", "numero"),
    "instructeur": ("instruction__instructeur__nom", "instruction__instructeur__email", "numero"),
}


def _montant_demande_sous_requete():
    return Coalesce(
        Subquery(
            LigneBudget.objects.filter(
                dossier=OuterRef("pk"), code__in=budget.CODES_CONTRAT_VILLE
            )
            .values("dossier")
            .annotate(total=Sum("montant"))
            .values("total"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _non_lus_sous_requete(user):
    derniere_lecture = Lecture.objects.filter(dossier=OuterRef("dossier"), utilisateur=user)
    return Coalesce(
        Subquery(
            Message.objects.filter(dossier=OuterRef("pk"))
            .exclude(auteur=user)
            .filter(
                envoye_le__gt=Coalesce(
                    Subquery(derniere_lecture.values("lu_le")[:1]),
                    Value(datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)),
                    output_field=DateTimeField(),
                )
            )
            .values("dossier")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def dossiers_soumis(appel):
    """Every dossier of the call ever submitted (drafts never reach the instructors)."""
    return Dossier.objects.filter(appel=appel, depose_le__isnull=False)


def filtrer_file(queryset, filtres, user):
    """Apply the queue's filters (all optional) to ``queryset``; the status filter apart."""
    f = filtres
    if f.get("pilier"):
        queryset = queryset.filter(action_principale__objectif__orientation__pilier=f["pilier"])
    if f.get("orientation"):
        queryset = queryset.filter(action_principale__objectif__orientation=f["orientation"])
    if f.get("objectif"):
        queryset = queryset.filter(action_principale__objectif=f["objectif"])
    if f.get("action"):
        code = f["action"].strip().rstrip(".").lower()
        queryset = queryset.filter(
            Q(action_principale__code__iexact=code)
            | Q(action_principale__code__istartswith=f"{code}.")
        )
    if f.get("qpv"):
        queryset = queryset.filter(quartiers=f["qpv"])
    if f.get("structure"):
        queryset = queryset.filter(structure=f["structure"])
    instructeur = f.get("instructeur")
    if instructeur == "moi":
        queryset = queryset.filter(instruction__instructeur=user)
    elif instructeur == "aucun":
        queryset = queryset.filter(
            Q(instruction__isnull=True) | Q(instruction__instructeur__isnull=True)
        )
    elif instructeur:
        queryset = queryset.filter(instruction__instructeur_id=instructeur)
    if f.get("q"):
        mots = f["q"].strip()
        queryset = queryset.filter(
            Q(reference__icontains=mots)
            | Q(intitule__icontains=mots)
            | Q(structure__raison_sociale__icontains=mots)
            | Q(structure__sigle__icontains=mots)
        )
    return queryset


def file_instruction(*, appel, filtres, user):
    """The filtered, sorted queue of a call, ready to page: a fixed number of queries."""
    queryset = filtrer_file(dossiers_soumis(appel), filtres, user)
    if filtres.get("statut"):
        queryset = queryset.filter(statut=filtres["statut"])
    tri = filtres.get("tri") or "reference"
    cles = TRIS.get(tri.lstrip("-"), TRIS["reference"])
    if tri.startswith("-"):
        cles = tuple(F(c).desc(nulls_last=True) for c in cles)
    return (
        queryset.select_related(
            "structure",
            "action_principale__objectif__orientation__pilier",
            "instruction__instructeur",
            "decision",
        )
        .prefetch_related("quartiers")
        .annotate(
            montant_demande_total=_montant_demande_sous_requete(),
            non_lus=_non_lus_sous_requete(user),
        )
        .order_by(*cles)
    )


def comptes_par_statut(*, appel, filtres, user):
    """How many dossiers of the filtered queue are in each status (status filter ignored)."""
    comptes = dict(
        filtrer_file(dossiers_soumis(appel), filtres, user)
        .order_by()
        .values_list("statut")
        .annotate(n=Count("pk"))
    )
    return [(s, comptes[s.value]) for s in Statut if comptes.get(s.value)]


# --- Automatic checks ---------------------------------------------------------------------------


@dataclass
class Controle:
    """One automatic check, shown with the same weight as the instructor's verdicts."""

    libelle: str
    etat: str  # "ok", "alerte" or "ko"
    detail: str = ""
    elements: list = field(default_factory=list)

    @property
    def etat_libelle(self):
        return {"ok": "conforme", "alerte": "à vérifier", "ko": "non conforme"}[self.etat]


def _mois_ecoules(debut, fin):
    return (fin.year - debut.year) * 12 + fin.month - debut.month - (fin.day < debut.day)


def premier_depot(dossier):
    """When the dossier was first submitted (a resubmission after corrections does not count)."""
    return (
        HistoriqueStatut.objects.filter(dossier=dossier, vers=Statut.DEPOSE)
        .order_by("le")
        .values_list("le", flat=True)
        .first()
        or dossier.depose_le
    )


def _controle_delai(dossier):
    appel = dossier.appel
    premier_depot_le = premier_depot(dossier)
    quand = timezone.localtime(premier_depot_le).strftime("%d/%m/%Y à %H:%M")
    cloture = timezone.localtime(appel.cloture).strftime("%d/%m/%Y à %H:%M")
    libelle = "Délai de l'appel respecté"
    if premier_depot_le and premier_depot_le <= appel.cloture:
        return Controle(libelle, "ok", f"Déposé le {quand} (clôture le {cloture}).")
    return Controle(libelle, "ko", f"Déposé le {quand}, après la clôture du {cloture}.")


def _controle_action(dossier):
    libelle = "Action éligible à l'appel à projets"
    if not dossier.action_principale_id:
        return Controle(libelle, "ko", "Aucune fiche-action n'est choisie.")
    codes = [dossier.action_principale.code, *(a.code for a in dossier.actions_secondaires.all())]
    refus = []
    for code in codes:
        try:
            action_eligible(code)
        except ActionNonEligible as erreur:
            refus.append(str(erreur))
    if refus:
        return Controle(libelle, "ko", " ".join(refus))
    return Controle(libelle, "ok", f"Action{'s' if len(codes) > 1 else ''} {', '.join(codes)}.")


def _controle_budget(totaux):
    libelle = "Budget équilibré"
    if totaux.valide:
        return Controle(
            libelle, "ok", f"Charges = produits = {euros(totaux.charges)} ; contributions en "
            f"nature équilibrées ({euros(totaux.contributions_emplois)})."
        )
    return Controle(
        libelle, "ko", f"Charges {euros(totaux.charges)}, produits {euros(totaux.produits)} ; "
        f"contributions en nature {euros(totaux.contributions_emplois)} / "
        f"{euros(totaux.contributions_ressources)}."
    )


def _controle_part(totaux):
    libelle = "Part demandée au contrat de ville"
    part = totaux.part_demandee
    if part is None:
        return Controle(libelle, "ko", "Le budget ne compte aucune charge.")
    texte = (
        f"{euros(totaux.montant_demande)} demandés, soit {str(part).replace('.', ',')} % des "
        "charges."
    )
    if not totaux.montant_demande:
        return Controle(libelle, "ko", "Aucun montant n'est demandé au contrat de ville.")
    if part > PART_DEMANDEE_ALERTE:
        return Controle(libelle, "alerte", f"{texte} Au-delà de {PART_DEMANDEE_ALERTE} %.")
    return Controle(libelle, "ok", texte)


def _controle_public(dossier):
    libelle = "Quartiers prioritaires et public renseignés"
    quartiers = [str(q) for q in dossier.quartiers.all()]
    manques = []
    if not quartiers:
        manques.append("aucun quartier prioritaire")
    if dossier.part_beneficiaires_qpv is None:
        manques.append("part des bénéficiaires habitant un QPV non renseignée")
    if not dossier.publics:
        manques.append("aucune tranche d'âge")
    if manques:
        return Controle(libelle, "ko", "Manque : " + ", ".join(manques) + ".")
    return Controle(
        libelle, "ok", f"{', '.join(quartiers)} ; {dossier.part_beneficiaires_qpv} % des "
        f"bénéficiaires en QPV ; {', '.join(str(t.label) for t in dossier.publics)}."
    )


def _controle_documents(dossier, reference):
    libelle = "Documents de la structure présents et à jour"
    actuels = {
        d.type: d for d in DocumentStructure.objects.filter(structure=dossier.structure).actuels()
    }
    elements, etat = [], "ok"
    for type_ in DocumentStructure.Type:
        document = actuels.get(type_)
        if document is None:
            if type_ in DOCUMENTS_STRUCTURE_REQUIS:
                etat = "ko"
                elements.append(f"{type_.label} : manquant.")
            else:
                etat = "alerte" if etat == "ok" else etat
                elements.append(f"{type_.label} : non déposé.")
            continue
        date = document.date_document.strftime("%d/%m/%Y")
        validite = VALIDITE_DOCUMENTS_MOIS.get(type_)
        if validite and _mois_ecoules(document.date_document, reference) > validite:
            etat = "alerte" if etat == "ok" else etat
            elements.append(f"{type_.label} : daté du {date}, plus de {validite} mois, périmé.")
        else:
            elements.append(f"{type_.label} : daté du {date}.")
    return Controle(libelle, etat, elements=elements)


def controles_automatiques(dossier):
    """Checks the portal makes by itself: deadline, eligibility, budget, public, documents."""
    totaux = totaux_budget(dossier)
    reference = timezone.localdate(dossier.depose_le) if dossier.depose_le else timezone.localdate()
    return [
        _controle_delai(dossier),
        _controle_action(dossier),
        _controle_budget(totaux),
        _controle_part(totaux),
        _controle_public(dossier),
        _controle_documents(dossier, reference),
    ]


def dossiers_precedents(dossier):
    """The structure's dossiers of other calls, with their decision and bilan, newest first."""
    return (
        Dossier.objects.filter(structure=dossier.structure, depose_le__isnull=False)
        .exclude(pk=dossier.pk)
        .select_related("appel", "action_principale", "decision", "bilan")
        .order_by("-appel__annee", "-depose_le")
    )


# --- The checklist -------------------------------------------------------------------------------


@dataclass
class LigneGrille:
    exigence: object
    reponse: str
    verdict: VerdictExigence | None

    @property
    def valeur(self):
        return self.verdict.verdict if self.verdict else ""

    @property
    def commentaire(self):
        return self.verdict.commentaire if self.verdict else ""


def grille(dossier, instruction=None):
    """Each requirement of the dossier's objectives, the structure's answer and the verdict."""
    reponses = {r.exigence_id: r.texte for r in dossier.reponses.all()}
    verdicts = {v.exigence_id: v for v in instruction.verdicts.all()} if instruction else {}
    return [
        LigneGrille(e, reponses.get(e.pk, ""), verdicts.get(e.pk))
        for e in exigences_du_dossier(dossier)
    ]


def manques_instruction(dossier, instruction):
    """What the instructor must still give before concluding: verdicts, avis, amount, synthesis."""
    manques = []
    for ligne in grille(dossier, instruction):
        if not ligne.valeur:
            manques.append(
                f"Exigence {ligne.exigence.objectif.code} n°{ligne.exigence.ordre} : "
                "indiquez un verdict."
            )
    if not instruction.avis:
        manques.append("Avis : choisissez favorable, favorable avec réserves ou défavorable.")
    elif instruction.avis != Avis.DEFAVORABLE and not instruction.montant_propose:
        manques.append("Montant proposé : indiquez le montant proposé au comité.")
    if not instruction.synthese.strip():
        manques.append("Synthèse pour le comité : rédigez-la.")
    return manques


def corrections_en_attente(dossier):
    return DemandeCorrection.objects.filter(dossier=dossier, traitee_le__isnull=True).exists()


# --- Corrections: what changed ------------------------------------------------------------------


@dataclass
class Comparaison:
    demande: DemandeCorrection
    echeance: object
    ecarts: list
    en_cours: bool


def comparaisons(dossier):
    """For each correction request, what the structure changed since (latest request first)."""
    demandes = list(
        DemandeCorrection.objects.filter(dossier=dossier, suivi__isnull=False)
        .select_related("suivi", "demandee_par")
        .order_by("demandee_le", "pk")
    )
    resultat = []
    actuel = None
    for i, demande in enumerate(demandes):
        if i + 1 < len(demandes):
            apres = demandes[i + 1].suivi.avant
        else:
            actuel = actuel or prendre_instantane(dossier)
            apres = actuel
        resultat.append(
            Comparaison(
                demande=demande,
                echeance=demande.suivi.echeance,
                ecarts=comparer(demande.suivi.avant, apres),
                en_cours=demande.traitee_le is None,
            )
        )
    return list(reversed(resultat))


# --- The trail ----------------------------------------------------------------------------------


@dataclass
class Evenement:
    le: object
    titre: str
    par: object = None
    detail: str = ""
    interne: bool = False
    changements: list = field(default_factory=list)


def chronologie(dossier, *, complete):
    """The dossier's history, oldest first; ``complete`` adds the staff-only entries."""
    evenements = []
    demandes = DemandeCorrection.objects.filter(dossier=dossier).select_related("demandee_par")
    for h in HistoriqueStatut.objects.filter(dossier=dossier).select_related("par"):
        titre = (
            f"Statut : {h.get_de_display()} → {h.get_vers_display()}"
            if h.de
            else f"Création ({h.get_vers_display()})"
        )
        # The request's message is shown once, with its sections, by the entry below.
        detail = "" if h.vers == Statut.A_CORRIGER else h.motif
        evenements.append(Evenement(h.le, titre, h.par, detail))
    for demande in demandes:
        evenements.append(
            Evenement(
                demande.demandee_le,
                "Corrections demandées : " + ", ".join(str(s) for s in demande.sections_libelles),
                demande.demandee_par,
                demande.message,
            )
        )
    groupes = {}
    # Drafting before the first submission stays the structure's (its dossier page shows it).
    modifications = ModificationDossier.objects.filter(dossier=dossier).select_related("par")
    if dossier.depose_le:
        modifications = modifications.filter(le__gte=premier_depot(dossier))
    else:
        modifications = modifications.none()
    for m in modifications:
        cle = (m.le, m.par_id, "dossier")
        if cle not in groupes:
            groupes[cle] = Evenement(m.le, "Modification du dossier", m.par)
            evenements.append(groupes[cle])
        groupes[cle].changements.append(m)
    if complete:
        for m in Modification.objects.filter(dossier=dossier).select_related("par"):
            cle = (m.le, m.par_id, m.objet)
            if cle not in groupes:
                groupes[cle] = Evenement(
                    m.le, f"Modification : {m.get_objet_display()}", m.par, interne=True
                )
                evenements.append(groupes[cle])
            groupes[cle].changements.append(m)
    evenements.sort(key=lambda e: e.le)
    return evenements


# --- Thread --------------------------------------------------------------------------------------


def fil(dossier, user):
    """The thread of a dossier, each message flagged ``non_lu`` for ``user``."""
    lecture = Lecture.objects.filter(dossier=dossier, utilisateur=user).first()
    messages = list(
        Message.objects.filter(dossier=dossier)
        .select_related("auteur")
        .prefetch_related("pieces")
    )
    for message in messages:
        message.non_lu = message.auteur_id != user.pk and (
            lecture is None or message.envoye_le > lecture.lu_le
        )
    return messages


def nombre_non_lus(dossier, user):
    lecture = Lecture.objects.filter(dossier=dossier, utilisateur=user).first()
    messages = Message.objects.filter(dossier=dossier).exclude(auteur=user)
    if lecture:
        messages = messages.filter(envoye_le__gt=lecture.lu_le)
    return messages.count()


# --- Programmation ------------------------------------------------------------------------------


@dataclass
class TotalPilier:
    pilier: object
    enveloppe: int | None
    propose: int = 0
    accorde: int = 0

    @property
    def reste(self):
        return None if self.enveloppe is None else self.enveloppe - self.accorde


@dataclass
class Programmation:
    appel: object
    a_decider: list
    decides: list
    piliers: list
    enveloppe: int | None
    propose: int
    accorde: int

    @property
    def reste(self):
        return None if self.enveloppe is None else self.enveloppe - self.accorde


def programmation(appel):
    """Instructed dossiers awaiting a decision, decided ones, and totals against the envelopes."""
    dossiers = list(
        Dossier.objects.filter(appel=appel, instruction__conclue_le__isnull=False)
        .exclude(statut=Statut.RETIRE)
        .select_related(
            "structure",
            "action_principale__objectif__orientation__pilier",
            "instruction__instructeur",
            "decision",
        )
        .order_by(
            "action_principale__objectif__orientation__pilier__ordre",
            "instruction__avis",
            "numero",
        )
    )
    enveloppes = {
        e.pilier_id: e.montant for e in EnveloppePilier.objects.filter(appel=appel)
    }
    piliers = {
        p.pk: TotalPilier(p, enveloppes.get(p.pk)) for p in Pilier.objects.order_by("ordre")
    }
    a_decider, decides = [], []
    cumul = {}
    for dossier in dossiers:
        pilier = dossier.action_principale.objectif.orientation.pilier
        total = piliers[pilier.pk]
        propose = dossier.instruction.montant_propose or 0
        cumul[pilier.pk] = cumul.get(pilier.pk, 0) + propose
        dossier.cumul_pilier = cumul[pilier.pk]
        dossier.pilier = pilier
        decision = getattr(dossier, "decision", None)
        if decision is None and dossier.statut == Statut.INSTRUIT:
            total.propose += propose
            a_decider.append(dossier)
        elif decision is not None:
            if decision.est_retenu:
                total.accorde += decision.montant_accorde
            decides.append(dossier)
    return Programmation(
        appel=appel,
        a_decider=a_decider,
        decides=decides,
        piliers=list(piliers.values()),
        enveloppe=appel.enveloppe_totale,
        propose=sum(t.propose for t in piliers.values()),
        accorde=sum(t.accorde for t in piliers.values()),
    )


def subventions_accordees(appel):
    """Granted subsidies of a call, for the open-data export."""
    return (
        Decision.objects.filter(dossier__appel=appel, nature=Decision.Nature.RETENU)
        .select_related("dossier__structure", "dossier__appel", "dossier__action_principale")
        .prefetch_related(
            Prefetch("dossier__lignes_budget", queryset=LigneBudget.objects.all())
        )
        .order_by("dossier__numero")
    )


def dossiers_a_affecter(appel):
    """Submitted dossiers of the call, before the decision, with no instructor yet."""
    return (
        dossiers_soumis(appel)
        .filter(statut__in=STATUTS_AVANT_DECISION)
        .filter(Q(instruction__isnull=True) | Q(instruction__instructeur__isnull=True))
        .select_related("action_principale")
    )


def instruction_de(dossier):
    """The dossier's instruction, or None before it was assigned or taken."""
    return Instruction.objects.filter(dossier=dossier).select_related("instructeur").first()
