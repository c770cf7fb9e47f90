"""Who may do what with accounts: administrators, staff of the contrat de ville, portal roles.

The roles are read by ``Utilisateur`` itself; these predicates also answer for anonymous visitors.
"""


def est_administrateur(user):
    """Administrators (role or Django superuser) may do everything."""
    return user.is_authenticated and user.est_administrateur


def est_personnel(user):
    """Staff of the contrat de ville: instructeurs, comité de pilotage, administrateurs."""
    return user.is_authenticated and user.est_personnel


def peut_gerer_roles(user, cible=None):
    """Only administrators assign the portal's roles and unlock accounts."""
    return est_administrateur(user)


def est_administrateur_portail(user):
    """Portal-wide administrators (group or superuser): every contract, every structure."""
    return user.is_authenticated and user.est_administrateur_portail


def a_role_sur(user, contrat_id, *roles):
    """Whether the user holds one of ``roles`` (any staff role if none) on that contract."""
    return user.is_authenticated and user.a_role_sur(contrat_id, *roles)
