"""Who may fill, submit, validate and read bilans, and who reads the annual bilans."""

from candidatures.comptes.permissions import a_role_sur, est_administrateur, est_personnel
from candidatures.models import STATUTS_BILAN, STATUTS_SAISIE, Role, Statut
from candidatures.structures.permissions import est_membre, peut_voir_structure

from ..instruction.permissions import contrat_de, est_instructeur


def peut_voir_bilan(user, dossier):
    """Members of the structure and staff of the contract read the bilan of a retained action."""
    return dossier.statut in STATUTS_BILAN and (
        est_membre(user, dossier.structure) or a_role_sur(user, contrat_de(dossier))
    )


def peut_saisir_bilan(user, dossier):
    """Members of the structure fill the bilan while it is due or returned for corrections."""
    return est_membre(user, dossier.structure) and dossier.statut in STATUTS_SAISIE


def peut_valider_bilan(user, dossier):
    """Instructors of the contract validate a submitted bilan or return it for corrections."""
    return est_instructeur(user, contrat_de(dossier)) and dossier.statut == Statut.BILAN_DEPOSE


def peut_voir_bilans_annuels(user):
    """The annual bilans are for the comité, the instructors and the administrators."""
    return est_personnel(user)


def peut_voir_bilan_structure(user, structure):
    """A structure's own bilan PDF: whoever may see the structure (members, staff of a
    contract where it submitted a dossier)."""
    return peut_voir_structure(user, structure)


def peut_telecharger_generation(user, generation):
    """A generated file: staff of its contract; a structure's members for that structure's."""
    if a_role_sur(user, generation.contrat_id):
        return True
    return generation.structure_id is not None and est_membre(user, generation.structure)


def peut_parametrer_bilans(user, appel=None):
    """The gap threshold of a call is set by the administrators of its contract."""
    if appel is None:
        return est_administrateur(user)
    return a_role_sur(user, appel.contrat_id, Role.ADMINISTRATEUR)


def peut_commenter_bilan_annuel(user, appel):
    """The comment printed in a year's bilan: the comité and the administrators of the contract."""
    return a_role_sur(user, appel.contrat_id, Role.COMITE, Role.ADMINISTRATEUR)


def peut_presenter_bilan_annuel(user, appel):
    """The partners and the logo of a year's bilan: the administrators of the contract."""
    return a_role_sur(user, appel.contrat_id, Role.ADMINISTRATEUR)
