"""The programmation of a call: decisions against the envelopes; the granted subsidies.

The totals (per pilier and for the whole call) are aggregated by the database over every
instructed dossier of the call, and kept under the call's version (raised by the database
whenever a dossier, instruction or decision of the call changes): a view of unchanged data
reads them back. The awaiting rows' order and running totals are kept the same way, under the
call's version and the contract's tree: a page reads its rows by their keys.
"""

import hashlib
from array import array
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, Sum, Window
from django.db.models.functions import Coalesce

from candidatures.commun.bornes import ENTIER_MAX
from candidatures.models import (
    AppelAProjets,
    Dossier,
    EnveloppePilier,
    LigneBudget,
    Statut,
)
from evaluation.gardes import garde
from evaluation.models import Avis, Decision, VersionAppel
from referentiel.models import Action, Pilier

from .commun import LigneDossier

PILIER = "action_principale__objectif__orientation__pilier"

# Values of the « état » filter of the page.
A_DECIDER = "a_decider"
DECIDES = "decides"
ETATS = [
    (A_DECIDER, "à décider"),
    (DECIDES, "décidés (toutes décisions)"),
    (Decision.Nature.RETENU, "retenus"),
    (Decision.Nature.NON_RETENU, "non retenus"),
    (Decision.Nature.CLASSE_SANS_SUITE, "classés sans suite"),
]


@dataclass
class TotalPilier:
    pilier: object
    enveloppe: int | None
    propose: int = 0
    accorde: int = 0
    a_decider: int = 0
    decides: int = 0

    @property
    def reste(self):
        return None if self.enveloppe is None else self.enveloppe - self.accorde


@dataclass
class Programmation:
    appel: object
    piliers: list
    enveloppe: int | None
    propose: int
    accorde: int
    nombre_a_decider: int
    nombre_decides: int
    # Fingerprint of the contract's tree (action → objectif → pilier, piliers' order).
    arbre: str = ""

    @property
    def reste(self):
        return None if self.enveloppe is None else self.enveloppe - self.accorde

    @property
    def a_decider(self):
        """Every dossier awaiting a decision, in the page's order (a queryset: not loaded)."""
        return lignes(self.appel, etat=A_DECIDER)

    @property
    def decides(self):
        return lignes(self.appel, etat=DECIDES)


def _instruits(appel):
    # An instructed dossier was submitted: ``depose_le`` lets the database read the awaiting
    # ones from the partial index (appel, statut…) of submitted dossiers.
    return Dossier.objects.filter(
        appel=appel, depose_le__isnull=False, instruction__conclue_le__isnull=False
    ).exclude(statut=Statut.RETIRE)


A_DECIDER_Q = Q(statut=Statut.INSTRUIT, decision__isnull=True)


# Changing what ``_par_action`` returns changes this: every kept total is then computed again.
VERSION_TOTAUX = "1"
TOTAUX = ("propose", "accorde", "a_decider", "decides")


def _par_action(appel):
    """``[(action id, proposed, granted, awaiting, decided)]`` over the whole call, aggregated
    by the database per action (the dossier's own column: no join up the tree per dossier)."""
    return [
        (ligne["action_principale_id"], *(ligne[cle] for cle in TOTAUX))
        for ligne in _instruits(appel).values("action_principale_id").annotate(
            propose=Coalesce(Sum("instruction__montant_propose", filter=A_DECIDER_Q), 0),
            accorde=Coalesce(
                Sum("decision__montant_accorde",
                    filter=Q(decision__nature=Decision.Nature.RETENU)), 0
            ),
            a_decider=Count("pk", filter=A_DECIDER_Q),
            decides=Count("pk", filter=Q(decision__isnull=False)),
        ).order_by()
    ]


def _empreinte_et(appel, **autres):
    """The call's version (the sum of its counters, read by their index), and the ``autres``
    expressions: one query."""
    version = Subquery(
        VersionAppel.objects.filter(appel_id=OuterRef("pk")).order_by().values("appel_id")
        .annotate(somme=Sum("version")).values("somme")
    )
    valeurs = (
        AppelAProjets.objects.filter(pk=appel.pk).annotate(_version=version, **autres)
        .values_list("_version", *autres).first()
    ) or (None,) * (1 + len(autres))
    return (f"{VERSION_TOTAUX}-{valeurs[0]}", *valeurs[1:])


def programmation(appel):
    """Totals of the whole call against the envelopes: the per-action aggregate kept under the
    call's version, added up per pilier from the contract's small tree (read each time, as
    are the envelopes: changing them needs no new aggregation)."""
    par_action = garde(
        f"programmation-a{appel.pk}", appel.contrat_id,
        lambda **autres: _empreinte_et(appel, **autres), lambda: _par_action(appel),
    )
    arbre = list(
        Action.objects.filter(contrat_id=appel.contrat_id).order_by("pk")
        .values_list("pk", "objectif_id", "objectif__orientation__pilier_id")
    )
    pilier_de = {action_id: pilier_id for action_id, _, pilier_id in arbre}
    totaux = {}
    for action_id, *valeurs in par_action:
        total = totaux.setdefault(pilier_de.get(action_id), dict.fromkeys(TOTAUX, 0))
        for cle, valeur in zip(TOTAUX, valeurs, strict=True):
            total[cle] += valeur
    # The envelopes with the piliers: one query.
    enveloppe = EnveloppePilier.objects.filter(appel=appel, pilier_id=OuterRef("pk"))
    piliers = []
    for pilier in Pilier.objects.filter(contrat_id=appel.contrat_id).annotate(
        _enveloppe=Subquery(enveloppe.values("montant")[:1])
    ).order_by("ordre", "code"):
        total = totaux.get(pilier.pk, {})
        piliers.append(TotalPilier(
            pilier, pilier._enveloppe,
            propose=total.get("propose", 0), accorde=total.get("accorde", 0),
            a_decider=total.get("a_decider", 0), decides=total.get("decides", 0),
        ))
    ordre = [(t.pilier.pk, t.pilier.ordre, t.pilier.code) for t in piliers]
    return Programmation(
        appel=appel,
        piliers=piliers,
        enveloppe=appel.enveloppe_totale,
        propose=sum(t.propose for t in piliers),
        accorde=sum(t.accorde for t in piliers),
        nombre_a_decider=sum(t.a_decider for t in piliers),
        nombre_decides=sum(t.decides for t in piliers),
        arbre=hashlib.blake2b(repr((arbre, ordre)).encode(), digest_size=8).hexdigest(),
    )


def lignes(appel, *, etat=A_DECIDER, pilier=None, objectif=None):
    """The dossiers of the page, filtered.

    Awaiting ones (the comité's pending work) are sorted by pilier, avis and number and carry
    ``cumul_pilier``, the proposed amounts added up in the list's order within their pilier
    (computed by the database). Decided ones are sorted by number only, which the index
    ``(appel, numero)`` holds: the page reads its rows from the index (``PageParCurseur``).
    The pilier and objectif filters read the few actions under them, and filter the dossiers
    on their own column.
    """
    dossiers = _instruits(appel)
    if etat == A_DECIDER:
        dossiers = dossiers.filter(A_DECIDER_Q)
    elif etat == DECIDES:
        dossiers = dossiers.filter(decision__isnull=False)
    else:
        dossiers = dossiers.filter(decision__nature=etat)
    if pilier is not None:
        dossiers = dossiers.filter(action_principale__in=Action.objects.filter(
            objectif__orientation__pilier=pilier).values("pk"))
    if objectif is not None:
        dossiers = dossiers.filter(
            action_principale__in=Action.objects.filter(objectif=objectif).values("pk")
        )
    if etat != A_DECIDER:
        return dossiers.select_related("structure", "instruction", "decision").order_by("numero")
    return dossiers.select_related(
        "structure", "action_principale__objectif__orientation__pilier",
        "instruction__instructeur", "decision",
    ).annotate(cumul_pilier=Window(
        Sum("instruction__montant_propose"),
        partition_by=[F(PILIER)], order_by=[F("instruction__avis").asc(), F("numero").asc()],
    )).order_by(f"{PILIER}__ordre", f"{PILIER}__code", "instruction__avis", "numero")


class Rang:
    """The awaiting rows of a list in its order: ``(pk, cumul_pilier)`` pairs, sliced by the
    paginator without building the whole list."""

    def __init__(self, pks, cumuls):
        self.pks, self.cumuls = pks, cumuls

    def __len__(self):
        return len(self.pks)

    def __getitem__(self, tranche):
        return list(zip(self.pks[tranche], self.cumuls[tranche], strict=True))


def _rang(appel, pilier, objectif):
    ordre = lignes(appel, etat=A_DECIDER, pilier=pilier, objectif=objectif).values_list(
        "pk", "cumul_pilier"
    )
    pks, cumuls = array("q"), array("q")
    for pk, cumul in ordre:
        pks.append(pk)
        cumuls.append(cumul or 0)
    return pks, cumuls


def rang_a_decider(prog, *, pilier=None, objectif=None):
    """The order of the awaiting rows (filtered) and their running totals per pilier, as
    ``lignes`` gives them, kept under the call's version and the contract's tree (which gives
    each action its pilier and the piliers their order): a view of unchanged data reads them
    back, one query, and then only its page's rows."""
    appel = prog.appel
    filtre = f"p{getattr(pilier, 'pk', '')}o{getattr(objectif, 'pk', '')}"

    def empreinte_et(**autres):
        version, *valeurs = _empreinte_et(appel, **autres)
        return (f"{version}-{prog.arbre}", *valeurs)

    return Rang(*garde(
        f"programmation-rang-a{appel.pk}-{filtre}", appel.contrat_id, empreinte_et,
        lambda: _rang(appel, pilier, objectif),
    ))


CHAMPS_LIGNE = (
    "pk", "reference", "intitule", "structure__raison_sociale", "structure__sigle",
    "action_principale__code", "action_principale__objectif__orientation__pilier_id",
    "instruction__avis", "instruction__synthese", "instruction__montant_demande",
    "instruction__montant_propose",
)


class LigneADecider(LigneDossier):
    """What one awaiting row shows, read as plain values (no model instances)."""

    __slots__ = ("pilier_id", "avis", "synthese", "montant_demande", "montant_propose",
                 "cumul_pilier")

    def __init__(self, valeurs, cumul):
        super().__init__(valeurs)
        self.pilier_id = valeurs["action_principale__objectif__orientation__pilier_id"]
        avis = valeurs["instruction__avis"]
        self.avis = Avis(avis).label if avis else ""
        self.synthese = valeurs["instruction__synthese"]
        self.montant_demande = valeurs["instruction__montant_demande"]
        self.montant_propose = valeurs["instruction__montant_propose"]
        self.cumul_pilier = cumul


def lignes_par_cle(appel, paires):
    """The awaiting rows named by ``(pk, cumul_pilier)`` pairs, in their order, read as values
    (``LigneADecider``); one no longer awaiting is left out."""
    valeurs = _instruits(appel).filter(A_DECIDER_Q, pk__in=[pk for pk, _ in paires])
    par_pk = {v["pk"]: v for v in valeurs.order_by().values(*CHAMPS_LIGNE)}
    return [LigneADecider(par_pk[pk], cumul) for pk, cumul in paires if pk in par_pk]


def compte(prog, *, etat, pilier=None, objectif=None):
    """The list's length when the whole call's totals already hold it, else None."""
    if objectif is not None or etat not in (A_DECIDER, DECIDES):
        return None
    attribut = "a_decider" if etat == A_DECIDER else "decides"
    if pilier is None:
        return prog.nombre_a_decider if etat == A_DECIDER else prog.nombre_decides
    return next((getattr(t, attribut) for t in prog.piliers if t.pilier.pk == pilier.pk), 0)


def a_decider_parmi(appel, pks):
    """``{pk: dossier}`` of those dossiers that still await a decision on this call."""
    valides = [pk for pk in pks if pk and 0 < pk <= ENTIER_MAX]
    dossiers = _instruits(appel).filter(A_DECIDER_Q, pk__in=valides)
    return {d.pk: d for d in dossiers.select_related("structure", "appel")}


def montants_proposes(appel, pks):
    """``{str(pk): proposed amount}`` of those dossiers that still await a decision."""
    return {
        str(pk): montant
        for pk, montant in _instruits(appel).filter(A_DECIDER_Q, pk__in=pks)
        .values_list("pk", "instruction__montant_propose")
    }


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
