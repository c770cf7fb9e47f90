"""Loading the référentiel: idempotent, in place, never deleting what points to it."""

from io import StringIO

import pytest
from django.core.management import call_command

from referentiel.models import Action, Exigence, Indicateur, Objectif

pytestmark = pytest.mark.django_db


def test_charger_referentiel_deux_fois_ne_duplique_rien():
    """Reloading keeps the same rows with the same primary keys."""

    avant = {
        modele: dict(modele.objects.values_list("pk", "ordre"))
        for modele in (Objectif, Action, Exigence, Indicateur)
    }

    sortie = StringIO()
    call_command("charger_referentiel", stdout=sortie)

    apres = {
        modele: dict(modele.objects.values_list("pk", "ordre"))
        for modele in (Objectif, Action, Exigence, Indicateur)
    }
    assert apres == avant
    assert "Référentiel chargé" in sortie.getvalue()


def test_recharger_remet_le_libelle_officiel_en_place():
    """A label changed by hand is restored by the fixture, on the same row."""

    action = Action.objects.get(code="1.1.1.a")
    libelle = action.libelle
    Action.objects.filter(pk=action.pk).update(libelle="modifié")

    call_command("charger_referentiel", stdout=StringIO())

    action.refresh_from_db()
    assert action.libelle == libelle


def test_recharger_ne_supprime_pas_les_elements_ajoutes():
    """Rows added locally (and possibly pointed to by dossiers) survive a reload."""

    objectif = Objectif.objects.get(code="1.1.1")
    ajoutee = Action.objects.create(objectif=objectif, code="1.1.1.z", libelle="Action locale")

    call_command("charger_referentiel", stdout=StringIO())

    assert Action.objects.filter(pk=ajoutee.pk).exists()
