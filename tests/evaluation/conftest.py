"""Fixtures of the evaluation tests."""

import pytest
from django.urls import reverse

from evaluation.bilans.services import saisie as services_saisie
from tests.evaluation.factories import MembreFactory, UtilisateurFactory, dossier_retenu


@pytest.fixture
def instructeur():
    """An instructor of the default contract."""
    return UtilisateurFactory(instructeur=True)


@pytest.fixture
def comite():
    """A member of the comité de pilotage of the default contract."""
    return UtilisateurFactory(comite=True)


@pytest.fixture
def membre():
    """A porteur: member of a structure."""
    return MembreFactory()


@pytest.fixture
def bilan(membre):
    """The bilan of a retained dossier of ``membre``, opened by the porteur, still empty."""
    dossier = dossier_retenu(membre=membre)
    return services_saisie.ouvrir_bilan(dossier=dossier, par=membre.utilisateur)


@pytest.fixture
def compte_rendu_pdf(client, django_capture_on_commit_callbacks, executer_taches):
    """Download a dossier's compte rendu financier as its user does: « Préparer le PDF » (the
    worker builds it), let the worker run, ask again and get the kept PDF's bytes."""

    def telecharger(dossier_id):
        adresse = reverse("bilans:compte_rendu_pdf", args=[dossier_id])
        with django_capture_on_commit_callbacks(execute=True):
            client.post(adresse)
        executer_taches()
        reponse = client.get(adresse)
        assert reponse["Content-Type"] == "application/pdf"
        return b"".join(reponse.streaming_content)

    return telecharger
