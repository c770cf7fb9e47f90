"""Assignment of dossiers to instructors: one by one, by pilier, and each pilier's default."""

from django.db import transaction
from django.utils import timezone

from candidatures.commun.erreurs import ErreurMetier
from candidatures.comptes.permissions import est_administrateur
from candidatures.models import STATUTS_EN_COURS_INSTRUCTION, Statut
from evaluation.models import AffectationPilier, Modification

from ..permissions import est_instructeur
from ..selectors import commun as selectors_commun
from ..selectors import file as selectors_file
from .commun import _journaliser, _rafraichir_montant_demande, _verrouiller


@transaction.atomic
def affecter(*, dossier, instructeur, par, maintenant=None):
    """Assign the dossier to an instructor (``None`` leaves it unassigned)."""
    maintenant = maintenant or timezone.now()
    if not est_instructeur(par):
        raise ErreurMetier("Seuls les instructeurs répartissent les dossiers.")
    if instructeur is not None and not est_instructeur(instructeur):
        raise ErreurMetier(f"{instructeur} n'a pas le rôle d'instructeur.")
    verrouille, instruction = _verrouiller(dossier)
    if verrouille.statut not in STATUTS_EN_COURS_INSTRUCTION | {Statut.INSTRUIT}:
        raise ErreurMetier(
            f"Un dossier « {verrouille.get_statut_display()} » ne s'affecte plus."
        )
    if instruction.instructeur_id == getattr(instructeur, "pk", None):
        return instruction
    changements = [("Instructeur", instruction.instructeur or "", instructeur or "")]
    _rafraichir_montant_demande(instruction, verrouille, changements)
    instruction.instructeur = instructeur
    instruction.save()
    _journaliser(verrouille, Modification.Objet.AFFECTATION, par, maintenant, changements)
    return instruction


@transaction.atomic
def affecter_selon_piliers(*, appel, par):
    """Give each unassigned dossier of the call to its pilier's default instructor."""
    nombre = 0
    for dossier in selectors_file.dossiers_a_affecter(appel):
        instructeur = selectors_commun.instructeur_par_defaut(dossier)
        if instructeur is not None:
            affecter(dossier=dossier, instructeur=instructeur, par=par)
            nombre += 1
    return nombre


@transaction.atomic
def definir_instructeur_pilier(*, pilier, instructeur, par):
    """Set (or clear, with ``None``) the default instructor of a pilier."""
    if not est_administrateur(par):
        raise ErreurMetier("Seuls les administrateurs fixent les instructeurs par défaut.")
    if instructeur is None:
        AffectationPilier.objects.filter(pilier=pilier).delete()
        return None
    if not est_instructeur(instructeur):
        raise ErreurMetier(f"{instructeur} n'a pas le rôle d'instructeur.")
    affectation, _ = AffectationPilier.objects.update_or_create(
        pilier=pilier, defaults={"instructeur": instructeur}
    )
    return affectation

