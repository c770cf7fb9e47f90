"""Journey: the comité decides, staff record the convention and the advance, the porteur sees
them, the bilan is validated, the balance is paid, the year's open-data file lists the subsidy."""

import csv
import datetime
import io
import re

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from evaluation.bilans.services import depot as services_depot
from evaluation.bilans.services import saisie as services_saisie
from tests.candidatures.factories import MOT_DE_PASSE, siret_valide
from tests.evaluation.factories import (
    MembreFactory,
    UtilisateurFactory,
    dossier_instruit,
    remplir_bilan,
)
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
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)


def _espaces(texte):
    return re.sub(r"[\s\u00a0\u202f]+", " ", texte)


def _payer(page, nature, date, montant):
    page.get_by_label("Nature du paiement").select_option(nature)
    page.get_by_label("Date du paiement").fill(date.isoformat())
    page.get_by_label("Montant (€)").fill(str(montant))
    page.get_by_role("button", name="Enregistrer le paiement").click()


def _valider_le_bilan(dossier, membre, instructeur):
    """The bilan's own journey is tested elsewhere: here it is submitted and validated."""
    bilan = services_saisie.ouvrir_bilan(dossier=dossier, par=membre.utilisateur)
    remplir_bilan(bilan, membre.utilisateur)
    bilan.refresh_from_db()
    services_depot.deposer_bilan(bilan=bilan, par=membre.utilisateur, qualite="Présidente")
    services_depot.valider_bilan(bilan=bilan, par=instructeur)


def test_de_la_decision_au_fichier_de_donnees_ouvertes(
    page, referentiel_charge, executer_taches, settings, tmp_path
):
    """Convention, advance, balance after the validated bilan, then the public SCDL file."""
    settings.ATTRIBUANT_SIRET = siret_valide(4242)
    membre = MembreFactory(utilisateur__prenom="Inès", utilisateur__nom="Martin")
    instructeur = UtilisateurFactory(instructeur=True, prenom="Paul", nom="Durand")
    comite = UtilisateurFactory(comite=True, prenom="Anne", nom="Roux")
    administrateur = UtilisateurFactory(administrateur=True, prenom="Lina", nom="Garcia")
    dossier = dossier_instruit(membre=membre, instructeur=instructeur)
    reference, annee = dossier.reference, dossier.appel.annee
    aujourd_hui = timezone.localdate()
    signature = aujourd_hui - datetime.timedelta(days=20)
    avance_le = aujourd_hui - datetime.timedelta(days=15)

    # The comité grants 5 500 € on the programmation page.
    _connecter(page, comite)
    page.goto(f"/instruction/appels/{dossier.appel_id}/programmation/")
    page.get_by_label(f"Décision — {reference}").select_option("retenu")
    page.get_by_label(f"Montant accordé (€) — {reference}").fill("5500")
    page.get_by_role("button", name="Enregistrer les décisions saisies").click()
    expect(page.locator(".messages")).to_contain_text("1 décision enregistrée")
    _deconnecter(page)

    # The instructor records the convention from the call's payments dashboard.
    _connecter(page, instructeur)
    page.goto(f"/conventions/appels/{dossier.appel_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Conventions et paiements")
    verifier_accessibilite(page, "tableau des paiements")
    ouvrir(page.get_by_role("link", name=reference))
    verifier_accessibilite(page, "convention à enregistrer")
    page.get_by_label("Référence de la convention").fill("CONV-2026-014")
    page.get_by_label("Date de la convention").fill(signature.isoformat())
    page.get_by_label("Signataires").fill("M. le Président ; Mme la Présidente")
    page.get_by_label("Délibération").fill("COPIL-2026-04")
    page.get_by_label("Avance versée à la signature (%)").fill("40")
    page.get_by_label(re.compile("Publier en données ouvertes")).check()
    page.get_by_role("button", name="Enregistrer la convention").click()
    expect(page.locator(".messages")).to_contain_text("Convention enregistrée")
    executer_taches()
    page.reload()
    expect(page.get_by_role("link", name="Télécharger la convention (PDF)")).to_be_visible()

    # The advance; the balance is refused before the bilan, next to its field.
    _payer(page, "avance", avance_le, 2200)
    expect(page.locator(".messages")).to_contain_text("Paiement enregistré : avance de 2")
    _payer(page, "solde", aujourd_hui, 3300)
    expect(page.locator("#resume-erreurs")).to_contain_text("après la validation du bilan")
    expect(page.get_by_label("Montant (€)")).to_have_value("3300")
    verifier_accessibilite(page, "solde refusé avant le bilan")
    _deconnecter(page)

    # The porteur sees the convention, the schedule and the advance, and reads the PDF.
    _connecter(page, membre.utilisateur)
    page.goto(f"/dossiers/{dossier.pk}/")
    section = page.get_by_role("region", name="Convention et paiements")
    expect(section).to_contain_text("Convention n° CONV-2026-014")
    expect(section).to_contain_text(re.compile(r"Avance de 2\s200\s€ \(40 %\)"))
    expect(section.get_by_role("row").filter(has_text="Avance")).to_contain_text(
        re.compile(r"2\s200\s€")
    )
    verifier_accessibilite(page, "dossier du porteur avec sa convention")
    with page.expect_download() as telechargement:
        section.get_by_role("link", name="Télécharger la convention (PDF)").click()
    chemin = tmp_path / "convention.pdf"
    telechargement.value.save_as(chemin)
    texte = _espaces(" ".join(p.extract_text() for p in PdfReader(chemin).pages))
    assert "Convention n° CONV-2026-014" in texte and "5 500 €" in texte
    _deconnecter(page)

    # The bilan is validated; the instructor pays the balance.
    _valider_le_bilan(dossier, membre, instructeur)
    _connecter(page, instructeur)
    page.goto(f"/conventions/dossiers/{dossier.pk}/")
    _payer(page, "solde", aujourd_hui, 3300)
    expect(page.locator(".messages")).to_contain_text("Paiement enregistré : solde de 3")
    expect(page.get_by_text(re.compile(r"reste à verser : 0\s€"))).to_be_visible()
    _deconnecter(page)

    # The administrator publishes the year; anyone downloads the public file.
    _connecter(page, administrateur)
    page.goto(f"/conventions/appels/{dossier.appel_id}/")
    page.get_by_role("button", name=f"Publier les subventions {annee}").click()
    expect(page.locator(".messages")).to_contain_text(f"Subventions {annee} publiées")
    executer_taches()
    _deconnecter(page)
    page.goto("/donnees-ouvertes/")
    verifier_accessibilite(page, "page publique des données ouvertes")
    with page.expect_download() as telechargement:
        page.get_by_role("link", name=f"Subventions {annee} (CSV)").click()
    chemin = tmp_path / "subventions.csv"
    telechargement.value.save_as(chemin)
    lignes = list(csv.DictReader(io.StringIO(chemin.read_text(encoding="utf-8"))))

    assert len(lignes) == 1
    ligne = lignes[0]
    assert ligne["dateConvention"] == signature.isoformat()
    assert ligne["conditionsVersement"] == "échelonné"
    assert ligne["datesPeriodeVersement"] == f"{avance_le.isoformat()}/{aujourd_hui.isoformat()}"
    assert ligne["pourcentageSubvention"] == "1.00"
    assert ligne["montant"] == "5500.00"
    assert ligne["idBeneficiaire"] == membre.structure.siret
    assert page.erreurs_csp == []
