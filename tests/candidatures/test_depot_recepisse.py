"""The récépissé and the dossier's PDF are built by the worker, kept, and served from the kept
file: submitting (or any other button) never renders a PDF in the request."""

import datetime
import io
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from candidatures.dossiers.services import fichiers_pdf
from candidatures.dossiers.services.brouillons import signer_declaration
from candidatures.dossiers.services.depot import deposer_dossier
from candidatures.models import PdfDossier, Statut

from .contrats import creer_contrat
from .factories import DossierFactory, MembreFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db

RENDU = "candidatures.dossiers.services.fichiers_pdf.rendre_dossier_pdf"


def _texte(contenu):
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(contenu)).pages)


def _interdit(*args, **kwargs):
    raise AssertionError("Un PDF a été rendu pendant la requête.")


def _taches(nom):
    return list(
        DBTaskResult.objects.filter(task_path__endswith=f".{nom}").values_list(
            "args_kwargs", flat=True
        )
    )


@pytest.fixture
def responsable():
    return MembreFactory()


@pytest.fixture
def complet(responsable):
    dossier = DossierFactory(structure=responsable.structure, complet=True)
    signer_declaration(dossier=dossier, par=responsable.utilisateur)
    return dossier


@pytest.fixture
def depose(complet, responsable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        deposer_dossier(dossier=complet, par=responsable.utilisateur)
    complet.refresh_from_db()
    return complet


def _detail(dossier):
    return reverse("dossiers:detail", args=[dossier.pk])


def _url(nom, dossier):
    return reverse(f"dossiers:{nom}", args=[dossier.pk])


# --- Submission -------------------------------------------------------------------------------


def test_deposer_met_le_recepisse_en_file_sans_rendre_de_pdf(
    complet, responsable, django_capture_on_commit_callbacks
):
    """The submission stores a pending récépissé and queues its task once committed; no PDF
    is rendered and no e-mail sent in it."""
    with mock.patch(RENDU, side_effect=_interdit), mock.patch(
        "candidatures.commun.pdf.pdf_depuis_html", side_effect=_interdit
    ):
        with django_capture_on_commit_callbacks(execute=False) as rappels:
            deposer_dossier(dossier=complet, par=responsable.utilisateur)
        assert _taches("produire_pdf") == []  # not before the commit
        for rappel in rappels:
            rappel()

    recepisse = PdfDossier.objects.get(dossier=complet)
    assert (recepisse.nature, recepisse.est_pret) == (PdfDossier.Nature.RECEPISSE, False)
    assert recepisse.version == complet.version and recepisse.statut == Statut.DEPOSE
    assert _taches("produire_pdf") == [{"args": [], "kwargs": {"pdf_id": recepisse.pk}}]
    assert mail.outbox == []


def test_le_bouton_deposer_repond_sans_rendre_de_pdf(client, complet, responsable):
    """The « Déposer le dossier » button: submitted, redirected, the PDF left to the worker."""
    client.force_login(responsable.utilisateur)
    with mock.patch(RENDU, side_effect=_interdit), mock.patch(
        "candidatures.commun.pdf.pdf_depuis_html", side_effect=_interdit
    ):
        reponse = client.post(_url("deposer", complet), follow=True)

    complet.refresh_from_db()
    assert complet.statut == Statut.DEPOSE
    assert "Votre récépissé est en cours de préparation" in reponse.content.decode()


# --- The task -----------------------------------------------------------------------------------


def test_la_tache_garde_un_vrai_pdf_et_l_envoie_une_fois(depose, responsable, executer_taches):
    """The worker stores a PDF (read back: the reference, « Récépissé de dépôt »), then e-mails
    that very file once; running the task again neither renders nor sends anything."""
    executer_taches()

    recepisse = PdfDossier.objects.get(dossier=depose)
    with recepisse.fichier.open("rb") as fichier:
        contenu = fichier.read()
    texte = _texte(contenu)
    assert depose.reference in texte and "Récépissé de dépôt" in texte
    assert recepisse.taille == len(contenu) and recepisse.produit_le and recepisse.envoye_le
    assert len(mail.outbox) == 1
    nom, piece, type_mime = mail.outbox[0].attachments[0]
    assert (nom, piece, type_mime) == (f"recepisse-{depose.reference}.pdf", contenu,
                                       "application/pdf")
    assert reverse("dossiers:detail", args=[depose.pk]) in mail.outbox[0].body

    with mock.patch(RENDU, side_effect=_interdit):
        fichiers_pdf.produire_pdf.call(pdf_id=recepisse.pk)
    assert len(mail.outbox) == 1


def test_un_envoi_echoue_est_refait_plus_tard(depose, executer_taches):
    """If the mail server fails, the file is kept, the e-mail is not marked to send again by a
    new PDF run, and the e-mail task tries again later with the stored file attached."""
    recepisse = PdfDossier.objects.get(dossier=depose)
    with mock.patch("candidatures.commun.courriels.EmailMessage.send", side_effect=OSError):
        executer_taches()
    recepisse.refresh_from_db()
    assert recepisse.est_pret and mail.outbox == []
    essai = DBTaskResult.objects.get(
        task_path__endswith=".envoyer_courriel", args_kwargs__kwargs__tentative=2
    )
    assert essai.run_after > timezone.now()  # later, not at once

    DBTaskResult.objects.filter(pk=essai.pk).update(run_after=timezone.now())
    with mock.patch(RENDU, side_effect=_interdit):
        executer_taches()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments[0][0] == f"recepisse-{depose.reference}.pdf"


# --- The dossier page ---------------------------------------------------------------------------


def test_la_page_annonce_puis_propose_le_recepisse(client, depose, responsable, executer_taches):
    """« en cours de préparation » (and the block asks to be polled) until the worker ran; then
    the download link, which serves the kept file."""
    client.force_login(responsable.utilisateur)
    page = client.get(_detail(depose)).content.decode()
    assert "Votre récépissé est en cours de préparation" in page
    assert 'data-suivi-url="' + _url("fichiers", depose) in page
    assert "Relancer la préparation" not in page  # not late yet
    attente = client.get(_url("recepisse", depose))
    assert attente.status_code == 302 and attente.url.endswith("#fichiers-dossier")

    executer_taches()

    bloc = client.get(_url("fichiers", depose)).content.decode()
    assert "Télécharger le récépissé" in bloc and "data-suivi-url" not in bloc
    assert "en cours de préparation" not in bloc
    with mock.patch(RENDU, side_effect=_interdit):
        reponse = client.get(_url("recepisse", depose))
    contenu = b"".join(reponse.streaming_content)
    assert reponse["Content-Type"] == "application/pdf"
    assert f'filename="recepisse-{depose.reference}.pdf"' in reponse["Content-Disposition"]
    assert depose.reference in _texte(contenu)


def test_travailleur_arrete_le_porteur_relance_la_preparation(
    client, depose, responsable, executer_taches, django_capture_on_commit_callbacks
):
    """A récépissé still missing after a while: the page offers to ask again; the POST queues
    the task again (never renders), and the worker builds it when it runs."""
    PdfDossier.objects.filter(dossier=depose).update(
        demande_le=timezone.now() - datetime.timedelta(hours=3)
    )
    DBTaskResult.objects.all().delete()  # the queued task was lost with the worker's database
    client.force_login(responsable.utilisateur)
    assert "Relancer la préparation du récépissé" in client.get(_detail(depose)).content.decode()

    with mock.patch(RENDU, side_effect=_interdit), django_capture_on_commit_callbacks(
        execute=True
    ):
        reponse = client.post(_url("redemander_recepisse", depose), follow=True)

    assert "La préparation du récépissé est relancée" in reponse.content.decode()
    assert len(_taches("produire_pdf")) == 1
    executer_taches()
    assert PdfDossier.objects.get(dossier=depose).est_pret
    assert len(mail.outbox) == 1


def test_un_dossier_depose_sans_recepisse_peut_le_demander(
    client, responsable, executer_taches, django_capture_on_commit_callbacks
):
    """A dossier submitted before récépissés were kept (or imported) has none: the page says so
    and offers to prepare it."""
    dossier = DossierFactory(structure=responsable.structure, complet=True, depose=True)
    client.force_login(responsable.utilisateur)
    page = client.get(_detail(dossier)).content.decode()
    assert "n'a pas encore été préparé" in page and "Préparer le récépissé" in page
    lien = client.get(_url("recepisse", dossier), follow=True).content.decode()
    assert "demandez-le avec le bouton « Préparer le récépissé »" in lien

    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("redemander_recepisse", dossier))
    executer_taches()

    assert dossier.reference in _texte(PdfDossier.objects.get(dossier=dossier).fichier.read())


# --- The dossier's PDF --------------------------------------------------------------------------


def test_le_pdf_du_dossier_est_prepare_puis_garde_par_version(
    client, complet, responsable, executer_taches, django_capture_on_commit_callbacks
):
    """« Préparer le PDF » queues it (no rendering in the request); the kept file is served
    while the dossier is unchanged; a new version asks for a new file and drops the old one."""
    client.force_login(responsable.utilisateur)
    assert client.get(_url("pdf", complet)).status_code == 302  # nothing kept yet
    assert "Préparer le PDF du dossier" in client.get(_detail(complet)).content.decode()

    with mock.patch(RENDU, side_effect=_interdit), django_capture_on_commit_callbacks(
        execute=True
    ):
        reponse = client.post(_url("pdf", complet), follow=True)
    assert "Le PDF du dossier est en cours de préparation" in reponse.content.decode()
    executer_taches()

    with mock.patch(RENDU, side_effect=_interdit):
        reponse = client.get(_url("pdf", complet))
    ancien = PdfDossier.objects.get(dossier=complet)
    assert complet.intitule in _texte(b"".join(reponse.streaming_content))
    assert ancien.version == complet.version

    complet.version += 1
    complet.intitule = "Nouvel intitulé du projet"
    complet.save()
    assert client.get(_url("pdf", complet)).status_code == 302  # the kept file is outdated
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("pdf", complet))
    executer_taches()

    nouveau = PdfDossier.objects.get(dossier=complet)
    assert nouveau.pk != ancien.pk and not ancien.fichier.storage.exists(ancien.fichier.name)
    reponse = client.get(_url("pdf", complet))
    assert "Nouvel intitulé du projet" in _texte(b"".join(reponse.streaming_content))


# --- Who may ------------------------------------------------------------------------------------


@pytest.fixture
def pret(depose, executer_taches):
    executer_taches()
    return depose


@pytest.mark.parametrize(
    ("role", "attendu"),
    [
        ("responsable", 200),
        ("autre_porteur", 404),
        ("instructeur", 200),
        ("instructeur_autre_contrat", 404),
        ("comite", 200),
        ("administrateur", 200),
    ],
)
def test_qui_peut_telecharger_ou_relancer_le_recepisse(client, pret, responsable, role, attendu):
    """The structure's members and the staff of the dossier's contract; anyone else a 404,
    whether they download, poll or ask again."""
    utilisateurs = {
        "responsable": lambda: responsable.utilisateur,
        "autre_porteur": lambda: MembreFactory().utilisateur,
        "instructeur": lambda: UtilisateurFactory(instructeur=True),
        "instructeur_autre_contrat": lambda: UtilisateurFactory(
            instructeur=True, roles__contrat=creer_contrat()["contrat"]
        ),
        "comite": lambda: UtilisateurFactory(comite=True),
        "administrateur": lambda: UtilisateurFactory(administrateur=True),
    }
    client.force_login(utilisateurs[role]())

    assert client.get(_url("recepisse", pret)).status_code == attendu
    assert client.get(_url("fichiers", pret)).status_code == attendu
    relance = client.post(_url("redemander_recepisse", pret))
    assert relance.status_code == (302 if attendu == 200 else 404)
    preparation = client.post(_url("pdf", pret))
    assert preparation.status_code == (302 if attendu == 200 else 404)
    if attendu == 404:
        assert not PdfDossier.objects.filter(dossier=pret, nature="dossier").exists()
