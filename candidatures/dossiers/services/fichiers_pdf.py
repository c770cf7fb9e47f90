"""The PDFs of a dossier, built by the background worker and kept (issue of speed).

No request renders a PDF: submitting asks for the récépissé, the « Préparer le PDF » button asks
for the dossier's PDF at its current version; the worker (``manage.py db_worker``) renders the
file, stores it, and queues the e-mail of a récépissé once. If the worker is down, nothing is
lost: the task waits in the database, and anyone who may see the dossier can ask for the file
again.
"""

import datetime
import logging
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from ...commun import courriels
from ...models import PdfDossier
from ..pdf import rendre_dossier_pdf

logger = logging.getLogger(__name__)

# A file asked for this long ago and still not built: the worker is likely down, and the page
# offers to ask for it again.
ATTENTE_NORMALE = datetime.timedelta(minutes=2)


def recepisse_actuel(dossier):
    """The récépissé of the dossier's latest submission (built or not), or None."""
    return (
        PdfDossier.objects.filter(dossier=dossier, nature=PdfDossier.Nature.RECEPISSE)
        .order_by("-version", "-pk")
        .first()
    )


def pdf_actuel(dossier):
    """The dossier's PDF asked for at its current version and status (built or not), or None."""
    return PdfDossier.objects.filter(
        dossier=dossier, nature=PdfDossier.Nature.DOSSIER, version=dossier.version,
        statut=dossier.statut,
    ).first()


def en_retard(pdf, maintenant=None):
    """Asked for long enough ago that the worker should have built it."""
    return not pdf.est_pret and pdf.demande_le < (maintenant or timezone.now()) - ATTENTE_NORMALE


def _mettre_en_file(pdf):
    transaction.on_commit(partial(produire_pdf.enqueue, pdf_id=pdf.pk))


def demander_recepisse(dossier):
    """Ask the worker for the récépissé of the submission ``dossier`` just went through.

    Called inside the submission's transaction: the task is queued once it is committed.
    """
    pdf, _cree = PdfDossier.objects.get_or_create(
        dossier=dossier, nature=PdfDossier.Nature.RECEPISSE, version=dossier.version,
        statut=dossier.statut,
    )
    _mettre_en_file(pdf)
    return pdf


@transaction.atomic
def demander_pdf_dossier(dossier):
    """Ask for the dossier's PDF at its current version: the kept file if it exists, else a
    new request for the worker. PDFs of older versions are dropped."""
    pdf, cree = PdfDossier.objects.get_or_create(
        dossier=dossier, nature=PdfDossier.Nature.DOSSIER, version=dossier.version,
        statut=dossier.statut,
    )
    if cree:
        anciens = list(
            PdfDossier.objects.filter(dossier=dossier, nature=PdfDossier.Nature.DOSSIER)
            .exclude(pk=pdf.pk)
        )
        for ancien in anciens:
            ancien.delete()
            if ancien.fichier:
                transaction.on_commit(partial(ancien.fichier.storage.delete, ancien.fichier.name))
        _mettre_en_file(pdf)
    elif en_retard(pdf):
        _mettre_en_file(pdf)
    return pdf


@transaction.atomic
def redemander_recepisse(dossier):
    """Queue the récépissé of a submitted dossier again (the worker was down, or its task
    failed); ask for one if the dossier has none (submitted before récépissés were kept)."""
    pdf = recepisse_actuel(dossier)
    if pdf is None:
        return demander_recepisse(dossier)
    if not pdf.est_pret:
        PdfDossier.objects.filter(pk=pdf.pk).update(demande_le=timezone.now())
        _mettre_en_file(pdf)
    return pdf


def nom_du_fichier(pdf):
    """The name the file is downloaded (or attached) under."""
    dossier = pdf.dossier
    if pdf.nature == PdfDossier.Nature.RECEPISSE:
        return f"recepisse-{dossier.reference}.pdf"
    return f"dossier-{dossier.reference or dossier.pk}.pdf"


def _construire(pdf):
    """Render and store the file, unless another run stored it first."""
    contenu = rendre_dossier_pdf(
        pdf.dossier, recepisse=pdf.nature == PdfDossier.Nature.RECEPISSE
    )
    stockage = pdf.fichier.storage
    nom = stockage.save(pdf.fichier.field.generate_filename(pdf, "document.pdf"),
                        ContentFile(contenu))
    enregistre = PdfDossier.objects.filter(pk=pdf.pk, fichier="").update(
        fichier=nom, taille=len(contenu), produit_le=timezone.now()
    )
    if not enregistre:  # built meanwhile (two requests, two runs): keep the first file
        stockage.delete(nom)
    pdf.refresh_from_db()


def _envoyer_recepisse(pdf):
    """E-mail the stored récépissé to every member of the structure, once."""
    dossier = pdf.dossier
    destinataires = sorted(dossier.structure.membres.values_list("utilisateur__email", flat=True))
    if not destinataires:
        return
    # Claimed before queueing: a second run does not send it again.
    if not PdfDossier.objects.filter(pk=pdf.pk, envoye_le__isnull=True).update(
        envoye_le=timezone.now()
    ):
        return
    # The e-mail task attaches the stored file when it sends (and tries again if it fails).
    courriels.envoyer(
        destinataires=destinataires,
        sujet=f"Récépissé de dépôt du dossier {dossier.reference}",
        gabarit="dossiers/courriels/recepisse.txt",
        contexte={
            "dossier": dossier,
            "lien": courriels.lien_absolu("dossiers:detail", dossier.pk),
        },
        pieces=[(nom_du_fichier(pdf), pdf.fichier, "application/pdf")],
    )


@task()
def produire_pdf(pdf_id):
    """Build one asked-for PDF of a dossier and keep it; e-mail it if it is a récépissé."""
    pdf = (
        PdfDossier.objects.select_related("dossier__structure", "dossier__appel")
        .filter(pk=pdf_id)
        .first()
    )
    if pdf is None:
        return  # a newer version was asked for meanwhile: this one was dropped
    if not pdf.est_pret:
        _construire(pdf)
    if pdf.nature == PdfDossier.Nature.RECEPISSE and pdf.envoye_le is None:
        _envoyer_recepisse(pdf)
