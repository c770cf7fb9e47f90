"""The convention PDF, rendered in the background (``manage.py db_worker`` runs the task)."""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.tasks import task
from django.utils import timezone
from django.utils.safestring import mark_safe

from candidatures.commun.formats import date_longue, euros
from candidatures.commun.pdf import rendre_pdf
from evaluation.models import Convention, EtatFichier, ParametresConventions

from . import modele

logger = logging.getLogger(__name__)


def echeancier(convention):
    """The payment schedule in words, as the convention states it."""
    if convention.versement_unique:
        return (
            f"Versement unique de {euros(convention.montant_accorde)} à la signature de la "
            "convention."
        )
    return (
        f"Avance de {euros(convention.montant_avance)} ({convention.part_avance} %) à la "
        f"signature de la convention ; solde de {euros(convention.montant_solde)} après la "
        "validation du bilan et du compte rendu financier."
    )


def valeurs(convention):
    """The value of each field the convention text may name."""
    dossier = convention.dossier
    structure = dossier.structure
    decision = dossier.decision
    return {
        "reference": convention.reference,
        "date_convention": date_longue(convention.date_signature),
        "attribuant": settings.ATTRIBUANT_NOM,
        "beneficiaire": structure.raison_sociale,
        "siret": structure.siret,
        "rna": structure.rna or "—",
        "objet": dossier.intitule,
        "appel": dossier.appel.titre,
        "montant_accorde": euros(convention.montant_accorde),
        "echeancier": echeancier(convention),
        "date_limite_bilan": date_longue(decision.date_limite_bilan),
        "deliberation": convention.deliberation,
        "signataires": convention.signataires,
    }


def rendre_convention(convention):
    """The PDF bytes of the convention, from the call's text and the recorded data."""
    texte = (
        ParametresConventions.objects.filter(appel_id=convention.dossier.appel_id)
        .values_list("modele", flat=True).first()
        or ParametresConventions().modele
    )
    corps = modele.paragraphes_html(texte, valeurs(convention))
    return rendre_pdf(
        "conventions/pdf.html",
        {"convention": convention, "dossier": convention.dossier, "corps": mark_safe(corps),
         "ATTRIBUANT_NOM": settings.ATTRIBUANT_NOM},
        "css/evaluation-lettre.css",
        journal=f"Convention du dossier {convention.dossier_id}",
    )


@task()
def generer_convention_pdf(convention_id):
    """Render and keep the convention's PDF."""
    convention = (
        Convention.objects.select_related("dossier__structure", "dossier__appel",
                                          "dossier__decision")
        .filter(pk=convention_id).first()
    )
    if convention is None:
        return
    try:
        contenu = rendre_convention(convention)
    except Exception:
        logger.exception("Échec de la génération de la convention %s", convention_id)
        Convention.objects.filter(pk=convention_id).update(etat_fichier=EtatFichier.ECHEC)
        raise
    ancien = convention.fichier.name
    convention.fichier.save(f"convention-{convention.dossier_id}.pdf", ContentFile(contenu),
                            save=False)
    Convention.objects.filter(pk=convention_id).update(
        fichier=convention.fichier.name, etat_fichier=EtatFichier.TERMINE,
        fichier_genere_le=timezone.now(),
    )
    if ancien:
        convention.fichier.storage.delete(ancien)
