"""Who records conventions and payments, who reads them, who publishes open data."""

from candidatures.comptes.permissions import a_role_sur
from candidatures.models import Role
from candidatures.structures.permissions import est_membre
from evaluation.instruction.permissions import est_instructeur


def _retenu(dossier):
    decision = getattr(dossier, "decision", None)
    return decision is not None and decision.est_retenu


def peut_voir_conventions(user, appel):
    """The conventions and payments of a call are read by every staff role of its contract."""
    return a_role_sur(user, appel.contrat_id)


def peut_gerer_conventions(user, appel):
    """Instructors and administrators of the call's contract record conventions and payments."""
    return est_instructeur(user, appel.contrat_id)


def peut_voir_convention(user, dossier):
    """A retained dossier's convention: the contract's staff, and the structure's members."""
    if not _retenu(dossier):
        return False
    return est_membre(user, dossier.structure) or peut_voir_conventions(user, dossier.appel)


def peut_enregistrer_convention(user, dossier):
    return _retenu(dossier) and peut_gerer_conventions(user, dossier.appel)


def peut_parametrer_conventions(user, appel):
    """The schedule defaults, the convention text and the SCDL identifier of a call."""
    return a_role_sur(user, appel.contrat_id, Role.ADMINISTRATEUR)


def peut_publier(user, contrat_id):
    """A year's open-data file of a contract is published by its administrators."""
    return a_role_sur(user, contrat_id, Role.ADMINISTRATEUR)
