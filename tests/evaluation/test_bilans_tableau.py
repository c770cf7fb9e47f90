"""The annual dashboard: the year it opens on, a year without figures, figures kept while the
data do not change, tables that scroll in their own box."""

import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from evaluation.models import AgregatBilanAnnuel
from tests.candidatures.factories import AppelAProjetsFactory
from tests.evaluation.factories import UtilisateurFactory, jeu_bilans

pytestmark = pytest.mark.django_db

URL = "bilans:tableau_de_bord"
ANNEE_2025 = {"annee_debut": 2025, "annee_fin": 2025}


@pytest.fixture
def comite(client):
    client.force_login(UtilisateurFactory(comite=True))
    return client


def _html(reponse):
    texte = re.sub(r"[\s\u00a0\u202f]+", " ", reponse.content.decode())
    return re.sub(r">\s+<", "><", texte)


def test_ouvre_sur_la_derniere_annee_qui_a_des_chiffres(comite):
    """A call of 2026 without any dossier yet: the page opens on 2025, not on empty figures."""
    jeu_bilans()
    AppelAProjetsFactory(annee=2026)

    reponse = comite.get(reverse(URL))

    assert reponse.context["bilan"].periode == "2025"
    assert '<dd id="synthese-deposes">6</dd>' in _html(reponse)
    assertNotContains(reponse, 'id="bilans-annee-vide"')
    # The empty year stays one click away in the filters.
    assertContains(reponse, '<option value="2026">2026</option>', html=True)


def test_une_annee_sans_dossier_le_dit(comite):
    jeu_bilans()
    AppelAProjetsFactory(annee=2026)

    reponse = comite.get(reverse(URL), {"annee_debut": 2026, "annee_fin": 2026})

    assertContains(reponse, "Aucun dossier n'a encore été déposé pour 2026.")


def test_sans_aucun_dossier_ouvre_sur_le_dernier_appel_et_le_dit(comite):
    AppelAProjetsFactory(annee=2030)

    reponse = comite.get(reverse(URL))

    assert reponse.context["bilan"].periode == "2030"
    assertContains(reponse, "Aucun dossier n'a encore été déposé pour 2030.")


def test_synthese_montre_les_dossiers_ni_retenus_ni_refuses(comite):
    """6 deposited = 4 retained + 1 refused + 1 in instruction."""
    jeu_bilans()

    html = _html(comite.get(reverse(URL), ANNEE_2025))

    assert '<dd id="synthese-autres">1</dd>' in html


def test_seconde_vue_sans_changement_ne_refait_pas_l_agregation(
    comite, django_assert_max_num_queries
):
    """The figures are kept under the data's fingerprint: a second view reads them back."""
    jeu_bilans()
    premiere = comite.get(reverse(URL), ANNEE_2025)
    assert AgregatBilanAnnuel.objects.count() == 1

    # One query for the figures (the fingerprint and the kept figures together); the others
    # are the session, the user's roles, the contract, its calls and the filters' choices.
    with django_assert_max_num_queries(16) as requetes:
        seconde = comite.get(reverse(URL), ANNEE_2025)

    def sans_jeton(reponse):  # the CSRF token of the logout form changes on every page
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", _html(reponse))

    assert sans_jeton(seconde) == sans_jeton(premiere)
    sql = " ".join(r["sql"] for r in requetes.captured_queries)
    for table in ("evaluation_instruction", "candidatures_lignebudget", "referentiel_action"):
        assert table not in sql


def test_les_chiffres_gardes_suivent_les_donnees(comite):
    """A bilan validated changes the fingerprint: the figures are summed again."""
    from evaluation.bilans.services import depot as services_bilans_depot

    jeu = jeu_bilans()
    avant = comite.get(reverse(URL), ANNEE_2025).context["bilan"].total
    services_bilans_depot.valider_bilan(
        bilan=jeu["dossiers"][1].bilan, par=UtilisateurFactory(instructeur=True)
    )

    apres = comite.get(reverse(URL), ANNEE_2025).context["bilan"].total

    assert (avant.realisees, apres.realisees) == (2, 3)
    assert apres.beneficiaires_total == avant.beneficiaires_total + 30
    assert AgregatBilanAnnuel.objects.count() == 1


def test_tableaux_larges_dans_une_boite_qui_defile(comite):
    """Every figures table sits in a focusable region that scrolls on its own."""
    jeu_bilans()

    html = _html(comite.get(reverse(URL), ANNEE_2025))

    tableaux = html.count("<table")
    boites = len(re.findall(
        r'<div class="table-responsive tableau-defilant[^"]*" tabindex="0" role="region"', html
    ))
    assert tableaux > 5
    assert boites == tableaux


def test_libelles_des_graphiques_jamais_coupes():
    """A long label is written on several lines of the chart, every word kept."""
    from evaluation.bilans.graphiques import Graphique

    libelle = "Emploi et développement économique des quartiers prioritaires de la ville"
    svg = str(Graphique("g", "Titre", "Description", ["Prévu"], [libelle], [[3]]).svg)

    texte = " ".join(re.sub(r"<[^>]+>", " ", svg).split())
    assert libelle in texte
    assert "…" not in svg
    assert svg.count("<tspan") >= 2
