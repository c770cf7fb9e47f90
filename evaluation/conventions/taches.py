"""The convention PDF, rendered in the background (``manage.py db_worker`` runs the task)
through the shared mechanism of ``evaluation.generations``: kept under the fingerprint of the
data it shows, rendered again when they change."""

import hashlib

from django.conf import settings
from django.tasks import task
from django.utils.safestring import mark_safe

from candidatures.commun.formats import date_longue, euros
from candidatures.commun.pdf import rendre_pdf
from evaluation import generations
from evaluation.models import Convention, GenerationConvention, ParametresConventions

from . import modele


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


def _texte(convention):
    return (
        ParametresConventions.objects.filter(appel_id=convention.dossier.appel_id)
        .values_list("modele", flat=True).first()
        or ParametresConventions().modele
    )


def rendre_convention(convention):
    """The PDF bytes of the convention, from the call's text and the recorded data."""
    texte = _texte(convention)
    corps = modele.paragraphes_html(texte, valeurs(convention))
    return rendre_pdf(
        "conventions/pdf.html",
        {"convention": convention, "dossier": convention.dossier, "corps": mark_safe(corps),
         "ATTRIBUANT_NOM": settings.ATTRIBUANT_NOM},
        "css/evaluation-lettre.css",
        journal=f"Convention du dossier {convention.dossier_id}",
    )


def empreinte(convention):
    """A hash of everything the PDF shows: the recorded data and the call's text."""
    elements = [valeurs(convention), _texte(convention), convention.part_avance]
    return hashlib.sha256(repr(elements).encode()).hexdigest()


def demander_pdf(convention, par):
    """Return the convention's PDF made from its current data, else start rendering it."""
    return generations.demander(
        cible=GenerationConvention.objects.filter(convention=convention),
        empreinte=empreinte(convention),
        creer=lambda actuelle: GenerationConvention.objects.create(
            convention=convention, empreinte=actuelle, demandee_par=par
        ),
        tache=generer_convention_pdf,
    )


def _fabriquer(generation, progression):
    convention = Convention.objects.select_related(
        "dossier__structure", "dossier__appel", "dossier__decision"
    ).get(pk=generation.convention_id)
    return rendre_convention(convention)


@task()
def generer_convention_pdf(generation_id):
    """Render and keep one requested convention PDF."""
    generations.construire(
        GenerationConvention, generation_id, _fabriquer,
        lambda generation: f"convention-{generation.convention_id}.pdf",
    )
