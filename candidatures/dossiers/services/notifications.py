"""Notifications about dossiers: the récépissé de dépôt, e-mailed by a background task."""

import logging

from django.core.mail import EmailMessage
from django.tasks import task
from django.utils import timezone
from django.utils.formats import date_format

from ...models import Dossier

logger = logging.getLogger(__name__)


@task()
def envoyer_recepisse(dossier_id):
    """E-mail the récépissé PDF to every member of the structure (a background task)."""
    from ..pdf import rendre_dossier_pdf

    dossier = Dossier.objects.select_related("structure", "appel").get(pk=dossier_id)
    destinataires = sorted(
        dossier.structure.membres.values_list("utilisateur__email", flat=True)
    )
    if not destinataires:
        return
    pdf = rendre_dossier_pdf(dossier, recepisse=True)
    message = EmailMessage(
        subject=f"Récépissé de dépôt du dossier {dossier.reference}",
        body=(
            f"Bonjour,\n\nLe dossier {dossier.reference} « {dossier.intitule} » de "
            f"{dossier.structure} a été déposé le "
            f"{date_format(timezone.localtime(dossier.depose_le), 'j F Y à H:i')} "
            f"sur l'appel à projets « {dossier.appel} ».\n\n"
            "Vous trouverez en pièce jointe le récépissé de dépôt, qui résume le dossier.\n\n"
            "Le contrat de ville d'Alès Agglomération"
        ),
        to=destinataires,
    )
    message.attach(f"recepisse-{dossier.reference}.pdf", pdf, "application/pdf")
    message.send()
