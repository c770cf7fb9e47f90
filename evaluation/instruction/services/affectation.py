"""Assignment of dossiers to instructors: one by one, by pilier, and each pilier's default."""

from django.db import transaction
from django.utils import timezone

from candidatures.commun.erreurs import ErreurMetier
from candidatures.models import STATUTS_EN_COURS_INSTRUCTION, Statut
from evaluation.models import AffectationPilier, Modification

from ..permissions import contrat_de, est_instructeur, peut_gerer_affectations
from ..selectors import commun as selectors_commun
from ..selectors import file as selectors_file
from .commun import _journaliser, _rafraichir_montant_demande, _verrouiller


@transaction.atomic
def affecter(*, dossier, instructeur, par, maintenant=None):
    """Assign the dossier to an instructor of its contract (``None`` leaves it unassigned)."""
    maintenant = maintenant or timezone.now()
    contrat_id = contrat_de(dossier)
    if not est_instructeur(par, contrat_id):
        raise ErreurMetier("Seuls les instructeurs répartissent les dossiers.")
    if instructeur is not None and not est_instructeur(instructeur, contrat_id):
        raise ErreurMetier(f"{instructeur} n'est pas instructeur de ce contrat de ville.")
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
    """Give each unassigned dossier of the call to its pilier's default instructor (one who
    still instructs the call's contract)."""
    if not est_instructeur(par, appel.contrat_id):
        raise ErreurMetier("Seuls les instructeurs répartissent les dossiers.")
    nombre = 0
    for dossier in selectors_file.dossiers_a_affecter(appel):
        dossier.appel = appel
        instructeur = selectors_commun.instructeur_par_defaut(dossier)
        if instructeur is not None and est_instructeur(instructeur, appel.contrat_id):
            affecter(dossier=dossier, instructeur=instructeur, par=par)
            nombre += 1
    return nombre


@transaction.atomic
def definir_instructeur_pilier(*, pilier, instructeur, par):
    """Set (or clear, with ``None``) the default instructor of a pilier (of its contract)."""
    if not peut_gerer_affectations(par, pilier.contrat_id):
        raise ErreurMetier(
            "Seuls les administrateurs du contrat fixent les instructeurs par défaut."
        )
    if instructeur is None:
        AffectationPilier.objects.filter(pilier=pilier).delete()
        return None
    if not est_instructeur(instructeur, pilier.contrat_id):
        raise ErreurMetier(f"{instructeur} n'est pas instructeur de ce contrat de ville.")
    affectation, _ = AffectationPilier.objects.update_or_create(
        pilier=pilier, defaults={"instructeur": instructeur}
    )
    return affectation

