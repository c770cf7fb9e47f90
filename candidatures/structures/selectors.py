"""Reads about structures: their members, pending requests and the documents dossiers reuse."""

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


def documents_actuels(structure):
    """The structure's documents in force, by type (``DocumentStructure.Type``) — for dossiers."""
    return {d.type: d for d in DocumentStructure.objects.actuels().filter(structure=structure)}


def documents_par_type(structure):
    """Every type of document with its version in force and its previous versions, newest first."""
    versions = {}
    for document in DocumentStructure.objects.filter(structure=structure).select_related(
        "depose_par"
    ):
        versions.setdefault(document.type, []).append(document)
    lignes = []
    for valeur, libelle in DocumentStructure.Type.choices:
        liste = versions.get(valeur, [])
        actuel = next((d for d in liste if d.est_actuel), None)
        lignes.append(
            {
                "type": valeur,
                "libelle": libelle,
                "actuel": actuel,
                "anciennes": [d for d in liste if not d.est_actuel],
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
