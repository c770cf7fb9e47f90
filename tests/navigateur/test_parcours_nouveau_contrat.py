"""Journey: a portal administrator loads a new contract from its workbook (dry run, then
confirm) and opens a call on it; a porteur files a dossier on one of its actions; an instructeur
of the other contract cannot see it."""

import re

from django.conf import settings
from playwright.sync_api import expect

from candidatures.models import AppelAProjets, Dossier, Statut
from referentiel.models import Contrat
from tests.candidatures.factories import (
    MOT_DE_PASSE,
    MembreFactory,
    UtilisateurFactory,
    completer_dossier,
    deposer_documents_structure,
)

from .accessibilite import verifier_accessibilite

CLASSEUR = settings.BASE_DIR / "fixtures" / "contrat_exemple.xlsx"


def _connecter(page, utilisateur):
    page.goto("/comptes/connexion/")
    page.get_by_label("Adresse électronique").fill(utilisateur.email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def _deconnecter(page):
    page.goto("/")
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)


def test_un_nouveau_contrat_du_classeur_a_l_instruction_cloisonnee(page, referentiel_charge):
    administrateur = UtilisateurFactory(administrateur=True, is_superuser=True, is_staff=True)
    instructeur_ales = UtilisateurFactory(instructeur=True, prenom="Paul", nom="Durand")
    membre = MembreFactory(utilisateur__prenom="Inès", utilisateur__nom="Martin")
    deposer_documents_structure(membre.structure)

    # 1. The administrator loads the workbook: a dry run first, nothing written.
    _connecter(page, administrateur)
    page.goto("/admin/referentiel/contrat/")
    page.get_by_role("link", name="Importer un classeur").click()
    page.get_by_label("Classeur (.xlsx)").set_input_files(str(CLASSEUR))
    page.get_by_label("Code du contrat").fill("val-fictif-2030")
    page.get_by_role("button", name="Vérifier et voir l'aperçu").click()
    expect(page.get_by_role("button", name="Confirmer l'import")).to_be_visible()
    expect(page.locator("#content-main")).to_contain_text("Actions")
    assert not Contrat.objects.filter(code="val-fictif-2030").exists()

    # … then confirmed.
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.locator(".messagelist")).to_contain_text("val-fictif-2030")
    contrat = Contrat.objects.get(code="val-fictif-2030")
    assert contrat.piliers.exists()

    # 2. The administrator opens this year's call on the new contract.
    page.goto("/admin/candidatures/appelaprojets/add/")
    page.get_by_label("Contrat de ville").select_option(label=str(contrat))
    page.get_by_label("Année").fill("2099")
    page.get_by_label("Titre").fill("Appel à projets du Val-Fictif")
    page.locator("#id_ouverture_0").fill("2020-01-01")
    page.locator("#id_ouverture_1").fill("09:00:00")
    page.locator("#id_cloture_0").fill("2098-12-31")
    page.locator("#id_cloture_1").fill("12:00:00")
    page.get_by_role("button", name=re.compile("^Enregistrer$")).click()
    expect(page.locator(".messagelist")).to_contain_text("Appel à projets du Val-Fictif")
    appel = AppelAProjets.objects.get(contrat=contrat)
    _deconnecter(page)

    # 3. A porteur files a dossier on one of the new contract's actions.
    _connecter(page, membre.utilisateur)
    page.goto("/dossiers/nouveau/")
    page.get_by_label(re.compile("Appel à projets")).select_option(value=str(appel.pk))
    page.get_by_role("button", name="Créer le brouillon").click()
    page.get_by_label("Code de l'action principale").fill("1.1.1.a")
    page.get_by_label("Personne chargée du dossier").click()
    expect(page.locator("#apercu-fiche")).to_contain_text("Ateliers d'aide aux devoirs")
    expect(page.locator("#etat-enregistrement")).to_contain_text("Enregistré à")
    dossier = Dossier.objects.get(appel=appel)
    assert dossier.action_principale.contrat == contrat
    completer_dossier(dossier, signataire=membre.utilisateur)
    page.reload()
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.locator(".messages")).to_contain_text("déposé")
    dossier.refresh_from_db()
    assert dossier.statut == Statut.DEPOSE
    verifier_accessibilite(page, "dossier déposé sur le nouveau contrat")
    _deconnecter(page)

    # 4. The instructeur of Alès sees nothing of it: not in the queue, not by its address.
    _connecter(page, instructeur_ales)
    page.goto("/instruction/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(dossier.reference)
    reponse = page.goto(f"/instruction/dossiers/{dossier.pk}/")
    assert reponse.status == 404
    expect(page.locator("main")).not_to_contain_text(dossier.reference)
    verifier_accessibilite(page, "dossier d'un autre contrat, côté instructeur")
