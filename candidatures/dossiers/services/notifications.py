"""Notifications about dossiers: the récépissé de dépôt, e-mailed by a background task."""

from django.tasks import task

from ...models import Dossier
from .fichiers_pdf import demander_recepisse, produire_pdf, recepisse_actuel


@task()
def envoyer_recepisse(dossier_id):
    """Tasks queued before récépissés were kept: build, keep and e-mail it like ``produire_pdf``
    (submissions now queue ``produire_pdf`` itself)."""
    dossier = Dossier.objects.get(pk=dossier_id)
    pdf = recepisse_actuel(dossier)
    if pdf is None:
        pdf = demander_recepisse(dossier)
    produire_pdf.call(pdf_id=pdf.pk)
