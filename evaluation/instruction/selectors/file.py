"""The queue of a call: submitted dossiers filtered and sorted, counts per status, to assign."""

import datetime
import hashlib
import re

from django.core.paginator import Paginator
from django.db.models import (
    Count,
    DateTimeField,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from candidatures.models import (
    STATUTS_AVANT_DECISION,
    Dossier,
    HistoriqueStatut,
    Statut,
    Structure,
    Utilisateur,
)
from evaluation.models import Avis, Lecture, Message
from referentiel import fragments
from referentiel.models import Action, QuartierPrioritaire

from .commun import LigneDossier

TRIS = {
    "reference": ("numero",),
    "structure": ("structure__raison_sociale", "numero"),
    "intitule": ("intitule", "numero"),
    "action": ("action_principale__code", "numero"),
    "montant": ("montant_demande", "numero"),
    "statut": ("statut", "numero"),
    "depose": ("depose_le", "numero"),
    "instructeur": ("instruction__instructeur__nom", "instruction__instructeur__email", "numero"),
}

# Sort columns a submitted dossier may lack (no action, no instructor): sorted descending, they
# go last. The others (a submitted dossier always has its number, amount, date...) are sorted
# descending as their index reads backwards: ``NULLS LAST``, which no index holds, would sort
# the whole call (at 20 000 dossiers, 7 ms instead of 0.3 ms for the amount).
PEUVENT_MANQUER = {
    "action_principale__code", "instruction__instructeur__nom", "instruction__instructeur__email",
}


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


def condition_structure(texte):
    """Structures whose name or acronym holds ``texte``, or whose SIRET or RNA starts with it."""
    texte = " ".join(texte.split())
    condition = Q(raison_sociale__icontains=texte) | Q(sigle__icontains=texte)
    compact = texte.replace(" ", "")
    if compact.isascii() and compact.isdigit():
        condition |= Q(siret__startswith=compact)
    if re.fullmatch(r"[Ww][0-9]{1,9}", compact):
        condition |= Q(rna__startswith=compact.upper())
    return condition


def structures_de_la_file(appel, texte):
    """Structures with a dossier submitted to the call matching ``texte``, by name (to page)."""
    return (
        Structure.objects.filter(
            condition_structure(texte),
            pk__in=dossiers_soumis(appel).order_by().values("structure"),
        )
        .only("pk", "raison_sociale", "sigle", "siret")
        .order_by("raison_sociale", "pk")
    )


def dossiers_soumis(appel):
    """Every dossier of the call ever submitted (drafts never reach the instructors)."""
    return Dossier.objects.filter(appel=appel, depose_le__isnull=False)


def _actions_de_l_arbre(filtres):
    """Ids of the actions under the pilier, orientation and objective chosen (``None``: no such
    filter), read once per request. A list bounded by the contract's tree: the dossiers are
    then filtered on their own column, where three joins per dossier (action, objective,
    orientation) made the planner walk every dossier of every structure a text matched —
    twice the SQL of a queue filtered by pilier and structure at 20 000 dossiers."""
    choix = {cle: filtres.get(cle) for cle in ("pilier", "orientation", "objectif")}
    if not any(choix.values()):
        return None
    cle = tuple(getattr(v, "pk", None) for v in choix.values())
    porteur = next(v for v in reversed(choix.values()) if v)  # the most precise choice
    if getattr(porteur, "_actions_filtre", (None,))[0] != cle:
        conditions = {"objectif__orientation__pilier": choix["pilier"],
                      "objectif__orientation": choix["orientation"],
                      "objectif": choix["objectif"]}
        ids = Action.objects.filter(**{k: v for k, v in conditions.items() if v})
        porteur._actions_filtre = (cle, list(ids.values_list("pk", flat=True)))
    return porteur._actions_filtre[1]


def filtrer_file(queryset, filtres, user):
    """Apply the queue's filters (all optional) to ``queryset``; the status filter apart."""
    f = filtres
    actions = _actions_de_l_arbre(f)
    if actions is not None:
        queryset = queryset.filter(action_principale_id__in=actions)
    if f.get("action"):
        code = f["action"].strip().rstrip(".").lower()
        queryset = queryset.filter(
            Q(action_principale__code__iexact=code)
            | Q(action_principale__code__istartswith=f"{code}.")
        )
    if f.get("qpv"):
        queryset = queryset.filter(quartiers=f["qpv"])
    if f.get("structure"):
        queryset = queryset.filter(
            structure__in=Structure.objects.filter(condition_structure(f["structure"]))
        )
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


def file_triee(*, appel, filtres, user):
    """The filtered, sorted queue of a call with what its rows show (also what is exported)."""
    queryset = filtrer_file(dossiers_soumis(appel), filtres, user)
    if filtres.get("statut"):
        queryset = queryset.filter(statut=filtres["statut"])
    tri = filtres.get("tri") or "reference"
    cles = TRIS.get(tri.lstrip("-"), TRIS["reference"])
    if tri.startswith("-"):
        cles = tuple(
            F(c).desc(nulls_last=True) if c in PEUVENT_MANQUER else F(c).desc() for c in cles
        )
    return (
        queryset.select_related(
            "structure",
            "action_principale__objectif__orientation__pilier",
            "instruction__instructeur",
            "decision",
        )
        .prefetch_related("quartiers")
        .order_by(*cles)
    )


COLONNES_PAGE = (
    "pk", "reference", "intitule", "structure__raison_sociale", "structure__sigle",
    "action_principale__code", "montant_demande", "statut", "instruction__instructeur__prenom",
    "instruction__instructeur__nom", "instruction__instructeur__email", "instruction__avis",
    "instruction__montant_propose",
)


class LigneFile(LigneDossier):
    """What one row of the queue shows, read as plain values (no model instances)."""

    __slots__ = ("quartiers", "montant_demande", "statut", "instructeur", "avis",
                 "montant_propose", "non_lus")

    def __init__(self, valeurs, quartiers):
        super().__init__(valeurs)
        self.quartiers = quartiers
        self.montant_demande = valeurs["montant_demande"]
        self.statut = Statut(valeurs["statut"]).label
        self.instructeur = Utilisateur.libelle(
            valeurs["instruction__instructeur__prenom"], valeurs["instruction__instructeur__nom"],
            valeurs["instruction__instructeur__email"],
        )
        avis = valeurs["instruction__avis"]
        self.avis = Avis(avis).label if avis else ""
        self.montant_propose = valeurs["instruction__montant_propose"]
        self.non_lus = valeurs["non_lus"]


def page_de_la_file(ids, user):
    """The rows of one page, read for its ids only: filters and sort run on narrow rows
    (``values_list("pk")``), and the fifty rows shown are read as values, their quartiers in
    a second query, without building the nine model instances a row would otherwise take."""
    valeurs = (
        Dossier.objects.filter(pk__in=ids).order_by()
        .annotate(non_lus=_non_lus_sous_requete(user))
        .values(*COLONNES_PAGE, "non_lus")
    )
    quartiers = {}
    lus = (
        Dossier.quartiers.through.objects.filter(dossier_id__in=ids)
        .order_by("quartierprioritaire__commune", "quartierprioritaire__nom")
        .values_list("dossier_id", "quartierprioritaire__nom", "quartierprioritaire__commune")
    )
    for dossier, nom, commune in lus:
        quartiers.setdefault(dossier, []).append(QuartierPrioritaire.libelle(nom, commune))
    par_id = {v["pk"]: LigneFile(v, quartiers.get(v["pk"], [])) for v in valeurs}
    return [par_id[pk] for pk in ids if pk in par_id]


def empreinte_file(dossiers):
    """A hash of what an export of ``dossiers`` shows: it changes whenever one of them does."""
    dossiers = dossiers.order_by()
    elements = [
        dossiers.aggregate(
            n=Count("pk"),
            modifie=Max("modifie_le"),
            versions=Sum("version"),
            structures=Max("structure__modifie_le"),
            instructions=Max("instruction__modifiee_le"),
            versions_instructions=Sum("instruction__version"),
            decisions=Count("decision"),
            decidees=Max("decision__decidee_le"),
        ),
        HistoriqueStatut.objects.filter(dossier__in=dossiers.values("pk")).aggregate(
            n=Count("pk"), m=Max("le")
        ),
    ]
    return hashlib.sha256(repr(elements).encode()).hexdigest()


def comptes_par_statut(*, appel, filtres, user):
    """How many dossiers of the filtered queue are in each status (status filter ignored)."""
    comptes = dict(
        filtrer_file(dossiers_soumis(appel), filtres, user)
        .order_by()
        .values_list("statut")
        .annotate(n=Count("pk"))
    )
    return [(s, comptes[s.value]) for s in Statut if comptes.get(s.value)]


def _cle_gardee(appel, filtres, user, versions):
    """What the filtered queue's rows depend on, besides the référentiel's version (the tree
    under a pilier, action codes: in every key of ``fragments.garder``): the call's and the
    portal's versions (dossiers, instructions, quartiers; structure and user names), the
    filters, and the user when the filter is « mes dossiers »."""
    valeurs = sorted((k, getattr(v, "pk", v)) for k, v in filtres.items())
    moi = user.pk if filtres.get("instructeur") == "moi" else None
    elements = (appel.pk, versions, valeurs, moi)
    return "file:" + hashlib.sha256(repr(elements).encode()).hexdigest()


def comptes_et_page(*, appel, filtres, user, dossiers, numero, par_page, versions):
    """The counts per status of the filtered queue and the ids of its page ``numero`` (a
    ``Page`` whose ``object_list`` holds them), kept under ``versions`` (``pages_gardees.
    versions_de``) for every user: the same filters give the same rows, so the count and the
    sort over the whole call run once per change of the call, not once per user and page."""
    cle = _cle_gardee(appel, filtres, user, versions)
    comptes = fragments.garder(
        cle, lambda: comptes_par_statut(appel=appel, filtres=filtres, user=user)
    )
    # The counts per status already hold the total: no second count of the matching rows.
    total = sum(n for s, n in comptes if filtres.get("statut") in (None, s.value))
    page = Paginator(range(total), par_page).get_page(numero)
    debut = (page.number - 1) * par_page
    page.object_list = fragments.garder(
        f"{cle}:{page.number}",
        lambda: list(dossiers.values_list("pk", flat=True)[debut:debut + par_page]),
    )
    return comptes, page


def dossiers_a_affecter(appel):
    """Submitted dossiers of the call, before the decision, with no instructor yet."""
    return (
        dossiers_soumis(appel)
        .filter(statut__in=STATUTS_AVANT_DECISION)
        .filter(Q(instruction__isnull=True) | Q(instruction__instructeur__isnull=True))
        .select_related("action_principale")
    )

