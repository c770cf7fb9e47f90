"""Journey: an instructor finds a structure in the queue by typing, then exports a long list."""

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.evaluation.factories import MembreFactory, UtilisateurFactory, dossier_depose
from tests.navigateur.accessibilite import verifier_accessibilite
from tests.navigateur.test_parcours_instruction import _connecter


def test_chercher_une_structure_puis_exporter_en_arriere_plan(page, referentiel_charge, settings,
                                                              tmp_path):
    """Suggestions while typing, the filter applied on the server, then the export built in
    the background with its progress page that updates itself."""
    from evaluation.instruction import taches
    from evaluation.models import GenerationExport

    settings.EXPORTS_SEUIL_ARRIERE_PLAN = 0
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    jardins = dossier_depose(
        membre=MembreFactory(structure__raison_sociale="Les Jardins du Gardon")
    )
    autre = dossier_depose(
        appel=jardins.appel, membre=MembreFactory(structure__raison_sociale="Cévennes Solidaires")
    )
    _connecter(page, UtilisateurFactory(instructeur=True))
    page.goto(f"/instruction/appels/{jardins.appel_id}/")

    champ = page.get_by_label("Structure (nom, SIRET ou RNA)")
    champ.fill("Gardon")
    expect(page.locator("#structures-suggerees option")).to_have_count(1)
    expect(page.locator("#structures-suggerees option")).to_have_attribute(
        "value", jardins.structure.siret
    )
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("status").filter(has_text="dossier")).to_contain_text("1 dossier")
    expect(page.get_by_role("link", name=autre.reference)).to_have_count(0)
    expect(page.get_by_label("Structure (nom, SIRET ou RNA)")).to_have_value("Gardon")
    verifier_accessibilite(page, "file filtrée par structure")

    page.get_by_role("link", name="Exporter la liste filtrée (XLSX)").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Préparation de l'export")
    expect(page.get_by_role("status")).to_contain_text("En attente")
    verifier_accessibilite(page, "préparation d'un export en arrière-plan")
    taches.generer_export.call(generation_id=str(GenerationExport.objects.get().pk))
    lien = page.get_by_role("link", name="Télécharger le fichier")
    expect(lien).to_be_visible()
    with page.expect_download() as telechargement:
        lien.click()
    chemin = tmp_path / "dossiers.xlsx"
    telechargement.value.save_as(chemin)
    lignes = list(load_workbook(chemin).active.values)
    assert [ligne[0] for ligne in lignes[1:]] == [jardins.reference]
    assert page.erreurs_csp == []
