"""Bilan settings of a call: the gap above which a line of the compte rendu must be explained."""

from django.db import transaction

from candidatures.commun.erreurs import ErreurMetier, SaisieInvalide
from candidatures.comptes.permissions import a_role_sur
from candidatures.models import Role
from evaluation.models import ParametresBilan


@transaction.atomic
def definir_seuil_ecart(*, appel, seuil, par):
    """Set the gap (in %) above which a line of the compte rendu must be explained, for a call."""
    if not a_role_sur(par, appel.contrat_id, Role.ADMINISTRATEUR):
        raise ErreurMetier("Seuls les administrateurs règlent les bilans d'un appel.")
    if isinstance(seuil, bool) or not isinstance(seuil, int) or not 1 <= seuil <= 100:
        raise SaisieInvalide({"seuil_ecart": "Indiquez un pourcentage entier de 1 à 100."})
    parametres, _ = ParametresBilan.objects.update_or_create(
        appel=appel, defaults={"seuil_ecart": seuil}
    )
    return parametres

