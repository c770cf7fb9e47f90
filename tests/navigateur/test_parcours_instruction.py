"""Journey: instruction, corrections, resubmission, conclusion, comité decision, decision letter."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect
from pypdf import PdfReader

from candidatures.models import Dossier, Statut
from evaluation.models import Decision
from referentiel.models import Exigence
from tests.candidatures.factories import MOT_DE_PASSE
from tests.evaluation.factories import (
    MembreFactory,
    UtilisateurFactory,
    dossier_depose,
    dossier_instruit,
    dossier_retenu,
)
from tests.navigateur.accessibilite import verifier_accessibilite
from tests.navigateur.clics import ouvrir


def _espaces_normalises(texte):
    return " ".join(texte.replace("\u00a0", " ").replace("\u202f", " ").split())


def _connecter(page, utilisateur):
    page.goto("/comptes/connexion/")
    verifier_accessibilite(page, "connexion")
    page.get_by_label("Adresse électronique").fill(utilisateur.email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    verifier_accessibilite(page, f"accueil de {utilisateur}")


def _deconnecter(page):
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    verifier_accessibilite(page, "après déconnexion")


def test_instruire_corriger_decider_notifier(page, referentiel_charge, tmp_path, executer_taches):
    """From the queue to the decision letter, with one round of corrections on the way."""
    membre = MembreFactory(utilisateur__prenom="Inès", utilisateur__nom="Martin")
    instructeur = UtilisateurFactory(instructeur=True, prenom="Paul", nom="Durand")
    comite = UtilisateurFactory(comite=True, prenom="Anne", nom="Roux")
    dossier = dossier_depose(membre=membre)
    autre = dossier_depose(appel=dossier.appel, action="2.1.1.a")
    reference = dossier.reference
    exigences = list(Exigence.objects.filter(objectif__code="1.1.1").order_by("ordre"))

    # The instructor filters the queue down to pilier 1, action 1.1.1.
    _connecter(page, instructeur)
    page.get_by_role("link", name="Instruction", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dossiers déposés")
    expect(page.get_by_role("link", name=autre.reference)).to_be_visible()
    verifier_accessibilite(page, "file d'instruction")
    page.get_by_label("Pilier").select_option(label="1. Cohésion sociale")
    page.get_by_label("Code d'action").fill("1.1.1")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("status").filter(has_text="dossier")).to_contain_text("1 dossier")
    expect(page.get_by_role("link", name=autre.reference)).to_have_count(0)
    verifier_accessibilite(page, "file filtrée")

    # It opens the dossier, takes it into instruction and fills the checklist.
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    verifier_accessibilite(page, "dossier déposé, côté instruction")
    page.get_by_role("button", name="Prendre en instruction").click()
    expect(page.locator(".messages")).to_contain_text("Le dossier est en instruction.")
    verifier_accessibilite(page, "page d'instruction")
    for exigence in exigences:
        groupe = page.get_by_role("group", name=re.compile(f"n°{exigence.ordre} :"))
        groupe.get_by_label("conforme", exact=True).check()
        groupe.get_by_label(re.compile("Commentaire")).fill("Répond à l'exigence.")
    page.get_by_label("Annotations internes").fill("Trésorerie à surveiller.")
    page.get_by_role("button", name="Enregistrer l'instruction").click()
    expect(page.locator(".messages")).to_contain_text("L'instruction est enregistrée.")
    expect(page.get_by_label("Annotations internes")).to_have_value("Trésorerie à surveiller.")
    verifier_accessibilite(page, "grille enregistrée")

    # It asks for corrections on the project section.
    ouvrir(page.get_by_role("link", name="Demander des corrections"))
    verifier_accessibilite(page, "demande de corrections")
    page.get_by_label("Projet", exact=True).check()
    page.get_by_label("Message à la structure").fill("Précisez les lieux de réalisation.")
    page.get_by_label("À corriger avant le (facultatif)").fill(f"{dossier.appel.annee + 1}-01-15")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.locator(".messages")).to_contain_text("La demande de corrections est envoyée")
    expect(page.get_by_role("note").filter(has_text="Corrections demandées")).to_be_visible()
    verifier_accessibilite(page, "instruction en attente de corrections")
    _deconnecter(page)

    # The porteur sees the request, fixes the project, signs again and resubmits.
    _connecter(page, membre.utilisateur)
    page.goto(f"/dossiers/{dossier.pk}/")
    expect(page.get_by_text("Précisez les lieux de réalisation.").first).to_be_visible()
    verifier_accessibilite(page, "dossier à corriger")
    page.get_by_role("link", name="Suivi de l'instruction et échanges").click()
    expect(page.get_by_role("heading", name=re.compile("Corrections demandées"))).to_be_visible()
    expect(page.get_by_text("Trésorerie à surveiller.")).to_have_count(0)
    verifier_accessibilite(page, "suivi côté structure")
    page.get_by_label("Votre message").fill("Nous précisons les lieux aujourd'hui.")
    page.get_by_role("button", name="Envoyer le message").click()
    expect(page.locator(".messages")).to_contain_text("Votre message est envoyé.")
    verifier_accessibilite(page, "message envoyé")
    ouvrir(page.get_by_role("link", name="Corriger le dossier"))
    verifier_accessibilite(page, "formulaire de correction")
    page.get_by_label("Lieux de réalisation").fill("Prés-Saint-Jean, Tamaris, Cévennes")
    page.get_by_label(re.compile("Je certifie exactes les informations")).check()
    page.get_by_role("button", name="Déposer le dossier corrigé").click()
    expect(page.locator(".messages")).to_contain_text(reference)
    verifier_accessibilite(page, "dossier redéposé")
    assert Dossier.objects.get(pk=dossier.pk).statut == Statut.DEPOSE
    _deconnecter(page)

    # The instructor sees what changed, takes the dossier back and concludes with an avis.
    _connecter(page, instructeur)
    page.goto(f"/instruction/dossiers/{dossier.pk}/")
    ecarts = page.get_by_role("region", name=re.compile("Modifications depuis la demande"))
    ligne = ecarts.get_by_role("row").filter(has_text="Lieux de réalisation")
    expect(ligne).to_contain_text("Prés-Saint-Jean, Tamaris, Cévennes")
    verifier_accessibilite(page, "dossier redéposé, côté instruction")
    expect(page.get_by_role("link", name=re.compile(r"Échanges avec la structure \(1 non lu\)")))
    page.get_by_role("button", name="Reprendre l'instruction").click()
    expect(page.locator(".messages")).to_contain_text("Le dossier est en instruction.")
    verifier_accessibilite(page, "instruction reprise")
    page.get_by_role("group", name="Avis de l'instructeur").get_by_label(
        "Favorable", exact=True
    ).check()
    page.get_by_label("Montant proposé au comité (€)").fill("6000")
    page.get_by_label("Synthèse pour le comité").fill("Projet ancré dans les quartiers.")
    page.get_by_role("button", name="Enregistrer et conclure l'instruction").click()
    expect(page.locator(".messages")).to_contain_text("instruction est conclue")
    verifier_accessibilite(page, "instruction conclue")
    _deconnecter(page)

    # The comité decides on the programmation page; the typed total follows.
    _connecter(page, comite)
    ouvrir(page.get_by_role("link", name="Instruction", exact=True))
    verifier_accessibilite(page, "file, côté comité")
    page.get_by_role("link", name="Programmation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Programmation")
    verifier_accessibilite(page, "programmation")
    page.get_by_label(f"Décision — {reference}").select_option("retenu")
    page.get_by_label(f"Montant accordé (€) — {reference}").fill("5500")
    total = page.locator("tfoot [data-saisi]")
    expect(total).to_have_text(re.compile(r"5\s500\s€"))
    page.get_by_label(f"Conditions — {reference}").fill("Mentionner le contrat de ville.")
    page.get_by_role("button", name="Enregistrer les décisions saisies").click()
    expect(page.locator(".messages")).to_contain_text("1 décision enregistrée")
    verifier_accessibilite(page, "programmation après décision")
    assert Decision.objects.get(dossier=dossier).montant_accorde == 5500
    _deconnecter(page)

    # The worker renders the letter (and e-mails it); the porteur downloads it and reads it.
    executer_taches()
    _connecter(page, membre.utilisateur)
    page.goto(f"/instruction/dossiers/{dossier.pk}/suivi/")
    expect(page.get_by_role("heading", name="Décision du comité de pilotage")).to_be_visible()
    expect(page.get_by_text("Répond à l'exigence.").first).to_be_visible()
    expect(page.get_by_text("Trésorerie à surveiller.")).to_have_count(0)
    verifier_accessibilite(page, "suivi après décision")
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Télécharger la lettre de décision (PDF)").click()
    chemin = tmp_path / "decision.pdf"
    telechargement.value.save_as(chemin)
    texte = _espaces_normalises(" ".join(p.extract_text() for p in PdfReader(chemin).pages))
    assert reference in texte
    assert "5 500 €" in texte
    assert "1.1.1.a" in texte

    assert Dossier.objects.get(pk=dossier.pk).statut == Statut.EN_COURS
    assert page.erreurs_csp == []


def test_affectations_et_decision_unitaire(page, referentiel_charge):
    """An administrator sets a pilier's instructor, then refuses one dossier with its motive."""
    administrateur = UtilisateurFactory(administrateur=True, prenom="Lina", nom="Garcia")
    instructeur = UtilisateurFactory(instructeur=True, prenom="Paul", nom="Durand")
    dossier = dossier_instruit(instructeur=instructeur)

    _connecter(page, administrateur)
    page.goto("/instruction/affectations/")
    verifier_accessibilite(page, "instructeurs par pilier")
    page.get_by_label("1. Cohésion sociale").select_option(label="Paul Durand")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messages")).to_contain_text("instructeurs par défaut sont enregistrés")
    expect(page.get_by_label("1. Cohésion sociale")).to_have_value(str(instructeur.pk))
    verifier_accessibilite(page, "instructeurs par pilier enregistrés")

    page.goto(f"/instruction/dossiers/{dossier.pk}/")
    verifier_accessibilite(page, "dossier instruit, côté administrateur")
    ouvrir(page.get_by_role("link", name="Enregistrer la décision"))
    verifier_accessibilite(page, "décision unitaire")
    page.get_by_label("Décision").select_option("non_retenu")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator("#resume-erreurs")).to_contain_text("Indiquez le motif")
    verifier_accessibilite(page, "décision refusée faute de motif")
    motif = "Le public visé n'habite pas les quartiers."
    page.get_by_label(re.compile("Motif .obligatoire")).fill(motif)
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator(".messages")).to_contain_text("La décision est enregistrée")
    decision = page.get_by_role("heading", name=re.compile("Décision du .* : non retenu"))
    expect(decision).to_be_visible()
    verifier_accessibilite(page, "dossier décidé, côté administrateur")

    assert Dossier.objects.get(pk=dossier.pk).statut == Statut.NON_RETENU
    assert page.erreurs_csp == []


def test_lettre_en_retard_relancee_puis_offerte(
    page, referentiel_charge, tmp_path, executer_taches
):
    """The letter of a decision taken an hour ago was never rendered (worker down): the staff
    asks for it again with the page's button, the worker runs, and the page offers the letter by
    itself (it polls its state); the file is the decision letter."""
    comite = UtilisateurFactory(comite=True)
    dossier = dossier_retenu(accorde=4200)
    Decision.objects.filter(dossier=dossier).update(
        decidee_le=timezone.now() - datetime.timedelta(hours=1), lettre=""
    )
    assert not DBTaskResult.objects.exists()  # nothing queued: only the button can ask for it

    _connecter(page, comite)
    page.goto(reverse("evaluation:lettre", args=[dossier.pk]))
    expect(
        page.get_by_role("heading", name=f"Lettre de décision du dossier {dossier.reference}")
    ).to_be_visible()
    expect(page.get_by_text("La lettre tarde")).to_be_visible()
    bouton = page.get_by_role("button", name="Relancer la préparation de la lettre")
    expect(bouton).to_be_visible()
    verifier_accessibilite(page, "lettre de décision en retard")

    ouvrir(bouton)
    expect(page.locator(".messages")).to_contain_text(
        "La préparation de la lettre de décision est relancée."
    )
    verifier_accessibilite(page, "préparation de la lettre relancée")
    executer_taches()

    lien = page.get_by_role("link", name="Télécharger le fichier")
    expect(lien).to_be_visible()
    expect(page.locator("#generation-etat")).to_contain_text("Le fichier est prêt")
    with page.expect_download() as telechargement:
        lien.click()
    assert telechargement.value.suggested_filename == f"decision-{dossier.reference}.pdf"
    chemin = tmp_path / "decision.pdf"
    telechargement.value.save_as(chemin)
    assert chemin.read_bytes().startswith(b"%PDF")
    texte = _espaces_normalises(" ".join(p.extract_text() for p in PdfReader(chemin).pages))
    assert dossier.reference in texte
    assert "4 200 €" in texte
    assert page.erreurs_csp == []
