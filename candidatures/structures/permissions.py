"""Who may do what with a structure: its members, its responsables, staff and administrators.

Structures are portal-wide (one association applies to calls of several territories): staff of a
contract read a structure once it submitted a dossier in that contract; only its members and
the portal-wide administrators change it.
"""

from ..comptes.permissions import est_administrateur_portail, est_personnel
from ..models import Membre, Structure


def role_dans_structure(user, structure):
    """The user's role within the structure, or None when they are not a member."""
    if not user.is_authenticated or structure is None:
        return None
    cache = user.__dict__.setdefault("_roles_structures", {})
    if structure.pk not in cache:
        cache[structure.pk] = (
            Membre.objects.filter(structure=structure, utilisateur=user)
            .values_list("role", flat=True)
            .first()
        )
    return cache[structure.pk]


def oublier_roles_structures(user):
    """Drop the per-instance cache after a membership change."""
    user.__dict__.pop("_roles_structures", None)


def est_membre(user, structure):
    return role_dans_structure(user, structure) is not None


def est_responsable(user, structure):
    return role_dans_structure(user, structure) == Membre.Role.RESPONSABLE


def peut_voir_structure(user, structure):
    """Members, and staff to whom ``Structure.objects.visibles_par`` shows it; nobody else
    knows it exists."""
    if est_membre(user, structure):
        return True
    return est_personnel(user) and (
        Structure.objects.visibles_par(user).filter(pk=structure.pk).exists()
    )


def peut_modifier_structure(user, structure):
    """Identity and bank details: the structure's responsables and portal administrators."""
    return est_administrateur_portail(user) or est_responsable(user, structure)


def peut_gerer_membres(user, structure):
    """Invite, accept, change roles, remove: responsables and portal administrators."""
    return est_administrateur_portail(user) or est_responsable(user, structure)


def peut_deposer_document(user, structure):
    """Any member keeps the structure's documents up to date, and so may portal administrators."""
    return est_administrateur_portail(user) or est_membre(user, structure)


def peut_telecharger_document(user, document):
    """Whoever may see the structure may download its documents."""
    return peut_voir_structure(user, document.structure)


def peut_quitter_structure(user, structure):
    return est_membre(user, structure)
