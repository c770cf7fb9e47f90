"""Reminders of the bilans due soon or late, each step sent once."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from candidatures.dossiers.services.statuts import changer_statut
from candidatures.models import STATUTS_SAISIE, Dossier, Statut
from evaluation.models import RelanceBilan

from .. import notifications

logger = logging.getLogger(__name__)


# (step, days before the due date: negative once it has passed). The latest step reached is sent.
ETAPES_RELANCE = [("j-30", 30), ("j-7", 7), ("j+1", -1), ("j+30", -30)]


def etape_due(echeance, aujourd_hui):
    """The latest reminder step reached on ``aujourd_hui`` for a bilan due on ``echeance``."""
    atteinte = None
    for etape, jours in ETAPES_RELANCE:
        if aujourd_hui >= echeance - datetime.timedelta(days=jours):
            atteinte = etape
    return atteinte


def relancer_bilans(*, aujourd_hui=None):
    """E-mail the structures whose bilan is soon due or late; each step is sent only once.

    Each reminder commits on its own (``_relancer``): one failed e-mail does not stop the others.
    """
    aujourd_hui = aujourd_hui or timezone.localdate()
    envoyees = []
    dossiers = (
        Dossier.objects.filter(
            statut__in=STATUTS_SAISIE, decision__date_limite_bilan__isnull=False
        )
        .select_related("decision", "structure")
        .order_by("pk")
    )
    for dossier in dossiers:
        echeance = dossier.decision.date_limite_bilan
        etape = etape_due(echeance, aujourd_hui)
        if etape is None:
            continue
        try:
            relance = _relancer(dossier, etape, echeance)
        except Exception:
            # Nothing is recorded for this dossier: tomorrow's run tries again.
            logger.exception("Relance du bilan du dossier %s non envoyée", dossier.pk)
            continue
        if relance is not None:
            envoyees.append(relance)
    return envoyees


@transaction.atomic
def _relancer(dossier, etape, echeance):
    """Record and send one reminder, both or neither."""
    relance, creee = RelanceBilan.objects.get_or_create(
        dossier=dossier, etape=etape, echeance=echeance
    )
    if not creee:
        return None
    if dossier.statut == Statut.EN_COURS:
        changer_statut(
            dossier=dossier, vers=Statut.BILAN_A_REMETTRE, par=None,
            motif="Bilan attendu : rappel envoyé à la structure.",
        )
    relance.destinataires = ", ".join(
        notifications.envoyer_relance(dossier=dossier, etape=etape)
    )
    relance.save(update_fields=["destinataires"])
    return relance

