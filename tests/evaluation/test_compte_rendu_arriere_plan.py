"""The compte rendu financier is built by the worker and kept: its address never renders it."""

import io
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from evaluation.bilans.services import saisie as services_saisie
from evaluation.models import GenerationCompteRendu
from tests.evaluation.factories import remplir_bilan

pytestmark = pytest.mark.django_db

RENDU = "evaluation.bilans.compte_rendu.rendre_pdf"


def _interdit(*args, **kwargs):
    raise AssertionError("Le compte rendu a été rendu pendant la requête.")


@pytest.fixture
def bilan(bilan, membre):
    """The bilan, filled."""
    remplir_bilan(bilan, membre.utilisateur)
    bilan.refresh_from_db()
    return bilan


def _texte(reponse):
    contenu = b"".join(reponse.streaming_content)
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(contenu)).pages)


def test_annonce_la_preparation_puis_sert_le_fichier_garde(
    client, bilan, membre, django_capture_on_commit_callbacks, executer_taches
):
    client.force_login(membre.utilisateur)
    adresse = reverse("bilans:compte_rendu_pdf", args=[bilan.dossier_id])

    with mock.patch(RENDU, side_effect=_interdit):
        assert "Préparer le PDF" in client.get(adresse).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            attente = client.post(adresse, follow=True)
        assert attente.status_code == 200
        assert "est en préparation" in attente.content.decode()
        # Asked again before the worker ran: the same build, not a second one.
        client.post(adresse)
        assert GenerationCompteRendu.objects.filter(bilan=bilan).count() == 1
        etat = client.get(reverse("bilans:compte_rendu_etat", args=[bilan.dossier_id])).json()
        assert (etat["etat"], etat["fichier"]) == ("en_attente", "")

    executer_taches()

    with mock.patch(RENDU, side_effect=_interdit):
        reponse = client.get(adresse)
    assert reponse["Content-Type"] == "application/pdf"
    nom = f"compte-rendu-financier-{bilan.dossier.reference}.pdf"
    assert nom in reponse["Content-Disposition"]
    assert "Cerfa n°15059*02" in _texte(reponse)


def test_un_bilan_modifie_donne_un_nouveau_fichier(
    client, bilan, membre, django_capture_on_commit_callbacks, executer_taches
):
    client.force_login(membre.utilisateur)
    adresse = reverse("bilans:compte_rendu_pdf", args=[bilan.dossier_id])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(adresse)
    executer_taches()

    bilan.refresh_from_db()
    services_saisie.enregistrer_bilan(
        bilan=bilan, par=membre.utilisateur, version=bilan.version,
        champs={"regle_charges_indirectes": "Selon les heures animées."},
    )
    # The kept file no longer matches the bilan: it is not served, the page offers a new one.
    assert "Préparer le PDF" in client.get(adresse).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        attente = client.post(adresse, follow=True)
    assert "est en préparation" in attente.content.decode()
    executer_taches()

    assert "Selon les heures animées." in " ".join(_texte(client.get(adresse)).split())


def test_la_page_du_compte_rendu_n_ecrit_rien_sur_get(
    client, bilan, membre, django_capture_on_commit_callbacks, executer_taches
):
    """Shown (GET) before, while and after it is prepared, the page writes nothing: the
    preparation is asked for by the « Préparer le PDF » button (POST)."""
    client.force_login(membre.utilisateur)
    client.get(reverse("referentiel:index"))  # the session, new, is renewed once
    adresse = reverse("bilans:compte_rendu_pdf", args=[bilan.dossier_id])
    etat = reverse("bilans:compte_rendu_etat", args=[bilan.dossier_id])

    def ecritures(url):
        with CaptureQueriesContext(connection) as requetes:
            reponse = client.get(url)
        return reponse, [
            q["sql"] for q in requetes.captured_queries
            if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        ]

    reponse, avant = ecritures(adresse)
    assert (reponse.status_code, avant) == (200, [])
    assert GenerationCompteRendu.objects.count() == 0
    assert client.get(etat).json()["etat"] == "absent"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(adresse)
    assert ecritures(adresse)[1] == [] and ecritures(etat)[1] == []
    executer_taches()
    reponse, apres = ecritures(adresse)
    assert reponse["Content-Type"] == "application/pdf" and apres == []
    assert GenerationCompteRendu.objects.count() == 1
