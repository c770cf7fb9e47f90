"""Journey: the comité grants the proposed amount explicitly; the envelope's remainder follows."""

import re

from playwright.sync_api import expect

from evaluation.models import Decision
from tests.candidatures.factories import MOT_DE_PASSE
from tests.evaluation.factories import UtilisateurFactory, dossier_instruit
from tests.navigateur.accessibilite import verifier_accessibilite


def _montant(texte):
    """« 4 000 € » whatever the spaces (non-breaking, narrow) between the digits."""
    return re.compile(texte.replace(" ", r"\s"))


def test_accorder_le_propose_et_suivre_le_reste(page, referentiel_charge):
    comite = UtilisateurFactory(comite=True, prenom="Anne", nom="Roux")
    premier = dossier_instruit()
    second = dossier_instruit(appel=premier.appel)
    pilier = premier.action_principale.objectif.orientation.pilier
    premier.appel.enveloppes.create(pilier=pilier, montant=10000)

    page.goto("/comptes/connexion/")
    page.get_by_label("Adresse électronique").fill(comite.email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    page.goto(f"/instruction/appels/{premier.appel.pk}/programmation/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Programmation")
    verifier_accessibilite(page, "programmation")

    reste = page.locator(f'[data-enveloppes] tr[data-pilier="{pilier.pk}"] [data-reste]')
    montant = page.get_by_label(f"Montant accordé (€) — {premier.reference}")
    expect(montant).to_have_value("")  # nothing granted silently
    expect(reste).to_have_text(_montant("10 000 €"))

    # With JavaScript the button fills the row: « retenu » at the proposed amount, not saved.
    page.get_by_role("button", name=re.compile(
        f"Accorder le montant proposé .* à {premier.reference}"
    )).click()
    expect(montant).to_have_value("6000")
    expect(page.get_by_label(f"Décision — {premier.reference}")).to_have_value("retenu")
    expect(reste).to_have_text(_montant("4 000 €"))
    expect(page.locator("[data-annonce]")).to_contain_text(re.compile(r"4\s000"))
    assert not Decision.objects.exists()

    # Typing on another row updates the remainder as the amount is typed.
    page.get_by_label(f"Décision — {second.reference}").select_option("retenu")
    page.get_by_label(f"Montant accordé (€) — {second.reference}").fill("5000")
    expect(reste).to_have_text(re.compile(r"[-\u2212]1\s000\s€"))
    expect(reste).to_have_class(re.compile("depasse"))
    page.get_by_label(f"Montant accordé (€) — {second.reference}").fill("3000")
    expect(reste).to_have_text(_montant("1 000 €"))
    verifier_accessibilite(page, "programmation en saisie")

    page.get_by_role("button", name="Enregistrer les décisions saisies").click()
    expect(page.locator(".messages")).to_contain_text("2 décisions enregistrées")
    # After saving, the page (server-side) shows the remainder of what was granted.
    expect(reste).to_have_text(_montant("1 000 €"))
    assert set(Decision.objects.values_list("montant_accorde", flat=True)) == {6000, 3000}
    verifier_accessibilite(page, "programmation après enregistrement")
    assert page.erreurs_csp == []
