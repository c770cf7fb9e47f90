"""Copying a contract to start a new generation from its tree."""

import pytest

from referentiel.classeur.chargement import importer_classeur
from referentiel.classeur.copie import copier_contrat
from referentiel.classeur.erreurs import ClasseurInvalide
from referentiel.classeur.extraction import exporter_contrat
from referentiel.models import Action, Contrat, Generation
from referentiel.selectors import referentiel_en_dict

from .outils_classeur import comptes

pytestmark = pytest.mark.django_db


@pytest.fixture
def contrat_2015():
    return Contrat.objects.select_related("territoire", "generation").par_defaut()


def _arbre(contrat):
    donnees = referentiel_en_dict(contrat)
    donnees.pop("contrat")
    return donnees


def test_copie_vers_une_nouvelle_generation(contrat_2015):
    generation = Generation.objects.create(
        code="engagements-quartiers-2030", nom="Engagements Quartiers 2030",
        annee_debut=2024, annee_fin=2030,
    )

    copie = copier_contrat(
        contrat_2015, "ales-agglomeration-2024", "Contrat de ville d'Alès Agglomération 2024",
        generation=generation,
    )

    assert copie.generation == generation
    assert copie.territoire == contrat_2015.territoire
    assert (copie.annee_debut, copie.annee_fin) == (2024, 2030)
    assert not copie.par_defaut
    assert _arbre(copie) == _arbre(contrat_2015)
    # Each generation has its own QPV: the list is to be filled in.
    assert copie.quartiers.count() == 0
    # The copy's rows are its own, not the source's.
    assert not Action.objects.filter(contrat=copie).filter(
        pk__in=Action.objects.filter(contrat=contrat_2015)
    ).exists()


def test_copie_dans_la_meme_generation_garde_les_qpv(contrat_2015):
    copie = copier_contrat(contrat_2015, "ales-variante", "Variante", annee_debut=2016)

    assert set(copie.quartiers.all()) == set(contrat_2015.quartiers.all())
    assert (copie.annee_debut, copie.annee_fin) == (2016, contrat_2015.annee_fin)


def test_la_copie_se_reimporte_sans_changement(contrat_2015):
    copie = copier_contrat(contrat_2015, "ales-variante", "Variante", generation=None)

    rapport = importer_classeur(exporter_contrat(copie), copie.code, a_blanc=True)

    assert (rapport.crees, rapport.modifies, rapport.supprimes) == (0, 0, 0)


def test_copie_vers_un_code_pris_refusee(contrat_2015):
    avant = comptes()

    with pytest.raises(ClasseurInvalide) as refus:
        copier_contrat(contrat_2015, contrat_2015.code, "Doublon")

    assert [str(e) for e in refus.value.erreurs] == [
        "le contrat « ales-agglomeration-2015 » existe déjà : choisissez un autre code."
    ]
    assert comptes() == avant


def test_copie_vers_une_generation_inconnue_refusee(contrat_2015):
    with pytest.raises(ClasseurInvalide, match="la génération « inconnue » n'existe pas"):
        copier_contrat(contrat_2015, "ales-x", "X", generation="inconnue")
