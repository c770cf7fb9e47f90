"""The status machine: every change of status of a dossier goes through ``changer_statut``."""

from django.db import transaction

from ...commun.erreurs import ErreurMetier
from ...models import TRANSITIONS, Dossier, HistoriqueStatut, Statut


def verrouiller_dossier(dossier, *relations):
    """Lock the dossier's row (SELECT … FOR UPDATE) and reload the caller's object in place.

    Services change that very object, so the caller sees the new status, reference… with
    nothing to copy back. ``relations`` are loaded with it (``select_related``).
    """
    requete = Dossier.objects.select_for_update()
    if relations:
        requete = requete.select_related(*relations)
    dossier.refresh_from_db(from_queryset=requete)
    return dossier


@transaction.atomic
def changer_statut(*, dossier, vers, par, motif=""):
    """Move a dossier to another status if the transition table allows it, and log the move."""
    verrouille = verrouiller_dossier(dossier)
    de = Statut(verrouille.statut)
    vers = Statut(vers)
    if vers not in TRANSITIONS[de]:
        raise ErreurMetier(
            f"Un dossier « {de.label} » ne peut pas passer au statut « {vers.label} »."
        )
    verrouille.statut = vers
    verrouille.save(update_fields=["statut"])
    HistoriqueStatut.objects.create(dossier=verrouille, de=de, vers=vers, par=par, motif=motif)
    return verrouille
