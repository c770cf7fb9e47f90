"""Reads about structures: their members, pending requests and the documents dossiers reuse."""

from ..models import DemandeAdhesion, DocumentStructure, Invitation, Membre, Structure


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
