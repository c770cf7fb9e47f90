"""The main navigation of each role: one line per entry at 1280 and 390 px, every page reachable
with the mouse and the keyboard, the current page announced, no accessibility violation."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.candidatures.factories import MembreFactory, UtilisateurFactory

from .accessibilite import verifier_accessibilite

# Entries shown directly in the bar, then the menus and their items, per role.
DIRECTES = {
    "anonyme": ["Fiches actions", "Appel à projets"],
    "porteur": ["Fiches actions", "Appel à projets", "Mes dossiers", "Structures", "Bilans"],
    "instructeur": ["Fiches actions", "Appel à projets", "Structures", "Instruction"],
    "comite": ["Fiches actions", "Appel à projets", "Structures", "Instruction"],
    "administrateur": ["Fiches actions", "Appel à projets", "Structures", "Instruction"],
}
BILANS = {"Bilans": ["Bilans à valider", "Bilans annuels"]}
GESTION = {"Gestion": ["Comptes et rôles", "Appels à projets", "Instructeurs par défaut"]}
MENUS = {
    "anonyme": {},
    "porteur": {},
    "instructeur": BILANS,
    "comite": BILANS,
    "administrateur": {**BILANS, **GESTION},
}
LARGEURS = {"bureau": 1280, "mobile": 390}

# Number of distinct lines the text of an element spans.
LIGNES = """el => {
  const r = document.createRange(); r.selectNodeContents(el);
  return new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top))).size;
}"""


def _connecter(page, live_server, role):
    if role == "anonyme":
        return
    utilisateur = UtilisateurFactory(**{role: True})
    if role == "porteur":
        MembreFactory(utilisateur=utilisateur)
    client = Client()
    client.force_login(utilisateur)
    page.context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }])


def _ouvrir_le_menu_si_replie(page, barre):
    bouton = barre.get_by_role("button", name="Afficher le menu")
    if bouton.is_visible():
        bouton.click()
        expect(bouton).to_have_attribute("aria-expanded", "true")


def _une_seule_ligne(element, libelle):
    assert element.evaluate(LIGNES) == 1, f"« {libelle} » tient sur plusieurs lignes"


@pytest.mark.parametrize("largeur", LARGEURS)
@pytest.mark.parametrize("role", DIRECTES)
def test_navigation_sur_une_ligne_et_accessible(page, live_server, referentiel_charge, role,
                                                largeur):
    """Every entry of the role's navigation fits on one line and opens; menus open too."""
    page.set_viewport_size({"width": LARGEURS[largeur], "height": 900})
    _connecter(page, live_server, role)
    page.goto("/")
    barre = page.get_by_role("navigation", name="Navigation principale")
    marque = barre.get_by_role("link", name=settings.PORTAIL_NOM)
    if largeur == "bureau":
        _une_seule_ligne(marque, "nom du portail")
    assert page.evaluate("document.documentElement.scrollWidth") <= LARGEURS[largeur]

    _ouvrir_le_menu_si_replie(page, barre)
    entrees = [barre.get_by_role("link", name=n, exact=True) for n in DIRECTES[role]]
    entrees += [barre.get_by_role("button", name=n, exact=True) for n in MENUS[role]]
    for entree, libelle in zip(entrees, [*DIRECTES[role], *MENUS[role]], strict=True):
        expect(entree).to_be_visible()
        _une_seule_ligne(entree, libelle)
    if largeur == "bureau":
        hauts = {round(e.bounding_box()["y"]) for e in entrees}
        assert len(hauts) == 1, "la barre de navigation passe sur deux rangées"
    assert barre.get_by_role("link").count() == 1 + len(DIRECTES[role])

    for menu, elements in MENUS[role].items():
        bouton = barre.get_by_role("button", name=menu, exact=True)
        bouton.click()
        expect(bouton).to_have_attribute("aria-expanded", "true")
        for nom in elements:
            lien = barre.get_by_role("link", name=nom, exact=True)
            expect(lien).to_be_visible()
            _une_seule_ligne(lien, nom)
        verifier_accessibilite(page, f"menu {menu} ouvert ({role}, {largeur})")
        page.keyboard.press("Escape")
        expect(bouton).to_have_attribute("aria-expanded", "false")
    verifier_accessibilite(page, f"accueil ({role}, {largeur})")
    assert page.erreurs_csp == []


@pytest.mark.parametrize("role", ["comite", "administrateur"])
def test_un_menu_s_ouvre_au_clavier_et_signale_la_page_courante(page, live_server,
                                                               referentiel_charge, role):
    """With the keyboard only, the Bilans menu opens and leads to the annual bilans, which the
    menu then marks as the current page."""
    _connecter(page, live_server, role)
    page.goto("/")
    barre = page.get_by_role("navigation", name="Navigation principale")
    bouton = barre.get_by_role("button", name="Bilans", exact=True)

    bouton.focus()
    page.keyboard.press("Enter")
    expect(bouton).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(barre.get_by_role("link", name="Bilans à valider")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(barre.get_by_role("link", name="Bilans annuels")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/bilans/annuels/")
    courant = barre.locator("[aria-current=page]")
    expect(courant).to_have_count(1)
    expect(courant).to_have_text("Bilans annuels")
    assert page.erreurs_csp == []


def test_la_page_courante_est_signalee_dans_la_barre(page, live_server, referentiel_charge):
    """A porteur on the structures page sees « Structures » marked as the current page."""
    _connecter(page, live_server, "porteur")

    page.goto("/structures/")

    courant = page.get_by_role("navigation", name="Navigation principale").locator(
        "[aria-current=page]"
    )
    expect(courant).to_have_count(1)
    expect(courant).to_have_text("Structures")
