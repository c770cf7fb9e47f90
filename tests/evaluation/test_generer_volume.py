"""`manage.py generer_volume`: a realistic call for demos and benchmarks."""

from io import StringIO

import pytest
from django.core.management import call_command

from candidatures.models import Dossier, LigneBudget, Statut
from evaluation.models import Decision, RealisationIndicateur

pytestmark = pytest.mark.django_db


def test_genere_des_dossiers_decides_et_des_bilans():
    """The call gets the dossiers asked for, with decisions and F/H values reported."""

    call_command("generer_volume", dossiers=40, annee=2023, stdout=StringIO())

    dossiers = Dossier.objects.filter(appel__annee=2023)
    assert dossiers.count() == 40
    assert dossiers.filter(statut=Statut.CLOTURE).exists()
    assert Decision.objects.filter(dossier__appel__annee=2023, nature="retenu").exists()
    assert LigneBudget.objects.filter(dossier__appel__annee=2023).exists()
    assert RealisationIndicateur.objects.filter(
        bilan__dossier__appel__annee=2023, valeur_femmes__isnull=False
    ).exists()
    assert set(dossiers.values_list("reference", flat=True)) >= {"AAP-2023-0001", "AAP-2023-0040"}


def test_si_vide_ne_genere_pas_deux_fois():
    """With --si-vide, a call that already has dossiers is left as it is."""

    call_command("generer_volume", dossiers=10, annee=2022, stdout=StringIO())
    sortie = StringIO()

    call_command("generer_volume", dossiers=10, annee=2022, si_vide=True, stdout=sortie)

    assert Dossier.objects.filter(appel__annee=2022).count() == 10
    assert "rien n'est généré" in sortie.getvalue()


def test_sans_si_vide_ajoute_au_meme_appel():
    """Without --si-vide, new dossiers are added to the same call with the next references."""

    call_command("generer_volume", dossiers=5, annee=2021, stdout=StringIO())

    call_command("generer_volume", dossiers=5, annee=2021, stdout=StringIO())

    assert Dossier.objects.filter(appel__annee=2021).count() == 10
