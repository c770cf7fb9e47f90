"""Dossier pages: nothing typed is lost, conflicts are refused, submission, PDF, renewal."""

import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader
from pytest_django.asserts import assertContains, assertRedirects

from candidatures.models import Dossier, LigneBudget, Statut
from referentiel.models import Exigence, QuartierPrioritaire

from .factories import (
    PDF_MINIMAL,
    AppelAProjetsFactory,
    DossierFactory,
    MembreFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def responsable():
    return MembreFactory()


@pytest.fixture
def connecte(client, responsable):
    client.force_login(responsable.utilisateur)
    return client


@pytest.fixture
def brouillon(responsable):
    return DossierFactory(structure=responsable.structure)


def _url(dossier, nom="modifier"):
    return reverse(f"dossiers:{nom}", args=[dossier.pk])


def test_creer_un_dossier(connecte, responsable):
    """A member creates a draft on the open call and lands on the form."""
    appel = AppelAProjetsFactory()

    reponse = connecte.post(
        reverse("dossiers:nouveau"), {"structure": responsable.structure.pk, "appel": appel.pk}
    )

    dossier = Dossier.objects.get()
    assertRedirects(reponse, _url(dossier))
    assert dossier.historique.count() == 1


def test_la_page_du_dossier_montre_qui_a_modifie_quoi(connecte, brouillon, responsable):
    """The dossier page lists the recent edits of the draft, with who made them."""
    client = connecte
    client.post(
        _url(brouillon),
        {
            "version": brouillon.version,
            "sections": ["projet"],
            "intitule": "Jardin partagé des Cévennes",
            "enregistrer": "projet",
        },
    )

    reponse = client.get(reverse("dossiers:detail", args=[brouillon.pk]))

    assertContains(reponse, "Qui a modifié quoi")
    assertContains(reponse, "Jardin partagé des Cévennes")
    assertContains(reponse, str(responsable.utilisateur))


def test_page_du_formulaire_affiche_les_sections(connecte, brouillon):
    """The form shows the seven sections and what each one still lacks."""

    reponse = connecte.get(_url(brouillon))

    for titre in ("1. Identité et fiche-action", "2. Projet", "5. Budget du projet",
                  "7. Déclaration sur l&#x27;honneur"):
        assertContains(reponse, titre)
    assertContains(reponse, "éléments à compléter")
    assertContains(reponse, 'name="version" value="1"')


def test_valeur_invalide_nenleve_rien_au_reste(connecte, brouillon):
    """One bad amount: the other values are saved, the bad one is shown as typed with its error."""

    reponse = connecte.post(
        _url(brouillon),
        {
            "version": "1",
            "sections": ["projet", "budget"],
            "intitule": "Fête des voisins",
            "resume": "Un résumé",
            "ligne_60": "1 500",
            "ligne_61": "12,5",
            "enregistrer": "budget",
        },
    )

    assert reponse.status_code == 200
    brouillon.refresh_from_db()
    assert (brouillon.intitule, brouillon.resume, brouillon.version) == (
        "Fête des voisins", "Un résumé", 2
    )
    assert LigneBudget.objects.get(dossier=brouillon, code="60").montant == 1500
    assert not LigneBudget.objects.filter(dossier=brouillon, code="61").exists()
    assertContains(reponse, 'value="12,5"')
    assertContains(reponse, "Saisissez un nombre entier")
    assertContains(reponse, 'href="#id_ligne_61"')
    assertContains(reponse, 'name="version" value="2"')


def test_action_non_eligible_expliquee_et_conservee(connecte, brouillon):
    """A code outside the call is refused with its reason, and stays in the field."""

    reponse = connecte.post(
        _url(brouillon), {"version": "1", "sections": "identite", "action_principale": "1.6.5"}
    )

    assertContains(reponse, "renvoie à")
    assertContains(reponse, 'value="1.6.5"')
    brouillon.refresh_from_db()
    assert brouillon.action_principale is None


def test_choisir_une_action_fait_apparaitre_le_cahier_des_charges(connecte, brouillon):
    """Once the action is saved, the requirements and indicators of its objective are asked."""
    exigence = Exigence.objects.filter(objectif__code="1.1.1").first()

    reponse = connecte.post(
        _url(brouillon),
        {"version": "1", "sections": "identite", "action_principale": "1.1.1.a"},
        follow=True,
    )

    assertContains(reponse, escape(exigence.texte))
    assertContains(reponse, f'name="exigence_{exigence.pk}"')
    assertContains(reponse, "Nombre d&#x27;habitants mobilisés")


def test_reponses_au_cahier_envoyees_avec_le_choix_de_laction(connecte, brouillon):
    """Answers typed in the same request as the action are kept."""
    exigence = Exigence.objects.filter(objectif__code="1.1.1").first()

    connecte.post(
        _url(brouillon),
        {
            "version": "1",
            "sections": ["identite", "cahier"],
            "action_principale": "1.1.1.a",
            f"exigence_{exigence.pk}": "Ainsi.",
        },
    )

    assert brouillon.reponses.get().texte == "Ainsi."


def test_deuxieme_enregistrement_refuse_et_saisie_conservee(client, brouillon, responsable):
    """Two members on the same version: the second sees a clear refusal and their input."""
    collegue = MembreFactory(structure=brouillon.structure, contributeur=True).utilisateur
    client.force_login(collegue)
    client.post(
        _url(brouillon), {"version": "1", "sections": "projet", "resume": "Version du collègue"}
    )
    client.force_login(responsable.utilisateur)

    reponse = client.post(
        _url(brouillon), {"version": "1", "sections": "projet", "resume": "Ma version"}
    )

    assertContains(reponse, "Enregistrement refusé")
    assertContains(reponse, str(collegue))
    assertContains(reponse, "Ma version")
    assertContains(reponse, 'name="version" value="2"')
    brouillon.refresh_from_db()
    assert brouillon.resume == "Version du collègue"


def test_autosave_repond_en_json(connecte, brouillon):
    """The fetch autosave gets the new version, the time, field errors and completeness."""

    reponse = connecte.post(
        _url(brouillon),
        {"version": "1", "sections": ["projet", "budget"], "resume": "A", "ligne_60": "-3"},
        headers={"X-Requested-With": "fetch"},
    )

    donnees = reponse.json()
    assert reponse.status_code == 200
    assert donnees["version"] == 2
    assert "enregistre_a" in donnees
    assert "ligne_60" in donnees["erreurs"]
    assert donnees["completude"]["budget"] >= 1


def test_autosave_conflit_en_409(connecte, brouillon):
    """A stale autosave is refused with 409 and a message, never silently."""

    reponse = connecte.post(
        _url(brouillon), {"version": "7", "resume": "X"}, headers={"X-Requested-With": "fetch"}
    )

    assert reponse.status_code == 409
    assert "n'ont pas été enregistrées" in reponse.json()["message"]


@pytest.mark.parametrize("version", ["abc", "²", "①", "1e309", "", "9" * 40, "-1", "1\x00"])
def test_version_illisible_refusee_comme_un_conflit(connecte, brouillon, version):
    """A tampered version is refused as a conflict (no server error), the input is kept."""

    page = connecte.post(
        _url(brouillon), {"version": version, "sections": "projet", "resume": "Ma saisie"}
    )
    autosave = connecte.post(
        _url(brouillon), {"version": version, "sections": "projet", "resume": "Ma saisie"},
        headers={"X-Requested-With": "fetch"},
    )

    assertContains(page, "Enregistrement refusé")
    assertContains(page, "Ma saisie")
    assert autosave.status_code == 409
    brouillon.refresh_from_db()
    assert (brouillon.resume, brouillon.version) == ("", 1)


@pytest.mark.parametrize("valeur", ["²", "①", "abc", "9" * 40])
def test_suppression_de_piece_illisible_ignoree(connecte, brouillon, valeur):
    reponse = connecte.post(
        _url(brouillon), {"version": "1", "sections": "pieces", "supprimer_piece": valeur}
    )

    assert reponse.status_code in (200, 302)


def test_autosave_renvoie_le_cahier_quand_laction_change(connecte, brouillon):
    """Changing the action sends back the sections to answer, rendered by the server."""

    reponse = connecte.post(
        _url(brouillon),
        {"version": "1", "sections": "identite", "action_principale": "1.1.1.b"},
        headers={"X-Requested-With": "fetch"},
    )

    assert "exigence_" in reponse.json()["sections_html"]["cahier"]


def test_fiche_action_json(connecte):
    """The small endpoint tells whether a code is eligible and what its objective asks."""

    ok = connecte.get(reverse("dossiers:fiche_action"), {"code": "1.1.1.a"}).json()
    refus = connecte.get(reverse("dossiers:fiche_action"), {"code": "1.5.2"}).json()

    assert ok["eligible"] and ok["objectif"]["code"] == "1.1.1" and ok["exigences"]
    assert not refus["eligible"] and "hors appel à projets" in refus["message"]


def test_fiche_action_json_avec_un_code_demesure(connecte):
    """A 100 KB code is answered like any unknown code, not by a server error."""

    reponse = connecte.get(reverse("dossiers:fiche_action"), {"code": "1." * 50_000})

    assert reponse.status_code == 200
    assert not reponse.json()["eligible"]
    assert "Aucune action n'a le code" in reponse.json()["message"]


def test_contributeur_ne_peut_pas_signer(client, brouillon):
    """The declaration checkbox of a contributeur is disabled and ignored."""
    contributeur = MembreFactory(structure=brouillon.structure, contributeur=True).utilisateur
    client.force_login(contributeur)

    reponse = client.get(_url(brouillon))
    client.post(_url(brouillon), {"version": "1", "sections": "declaration", "engagement": "on"})

    assertContains(reponse, "demandez à un responsable")
    brouillon.refresh_from_db()
    assert not brouillon.est_signe


def test_piece_jointe_deposee_et_telechargee(connecte, brouillon):
    """A PDF uploaded with the form is attached and downloaded through the checked view."""
    fichier = SimpleUploadedFile("devis.pdf", PDF_MINIMAL, content_type="application/pdf")

    connecte.post(
        _url(brouillon),
        {
            "version": "1",
            "sections": "pieces",
            "fichier": fichier,
            "type_piece": "devis",
            "enregistrer": "pieces",
        },
    )

    piece = brouillon.pieces.get()
    reponse = connecte.get(reverse("dossiers:piece", args=[brouillon.pk, piece.pk]))
    assert b"".join(reponse.streaming_content) == PDF_MINIMAL
    assert 'filename="devis.pdf"' in reponse["Content-Disposition"]


def test_piece_jointe_refusee_message_a_cote_du_champ(connecte, brouillon):
    """A disguised file is refused next to the field; the rest is saved."""
    fichier = SimpleUploadedFile("devis.pdf", b"pas un pdf", content_type="application/pdf")

    reponse = connecte.post(
        _url(brouillon),
        {"version": "1", "sections": ["projet", "pieces"], "fichier": fichier, "intitule": "Gardé"},
    )

    assertContains(reponse, "ne correspond pas à son extension")
    brouillon.refresh_from_db()
    assert brouillon.intitule == "Gardé" and not brouillon.pieces.exists()


def test_deposer_depuis_le_formulaire(
    connecte, responsable, django_capture_on_commit_callbacks, executer_taches
):
    """The submit button saves the form, then submits; the worker e-mails the récépissé."""
    dossier = DossierFactory(structure=responsable.structure, complet=responsable.utilisateur)

    with django_capture_on_commit_callbacks(execute=True):
        reponse = connecte.post(
            _url(dossier, "deposer"),
            {
                "version": dossier.version, "sections": "declaration", "engagement": "on",
                "signataire_est_representant": "oui", "declaration_minimis": "inferieur",
                "declaration_comptes_approuves": "on", "declaration_compte_propre": "on",
                "declaration_fait_a": "Alès",
            },
            follow=True,
        )

    dossier.refresh_from_db()
    assert dossier.statut == Statut.DEPOSE
    assertContains(reponse, dossier.reference)
    assertContains(reponse, "Le récépissé sera envoyé par courriel")
    assert mail.outbox == []
    executer_taches()
    assert len(mail.outbox) == 1


def test_deposer_incomplet_renvoie_au_formulaire(connecte, brouillon):
    """An incomplete dossier is not submitted; the user is sent back to the checklist."""

    reponse = connecte.post(
        _url(brouillon, "deposer"), {"version": "1", "sections": "projet", "intitule": "Projet"}
    )

    assert reponse.status_code == 302 and reponse.url.endswith("#completude")
    brouillon.refresh_from_db()
    assert brouillon.statut == Statut.BROUILLON and brouillon.intitule == "Projet"


def test_pdf_du_dossier(connecte, responsable, executer_taches, django_capture_on_commit_callbacks):
    """The PDF summarises reference, action, amounts; the récépissé after submission (built by
    the worker, then served from the kept file)."""
    dossier = DossierFactory(
        structure=responsable.structure, complet=responsable.utilisateur, depose=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        connecte.post(_url(dossier, "redemander_recepisse"))
    executer_taches()

    reponse = connecte.get(_url(dossier, "recepisse"))

    contenu = b"".join(reponse.streaming_content)
    texte = "".join(p.extract_text() for p in PdfReader(io.BytesIO(contenu)).pages)
    chiffres = re.sub(r"(?<=\d)[\s\u202f\u00a0](?=\d{3})", "", texte).replace("\u00a0", " ")
    assert "Récépissé de dépôt" in texte
    assert dossier.reference in texte
    assert "1.1.1.a" in texte
    assert "Montant demandé au contrat de ville : 7500 €" in chiffres
    assert "10500" in chiffres


def test_retirer_avec_motif(connecte, responsable):
    """The withdrawal page asks for the reason and records it."""
    dossier = DossierFactory(structure=responsable.structure, depose=True)

    vide = connecte.post(_url(dossier, "retirer"), {"motif": ""})
    connecte.post(_url(dossier, "retirer"), {"motif": "Subvention obtenue ailleurs"})

    assertContains(vide, "Indiquez le motif du retrait.")
    dossier.refresh_from_db()
    assert dossier.statut == Statut.RETIRE


def test_renouveler_depuis_la_page(connecte, responsable):
    """A previous year's dossier is renewed on the open call."""
    ancien = DossierFactory(
        structure=responsable.structure, appel=AppelAProjetsFactory(clos=True), retenu=True,
        complet=True,
    )
    ancien.quartiers.set(QuartierPrioritaire.objects.all()[:1])
    appel = AppelAProjetsFactory()

    reponse = connecte.post(_url(ancien, "renouveler"))

    nouveau = Dossier.objects.get(appel=appel)
    assertRedirects(reponse, _url(nouveau))
    assert nouveau.intitule == ancien.intitule


def test_detail_montre_la_chronologie(connecte, responsable):
    """The dossier page lists its history: created, submitted, withdrawn…; the récépissé is
    announced while the worker prepares it."""
    dossier = DossierFactory(structure=responsable.structure, complet=responsable.utilisateur)
    connecte.post(_url(dossier, "deposer"))

    reponse = connecte.get(_url(dossier, "detail"))

    assertContains(reponse, "Déposé")
    assertContains(reponse, "Votre récépissé est en cours de préparation")


def test_mes_dossiers_prochaine_etape(connecte, brouillon):
    """"Mes dossiers" shows status, next step and deadline per call."""

    reponse = connecte.get(reverse("dossiers:liste"))

    assertContains(reponse, brouillon.appel.titre)
    assertContains(reponse, "Compléter puis déposer le dossier")
