"""Who may manage the calls for projects."""

from ..comptes.permissions import est_administrateur


def peut_gerer_appels(user):
    """Calls for projects are opened and edited by administrators."""
    return est_administrateur(user)
