"""Pages of the instruction: saving, conflicts, corrections, thread, programmation, admin."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from candidatures.dossiers.services import brouillons as services_dossiers
from candidatures.models import Dossier, Statut
from evaluation.instruction.selectors import grille as selectors_grille
from evaluation.instruction.selectors import programmation as selectors_programmation
from evaluation.instruction.services import corrections as services_corrections
from evaluation.instruction.services import decisions as services_decisions
from evaluation.instruction.services import instruction as services_instruction
from evaluation.instruction.services import messages as services_messages
from evaluation.models import Decision, Instruction, Lecture, Message, VerdictExigence
from tests.candidatures.factories import PDF_MINIMAL

from .factories import (
    MONTANT_DEMANDE,
    MembreFactory,
    UtilisateurFactory,
    dossier_depose,
    dossier_instruit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def membre():
    return MembreFactory()


@pytest.fixture
def dossier(membre, instructeur):
    dossier = dossier_depose(membre=membre)
    services_instruction.prendre_en_instruction(dossier=dossier, par=instructeur)
    dossier.refresh_from_db()
    return dossier


def _donnees_grille(dossier, version, **extra):
    donnees = {
        "version": version,
        "avis": "favorable",
        "montant_propose": "6000",
        "synthese": "Action utile, bien ancrée dans le quartier.",
        "annotations": "Vérifier la subvention de la CAF.",
    }
    for exigence in selectors_grille.grille(dossier):
        donnees[f"verdict_{exigence.exigence.pk}"] = "conforme"
        donnees[f"commentaire_{exigence.exigence.pk}"] = "Bien."
    donnees.update(extra)
    return donnees


def _messages(reponse):
    return [str(m) for m in get_messages(reponse.wsgi_request)]


# --- Instruction page ----------------------------------------------------------------------------


def test_enregistrer_puis_conclure_depuis_la_page(client, instructeur, dossier):
    """The form saves the checklist; the second button saves and concludes."""
    client.force_login(instructeur)
    url = reverse("evaluation:instruction", args=[dossier.pk])

    reponse = client.post(url, _donnees_grille(dossier, 1))
    assert reponse.status_code == 302
    assert VerdictExigence.objects.filter(instruction__dossier=dossier, verdict="conforme").count()
    reponse = client.post(url, _donnees_grille(dossier, 2, conclure="1"), follow=True)

    dossier.refresh_from_db()
    assert dossier.statut == Statut.INSTRUIT
    assert "instruction est conclue" in reponse.content.decode()


def test_conflit_de_version_rien_n_est_perdu(client, instructeur, dossier):
    """A stale form is refused with a clear message and comes back with what was typed."""
    autre = UtilisateurFactory(instructeur=True)
    services_instruction.enregistrer_instruction(
        dossier=dossier, par=autre, version=1, champs={"synthese": "Version de l'autre."}
    )
    client.force_login(instructeur)

    reponse = client.post(
        reverse("evaluation:instruction", args=[dossier.pk]),
        _donnees_grille(dossier, 1, synthese="Ma synthèse détaillée."),
    )

    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "n&#x27;ont pas été enregistrées" in contenu
    assert str(autre) in contenu
    assert "Ma synthèse détaillée." in contenu
    assert Instruction.objects.get(dossier=dossier).synthese == "Version de l'autre."


def test_montant_trop_eleve_signale_sur_le_champ(client, instructeur, dossier):
    """A proposal above the request comes back with its error next to the field."""
    client.force_login(instructeur)

    reponse = client.post(
        reverse("evaluation:instruction", args=[dossier.pk]),
        _donnees_grille(dossier, 1, montant_propose=str(MONTANT_DEMANDE + 500)),
    )

    assert reponse.status_code == 200
    assert "dépasse le montant demandé" in reponse.context["form"].errors["montant_propose"][0]


def test_conclure_incomplet_explique_ce_qui_manque(client, instructeur, dossier):
    """Concluding without verdicts lists what is missing and changes nothing."""
    client.force_login(instructeur)

    reponse = client.post(
        reverse("evaluation:instruction", args=[dossier.pk]),
        {"version": 1, "conclure": "1"},
    )

    dossier.refresh_from_db()
    assert dossier.statut == Statut.EN_INSTRUCTION
    assert any("ne peut pas être conclue" in m for m in _messages(reponse))


def test_prendre_un_dossier_deja_instruit_refuse_par_la_vue(client, instructeur):
    """The view turns an illegal move into a French message; nothing changes."""
    instruit = dossier_instruit(instructeur=instructeur)
    client.force_login(instructeur)

    reponse = client.post(reverse("evaluation:prendre", args=[instruit.pk]))

    instruit.refresh_from_db()
    assert instruit.statut == Statut.INSTRUIT
    assert any("ne peut pas passer" in m for m in _messages(reponse))


# --- Corrections and thread ----------------------------------------------------------------------


def test_demander_des_corrections_depuis_la_page(
    client, instructeur, dossier, membre, django_capture_on_commit_callbacks, executer_taches):
    """The form sends the request; the structure sees it on its follow-up page."""
    client.force_login(instructeur)

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            reverse("evaluation:corrections", args=[dossier.pk]),
            {"sections": ["budget"], "message": "Détaillez la ligne 64.",
             "echeance": (timezone.localdate() + datetime.timedelta(days=10)).isoformat()},
        )

    assert reponse.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).statut == Statut.A_CORRIGER
    executer_taches()
    assert [m.to for m in mail.outbox] == [[membre.utilisateur.email]]
    client.force_login(membre.utilisateur)
    page = client.get(reverse("evaluation:suivi", args=[dossier.pk])).content.decode()
    assert "Détaillez la ligne 64." in page
    assert "Budget du projet" in page


def test_message_de_la_structure_notifie_l_instructeur(
    client, instructeur, dossier, membre, django_capture_on_commit_callbacks, executer_taches):
    """A structure's message (with a PDF) reaches the assigned instructor by e-mail."""
    client.force_login(membre.utilisateur)

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            reverse("evaluation:message", args=[dossier.pk]),
            {"texte": "Voici le devis demandé.",
             "fichiers": [SimpleUploadedFile("devis.pdf", PDF_MINIMAL)]},
        )

    assert reponse.status_code == 302
    message = Message.objects.get(dossier=dossier)
    assert message.de_la_structure
    assert message.pieces.get().nom_original == "devis.pdf"
    executer_taches()
    assert [m.to for m in mail.outbox] == [[instructeur.email]]
    assert "Voici le devis demandé." in mail.outbox[0].body


def test_message_de_l_instructeur_notifie_la_structure(
    instructeur, dossier, membre, django_capture_on_commit_callbacks, executer_taches):
    """An instructor's message reaches every member of the structure."""
    collegue = MembreFactory(structure=membre.structure, contributeur=True)

    with django_capture_on_commit_callbacks(execute=True):
        services_messages.envoyer_message(
            dossier=dossier, auteur=instructeur, texte="Une question."
        )

    executer_taches()
    assert mail.outbox[0].to == sorted([membre.utilisateur.email, collegue.utilisateur.email])


def test_piece_jointe_au_contenu_trompeur_refusee(client, dossier, membre):
    """A file whose bytes do not match its extension is refused; the text typed comes back."""
    client.force_login(membre.utilisateur)

    reponse = client.post(
        reverse("evaluation:message", args=[dossier.pk]),
        {"texte": "Mon texte long.",
         "fichiers": [SimpleUploadedFile("faux.pdf", b"MZ\x90\x00 executable")]},
    )

    assert reponse.status_code == 400
    assert "ne correspond pas" in reponse.content.decode()
    assert "Mon texte long." in reponse.content.decode()
    assert not Message.objects.exists()


def test_lire_le_fil_le_marque_lu(client, instructeur, dossier, membre):
    """Opening the thread records the reading time: older messages are no longer new."""
    services_messages.envoyer_message(dossier=dossier, auteur=instructeur, texte="Question ?")
    client.force_login(membre.utilisateur)

    premiere = client.get(reverse("evaluation:suivi", args=[dossier.pk]))
    seconde = client.get(reverse("evaluation:suivi", args=[dossier.pk]))

    assert premiere.context["fil"][0].non_lu
    assert not seconde.context["fil"][0].non_lu
    assert Lecture.objects.filter(dossier=dossier, utilisateur=membre.utilisateur).exists()


def test_la_chronologie_interne_reste_au_personnel(client, instructeur, dossier, membre):
    """Staff see instruction edits in the trail; the structure sees status changes only."""
    services_instruction.enregistrer_instruction(
        dossier=dossier, par=instructeur, version=1, champs={"annotations": "Secret."}
    )

    client.force_login(instructeur)
    interne = client.get(reverse("evaluation:suivi", args=[dossier.pk])).content.decode()
    client.force_login(membre.utilisateur)
    publique = client.get(reverse("evaluation:suivi", args=[dossier.pk])).content.decode()

    assert "Annotations internes" in interne and "Secret." in interne
    assert "Secret." not in publique
    assert "déposé → en instruction" in publique


def test_les_corrections_de_la_structure_figurent_dans_l_historique(
    client, instructeur, dossier, membre
):
    """Edits made during corrections appear, field by field, in everyone's trail."""
    services_corrections.demander_corrections(
        dossier=dossier, par=instructeur, sections=["projet"], message="Lieux ?"
    )
    dossier.refresh_from_db()
    services_dossiers.enregistrer_brouillon(
        dossier=dossier, par=membre.utilisateur, version=dossier.version,
        champs={"lieux": "Cévennes"},
    )

    client.force_login(membre.utilisateur)
    page = client.get(reverse("evaluation:suivi", args=[dossier.pk])).content.decode()

    assert "Modification du dossier" in page
    assert "Lieux de réalisation" in page and "Cévennes" in page


# --- Decisions -----------------------------------------------------------------------------------


def _ligne(form, dossier, **valeurs):
    prefixe = f"form-{form}-"
    return {prefixe + "dossier": str(dossier.pk), **{prefixe + k: v for k, v in valeurs.items()}}


def _programmation(*lignes, reference=""):
    donnees = {
        "form-TOTAL_FORMS": str(len(lignes)), "form-INITIAL_FORMS": str(len(lignes)),
        "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000",
        "reference_deliberation": reference,
    }
    for ligne in lignes:
        donnees.update(ligne)
    return donnees


def test_programmation_decide_plusieurs_dossiers(client, comite):
    """Two rows decided at once; a row left empty waits."""
    a = dossier_instruit()
    b = dossier_instruit(appel=a.appel)
    c = dossier_instruit(appel=a.appel)
    ordre = [d.pk for d in selectors_programmation.programmation(a.appel).a_decider]
    par_pk = {d.pk: d for d in (a, b, c)}
    d0, d1, d2 = (par_pk[pk] for pk in ordre)
    bilan = (timezone.localdate() + datetime.timedelta(days=200)).isoformat()
    client.force_login(comite)

    reponse = client.post(
        reverse("evaluation:programmation", args=[a.appel_id]),
        _programmation(
            _ligne(0, d0, nature="retenu", montant_accorde="4000", date_limite_bilan=bilan,
                   versement="unique"),
            _ligne(1, d1, nature="non_retenu", motif="Hors cible.", versement="unique"),
            _ligne(2, d2, nature="", versement="unique"),
            reference="COPIL-2026-01",
        ),
    )

    assert reponse.status_code == 302
    assert Decision.objects.get(dossier=d0).reference == "COPIL-2026-01"
    assert Dossier.objects.get(pk=d0.pk).statut == Statut.EN_COURS
    assert Dossier.objects.get(pk=d1.pk).statut == Statut.NON_RETENU
    assert Dossier.objects.get(pk=d2.pk).statut == Statut.INSTRUIT


def test_programmation_erreur_par_ligne_rien_de_perdu(client, comite):
    """A refused row shows its error next to it; nothing is recorded, every value comes back."""
    a = dossier_instruit()
    b = dossier_instruit(appel=a.appel)
    d0, d1 = selectors_programmation.programmation(a.appel).a_decider
    bilan = (timezone.localdate() + datetime.timedelta(days=200)).isoformat()
    client.force_login(comite)

    reponse = client.post(
        reverse("evaluation:programmation", args=[a.appel_id]),
        _programmation(
            _ligne(0, d0, nature="retenu", montant_accorde="4321", date_limite_bilan=bilan,
                   versement="unique", conditions="Rendre compte au comité."),
            _ligne(1, d1, nature="retenu", montant_accorde=str(MONTANT_DEMANDE + 1),
                   date_limite_bilan=bilan, versement="unique"),
        ),
    )

    assert reponse.status_code == 200
    assert not Decision.objects.exists()
    formulaires = reponse.context["formset"].forms
    assert not formulaires[0].errors
    assert "dépasse le montant demandé" in formulaires[1].errors["montant_accorde"][0]
    contenu = reponse.content.decode()
    assert 'value="4321"' in contenu
    assert "Rendre compte au comité." in contenu
    assert {a.pk, b.pk} == {d0.pk, d1.pk}


def test_programmation_totaux_par_pilier(comite):
    """Totals add proposed amounts awaiting decision and granted ones, per pilier."""
    a = dossier_instruit()
    b = dossier_instruit(appel=a.appel)
    a.appel.enveloppes.create(pilier_id=a.action_principale.objectif.orientation.pilier_id,
                              montant=10000)
    services_decisions.decider(
        dossier=a, par=comite, nature="retenu", montant_accorde=5000,
        date_limite_bilan=timezone.localdate() + datetime.timedelta(days=30),
    )

    prog = selectors_programmation.programmation(a.appel)

    pilier = next(t for t in prog.piliers if t.enveloppe)
    assert (pilier.propose, pilier.accorde, pilier.reste) == (6000, 5000, 5000)
    assert [d.pk for d in prog.a_decider] == [b.pk]
    assert (prog.propose, prog.accorde) == (6000, 5000)
    assert prog.reste == a.appel.enveloppe_totale - 5000


def test_page_de_decision_unitaire(
    client, comite, django_capture_on_commit_callbacks, executer_taches
):
    """The single decision form records a refusal with its motive and e-mails the letter."""
    dossier = dossier_instruit()
    client.force_login(comite)

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            reverse("evaluation:decision", args=[dossier.pk]),
            {"nature": "classe_sans_suite", "motif": "Projet déjà financé.",
             "versement": "unique"},
        )

    assert reponse.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).statut == Statut.CLASSE_SANS_SUITE
    executer_taches()
    assert mail.outbox[-1].attachments


# --- Administration -----------------------------------------------------------------------------


def test_l_admin_refuse_une_transition_illegale(client, instructeur):
    """The admin action calls the same service: an illegal move is refused and reported."""
    admin = UtilisateurFactory(administrateur=True, is_superuser=True)
    instruit = dossier_instruit(instructeur=instructeur)
    client.force_login(admin)

    reponse = client.post(
        reverse("admin:evaluation_instruction_changelist"),
        {"action": "prendre_en_instruction", "_selected_action": [instruit.instruction.pk]},
        follow=True,
    )

    instruit.refresh_from_db()
    assert instruit.statut == Statut.INSTRUIT
    assert any("ne peut pas passer" in m for m in _messages(reponse))


def test_l_admin_ne_modifie_ni_dossier_ni_decision(client):
    """Dossiers and decisions are read-only in the admin: statuses move through services."""
    admin = UtilisateurFactory(administrateur=True, is_superuser=True)
    dossier = dossier_instruit()
    client.force_login(admin)

    modification = client.post(
        reverse("admin:candidatures_dossier_change", args=[dossier.pk]), {"statut": "retenu"}
    )
    ajout = client.get(reverse("admin:evaluation_decision_add"))

    assert modification.status_code == 403
    assert ajout.status_code == 403
    assert Dossier.objects.get(pk=dossier.pk).statut == Statut.INSTRUIT
