"""Helpers of the workbook tests: workbooks built and edited in memory, row counts."""

import io

import pytest
from openpyxl import load_workbook

from referentiel.classeur.chargement import importer_classeur
from referentiel.classeur.ecriture import ecrire_classeur
from referentiel.classeur.erreurs import ClasseurInvalide
from referentiel.classeur.exemple import classeur_exemple
from referentiel.models import (
    Action,
    Contrat,
    Exigence,
    Generation,
    Indicateur,
    NoteFinancement,
    Objectif,
    Orientation,
    Pilier,
    QuartierPrioritaire,
    Renvoi,
    Territoire,
)

MODELES = (
    Territoire, Generation, Contrat, Pilier, Orientation, Objectif, Action, Exigence,
    NoteFinancement, Indicateur, Renvoi, QuartierPrioritaire, Contrat.quartiers.through,
)


def exemple():
    """The example contract's workbook, as bytes."""
    return ecrire_classeur(classeur_exemple())


def modifier(donnees, *operations):
    """Apply each ``operation(workbook)`` to a copy of the workbook ``donnees``."""
    livre = load_workbook(io.BytesIO(donnees))
    for operation in operations:
        operation(livre)
    sortie = io.BytesIO()
    livre.save(sortie)
    return sortie.getvalue()


def colonne(feuille, entete):
    for cellule in feuille[1]:
        if cellule.value == entete:
            return cellule.column
    raise KeyError(entete)


def ecrire(nom_feuille, ligne, entete, valeur):
    """An operation: set one cell, the column named by its header."""

    def operation(livre):
        feuille = livre[nom_feuille]
        feuille.cell(row=ligne, column=colonne(feuille, entete)).value = valeur

    return operation


def ajouter(nom_feuille, *valeurs):
    def operation(livre):
        livre[nom_feuille].append(list(valeurs))

    return operation


def supprimer_ligne(nom_feuille, ligne):
    def operation(livre):
        livre[nom_feuille].delete_rows(ligne)

    return operation


def valeur_contrat(libelle, valeur):
    """An operation: set the value of one key of the « Contrat » sheet."""

    def operation(livre):
        feuille = livre["Contrat"]
        for ligne in feuille.iter_rows(min_row=2):
            if ligne[0].value == libelle:
                ligne[1].value = valeur
                return
        raise KeyError(libelle)

    return operation


def comptes():
    return {modele.__name__: modele.objects.count() for modele in MODELES}


def erreurs_d_import(donnees, code="contrat-teste", **options):
    """The messages of the import's refusal (the import must be refused)."""
    with pytest.raises(ClasseurInvalide) as refus:
        importer_classeur(donnees, code, **options)
    return [str(e) for e in refus.value.erreurs]
