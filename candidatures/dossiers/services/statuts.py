"""The status machine: every change of status of a dossier goes through ``changer_statut``."""

from django.db import transaction

from ...commun.erreurs import ErreurMetier
from ...models import TRANSITIONS, Dossier, HistoriqueStatut, Statut


@transaction.atomic
def changer_statut(*, dossier, vers, par, motif=""):
    """Move a dossier to another status if the transition table allows it, and log the move."""
    verrouille = Dossier.objects.select_for_update().get(pk=dossier.pk)
    de = Statut(verrouille.statut)
    vers = Statut(vers)
    if vers not in TRANSITIONS[de]:
        raise ErreurMetier(
            f"Un dossier « {de.label} » ne peut pas passer au statut « {vers.label} »."
        )
    verrouille.statut = vers
    verrouille.save(update_fields=["statut"])
    HistoriqueStatut.objects.create(dossier=verrouille, de=de, vers=vers, par=par, motif=motif)
    dossier.statut = vers
    return verrouille
