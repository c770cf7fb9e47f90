"""Who may do what with a dossier: one predicate per action, each covered by a test."""

from ..comptes.permissions import a_role_sur
from ..models import STATUTS_AVANT_DECISION
from ..structures.permissions import est_membre, est_responsable


def peut_creer_dossier(user, structure):
    """Any member of a structure may start a draft for it."""
    return est_membre(user, structure)


def peut_voir_dossier(user, dossier):
    """Members of the structure, always; staff of the call's contract, once submitted."""
    return est_membre(user, dossier.structure) or (
        dossier.depose_le is not None and a_role_sur(user, dossier.appel.contrat_id)
    )


def peut_modifier_dossier(user, dossier):
    """Members edit a draft, or the sections of a dossier opened for correction."""
    return est_membre(user, dossier.structure) and bool(dossier.sections_modifiables())


def peut_signer_declaration(user, dossier):
    """The déclaration sur l'honneur engages the structure: responsables only."""
    return est_responsable(user, dossier.structure) and "declaration" in (
        dossier.sections_modifiables()
    )


def peut_deposer_dossier(user, dossier):
    """Any member submits a draft or a corrected dossier (the declaration is a responsable's)."""
    return est_membre(user, dossier.structure) and dossier.statut in ("brouillon", "a_corriger")


def peut_retirer_dossier(user, dossier):
    """A responsable withdraws the dossier, before the decision only."""
    return est_responsable(user, dossier.structure) and dossier.statut in STATUTS_AVANT_DECISION


def peut_renouveler_dossier(user, dossier):
    """Members renew a dossier that has been submitted (a draft is simply continued)."""
    return est_membre(user, dossier.structure) and dossier.depose_le is not None
