"""Annual bilans and the multi-year view, one contract at a time: choice, isolation, figures,
the background workbook read back with openpyxl, constant queries."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pytest_django.asserts import assertContains, assertNotContains

from candidatures.models import Habilitation, LigneBudget, PrevisionIndicateur, Role
from evaluation.bilans.agregats import Perimetre, agreger_pluriannuel
from evaluation.models import GenerationBilan
from referentiel.models import Contrat, Indicateur
from tests.candidatures.contrats import administrateur_de, creer_contrat
from tests.evaluation.factories import (
    AppelAProjetsFactory,
    BilanFactory,
    DecisionFactory,
    DossierFactory,
    MembreFactory,
    RealisationIndicateurFactory,
    UtilisateurFactory,
    jeu_bilans,
)

pytestmark = pytest.mark.django_db

IMMEDIAT = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
EN_ATTENTE = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
FEUILLE = "Prévu et réalisé par année"


def _dossier(appel, action, trait, *, accorde=None, budget=(), prevu=None, realise=None,
             structure=None):
    """A dossier of contract B with its decision, budget, forecast and bilan."""
    dossier = DossierFactory(appel=appel, action_principale=action, **{trait: True},
                             **({"structure": structure} if structure else {}))
    indicateur = Indicateur.objects.get(objectif=action.objectif, ordre=1)
    for code, montant in budget:
        LigneBudget.objects.create(dossier=dossier, code=code, montant=montant)
    if accorde is not None:
        DecisionFactory(dossier=dossier, montant_accorde=accorde)
    if prevu:
        PrevisionIndicateur.objects.create(
            dossier=dossier, indicateur=indicateur, valeur_femmes=prevu[0], valeur_hommes=prevu[1]
        )
    if realise:
        bilan = BilanFactory(dossier=dossier)
        RealisationIndicateurFactory(
            bilan=bilan, indicateur=indicateur, valeur_femmes=realise[0],
            valeur_hommes=realise[1],
        )
    return dossier


@pytest.fixture
def monde():
    """Contract A (Alès, the hand-computed dataset) and contract B (Nîmes, same codes):

    B 2024: D1 clôturé (asked 3 500, granted 3 000, forecast 20, achieved 18), D2 non retenu.
    B 2025: D3 en cours (asked 5 000, granted 4 000, forecast 10), D4 bilan déposé (asked
    1 200, granted 1 000, forecast 8, achieved 6 not yet validated).
    """
    jeu = jeu_bilans()
    b = creer_contrat()
    appel_2024 = AppelAProjetsFactory(contrat=b["contrat"], annee=2024, clos=True,
                                      titre="Appel Nîmes 2024")
    appel_2025 = AppelAProjetsFactory(contrat=b["contrat"], annee=2025, clos=True,
                                      titre="Appel Nîmes 2025")
    action = b["action"]
    structure_b = MembreFactory().structure
    d1 = _dossier(appel_2024, action, "cloture", accorde=3000, prevu=(10, 10), realise=(12, 6),
                  budget=[("74_etat_pv", 2000), ("74_epci", 1500), ("64", 9000)],
                  structure=structure_b)
    _dossier(appel_2024, action, "non_retenu", budget=[("74_epci", 1000)], prevu=(25, 25))
    _dossier(appel_2025, action, "en_cours", accorde=4000, prevu=(5, 5),
             budget=[("74_etat_pv", 5000)])
    _dossier(appel_2025, action, "bilan_depose", accorde=1000, prevu=(4, 4), realise=(3, 3),
             budget=[("74_epci", 1200)])
    return {
        **jeu, "a": Contrat.objects.par_defaut(), "b": b["contrat"], "arbre_b": b,
        "appels_b": (appel_2024, appel_2025), "structure_b": structure_b, "d1": d1,
        "staff_a": UtilisateurFactory(comite=True),
        "staff_b": UtilisateurFactory(comite=True, roles__contrat=b["contrat"]),
        "portail": UtilisateurFactory(administrateur=True),
    }


def _html(reponse):
    return reponse.content.decode()


def _fr(texte):
    """French number formats as the portal prints them, with no-break spaces."""
    texte = re.sub(r"(\d) (\d{3})", "\\1\u00a0\\2", texte)
    return texte.replace(" €", "\u00a0€").replace(" %", "\u00a0%")


# --- Choosing the contract ----------------------------------------------------------------------


def test_chacun_arrive_sur_son_contrat(client, monde):
    """Without a choice, the page shows the latest call among the user's own contracts."""
    client.force_login(monde["staff_b"])

    reponse = client.get(reverse("bilans:tableau_de_bord"))

    assertContains(reponse, "<strong>Contrat de ville de Nîmes Métropole</strong> (Nîmes "
                            "Métropole, Engagements Quartiers 2030)")
    assertContains(reponse, 'value="nimes-metropole-2024"')
    assertContains(reponse, '<dd id="synthese-deposes">2</dd>')
    assertNotContains(reponse, "Association Alpha")


@pytest.mark.parametrize("nom", ["tableau_de_bord", "xlsx", "pdf", "pluriannuel",
                                 "pluriannuel_xlsx"])
def test_le_personnel_de_a_n_ouvre_pas_les_bilans_de_b(client, monde, nom):
    client.force_login(monde["staff_a"])

    reponse = client.get(reverse(f"bilans:{nom}"), {"contrat": "nimes-metropole-2024"})
    par_le_nom = client.get(
        reverse(f"bilans:{nom}"),
        {"contrat": "Contrat de ville de Nîmes Métropole", "annee_debut": 2024,
         "annee_fin": 2025},
    )

    assert (reponse.status_code, par_le_nom.status_code) == (404, 404)
    assert not GenerationBilan.objects.exists()


def test_l_administrateur_du_portail_choisit_tout_contrat(client, monde):
    client.force_login(monde["portail"])

    reponse = client.get(reverse("bilans:tableau_de_bord"),
                         {"contrat": "nimes-metropole-2024", "annee_debut": 2024,
                          "annee_fin": 2025})

    assertContains(reponse, '<dd id="synthese-deposes">4</dd>')
    assertContains(reponse, _fr('<dd id="synthese-accorde">8 000 €</dd>'))


def test_contrat_inconnu_message_au_champ(client, monde):
    client.force_login(monde["portail"])

    reponse = client.get(reverse("bilans:tableau_de_bord"), {"contrat": "atlantide-2030"})

    assertContains(reponse, "Aucun contrat de ville ne porte le code ou le nom « atlantide-2030 »",
                   count=2)
    assertContains(reponse, 'value="atlantide-2030"')
    assertNotContains(reponse, 'id="synthese-deposes"')


def test_piliers_et_quartiers_du_seul_contrat_choisi(client, monde):
    """B's page proposes B's pilier and QPV only; A's pilier is refused on B."""
    client.force_login(monde["portail"])
    pilier_a = monde["a"].piliers.order_by("ordre").first()

    page = client.get(reverse("bilans:tableau_de_bord"), {"contrat": "nimes-metropole-2024"})
    melange = client.get(reverse("bilans:tableau_de_bord"), {
        "contrat": "nimes-metropole-2024", "annee_debut": 2025, "annee_fin": 2025,
        "pilier": pilier_a.pk,
    })

    form = page.context["form"]
    assert list(form.fields["pilier"].queryset) == [monde["arbre_b"]["pilier"]]
    assert list(form.fields["quartier"].queryset) == [monde["arbre_b"]["quartier"]]
    assert [a for a, _ in form.fields["annee_debut"].choices] == [2025, 2024]
    assert melange.context["bilan"] is None
    assert "pilier" in melange.context["form"].errors


def test_recherche_des_contrats_limitee_aux_siens(client, monde):
    url = reverse("bilans:contrats")
    client.force_login(monde["staff_b"])
    siens = client.get(url, {"q": "contrat"}).json()["resultats"]
    client.force_login(monde["portail"])
    tous = client.get(url, {"q": "contrat"}).json()["resultats"]

    assert [c["valeur"] for c in siens] == ["nimes-metropole-2024"]
    assert {c["valeur"] for c in tous} == {"ales-agglomeration-2015", "nimes-metropole-2024"}


# --- Files of another contract -------------------------------------------------------------------


def _fichier(contrat, structure=None):
    generation = GenerationBilan(
        format="pdf", contrat=contrat, annee_debut=2024, annee_fin=2025, structure=structure,
        empreinte="x", etat=GenerationBilan.Etat.TERMINEE, progression=100,
    )
    generation.fichier.save("bilan.pdf", ContentFile(b"%PDF-1.4 bilan"), save=False)
    generation.save()
    return generation


@pytest.mark.parametrize("nom", ["generation", "generation_etat", "generation_fichier"])
def test_fichiers_generes_du_seul_contrat(client, monde, nom):
    generation = _fichier(monde["b"])
    url = reverse(f"bilans:{nom}", args=[generation.pk])

    client.force_login(monde["staff_a"])
    refus = client.get(url)
    client.force_login(monde["staff_b"])
    accord = client.get(url)

    assert (refus.status_code, accord.status_code) == (404, 200)


def test_bilan_d_une_structure_de_b_refuse_au_personnel_de_a(client, monde):
    url = reverse("bilans:structure_pdf", args=[monde["structure_b"].pk])
    client.force_login(monde["staff_a"])

    assert client.get(url).status_code == 404


def test_seuil_d_ecart_de_b_refuse_a_l_administrateur_de_a(client, monde):
    url = reverse("bilans:parametres", args=[monde["appels_b"][1].pk])
    client.force_login(administrateur_de(territoire=monde["a"].territoire))
    refus = client.get(url)
    client.force_login(administrateur_de(contrat=monde["b"]))
    accord = client.get(url)

    assert (refus.status_code, accord.status_code) == (404, 200)


# --- Multi-year view --------------------------------------------------------------------------


def _perimetre_b(monde, **options):
    return Perimetre(contrat_id=monde["b"].pk, annee_debut=2024, annee_fin=2025, **options)


def test_agregation_pluriannuelle_de_b(monde):
    """Hand-computed figures of B: retained dossiers only, achieved from validated bilans."""
    bilan = agreger_pluriannuel(_perimetre_b(monde))

    assert bilan.annees == [2024, 2025]
    assert [(s.libelle, s.valeurs, s.total) for s in bilan.total.series] == [
        ("Dossiers retenus", [1, 2], 3),
        ("Montant demandé", [3500, 6200], 9700),
        ("Montant accordé", [3000, 5000], 8000),
        ("Bilans validés", [1, 0], 1),
    ]
    [objectif] = bilan.objectifs
    [indicateur] = objectif.indicateurs
    assert objectif.code == "1.1.1"
    assert (indicateur.prevu.valeurs, indicateur.realise.valeurs) == ([20, 18], [18, 0])
    assert (indicateur.taux, indicateur.taux_total) == ([0.9, 0.0], 0.4737)

    avec_deposes = agreger_pluriannuel(_perimetre_b(monde, inclure_deposes=True))
    assert avec_deposes.total.bilans.valeurs == [1, 1]
    assert avec_deposes.objectifs[0].indicateurs[0].realise.valeurs == [18, 6]


def test_la_vue_pluriannuelle_de_b(client, monde):
    """Every call of the contract side by side, totals, forecast against achieved."""
    client.force_login(monde["staff_b"])

    reponse = client.get(reverse("bilans:pluriannuel"))

    html = _html(reponse)
    assert '<th scope="col" class="montant">2024</th><th scope="col" class="montant">2025</th>' \
        '<th scope="col" class="montant">Total</th>' in html
    assert _fr(
        '<tr><th scope="row">Montant accordé</th><td class="montant">3 000 €</td>'
        '<td class="montant">5 000 €</td><td class="montant total">8 000 €</td></tr>'
    ) in html
    assert ('<tr><th scope="row">Réalisé</th><td class="montant">18</td>'
            '<td class="montant">0</td><td class="montant total">18</td></tr>') in html
    assert _fr('<tr><th scope="row">Taux de réalisation</th><td class="montant">90,0 %</td>'
               '<td class="montant">0,0 %</td><td class="montant total">47,4 %</td></tr>') in html
    assertContains(reponse, "Personnes accompagnées")
    assertNotContains(reponse, "Contrat de ville d&#x27;Alès Agglomération</strong>")
    assertNotContains(reponse, "Nombre d&#x27;habitants mobilisés")


def test_la_vue_pluriannuelle_coute_autant_de_requetes_pour_plus_de_dossiers(
    client, monde, django_assert_num_queries
):
    client.force_login(monde["staff_b"])
    url = reverse("bilans:pluriannuel")
    with CaptureQueriesContext(connection) as peu:
        client.get(url)
    action = monde["arbre_b"]["action"]
    for appel in monde["appels_b"]:
        for _ in range(6):
            _dossier(appel, action, "cloture", accorde=500, prevu=(1, 1), realise=(1, 1),
                     budget=[("74_epci", 600)])

    with django_assert_num_queries(len(peu)):
        reponse = client.get(url)

    assert reponse.context["bilan"].total.retenus.valeurs == [7, 8]


def test_le_classeur_pluriannuel_est_toujours_construit_en_arriere_plan(client, monde, settings):
    """Even small, the request only queues it; the page shows the wait."""
    settings.TASKS = EN_ATTENTE
    client.force_login(monde["staff_b"])

    reponse = client.get(reverse("bilans:pluriannuel_xlsx"), follow=True)

    generation = GenerationBilan.objects.get()
    assert (generation.contrat, generation.annee_debut, generation.annee_fin) == (
        monde["b"], 2024, 2025
    )
    assert generation.etat == GenerationBilan.Etat.EN_ATTENTE
    assertContains(reponse, "En attente")


def test_le_classeur_pluriannuel_relu(client, monde, settings,
                                      django_capture_on_commit_callbacks):
    """Built by the task, kept, read back: B's years side by side, nothing of A."""
    settings.TASKS = IMMEDIAT
    client.force_login(monde["staff_b"])

    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("bilans:pluriannuel_xlsx"))
    generation = GenerationBilan.objects.get()
    fichier = client.get(reverse("bilans:generation_fichier", args=[generation.pk]))
    classeur = load_workbook(io.BytesIO(b"".join(fichier.streaming_content)))

    lignes = list(classeur[FEUILLE].iter_rows(values_only=True))
    assert lignes[0] == ("Pilier", "Objectif", "Intitulé", "Indicateur", "Mesure", "2024",
                         "2025", "Total")
    par_mesure = {(ligne[1], ligne[3], ligne[4]): ligne[5:] for ligne in lignes[1:]}
    assert par_mesure[(None, None, "Dossiers retenus")] == (1, 2, 3)
    assert par_mesure[(None, None, "Montant demandé (€)")] == (3500, 6200, 9700)
    assert par_mesure[("1.1.1", None, "Montant accordé (€)")] == (3000, 5000, 8000)
    assert par_mesure[("1.1.1", "Personnes accompagnées", "Prévu")] == (20, 18, 38)
    assert par_mesure[("1.1.1", "Personnes accompagnées", "Réalisé")] == (18, 0, 18)
    synthese = {lg[0]: lg[1] for lg in classeur["Synthèse"].iter_rows(values_only=True)}
    assert synthese["Contrat de ville"] == "Contrat de ville de Nîmes Métropole"
    references = {lg[1] for lg in list(classeur["Données brutes"].iter_rows(values_only=True))[1:]}
    assert references == {monde["d1"].reference}

    encore = client.get(reverse("bilans:pluriannuel_xlsx"))
    assert encore.url == reverse("bilans:generation_fichier", args=[generation.pk])
    client.force_login(monde["staff_a"])
    assert client.get(reverse("bilans:generation_fichier", args=[generation.pk])).status_code \
        == 404


def test_habilitation_sur_tout_le_territoire_de_b(client, monde):
    """A territory habilitation reaches every contract of that territory, B included."""
    territorial = UtilisateurFactory()
    Habilitation.objects.create(utilisateur=territorial, role=Role.INSTRUCTEUR,
                                territoire=monde["b"].territoire)
    client.force_login(territorial)

    assert client.get(reverse("bilans:pluriannuel"),
                      {"contrat": "nimes-metropole-2024"}).status_code == 200
    assert client.get(reverse("bilans:pluriannuel"),
                      {"contrat": "ales-agglomeration-2015"}).status_code == 404
