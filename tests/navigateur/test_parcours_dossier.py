"""Journey: a porteur fills a dossier on 1.1.1.a, hits errors without losing input, submits it."""

import re

from playwright.sync_api import expect
from pypdf import PdfReader

from candidatures.models import Dossier, Statut
from referentiel.models import Exigence
from tests.candidatures.factories import (
    MOT_DE_PASSE,
    PDF_MINIMAL,
    AppelAProjetsFactory,
    DossierFactory,
    MembreFactory,
    deposer_documents_structure,
)
from tests.navigateur.accessibilite import verifier_accessibilite
from tests.navigateur.clics import ouvrir


def _sans_espaces_de_milliers(texte):
    return re.sub(r"(?<=\d)[\s\u202f\u00a0](?=\d{3})", "", texte).replace("\u00a0", " ")


def test_deposer_un_dossier_complet(page, referentiel_charge, tmp_path, executer_taches):
    """Log in, create a draft, make mistakes, keep every value, fix, attach, sign, submit."""
    membre = MembreFactory(utilisateur__prenom="Inès", utilisateur__nom="Martin")
    deposer_documents_structure(membre.structure)
    appel = AppelAProjetsFactory()
    annee = appel.annee

    # Log in through the real form.
    page.goto("/comptes/connexion/")
    page.get_by_label("Adresse électronique").fill(membre.utilisateur.email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    page.goto("/dossiers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes dossiers")
    verifier_accessibilite(page, "mes dossiers (vide)")

    # Create the draft.
    ouvrir(page.get_by_role("link", name="Créer un dossier"))
    verifier_accessibilite(page, "nouveau dossier")
    page.get_by_role("button", name="Créer le brouillon").click()
    expect(page.get_by_role("heading", name="1. Identité et fiche-action")).to_be_visible()
    verifier_accessibilite(page, "formulaire vide")

    # Choose the action: its cahier des charges is shown right away (JS preview).
    page.get_by_label("Code de l'action principale").fill("1.1.1.a")
    page.get_by_label("Personne chargée du dossier").click()
    apercu = page.locator("#apercu-fiche")
    expect(apercu).to_contain_text("Objectif opérationnel 1.1.1")
    expect(apercu).to_contain_text(Exigence.objects.filter(objectif__code="1.1.1").first().texte)
    expect(page.locator("#etat-enregistrement")).to_contain_text("Enregistré à")
    adresse_du_dossier = page.url

    # The structure declares its yearly information once, for every dossier of the year.
    page.get_by_role("link", name=f"Déclarer les informations {annee} de la structure").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Informations {annee}")
    page.get_by_label("Type d'agrément").first.fill("Jeunesse et éducation populaire")
    page.get_by_label("Attribué par").first.fill("SDJES du Gard")
    page.get_by_label("En date du").first.fill("2019-05-02")
    page.get_by_role("group", name=re.compile("commissaire aux comptes")).get_by_label(
        "non"
    ).check()
    page.get_by_role("group", name=re.compile("impôts commerciaux")).get_by_label("non").check()
    page.get_by_label("Nombre d'adhérents").fill("120")
    page.get_by_label("Nombre de bénévoles").fill("15")
    page.get_by_label("Nombre de volontaires (service civique)").fill("1")
    page.get_by_label("Nombre total de salariés").fill("4")
    page.get_by_label("Dont salariés en emplois aidés").fill("1")
    page.get_by_label("Équivalents temps plein travaillé (ETPT)").fill("-3")
    page.get_by_label("dont 641 Rémunération des personnels").fill("50 000")
    page.get_by_label("dont 645 Charges sociales").fill("20 000")
    page.get_by_label("70 Ventes de produits finis").fill("70 000")
    page.get_by_role("button", name=f"Enregistrer les informations {annee}").click()
    expect(page.locator("#resume-erreurs")).to_contain_text("positif ou nul")
    expect(page.get_by_label("Nombre d'adhérents")).to_have_value("120")
    verifier_accessibilite(page, "informations annuelles avec erreur")
    page.get_by_label("Équivalents temps plein travaillé (ETPT)").fill("3,5")
    page.get_by_role("button", name=f"Enregistrer les informations {annee}").click()
    expect(page.locator(".messages")).to_contain_text(f"Les informations {annee}")
    expect(page.get_by_text(f"Les informations {annee} sont complètes.")).to_be_visible()
    expect(page.get_by_label("64 Charges de personnel")).to_have_value("70000")
    page.goto(adresse_du_dossier)
    expect(page.locator(".informations-structure")).to_contain_text("SDJES du Gard")

    # The cover choices and the contact person of the Cerfa n°12156*06.
    page.get_by_label("Son prénom").fill("Inès")
    page.get_by_label("Sa fonction").fill("coordinatrice")
    page.get_by_label("Aide en numéraire (argent)").check()
    page.get_by_label("un projet ou une action").check()
    page.get_by_label("annuelle ou ponctuelle").check()
    page.get_by_label("première demande").check()

    # The project, an unbalanced budget and one amount typed wrong.
    page.get_by_label("Intitulé du projet").fill("Le camion des quartiers")
    page.get_by_label("Résumé du projet").fill("Un camion d'animation dans les quartiers.")
    page.get_by_label("Contexte et besoins identifiés").fill("Peu d'échanges entre quartiers.")
    page.get_by_label("Objectifs du projet").fill("Créer des liens.")
    page.get_by_label("Description du contenu et des étapes").fill("Jeux et goûters.")
    page.get_by_label("Date de début").fill(f"{annee}-03-01")
    page.get_by_label("Date de fin").fill(f"{annee}-11-30")
    page.get_by_label("Lieux de réalisation").fill("Prés-Saint-Jean")
    page.get_by_label("Alès", exact=True).check()
    page.get_by_label("Part estimée des bénéficiaires habitant un quartier prioritaire (%)").fill(
        "80"
    )
    page.get_by_label("26-64 ans").check()
    page.get_by_label("Femmes (18 ans et plus)").fill("40")
    page.get_by_label("Hommes (18 ans et plus)").fill("35")
    page.get_by_label("Salariés mobilisés").fill("2")
    page.get_by_label("Équivalents temps plein travaillé (ETPT)").fill("1,5")
    page.get_by_label("Bénévoles mobilisés").fill("6")
    page.get_by_label("Volontaires (service civique) mobilisés").fill("1")
    page.get_by_label("Durée du projet").fill("9 mois")
    page.get_by_label("Moyens matériels et financiers mobilisés").fill("Un camion aménagé.")
    page.get_by_label("Méthode d'évaluation prévue").fill("Questionnaire aux habitants.")
    page.get_by_label("60 Achats").fill("2 000")
    page.get_by_label("64 Charges de personnel").fill("8000")
    page.get_by_label("74 État — politique de la ville (ANCT, programme 147)").fill("4000")
    page.get_by_label("74 Intercommunalité(s) : EPCI").fill("3000")
    expect(page.get_by_label("Intercommunalité(s) : EPCI — Préciser : intercommunalité(s)")
           ).to_have_value(appel.contrat.territoire.nom)
    expect(page.locator("#total-charges")).to_have_text("10\u202f000")
    expect(page.locator("#equilibre-budget")).to_contain_text("n'est pas équilibré")
    expect(page.locator("#montant-demande")).to_have_text("7\u202f000")
    page.get_by_label("61 Services extérieurs").fill("12,5")
    expect(page.locator("#total-charges")).to_have_text("?")

    page.get_by_role("button", name="Enregistrer le brouillon").nth(4).click()
    resume = page.locator("#resume-erreurs")
    expect(resume).to_contain_text("Services extérieurs : Saisissez un nombre entier")
    expect(page.get_by_label("61 Services extérieurs")).to_have_value("12,5")
    expect(page.get_by_label("Intitulé du projet")).to_have_value("Le camion des quartiers")
    expect(page.get_by_label("60 Achats")).to_have_value("2 000")
    verifier_accessibilite(page, "formulaire avec erreurs")

    # Submitting now is refused: unbalanced budget, requirements without answer.
    page.get_by_label("61 Services extérieurs").fill("0")
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.locator(".messages")).to_contain_text("ne peut pas être déposé")
    verification = page.locator("#completude")
    expect(verification).to_contain_text("doit être égal au total des produits")
    expect(verification).to_contain_text("expliquez comment le projet y répond")
    expect(page.get_by_label("Intitulé du projet")).to_have_value("Le camion des quartiers")
    expect(page.get_by_label("Lieux de réalisation")).to_have_value("Prés-Saint-Jean")
    verifier_accessibilite(page, "dépôt refusé")

    # Fix everything: answers, forecast values, a balanced budget.
    for exigence in Exigence.objects.filter(objectif__code="1.1.1"):
        page.get_by_label(exigence.texte).fill("Les habitants construisent le programme.")
    page.get_by_role("group", name=re.compile("Nombre d'animations par quartier")).get_by_label(
        "Nombre"
    ).fill("12")
    page.get_by_role("group", name=re.compile("Nombre d'associations intervenant")).get_by_label(
        "Nombre"
    ).fill("3")
    habitants = page.get_by_role("group", name=re.compile("Nombre d'habitants mobilisés"))
    habitants.get_by_label("Femmes").fill("30")
    habitants.get_by_label("Hommes").fill("25")
    expect(habitants.locator("output")).to_have_text("55")
    page.get_by_label(re.compile("^75 Autres produits de gestion courante")).fill("3000")
    page.get_by_label("dont 756 Cotisations").fill("1000")
    page.get_by_label("dont 758 Dons manuels – mécénat").fill("2000")
    expect(page.locator("#equilibre-budget")).to_have_text("Le budget est équilibré.")

    # Attach a quote.
    page.get_by_label("Ajouter une pièce jointe").set_input_files(
        files=[{"name": "devis.pdf", "mimeType": "application/pdf", "buffer": PDF_MINIMAL}]
    )
    page.get_by_label("Type de pièce").select_option(label="devis")
    page.get_by_role("button", name="Enregistrer le brouillon et joindre le fichier").click()
    expect(page.locator(".messages")).to_contain_text("Brouillon enregistré")
    expect(page.get_by_role("link", name="devis.pdf")).to_be_visible()

    # Sign the declaration and submit.
    expect(page.locator("#rappel-demande")).to_contain_text(
        f"au titre de l'année ou de l'exercice {annee}"
    )
    page.get_by_role("group", name=re.compile("représentant légal")).get_by_label(
        "oui", exact=True
    ).check()
    page.get_by_label("inférieur ou égal à 500 000 €").check()
    page.get_by_label(re.compile("budgets et comptes de la structure ont été approuvés")).check()
    page.get_by_label(re.compile("versée sur le compte bancaire de la structure")).check()
    page.get_by_label(re.compile("Je certifie exactes les informations")).check()
    page.get_by_label("Fait à").fill("Alès")
    page.get_by_label("Qualité du signataire").fill("Présidente")
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.locator(".messages")).to_contain_text(f"AAP-{annee}-0001")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"AAP-{annee}-0001")
    expect(page.locator(".chronologie")).to_contain_text("Déposé")
    verifier_accessibilite(page, "dossier déposé")

    dossier = Dossier.objects.get()
    assert dossier.statut == Statut.DEPOSE
    assert dossier.declaration_signataire == "Inès Martin"

    # The récépissé is prepared by the worker: announced, then offered on the same page as
    # soon as it exists (the page asks for it again by itself).
    expect(page.locator("#fichiers-dossier")).to_contain_text(
        "Votre récépissé est en cours de préparation"
    )
    executer_taches()
    expect(page.get_by_role("link", name="Télécharger le récépissé")).to_be_visible()
    expect(page.locator("#fichiers-dossier")).not_to_contain_text("en cours de préparation")
    verifier_accessibilite(page, "récépissé prêt")

    # Download the récépissé and read it.
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Télécharger le récépissé").click()
    chemin = tmp_path / "recepisse.pdf"
    telechargement.value.save_as(chemin)
    texte = _sans_espaces_de_milliers(
        "".join(p.extract_text() for p in PdfReader(chemin).pages)
    )
    assert f"AAP-{annee}-0001" in texte
    assert "1.1.1.a" in texte
    assert "Montant demandé au contrat de ville : 7000 €" in texte
    assert "Total des charges 10000" in texte
    assert "Demande de subvention(s) — Cerfa n°12156*06" in texte
    assert "Jeunesse et éducation populaire — attribué par SDJES du Gard" in texte
    assert "dont 758 Dons manuels – mécénat 2000" in texte
    assert "Fait à Alès" in texte
    assert "Document produit par le portail" in texte

    # The printable version, "Mes dossiers" and the call's public page.
    page.get_by_role("link", name="Version imprimable").click()
    expect(page.get_by_role("heading", name="7. Budget du projet")).to_be_visible()
    verifier_accessibilite(page, "version imprimable")
    page.goto("/dossiers/")
    expect(page.get_by_role("link", name=f"AAP-{annee}-0001")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(f"AAP-{annee}-0001"))).to_contain_text(
        "Attendre l'instruction"
    )
    verifier_accessibilite(page, "mes dossiers")
    page.goto("/appels/")
    expect(page.get_by_role("heading", level=1)).to_have_text(appel.titre)
    verifier_accessibilite(page, "appel à projets")

    assert page.erreurs_csp == []


def test_echec_de_lenregistrement_automatique_annonce(
    page, referentiel_charge, client, live_server
):
    """When the server cannot be reached, autosave says so aloud and the input stays."""
    membre = MembreFactory()
    dossier = DossierFactory(structure=membre.structure)
    client.force_login(membre.utilisateur)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value,
          "url": live_server.url}]
    )
    page.goto(f"/dossiers/{dossier.pk}/modifier/")
    page.route(
        f"**/dossiers/{dossier.pk}/modifier/",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )

    page.get_by_label("Intitulé du projet").fill("Texte précieux")
    page.get_by_label("Résumé du projet").click()

    alerte = page.locator("#erreur-enregistrement")
    expect(alerte).to_have_attribute("role", "alert")
    expect(alerte).to_contain_text("Échec de l'enregistrement automatique")
    expect(page.get_by_label("Intitulé du projet")).to_have_value("Texte précieux")
    verifier_accessibilite(page, "échec d'enregistrement")
    assert page.erreurs_csp == []
