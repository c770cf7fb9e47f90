"""Bilan files built in the background (``django.tasks``; ``manage.py db_worker`` runs them).

A file is kept with the fingerprint of the data it was built from; it is served again until the
data change, then built anew (``evaluation.generations``, shared with the exports of a call).
"""

from django.tasks import task

from .. import generations
from ..models import Bilan, GenerationBilan, GenerationCompteRendu
from . import compte_rendu, feuille_pluriannuelle, rendus
from .agregats import (
    Perimetre,
    agreger,
    agreger_pluriannuel,
    empreinte,
    fiches_dossiers,
    lignes_brutes,
)


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


def demander_generation(*, perimetre, format, par):
    """Return the kept file of this scope if its data did not change, else start building it."""
    champs = _champs_perimetre(perimetre)
    return generations.demander(
        cible=GenerationBilan.objects.filter(format=format, **champs),
        empreinte=empreinte(perimetre),
        creer=lambda actuelle: GenerationBilan.objects.create(
            format=format, empreinte=actuelle, demandee_par=par, **champs
        ),
        tache=generer_fichier_bilan,
    )


@task()
def generer_fichier_bilan(generation_id):
    """Build one requested bilan file, reporting progress in its row."""
    generations.construire(
        GenerationBilan,
        generation_id,
        lambda generation, progression: construire(
            perimetre_de(generation), generation.format, progression
        ),
        lambda generation: f"{generation.pk}.{generation.format}",
    )


def compte_rendu_garde(bilan):
    """The compte rendu financier kept (or being built) for the bilan's current data, if any;
    writes nothing (``bilan.dossier`` loaded as for ``demander_compte_rendu``)."""
    return generations.existante(
        GenerationCompteRendu.objects.filter(bilan=bilan), compte_rendu.empreinte(bilan)
    )


def demander_compte_rendu(*, bilan, par):
    """The kept compte rendu financier of ``bilan`` if its data did not change, else start
    building it (``bilan.dossier`` loaded with its structure, call and decision)."""
    return generations.demander(
        cible=GenerationCompteRendu.objects.filter(bilan=bilan),
        empreinte=compte_rendu.empreinte(bilan),
        creer=lambda actuelle: GenerationCompteRendu.objects.create(
            bilan=bilan, empreinte=actuelle, demandee_par=par
        ),
        tache=generer_compte_rendu,
    )


def _rendre_compte_rendu(generation, progression):
    bilan = Bilan.objects.select_related(
        "dossier__structure", "dossier__appel", "dossier__action_principale", "dossier__decision"
    ).get(pk=generation.bilan_id)
    return compte_rendu.rendre_compte_rendu(bilan)


@task()
def generer_compte_rendu(generation_id):
    """Build one requested compte rendu financier and keep it."""
    generations.construire(
        GenerationCompteRendu, generation_id, _rendre_compte_rendu,
        lambda generation: f"{generation.pk}.pdf",
    )
