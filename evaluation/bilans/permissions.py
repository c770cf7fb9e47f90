"""Who may fill, submit, validate and read bilans, and who reads the annual bilans."""

from candidatures.comptes.permissions import est_administrateur, est_personnel
from candidatures.models import STATUTS_BILAN, STATUTS_SAISIE, Statut
from candidatures.structures.permissions import est_membre

from ..instruction.permissions import est_instructeur


def peut_voir_bilan(user, dossier):
    """Members of the structure and staff read the bilan of a retained action."""
    return dossier.statut in STATUTS_BILAN and (
        est_membre(user, dossier.structure) or est_personnel(user)
    )


def peut_saisir_bilan(user, dossier):
    """Members of the structure fill the bilan while it is due or returned for corrections."""
    return est_membre(user, dossier.structure) and dossier.statut in STATUTS_SAISIE


def peut_valider_bilan(user, dossier):
    """Instructors validate a submitted bilan or return it for corrections."""
    return est_instructeur(user) and dossier.statut == Statut.BILAN_DEPOSE


def peut_voir_bilans_annuels(user):
    """The annual bilans are for the comité, the instructors and the administrators."""
    return est_personnel(user)


def peut_voir_bilan_structure(user, structure):
    """A structure's own bilan PDF: its members, and staff."""
    return est_membre(user, structure) or est_personnel(user)


def peut_telecharger_generation(user, generation):
    """A generated file: staff of its contract; a structure's members for that structure's."""
    if user.is_authenticated and user.est_personnel_de(generation.contrat_id):
        return True
    return generation.structure_id is not None and est_membre(user, generation.structure)


def peut_parametrer_bilans(user):
    """The gap threshold of a call is set by administrators."""
    return est_administrateur(user)
