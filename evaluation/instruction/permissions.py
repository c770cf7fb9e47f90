"""Who may instruct, ask for corrections, write in a thread, decide and download a letter."""

from candidatures.comptes.permissions import est_administrateur, est_personnel
from candidatures.models import STATUTS_EN_COURS_INSTRUCTION, Statut
from candidatures.structures.permissions import est_membre


def est_instructeur(user):
    """Instructors, and administrators who may stand in for them."""
    return user.is_authenticated and user.est_instructeur


def est_comite(user):
    """Members of the comité de pilotage, and administrators."""
    return user.is_authenticated and user.est_comite


def _soumis(dossier):
    return dossier.depose_le is not None


def peut_voir_file(user):
    """The queue and the programmation are read by every staff role."""
    return est_personnel(user)


def peut_voir_instruction(user, dossier):
    """Staff read the instruction of any submitted dossier; structures never see this page."""
    return est_personnel(user) and _soumis(dossier)


def peut_affecter(user, dossier=None):
    """Instructors share the work out among themselves, before the decision."""
    if not est_instructeur(user):
        return False
    return dossier is None or dossier.statut in STATUTS_EN_COURS_INSTRUCTION | {Statut.INSTRUIT}


def peut_gerer_affectations(user):
    """The pilier → instructor table is set by administrators."""
    return est_administrateur(user)


def peut_prendre_en_instruction(user, dossier):
    """A submitted (or resubmitted) dossier is taken into instruction by an instructor."""
    return est_instructeur(user) and dossier.statut == Statut.DEPOSE


def peut_modifier_instruction(user, dossier):
    """Instructors edit the checklist and the avis until the instruction is concluded."""
    return est_instructeur(user) and dossier.statut in (Statut.EN_INSTRUCTION, Statut.A_CORRIGER)


def peut_demander_corrections(user, dossier):
    return est_instructeur(user) and dossier.statut == Statut.EN_INSTRUCTION


def peut_conclure_instruction(user, dossier):
    """Concluding needs a dossier in instruction: not while corrections are awaited."""
    return est_instructeur(user) and dossier.statut == Statut.EN_INSTRUCTION


def peut_decider(user, dossier=None):
    """The comité (or an administrator) decides on an instructed dossier; instructors never."""
    if not est_comite(user):
        return False
    return dossier is None or dossier.statut == Statut.INSTRUIT


def peut_voir_suivi(user, dossier):
    """Members of the structure and staff follow a submitted dossier: thread, trail, decision."""
    return _soumis(dossier) and (est_membre(user, dossier.structure) or est_personnel(user))


def peut_ecrire_message(user, dossier):
    """The thread is between the structure's members and the instructors."""
    return _soumis(dossier) and (est_membre(user, dossier.structure) or est_instructeur(user))


def peut_voir_annotations(user, dossier):
    """Private annotations, the avis and the synthesis stay among staff."""
    return est_personnel(user)


def peut_voir_grille(user, dossier):
    """Staff always; the structure once the decision is taken (verdicts and comments only)."""
    if est_personnel(user) and _soumis(dossier):
        return True
    return est_membre(user, dossier.structure) and hasattr(dossier, "decision")


def peut_telecharger_lettre(user, dossier):
    """The decision letter: the structure's members and staff, once it exists."""
    return peut_voir_suivi(user, dossier) and hasattr(dossier, "decision")


def peut_exporter(user):
    """Exports of the queue and of granted subsidies (open data) are for staff."""
    return est_personnel(user)
