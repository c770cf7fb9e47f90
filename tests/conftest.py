"""Fixtures shared by the whole suite."""

import zlib

import factory.random
import pytest
from django.core.management import call_command

ROLES = ("porteur", "instructeur", "comite", "administrateur")


def charger_donnees_de_base():
    """The référentiel and the role groups: what migrations and fixtures give a real database."""
    from django.contrib.auth.models import Group

    call_command("loaddata", "referentiel", verbosity=0)
    for nom in ROLES:
        Group.objects.get_or_create(name=nom)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real référentiel once into the test database: most pages hang off it."""
    with django_db_blocker.unblock():
        charger_donnees_de_base()


def _transactionnel(request):
    marqueur = request.node.get_closest_marker("django_db")
    return (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or bool(marqueur and marqueur.kwargs.get("transaction"))
    )


@pytest.fixture(autouse=True)
def _donnees_de_base_apres_vidage(request):
    """Transactional tests empty the database after each test: give each one its base data back."""
    if _transactionnel(request):
        request.getfixturevalue("transactional_db")
        charger_donnees_de_base()


@pytest.fixture(autouse=True)
def _hasard_fixe(request):
    """Whatever randomness factories use (Faker, fuzzy) is the same at every run of a test."""
    factory.random.reseed_random(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture
def executer_taches():
    """Run the background tasks waiting in the database, as ``manage.py db_worker`` would."""

    from django.test import TestCase
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    # The command itself closes the database connection between tasks, which a test cannot
    # afford: its worker runs the same claim-then-run steps on the test's connection.
    worker = Worker(
        queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="tests", excluded_queue_names=[],
    )

    def executer():
        while resultat := DBTaskResult.objects.ready().order_by("enqueued_at").first():
            resultat.claim(worker.worker_id)
            # The real worker runs a task outside any transaction: what the task defers to
            # « on commit » (queueing an e-mail…) happens at once, not at the test's end.
            with TestCase.captureOnCommitCallbacks(execute=True):
                worker.run_task(resultat)
        echecs = list(DBTaskResult.objects.failed().values_list("task_path", "traceback"))
        assert not echecs, f"Tâches de fond en échec : {echecs}"

    return executer


@pytest.fixture(autouse=True)
def _cache_des_pages_vide():
    """Fragments kept by a test (under a version its rolled-back data gave) are not served to
    the next one."""
    from django.core.cache import caches

    caches["pages"].clear()
