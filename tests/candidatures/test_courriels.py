"""Every e-mail of the portal is sent by the worker: a request only queues it once committed."""

import logging
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from candidatures.commun import courriels

pytestmark = pytest.mark.django_db

ENVOI = "candidatures.commun.courriels.EmailMessage.send"


def _envoyer(**autres):
    return courriels.envoyer(
        destinataires=["jeanne@exemple.test"], sujet="Essai",
        gabarit="comptes/courriels/compte_existant.txt",
        contexte={"utilisateur": None, "lien_connexion": "x", "lien_mot_de_passe": "y"}, **autres
    )


def _taches():
    return DBTaskResult.objects.filter(task_path__endswith=".envoyer_courriel")


def test_le_courriel_part_seulement_quand_la_tache_tourne(
    django_capture_on_commit_callbacks, executer_taches
):
    """Queued on commit, waiting in the database (worker down: nothing lost), sent by the
    worker."""
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            _envoyer()
            assert not _taches().exists()  # not before the commit
    assert mail.outbox == []
    assert _taches().get().status == "READY"

    executer_taches()

    assert [m.to for m in mail.outbox] == [["jeanne@exemple.test"]]
    assert mail.outbox[0].subject.endswith("] Essai")
    assert "x" in mail.outbox[0].body


def test_rien_n_est_envoye_si_la_transaction_est_annulee(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            _envoyer()
            raise RuntimeError
    assert not _taches().exists()


def test_un_echec_d_envoi_est_retente_puis_signale(
    django_capture_on_commit_callbacks, executer_taches, caplog
):
    """Each failure queues a later attempt; the last one is logged as an error and left failed
    in the task results."""
    with django_capture_on_commit_callbacks(execute=True):
        _envoyer()
    with mock.patch(ENVOI, side_effect=OSError("serveur absent")):
        for _ in range(courriels.TENTATIVES - 1):
            executer_taches()
            assert mail.outbox == []
            _taches().filter(status="READY").update(run_after=timezone.now())
        assert _taches().count() == courriels.TENTATIVES
        dernier = _taches().get(args_kwargs__kwargs__tentative=courriels.TENTATIVES)
        with caplog.at_level(logging.ERROR), pytest.raises(AssertionError, match="en échec"):
            executer_taches()
    dernier.refresh_from_db()
    assert dernier.status == "FAILED"
    assert "non envoyé après 5 tentatives" in caplog.text


def test_un_echec_passager_est_rattrape(django_capture_on_commit_callbacks, executer_taches):
    with django_capture_on_commit_callbacks(execute=True):
        _envoyer()
    with mock.patch(ENVOI, side_effect=OSError):
        executer_taches()
    _taches().filter(status="READY").update(run_after=timezone.now())

    executer_taches()

    assert len(mail.outbox) == 1
