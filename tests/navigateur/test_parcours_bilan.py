"""Journey: an operator reports its bilan, an instructor validates it, the comité reads the year."""

import re

from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from candidatures.models import Statut
from tests.candidatures.factories import MOT_DE_PASSE, PDF_MINIMAL
from tests.evaluation.factories import MembreFactory, UtilisateurFactory, dossier_retenu
from tests.navigateur.accessibilite import verifier_accessibilite
from tests.navigateur.clics import ouvrir


def _connecter(page, utilisateur):
    page.goto("/comptes/connexion/")
    page.get_by_label("Adresse électronique").fill(utilisateur.email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def _deconnecter(page):
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()


def _espaces(texte):
    return re.sub(r"[\s\u00a0\u202f]+", " ", texte)


def _indicateur(page, libelle):
    return page.get_by_role("group", name=re.compile(re.escape(libelle)))


def _telecharger_prepare(page, nom_du_lien, executer_taches):
    """Ask for a bilan file, let the worker build it, take it from the progress page (which
    polls its state until the file is ready)."""
    page.get_by_role("link", name=nom_du_lien).click()
    expect(page.get_by_role("heading", name=re.compile("Préparation du bilan"))).to_be_visible()
    executer_taches()
    lien = page.get_by_role("link", name="Télécharger le fichier")
    expect(lien).to_be_visible()
    with page.expect_download() as telechargement:
        lien.click()
    return telechargement


def test_bilan_rempli_valide_et_lu_dans_le_bilan_annuel(
    page, referentiel_charge, tmp_path, executer_taches
):
    """Fill with a mistake, fix, explain gaps, submit; validate; read the figures in both files."""
    membre = MembreFactory(utilisateur__prenom="Inès", utilisateur__nom="Martin")
    dossier = dossier_retenu(membre=membre)
    instructeur = UtilisateurFactory(instructeur=True, prenom="Paul", nom="Durand")
    comite = UtilisateurFactory(comite=True, prenom="Jeanne", nom="Roux")

    # The operator finds the bilan to give and starts it.
    _connecter(page, membre.utilisateur)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Bilans", exact=True
    ).click()
    expect(page.get_by_role("heading", name="Bilans à remettre")).to_be_visible()
    verifier_accessibilite(page, "liste des bilans (structure)")
    ouvrir(page.get_by_role("link", name=f"Remplir le bilan du dossier {dossier.reference}"))
    verifier_accessibilite(page, "commencer le bilan")
    page.get_by_role("button", name="Commencer le bilan").click()
    expect(page.get_by_role("heading", name="1. Indicateurs réalisés")).to_be_visible()
    verifier_accessibilite(page, "formulaire de bilan vide")

    # Indicators: the forecast is beside each field, the total is computed as one types.
    habitants = _indicateur(page, "Nombre d'habitants mobilisés")
    expect(habitants).to_contain_text("prévu : 10")
    habitants.get_by_label("Femmes").fill("17")
    habitants.get_by_label("Hommes").fill("-4")
    for champ in page.get_by_label(re.compile(r"^Nombre prévu")).all():
        champ.fill("6")
    for reponse in page.get_by_label("Réponse").all():
        reponse.fill("Objectif atteint, voir le bilan moral.")
    page.get_by_role("button", name="Enregistrer le brouillon").first.click()

    # The mistake comes back as typed, with its message; the rest is saved.
    resume = page.locator("#resume-erreurs")
    expect(resume).to_contain_text("Saisissez un nombre positif ou nul.")
    habitants = _indicateur(page, "Nombre d'habitants mobilisés")
    expect(habitants.get_by_label("Hommes")).to_have_value("-4")
    expect(habitants.get_by_label("Femmes")).to_have_value("17")
    verifier_accessibilite(page, "bilan avec une erreur")
    habitants.get_by_label("Hommes").fill("13")
    expect(page.locator(f"#total-{_id_indicateur(habitants)}")).to_have_text("30")

    # The qualitative bilan.
    page.get_by_label("Ce qui a été réalisé").fill("Douze animations de rue.")
    page.get_by_label("Date de début effective").fill(f"{dossier.appel.annee}-03-01")
    page.get_by_label("Date de fin effective").fill(f"{dossier.appel.annee}-11-30")
    page.get_by_label("Lieux de réalisation").fill("Prés-Saint-Jean, Tamaris")
    page.get_by_label("Femmes (18 ans et plus)").fill("21")
    page.get_by_label("Hommes (18 ans et plus)").fill("16")
    page.get_by_label("Filles (moins de 18 ans)").fill("6")
    page.get_by_label("Garçons (moins de 18 ans)").fill("5")
    page.get_by_label("Profil des bénéficiaires").fill("Familles, jeunes mères.")
    page.get_by_label("atteints", exact=True).check()
    page.get_by_label("Difficultés rencontrées").fill("Météo en novembre.")
    page.get_by_label("Perspectives").fill("Reconduire en soirée.")

    # The compte rendu financier: staff costs 18,75 % over the forecast, balanced by gifts.
    realises = {
        "Achats": "2000", "Charges de personnel": "9500",
        "Charges indirectes affectées au projet": "500", "Personnel bénévole": "1200",
        "État — politique de la ville (ANCT, programme 147)": "4000",
        "Intercommunalité(s) : EPCI": "3500", "Commune(s)": "1000",
        "Autres produits de gestion courante": "3500",
        "Bénévolat": "1200",
    }
    for libelle, montant in realises.items():
        page.get_by_label(f"Réalisation : {libelle}", exact=True).fill(montant)
    page.get_by_label("Ajouter un document").set_input_files(
        files=[{"name": "bilan-moral.pdf", "mimeType": "application/pdf",
                "buffer": PDF_MINIMAL}]
    )
    page.get_by_label("Type de document").select_option(label="bilan moral de l'action")
    page.get_by_role("button", name="Enregistrer et ajouter le document").click()
    expect(page.get_by_role("link", name="bilan-moral.pdf")).to_be_visible()

    # Two gaps above 15 % now ask for an explanation.
    expect(page.get_by_text("Écart supérieur à 15 % : explication requise.")).to_have_count(2)
    page.get_by_label("Explication de l'écart : Charges de personnel").fill(
        "Un animateur de plus pendant l'été."
    )
    page.get_by_label(
        "Explication de l'écart : Autres produits de gestion courante"
    ).fill("Dons des commerçants du quartier.")
    # The Cerfa n°15059*02 beside the grid: who funded, how indirect charges were allocated.
    expect(page.locator("#identification-cr")).to_contain_text(dossier.structure.siret)
    page.get_by_label("Règle de répartition des charges indirectes affectées à l'action").fill(
        "Au prorata du temps de personnel consacré à l'action."
    )
    page.get_by_label("Observations sur les contributions volontaires en nature").fill(
        "Bénévolat valorisé au SMIC horaire."
    )
    page.get_by_label("Fait à").fill("Alès")
    verifier_accessibilite(page, "bilan complet avant dépôt")
    page.get_by_label(re.compile("Je certifie exactes les informations du présent bilan")).check()
    page.get_by_label("Qualité du signataire").fill("présidente")
    page.get_by_role("button", name="Déposer le bilan").click()
    expect(page.get_by_text("Le bilan est déposé")).to_be_visible()
    verifier_accessibilite(page, "bilan déposé (structure)")
    _deconnecter(page)

    # The instructor reads it beside the forecast and validates it.
    _connecter(page, instructeur)
    page.goto("/bilans/")
    expect(page.get_by_role("heading", name="Bilans déposés, à valider")).to_be_visible()
    verifier_accessibilite(page, "bilans à valider")
    page.get_by_role("link", name=dossier.reference).click()
    expect(page.get_by_text("F 17 / H 13")).to_be_visible()
    verifier_accessibilite(page, "bilan à valider")
    page.get_by_role("button", name="Valider le bilan et clôturer l'action").click()
    expect(page.get_by_text("Le bilan est validé : l'action est clôturée.")).to_be_visible()
    dossier.refresh_from_db()
    assert dossier.statut == Statut.CLOTURE
    _deconnecter(page)

    # The comité opens the annual bilan and finds the values entered.
    _connecter(page, comite)
    navigation = page.get_by_role("navigation", name="Navigation principale")
    navigation.get_by_role("button", name="Bilans", exact=True).click()
    navigation.get_by_role("link", name="Bilans annuels").click()
    expect(page.get_by_role("heading", name="Bilans annuels du contrat de ville")).to_be_visible()
    expect(page.locator("#synthese-beneficiaires")).to_have_text(
        re.compile(r"48 : 21 femmes, 16 hommes, 6 filles, 5 garçons")
    )
    expect(page.locator("#synthese-part-femmes")).to_have_text(re.compile(r"56,3\s%"))
    ligne = page.get_by_role("table", name=re.compile("Indicateurs chiffrés")).get_by_role(
        "row", name=re.compile("Nombre d'habitants mobilisés")
    )
    expect(ligne).to_contain_text("17")
    expect(ligne).to_contain_text("30")
    expect(page.get_by_role("img", name="Bénéficiaires par sexe et par pilier")).to_be_visible()
    verifier_accessibilite(page, "tableau de bord des bilans annuels")

    telechargement = _telecharger_prepare(page, "Télécharger le classeur Excel", executer_taches)
    chemin = tmp_path / "bilan.xlsx"
    telechargement.value.save_as(chemin)
    classeur = load_workbook(chemin)
    synthese = {ligne[0]: ligne[1] for ligne in classeur["Synthèse"].iter_rows(values_only=True)}
    assert synthese["Bénéficiaires femmes"] == 21
    assert synthese["Bénéficiaires hommes"] == 16
    assert synthese["Montant accordé par le comité"] == 6000
    indicateurs = {
        ligne[2]: ligne for ligne in classeur["Indicateurs"].iter_rows(values_only=True)
    }
    assert indicateurs["Nombre d'habitants mobilisés"][11:17] == (17, 13, 0, 0, 0, 30)
    brutes = [ligne for ligne in classeur["Données brutes"].iter_rows(values_only=True)
              if ligne[9] == "Nombre d'habitants mobilisés"]
    assert [(b[1], b[17], b[18], b[22]) for b in brutes] == [(dossier.reference, 17, 13, 30)]

    page.go_back()
    telechargement = _telecharger_prepare(page, "Télécharger le bilan PDF", executer_taches)
    chemin = tmp_path / "bilan.pdf"
    telechargement.value.save_as(chemin)
    texte = _espaces(" ".join(p.extract_text() for p in PdfReader(chemin).pages))
    assert "Femmes / hommes 21 / 16" in texte
    assert "Filles / garçons 6 / 5" in texte
    assert "Montant accordé 6 000 €" in texte
    assert "Nombre d'habitants mobilisés" in texte
    assert "17 13 0 0 30" in texte
    assert page.erreurs_csp == []


def _id_indicateur(groupe):
    nom = groupe.get_by_label("Femmes").get_attribute("name")
    return nom.split("_")[1]


def test_grand_bilan_prepare_en_arriere_plan(page, referentiel_charge, settings, tmp_path):
    """The comité waits on a progress page that updates itself (every bilan file is built in
    the background)."""
    from evaluation.bilans import taches
    from evaluation.models import GenerationBilan

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    dossier_retenu(membre=MembreFactory())
    _connecter(page, UtilisateurFactory(comite=True))
    page.goto("/bilans/annuels/")

    page.get_by_role("link", name="Télécharger le classeur Excel").click()

    expect(page.get_by_role("heading", name="Préparation du bilan Excel")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("En attente")
    verifier_accessibilite(page, "préparation d'un bilan en arrière-plan")
    generation = GenerationBilan.objects.get()
    taches.generer_fichier_bilan.call(generation_id=str(generation.pk))
    lien = page.get_by_role("link", name="Télécharger le fichier")
    expect(lien).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("100 %")
    with page.expect_download() as telechargement:
        lien.click()
    chemin = tmp_path / "bilan.xlsx"
    telechargement.value.save_as(chemin)
    assert "Synthèse" in load_workbook(chemin).sheetnames
    assert page.erreurs_csp == []


DEBORDEMENT = """() => {
  const largeur = document.documentElement.clientWidth;
  const fautifs = [...document.querySelectorAll('main *')]
    .filter(e => e.getBoundingClientRect().right > largeur + 1
                 && !e.closest('.tableau-defilant, .table-responsive'))
    .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id);
  return {largeur, corps: document.body.scrollWidth, fautifs};
}"""


def test_tableau_de_bord_annuel_tient_dans_l_ecran(page, referentiel_charge):
    """At 1280 and 390 px, no table pushes the page past the screen: wide tables scroll in
    their own box, their first column and header stay in view."""
    from tests.evaluation.factories import jeu_bilans

    jeu_bilans()
    _connecter(page, UtilisateurFactory(comite=True))
    for largeur in (1280, 390):
        page.set_viewport_size({"width": largeur, "height": 900})
        page.goto("/bilans/annuels/")
        expect(page.get_by_role("heading", name="Synthèse 2025")).to_be_visible()
        mesure = page.evaluate(DEBORDEMENT)
        assert mesure["corps"] <= mesure["largeur"], mesure
        boite = page.get_by_role("region", name="Piliers")
        expect(boite).to_be_visible()
        # The wide table scrolls inside its box; its row headers stay at the box's left edge.
        premiere = boite.locator("tbody tr").first.locator("th")
        boite.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
        if largeur == 390:
            assert boite.evaluate("e => e.scrollLeft") > 0
            assert abs(premiere.bounding_box()["x"] - boite.bounding_box()["x"]) < 2
        verifier_accessibilite(page, f"bilans annuels à {largeur} px")


def test_compte_rendu_financier_offert_des_qu_il_est_pret(
    page, referentiel_charge, executer_taches
):
    """« Préparer le PDF », then the page follows the worker by itself: once the file is built,
    the link appears and the status says so, without reloading."""
    from django.urls import reverse

    from evaluation.bilans.services import saisie as services_saisie
    from tests.evaluation.factories import remplir_bilan

    membre = MembreFactory()
    dossier = dossier_retenu(membre=membre)
    remplir_bilan(services_saisie.ouvrir_bilan(dossier=dossier, par=membre.utilisateur),
                  membre.utilisateur)
    _connecter(page, membre.utilisateur)
    page.goto(reverse("bilans:compte_rendu_pdf", args=[dossier.pk]))

    ouvrir(page.get_by_role("button", name="Préparer le PDF"))
    expect(page.get_by_text("est en préparation")).to_be_visible()
    executer_taches()

    lien = page.get_by_role("link", name="Télécharger le fichier")
    expect(lien).to_be_visible()
    expect(page.locator("#generation-etat")).to_contain_text(
        "Le fichier est prêt : vous pouvez le télécharger."
    )
    with page.expect_download() as telechargement:
        lien.click()
    assert telechargement.value.suggested_filename == (
        f"compte-rendu-financier-{dossier.reference}.pdf"
    )
