"""Who may do what with accounts: administrators, staff of the contrat de ville, portal roles."""

from ..models import Role


def est_administrateur(user):
    """Administrators (role or Django superuser) may do everything."""
    return user.is_authenticated and (user.is_superuser or user.a_role(Role.ADMINISTRATEUR))


def est_personnel(user):
    """Staff of the contrat de ville: instructeurs, comité de pilotage, administrateurs."""
    return est_administrateur(user) or (
        user.is_authenticated
        and (user.a_role(Role.INSTRUCTEUR) or user.a_role(Role.COMITE))
    )


def peut_gerer_roles(user, cible=None):
    """Only administrators assign the portal's roles and unlock accounts."""
    return est_administrateur(user)
