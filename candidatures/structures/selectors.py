"""Reads about structures: their members, pending requests and the documents dossiers reuse."""

from django.utils import timezone
from django.utils.text import capfirst

from ..dossiers import budget
from ..models import (
    DemandeAdhesion,
    DocumentStructure,
    InformationsAnnuelles,
    Invitation,
    LigneBudgetStructure,
    Membre,
    Structure,
)

# What the yearly declaration must answer for a dossier to be submitted (Cerfa n°12156*06).
CHAMPS_ANNUELS_REQUIS = (
    "commissaire_aux_comptes", "assujettie_impots_commerciaux", "adherents", "benevoles",
    "volontaires", "salaries", "etpt",
)


def informations_de_l_annee(structure, annee):
    """The structure's yearly declaration for ``annee``, or None if it has not made one."""
    return (
        InformationsAnnuelles.objects.filter(structure=structure, annee=annee)
        .prefetch_related("agrements", "lignes_budget")
        .first()
    )


def totaux_budget_annuel(informations):
    """Totals of the structure's annual budget (``budget.Totaux``)."""
    return budget.totaliser(
        dict(
            LigneBudgetStructure.objects.filter(informations=informations).values_list(
                "code", "montant"
            )
        )
    )


def manques_informations(informations):
    """What the yearly declaration still lacks, as French sentences."""
    m = [
        f"{capfirst(InformationsAnnuelles._meta.get_field(c).verbose_name)} : à renseigner."
        for c in CHAMPS_ANNUELS_REQUIS
        if getattr(informations, c) is None
    ]
    totaux = totaux_budget_annuel(informations)
    if not totaux.charges:
        m.append("Budget annuel : saisissez les charges de la structure.")
    elif not totaux.equilibre:
        m.append("Budget annuel : le total des charges doit être égal au total des produits.")
    if not totaux.contributions_equilibrees:
        m.append("Budget annuel : le total 86 doit être égal au total 87.")
    return m

# Documents every structure keeps once and every dossier refers to (Cerfa n°12156, pièces): no
# dossier is submitted while one of them is missing.
DOCUMENTS_STRUCTURE_REQUIS = (
    DocumentStructure.Type.STATUTS,
    DocumentStructure.Type.LISTE_DIRIGEANTS,
    DocumentStructure.Type.RIB,
)
# A dossier's activity report and approved accounts describe the last closed financial year:
# approved within six months of its end, they are at most 18 months old when a call opens.
# Older than that, they are out of date.
VALIDITE_DOCUMENTS_MOIS = {
    DocumentStructure.Type.RAPPORT_ACTIVITE: 18,
    DocumentStructure.Type.COMPTES_APPROUVES: 18,
}


def _mois_ecoules(debut, fin):
    return (fin.year - debut.year) * 12 + fin.month - debut.month - (fin.day < debut.day)


def est_perime(document, reference):
    """Whether ``document`` is older, on date ``reference``, than its type's validity."""
    validite = VALIDITE_DOCUMENTS_MOIS.get(document.type)
    return bool(validite) and _mois_ecoules(document.date_document, reference) > validite


def documents_requis_manquants(actuels):
    """The required types none of ``actuels`` (documents in force) is: what blocks a submission."""
    presents = {d.type for d in actuels}
    return [t for t in DOCUMENTS_STRUCTURE_REQUIS if t not in presents]


def documents_actuels(structure):
    """The structure's documents in force, by type (``DocumentStructure.Type``) — for dossiers."""
    return {d.type: d for d in DocumentStructure.objects.actuels().filter(structure=structure)}


def documents_par_type(structure, reference=None):
    """Every type of document with its version in force and its previous versions, newest first,
    whether a dossier needs it and whether it is missing or out of date on ``reference`` (today)."""
    reference = reference or timezone.localdate()
    versions = {}
    for document in DocumentStructure.objects.filter(structure=structure).select_related(
        "depose_par"
    ):
        versions.setdefault(document.type, []).append(document)
    lignes = []
    for valeur, libelle in DocumentStructure.Type.choices:
        liste = versions.get(valeur, [])
        actuel = next((d for d in liste if d.est_actuel), None)
        requis = valeur in DOCUMENTS_STRUCTURE_REQUIS
        lignes.append(
            {
                "type": valeur,
                "libelle": libelle,
                "actuel": actuel,
                "anciennes": [d for d in liste if not d.est_actuel],
                "requis": requis,
                "manquant": requis and actuel is None,
                "perime": actuel is not None and est_perime(actuel, reference),
                "validite_mois": VALIDITE_DOCUMENTS_MOIS.get(valeur),
            }
        )
    return lignes


def structures_de(user):
    """The structures the user belongs to (whatever their role there)."""
    if not user.is_authenticated:
        return Structure.objects.none()
    return Structure.objects.filter(membres__utilisateur=user)


def membres_de(structure):
    return (
        Membre.objects.filter(structure=structure)
        .select_related("utilisateur")
        .order_by("role", "utilisateur__nom", "utilisateur__email")
    )


def invitations_en_attente(structure):
    return Invitation.objects.filter(
        structure=structure, acceptee_le__isnull=True, annulee_le__isnull=True
    ).select_related("invite_par")


def demandes_en_attente(structure):
    return DemandeAdhesion.objects.filter(
        structure=structure, statut=DemandeAdhesion.Statut.EN_ATTENTE
    ).select_related("utilisateur")


def demandes_de(user):
    """The user's own join requests still waiting for an answer."""
    return DemandeAdhesion.objects.filter(
        utilisateur=user, statut=DemandeAdhesion.Statut.EN_ATTENTE
    ).select_related("structure")
