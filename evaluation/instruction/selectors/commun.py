"""Reads the instruction's pages and writes share: instructors, requested amount, instruction."""

from django.db.models import Q

from candidatures.dossiers.selectors import totaux_budget
from candidatures.models import Role, Utilisateur
from evaluation.models import AffectationPilier, Instruction
from referentiel.models import Contrat


def instructeurs(contrat_id):
    """Active users who may be assigned the contract's dossiers (role instructeur held on the
    contract, or on its whole territory), by name."""
    territoire = Contrat.objects.filter(pk=contrat_id).values("territoire_id")
    return (
        Utilisateur.objects.filter(
            Q(habilitations__contrat_id=contrat_id)
            | Q(habilitations__contrat__isnull=True, habilitations__territoire_id__in=territoire),
            habilitations__role=Role.INSTRUCTEUR,
            is_active=True,
        )
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

