"""Who may instruct, ask for corrections, write in a thread, decide and download a letter.

Staff roles are held per contract (``Habilitation``): every predicate about a dossier or a call
asks about the role on *its* contract (``dossier.appel.contrat_id``), so that the staff of one
contract see and do nothing on another. Without a dossier nor a call, the predicates tell
whether the user holds the role somewhere (to show a menu, a button).
"""

from candidatures.comptes.permissions import a_role_sur, est_administrateur, est_personnel
from candidatures.models import STATUTS_EN_COURS_INSTRUCTION, Role, Statut
from candidatures.structures.permissions import est_membre


def contrat_de(dossier):
    """The contract a dossier answers (through its call)."""
    return dossier.appel.contrat_id


def _role(user, role, contrat_id):
    if not user.is_authenticated:
        return False
    if contrat_id is None:
        return {
            Role.INSTRUCTEUR: user.est_instructeur, Role.COMITE: user.est_comite,
            Role.ADMINISTRATEUR: user.est_administrateur,
        }[role]
    return user.a_role_sur(contrat_id, role)


def est_instructeur(user, contrat_id=None):
    """Instructors (of that contract), and administrators who may stand in for them."""
    return _role(user, Role.INSTRUCTEUR, contrat_id)


def est_comite(user, contrat_id=None):
    """Members of the comité de pilotage (of that contract), and administrators."""
    return _role(user, Role.COMITE, contrat_id)


def _soumis(dossier):
    return dossier.depose_le is not None


def _personnel_du_dossier(user, dossier):
    return a_role_sur(user, contrat_de(dossier))


def _contrat(dossier, appel):
    if dossier is not None:
        return contrat_de(dossier)
    return appel.contrat_id if appel is not None else None


def peut_voir_file(user, appel=None):
    """The queue and the programmation of a call are read by every staff role of its contract."""
    if appel is None:
        return est_personnel(user)
    return a_role_sur(user, appel.contrat_id)


def peut_voir_instruction(user, dossier):
    """Staff of the contract read the instruction of a submitted dossier; structures never."""
    return _soumis(dossier) and _personnel_du_dossier(user, dossier)


def peut_affecter(user, dossier=None, *, appel=None):
    """Instructors share the work out among themselves, before the decision."""
    if not est_instructeur(user, _contrat(dossier, appel)):
        return False
    return dossier is None or dossier.statut in STATUTS_EN_COURS_INSTRUCTION | {Statut.INSTRUIT}


def peut_gerer_affectations(user, contrat_id=None):
    """The pilier → instructor table of a contract is set by its administrators."""
    if contrat_id is None:
        return est_administrateur(user)
    return a_role_sur(user, contrat_id, Role.ADMINISTRATEUR)


def peut_gerer_enveloppes(user, appel):
    """The envelope per pilier of a call is set by the administrators of its contract."""
    return a_role_sur(user, appel.contrat_id, Role.ADMINISTRATEUR)


def peut_prendre_en_instruction(user, dossier):
    """A submitted (or resubmitted) dossier is taken into instruction by an instructor."""
    return est_instructeur(user, contrat_de(dossier)) and dossier.statut == Statut.DEPOSE


def peut_modifier_instruction(user, dossier):
    """Instructors edit the checklist and the avis until the instruction is concluded."""
    return est_instructeur(user, contrat_de(dossier)) and dossier.statut in (
        Statut.EN_INSTRUCTION, Statut.A_CORRIGER
    )


def peut_demander_corrections(user, dossier):
    return est_instructeur(user, contrat_de(dossier)) and dossier.statut == Statut.EN_INSTRUCTION


def peut_conclure_instruction(user, dossier):
    """Concluding needs a dossier in instruction: not while corrections are awaited."""
    return est_instructeur(user, contrat_de(dossier)) and dossier.statut == Statut.EN_INSTRUCTION


def peut_decider(user, dossier=None, *, appel=None):
    """The comité (or an administrator) decides on an instructed dossier; instructors never."""
    if not est_comite(user, _contrat(dossier, appel)):
        return False
    return dossier is None or dossier.statut == Statut.INSTRUIT


def peut_voir_suivi(user, dossier):
    """Members of the structure and staff of the contract follow a submitted dossier."""
    return _soumis(dossier) and (
        est_membre(user, dossier.structure) or _personnel_du_dossier(user, dossier)
    )


def peut_ecrire_message(user, dossier):
    """The thread is between the structure's members and the contract's instructors."""
    return _soumis(dossier) and (
        est_membre(user, dossier.structure) or est_instructeur(user, contrat_de(dossier))
    )


def peut_voir_annotations(user, dossier):
    """Private annotations, the avis and the synthesis stay among the contract's staff."""
    return _personnel_du_dossier(user, dossier)


def peut_voir_grille(user, dossier):
    """Staff always; the structure once the decision is taken (verdicts and comments only)."""
    if _soumis(dossier) and _personnel_du_dossier(user, dossier):
        return True
    return est_membre(user, dossier.structure) and hasattr(dossier, "decision")


def peut_telecharger_lettre(user, dossier):
    """The decision letter: the structure's members and staff, once it exists."""
    return peut_voir_suivi(user, dossier) and hasattr(dossier, "decision")


def peut_exporter(user, appel=None):
    """Exports of the queue and of granted subsidies (open data) are for the contract's staff."""
    return peut_voir_file(user, appel)
