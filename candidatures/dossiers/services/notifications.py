"""Notifications about dossiers: the récépissé de dépôt, e-mailed by a background task."""

from django.tasks import task

from ...commun import courriels
from ...models import Dossier
from ..pdf import rendre_dossier_pdf


@task()
def envoyer_recepisse(dossier_id):
    """E-mail the récépissé PDF to every member of the structure (a background task)."""
    dossier = Dossier.objects.select_related("structure", "appel").get(pk=dossier_id)
    destinataires = sorted(
        dossier.structure.membres.values_list("utilisateur__email", flat=True)
    )
    if not destinataires:
        return
    courriels.envoyer(
        destinataires=destinataires,
        sujet=f"Récépissé de dépôt du dossier {dossier.reference}",
        gabarit="dossiers/courriels/recepisse.txt",
        contexte={"dossier": dossier},
        pieces=[
            (
                f"recepisse-{dossier.reference}.pdf",
                rendre_dossier_pdf(dossier, recepisse=True),
                "application/pdf",
            )
        ],
    )
