"""Bilan files built in the background (``django.tasks``; ``manage.py db_worker`` runs them).

A file is kept with the fingerprint of the data it was built from; it is served again until the
data change, then built anew.
"""

import datetime
import logging
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from ..models import GenerationBilan
from . import feuille_pluriannuelle, rendus
from .agregats import (
    Perimetre,
    agreger,
    agreger_pluriannuel,
    empreinte,
    fiches_dossiers,
    lignes_brutes,
)

logger = logging.getLogger(__name__)

# A file of stale data stays this long after it was asked for, for whoever asked.
DELAI_DE_GRACE = datetime.timedelta(hours=1)
ABANDON = datetime.timedelta(minutes=30)


def construire(perimetre, format, progression=None):
    """Aggregate, then render: the bytes of the PDF or of the workbook."""
    bilan = agreger(perimetre)
    if progression:
        progression(40)
    if format == GenerationBilan.Format.XLSX:
        # The multi-year sheet: the workbook of a whole contract's years is its mid-term or
        # final evaluation, and one kept file serves both the annual and the multi-year page.
        pluriannuel = feuille_pluriannuelle.tableau(agreger_pluriannuel(perimetre))
        lignes = lignes_brutes(perimetre)
        if progression:
            progression(55)
        return rendus.classeur_xlsx(bilan, lignes, progression, feuilles=[pluriannuel])
    fiches = fiches_dossiers(perimetre) if perimetre.structure_id else None
    if progression:
        progression(50)
    return rendus.bilan_pdf(bilan, fiches)


def _champs_perimetre(perimetre):
    return {
        "contrat_id": perimetre.contrat_id,
        "annee_debut": perimetre.annee_debut,
        "annee_fin": perimetre.annee_fin,
        "pilier_id": perimetre.pilier_id,
        "quartier_id": perimetre.quartier_id,
        "structure_id": perimetre.structure_id,
        "inclure_deposes": perimetre.inclure_deposes,
    }


def perimetre_de(generation):
    return Perimetre(
        contrat_id=generation.contrat_id,
        annee_debut=generation.annee_debut,
        annee_fin=generation.annee_fin,
        pilier_id=generation.pilier_id,
        quartier_id=generation.quartier_id,
        structure_id=generation.structure_id,
        inclure_deposes=generation.inclure_deposes,
    )


@transaction.atomic
def demander_generation(*, perimetre, format, par):
    """Return the kept file of this scope if its data did not change, else start building it."""
    actuelle = empreinte(perimetre)
    meme_perimetre = GenerationBilan.objects.select_for_update().filter(
        format=format, **_champs_perimetre(perimetre)
    )
    # A build that never finished (worker stopped) is not waited for forever.
    abandon = timezone.now() - ABANDON
    existante = (
        meme_perimetre.filter(empreinte=actuelle)
        .exclude(etat=GenerationBilan.Etat.ECHEC)
        .exclude(
            etat__in=[GenerationBilan.Etat.EN_ATTENTE, GenerationBilan.Etat.EN_COURS],
            demandee_le__lt=abandon,
        )
        .order_by("-demandee_le")
        .first()
    )
    if existante is not None:
        return existante
    # The data changed: files built from older data are dropped, except those asked for
    # lately: someone may still be waiting on that page or about to download it.
    for ancienne in meme_perimetre.filter(demandee_le__lt=timezone.now() - DELAI_DE_GRACE):
        if ancienne.fichier:
            ancienne.fichier.delete(save=False)
        ancienne.delete()
    generation = GenerationBilan.objects.create(
        format=format, empreinte=actuelle, demandee_par=par, **_champs_perimetre(perimetre)
    )
    transaction.on_commit(
        partial(generer_fichier_bilan.enqueue, generation_id=str(generation.pk))
    )
    return generation


def _avancer(generation_id, valeur, **champs):
    GenerationBilan.objects.filter(pk=generation_id).update(progression=valeur, **champs)


@task()
def generer_fichier_bilan(generation_id):
    """Build one requested bilan file, reporting progress in its row."""
    generation = GenerationBilan.objects.filter(pk=generation_id).first()
    if generation is None or generation.etat == GenerationBilan.Etat.TERMINEE:
        return
    _avancer(generation_id, 5, etat=GenerationBilan.Etat.EN_COURS)
    try:
        contenu = construire(
            perimetre_de(generation), generation.format, partial(_avancer, generation_id)
        )
    except Exception:
        logger.exception("Échec de la génération du bilan %s", generation_id)
        _avancer(
            generation_id, 0, etat=GenerationBilan.Etat.ECHEC,
            message="La génération a échoué. Relancez-la ; si l'échec persiste, prévenez "
            "l'administrateur du portail.",
        )
        raise
    generation = GenerationBilan.objects.filter(pk=generation_id).first()
    if generation is None:
        return  # the data changed meanwhile: a newer request replaced this file
    generation.fichier.save(f"{generation.pk}.{generation.format}", ContentFile(contenu),
                            save=False)
    generation.taille = len(contenu)
    generation.etat = GenerationBilan.Etat.TERMINEE
    generation.progression = 100
    generation.terminee_le = timezone.now()
    generation.save()
