"""The decision letter (notification d'attribution or de refus): rendered to PDF, then kept;
the letters of a call in one ZIP archive."""

import io
import zipfile

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from candidatures.commun.pdf import rendre_pdf

from ..models import Decision


def rendre_lettre(decision):
    """Return the PDF bytes of the letter; it depends only on the decision's recorded data."""
    dossier = decision.dossier
    return rendre_pdf(
        "evaluation/lettre_decision.html",
        {
            "decision": decision,
            "dossier": dossier,
            "structure": dossier.structure,
            "action": dossier.action_principale,
            "ATTRIBUANT_NOM": settings.ATTRIBUANT_NOM,
            "PORTAIL_NOM": settings.PORTAIL_NOM,
        },
        "css/evaluation-lettre.css",
        journal=f"Lettre de décision du dossier {dossier.pk}",
    )


@transaction.atomic
def generer_lettre(*, decision):
    """Return the decision letter's PDF, rendering and keeping it the first time."""
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.lettre:
        try:
            with decision.lettre.open("rb") as fichier:
                return fichier.read()
        except FileNotFoundError:
            pass  # the file was lost: the letter is rendered again from the same data
    contenu = rendre_lettre(decision)
    nom = f"lettre-{decision.dossier.reference}.pdf"
    decision.lettre.save(nom, ContentFile(contenu), save=False)
    decision.lettre_generee_le = timezone.now()
    decision.save(update_fields=["lettre", "lettre_generee_le"])
    return contenu


def lettres_zip(decisions, progression=None):
    """The letters of ``decisions`` in one ZIP archive, each rendered once and kept."""
    decisions = list(decisions)
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as archive:
        for rang, decision in enumerate(decisions, start=1):
            archive.writestr(
                f"decision-{decision.dossier.reference}.pdf", generer_lettre(decision=decision)
            )
            if progression:
                progression(5 + 90 * rang // len(decisions))
    return sortie.getvalue()
