"""Reads the instruction's pages and writes share: instructors, requested amount, instruction."""

from candidatures.dossiers.selectors import totaux_budget
from candidatures.models import Role, Utilisateur
from evaluation.models import AffectationPilier, Instruction


def instructeurs():
    """Active users who may be assigned dossiers (role instructeur), by name."""
    return (
        Utilisateur.objects.filter(is_active=True, groups__name=Role.INSTRUCTEUR)
        .distinct()
        .order_by("nom", "prenom", "email")
    )


def instructeur_par_defaut(dossier):
    """The instructor the pilier table names for the dossier's main action, if any."""
    if not dossier.action_principale_id:
        return None
    affectation = (
        AffectationPilier.objects.select_related("instructeur")
        .filter(pilier__orientations__objectifs__actions=dossier.action_principale_id)
        .first()
    )
    return affectation.instructeur if affectation else None


def montant_demande(dossier):
    """What the structure asks of the contrat de ville, from its budget lines."""
    return totaux_budget(dossier).montant_demande


def instruction_de(dossier):
    """The dossier's instruction, or None before it was assigned or taken."""
    return Instruction.objects.filter(dossier=dossier).select_related("instructeur").first()

