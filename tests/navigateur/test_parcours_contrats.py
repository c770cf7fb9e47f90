"""Journeys across contracts: a comité member of Nîmes reads its contract's annual and
multi-year bilans; a visitor tells the calls of two territories apart."""

import re

from playwright.sync_api import expect

from tests.candidatures.contrats import creer_contrat
from tests.candidatures.factories import MOT_DE_PASSE, AppelAProjetsFactory, UtilisateurFactory
from tests.evaluation.factories import DecisionFactory, DossierFactory

from .accessibilite import verifier_accessibilite


def test_le_comite_de_nimes_lit_la_vue_pluriannuelle_de_son_contrat(
    page, referentiel_charge, settings
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    nimes = creer_contrat()
    for annee, accorde in ((2024, 3000), (2025, 4500)):
        appel = AppelAProjetsFactory(contrat=nimes["contrat"], annee=annee, clos=True)
        dossier = DossierFactory(appel=appel, action_principale=nimes["action"], en_cours=True)
        DecisionFactory(dossier=dossier, montant_accorde=accorde)
    AppelAProjetsFactory(annee=2025, clos=True)  # Alès: never shown to Nîmes' comité
    comite = UtilisateurFactory(comite=True, roles__contrat=nimes["contrat"])

    page.goto("/comptes/connexion/")
    page.get_by_label("Adresse électronique").fill(comite.email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    navigation = page.get_by_role("navigation", name="Navigation principale")
    navigation.get_by_role("button", name="Bilans", exact=True).click()
    navigation.get_by_role("link", name="Bilans annuels").click()
    expect(page.get_by_role("combobox", name="Contrat de ville")).to_have_value(
        "nimes-metropole-2024"
    )
    verifier_accessibilite(page, "bilans annuels d'un contrat")
    page.get_by_role("link", name="vue pluriannuelle").click()

    total = page.get_by_role("table", name=re.compile("Tous les objectifs"))
    expect(total.get_by_role("row", name=re.compile("Montant accordé"))).to_contain_text(
        re.compile(r"3\s000\s€.*4\s500\s€.*7\s500\s€")
    )
    verifier_accessibilite(page, "vue pluriannuelle")
    page.get_by_role("link", name="Préparer le classeur Excel").click()
    expect(page.get_by_role("heading", name="Préparation du bilan Excel")).to_be_visible()
    expect(page.get_by_text("Contrat de ville de Nîmes Métropole")).to_be_visible()
    assert page.erreurs_csp == []


def test_les_appels_de_deux_territoires(page, referentiel_charge):
    nimes = creer_contrat()["contrat"]
    AppelAProjetsFactory(annee=2031, titre="Appel à projets 2031")
    AppelAProjetsFactory(contrat=nimes, annee=2031, titre="Appel à projets 2031")

    page.goto("/appels/")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Appels à projets des contrats de ville"
    )
    expect(page.get_by_role("row", name=re.compile("Nîmes Métropole"))).to_contain_text(
        "Engagements Quartiers 2030"
    )
    verifier_accessibilite(page, "liste des appels à projets")
    page.get_by_role("row", name=re.compile("Nîmes Métropole")).get_by_role("link").click()
    expect(page.get_by_text("Contrat de ville de Nîmes Métropole — Engagements")).to_be_visible()
    verifier_accessibilite(page, "appel d'un autre territoire")
    assert page.erreurs_csp == []
