"""Corrections asked of the structure, with a deadline and the dossier as it was."""

from functools import partial

from django.db import transaction
from django.utils import timezone

from candidatures.commun.erreurs import ErreurMetier, SaisieInvalide
from candidatures.dossiers.journal import prendre_instantane
from candidatures.dossiers.services.depot import ouvrir_corrections
from evaluation.models import SuiviCorrection

from .. import notifications
from ..permissions import contrat_de, est_instructeur


@transaction.atomic
def demander_corrections(*, dossier, par, sections, message, echeance=None, maintenant=None):
    """Ask the structure to correct named sections, by a date if given, and tell it by e-mail."""
    maintenant = maintenant or timezone.now()
    if not est_instructeur(par, contrat_de(dossier)):
        raise ErreurMetier("Seuls les instructeurs demandent des corrections.")
    if echeance is not None and echeance < timezone.localdate(maintenant):
        raise SaisieInvalide({"echeance": "L'échéance ne peut pas être déjà passée."})
    avant = prendre_instantane(dossier)
    demande = ouvrir_corrections(dossier=dossier, sections=sections, par=par, message=message)
    SuiviCorrection.objects.create(demande=demande, echeance=echeance, avant=avant)
    transaction.on_commit(partial(notifications.notifier_corrections, demande_id=demande.pk))
    return demande

