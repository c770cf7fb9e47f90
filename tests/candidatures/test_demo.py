"""`manage.py demo`: the demo accounts, the example contract and its open call."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from candidatures.management.commands.demo import MOT_DE_PASSE_DEMO
from candidatures.models import AppelAProjets, Habilitation, Utilisateur
from referentiel.classeur import exemple
from referentiel.models import Contrat

pytestmark = pytest.mark.django_db


def _demo():
    sortie = StringIO()
    call_command("demo", stdout=sortie)
    return sortie.getvalue()


@pytest.fixture
def demo(settings):
    settings.PORTAIL_DEMO = True
    return _demo()


def test_demo_refusee_hors_developpement():
    with pytest.raises(CommandError, match="qu'en développement"):
        _demo()


def test_demo_affiche_les_comptes_des_deux_contrats(demo):
    for email in (
        "porteur@demo.test", "instructeur@demo.test", "comite@demo.test", "admin@demo.test",
        "instructeur.exemple@demo.test", "comite.exemple@demo.test", "admin.exemple@demo.test",
    ):
        assert email in demo
        assert Utilisateur.objects.get(email=email).check_password(MOT_DE_PASSE_DEMO)
    assert "admin. du territoire (exemple)" in demo


def test_demo_charge_le_contrat_d_exemple_et_ouvre_son_appel(demo):
    contrat = Contrat.objects.get(code=exemple.CODE)
    annee = timezone.localdate().year

    appel = AppelAProjets.objects.get(contrat=contrat, annee=annee)

    assert appel.est_ouvert()
    assert "fictif" in appel.titre
    assert contrat.piliers.count() == 2
    assert not contrat.par_defaut
    assert f"Contrat d'exemple chargé : {contrat.nom}" in demo


def test_les_roles_de_la_demo_sont_tenus_sur_leur_territoire(demo):
    ales = Contrat.objects.par_defaut()
    exemple_ = Contrat.objects.get(code=exemple.CODE)

    def utilisateur(email):
        return Utilisateur.objects.get(email=email)

    assert utilisateur("instructeur@demo.test").est_instructeur_de(ales.pk)
    assert not utilisateur("instructeur@demo.test").est_instructeur_de(exemple_.pk)
    assert utilisateur("comite@demo.test").est_comite_de(ales.pk)
    assert utilisateur("instructeur.exemple@demo.test").est_instructeur_de(exemple_.pk)
    assert not utilisateur("instructeur.exemple@demo.test").est_instructeur_de(ales.pk)
    assert utilisateur("comite.exemple@demo.test").est_comite_de(exemple_.pk)
    administrateur = utilisateur("admin.exemple@demo.test")
    assert administrateur.est_administrateur_de(exemple_.pk)
    assert not administrateur.est_administrateur_de(ales.pk)
    assert not administrateur.est_administrateur_portail
    assert utilisateur("admin@demo.test").est_administrateur_portail


def test_la_demo_peut_etre_relancee(demo):
    habilitations = Habilitation.objects.count()

    sortie = _demo()

    assert Habilitation.objects.count() == habilitations
    assert Contrat.objects.filter(code=exemple.CODE).count() == 1
    assert "Contrat d'exemple : " in sortie and "(déjà chargé)" in sortie
