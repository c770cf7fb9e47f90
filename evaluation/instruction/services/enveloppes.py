"""The envelope of each pilier of a call, set by the administrators of the call's contract."""

from django.db import transaction

from candidatures.commun.erreurs import ErreurMetier
from candidatures.models import EnveloppePilier
from referentiel.models import Pilier

from ..permissions import peut_gerer_enveloppes


@transaction.atomic
def definir_enveloppes(*, appel, montants, par):
    """Set the envelope (€) of piliers of the call's contract: ``{pilier_id: montant}``, where
    ``None`` removes the pilier's envelope. A pilier of another contract is refused."""
    if not peut_gerer_enveloppes(par, appel):
        raise ErreurMetier(
            "Seuls les administrateurs du contrat de ville fixent les enveloppes de ses appels."
        )
    piliers = set(
        Pilier.objects.filter(contrat_id=appel.contrat_id).values_list("pk", flat=True)
    )
    if set(montants) - piliers:
        raise ErreurMetier("Ce pilier n'appartient pas au contrat de ville de l'appel.")
    for pilier_id, montant in montants.items():
        if montant is None:
            EnveloppePilier.objects.filter(appel=appel, pilier_id=pilier_id).delete()
        else:
            EnveloppePilier.objects.update_or_create(
                appel=appel, pilier_id=pilier_id, defaults={"montant": montant}
            )
