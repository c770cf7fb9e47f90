"""Journey: a visitor browses the catalogue, searches a word, opens an objective."""

from playwright.sync_api import expect

from referentiel.models import Objectif
from tests.navigateur.accessibilite import verifier_accessibilite


def test_consulter_rechercher_et_ouvrir_un_objectif(page, referentiel_charge):
    """Search "egalite", open objective 1.3.3, read its cahier des charges and indicators."""
    objectif = Objectif.objects.get(code="1.3.3")
    exigence = objectif.exigences.first().texte
    indicateur = objectif.indicateurs.filter(ventilation="FG").first().libelle

    page.goto("/referentiel/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fiches actions du contrat de ville")
    expect(page.get_by_role("heading", name="Pilier 1 : Cohésion sociale")).to_be_visible()
    verifier_accessibilite(page, "arborescence")

    page.get_by_label("Rechercher un code ou des mots").fill("egalite")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("heading", name="pour « egalite »")).to_be_visible()
    expect(page.locator("mark").first).to_have_text("égalité")
    verifier_accessibilite(page, "résultats de recherche")

    page.get_by_role("link", name="1.3.3").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("1.3.3")
    cahier = page.get_by_role("region", name="Cahier des charges")
    expect(cahier.get_by_text(exigence)).to_be_visible()
    indicateurs = page.get_by_role("region", name="Indicateurs d'évaluation")
    ligne = indicateurs.get_by_role("row").filter(has_text=indicateur)
    expect(ligne).to_contain_text("F/G")
    verifier_accessibilite(page, "page de l'objectif 1.3.3")

    assert page.erreurs_csp == []


def test_navigation_au_clavier_lien_d_evitement(page, referentiel_charge):
    """The first Tab reaches the skip link, which moves focus to the main content."""

    page.goto("/referentiel/ales-agglomeration-2015/objectifs/1.1.1/")
    page.keyboard.press("Tab")

    lien = page.get_by_role("link", name="Aller au contenu")
    expect(lien).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#contenu")).to_be_focused()


def test_objectif_hors_appel_et_renvoi(page, referentiel_charge):
    """A visitor sees the "hors appel à projets" notice and follows a cross-reference."""

    page.goto("/referentiel/ales-agglomeration-2015/objectifs/1.3.10/")
    renvois = page.get_by_role("region", name="Renvois")
    renvois.get_by_role("link", name="orientation stratégique 1.4").click()
    expect(page.get_by_role("heading", name="1.4")).to_be_visible()

    code = Objectif.objects.filter(hors_appel_a_projets=True).first().code
    page.goto(f"/referentiel/ales-agglomeration-2015/objectifs/{code}/")
    expect(page.get_by_role("note")).to_contain_text("Hors appel à projets")
    verifier_accessibilite(page, f"objectif {code}")
