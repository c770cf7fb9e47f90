"""`manage.py demo_conventions` (run by scripts/run.sh after `demo` and `generer_volume`): the
Alès call shows a convention with its advance paid, and one with its bilan validated and its
balance paid; run again, it adds nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from candidatures.models import Statut
from evaluation.models import Convention, GenerationConvention, Paiement
from referentiel.models import Contrat

pytestmark = pytest.mark.django_db


def _demo_conventions():
    sortie = StringIO()
    call_command("demo_conventions", stdout=sortie)
    return sortie.getvalue()


def test_refusee_hors_developpement():
    with pytest.raises(CommandError, match="qu'en développement"):
        _demo_conventions()


def test_conventions_et_paiements_de_demonstration(settings):
    settings.PORTAIL_DEMO = True
    call_command("demo", stdout=StringIO())
    call_command("generer_volume", dossiers=60, annee=2024, si_vide=True, stdout=StringIO())

    sortie = _demo_conventions()

    ales = Contrat.objects.par_defaut()
    conventions = Convention.objects.filter(dossier__appel__contrat=ales).select_related(
        "dossier__bilan"
    )
    assert conventions.count() == 2
    avance_seule = conventions.get(dossier__statut=Statut.EN_COURS)
    soldee = conventions.get(dossier__statut=Statut.CLOTURE)
    assert [p.nature for p in avance_seule.paiements.all()] == ["avance"]
    assert avance_seule.montant_verse == avance_seule.montant_avance > 0
    assert soldee.dossier.bilan.valide_le is not None
    assert [p.nature for p in soldee.paiements.all()] == ["avance", "solde"]
    assert soldee.solde_verse and soldee.montant_verse == soldee.montant_accorde
    assert soldee.reste_a_verser == 0
    assert GenerationConvention.objects.filter(convention__in=conventions).count() == 2
    assert avance_seule.dossier.reference in sortie and soldee.dossier.reference in sortie

    _demo_conventions()

    assert Convention.objects.count() == 2
    assert Paiement.objects.count() == 3
