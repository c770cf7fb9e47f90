"""Typing the details of a budget line (641, 645…) updates the line and the totals live, and
announces the new amount politely; the server stores the same sum."""

from playwright.sync_api import expect

from candidatures.models import LigneBudget
from tests.candidatures.factories import MOT_DE_PASSE, DossierFactory, MembreFactory
from tests.navigateur.accessibilite import verifier_accessibilite


def test_les_details_font_le_total_de_leur_ligne(page, referentiel_charge):
    membre = MembreFactory()
    dossier = DossierFactory(structure=membre.structure)
    page.goto("/comptes/connexion/")
    page.get_by_label("Adresse électronique").fill(membre.utilisateur.email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"/dossiers/{dossier.pk}/modifier/")

    page.get_by_label("dont 641 Rémunération des personnels").fill("6 000")
    page.get_by_label("dont 645 Charges sociales").fill("2500")

    expect(page.get_by_label("64 Charges de personnel")).to_have_value("8\u202f500")
    expect(page.locator("#total-charges")).to_have_text("8\u202f500")
    annonce = page.locator(".annonce-sous-lignes")
    expect(annonce).to_have_attribute("aria-live", "polite")
    expect(annonce).to_contain_text("Charges de personnel : 8\u202f500\u00a0€, somme des détails")
    verifier_accessibilite(page, "budget avec détails")

    page.get_by_role("button", name="Enregistrer le brouillon").first.click()
    expect(page.get_by_label("64 Charges de personnel")).to_have_value("8500")
    assert LigneBudget.objects.get(dossier=dossier, code="64").montant == 8500
