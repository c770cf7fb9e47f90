"""Fixtures shared by the whole suite."""

import zlib

import factory.random
import pytest
from django.core.management import call_command

ROLES = ("porteur", "instructeur", "comite", "administrateur")


def charger_donnees_de_base():
    """The référentiel and the role groups: what migrations and fixtures give a real database."""
    from django.contrib.auth.models import Group

    if not _restituer_referentiel():
        _charger_et_photographier_referentiel()
    for nom in ROLES:
        Group.objects.get_or_create(name=nom)


# Rows the référentiel fixture wrote, per database: (model, columns, rows), parents first. Loading
# the fixture (natural keys: several queries per object) costs about a second of CPU, and every
# transactional test, browser tests among them, loads it again into an emptied database; the same
# rows inserted as they were read take a few milliseconds.
_REFERENTIEL_LU = {}


def _charger_et_photographier_referentiel():
    from django.db import connection
    from django.db.models.signals import post_save

    enregistres = {}

    def noter(sender, instance, raw, **kwargs):
        if raw:
            enregistres.setdefault(sender, []).append(instance.pk)

    post_save.connect(noter, weak=False)
    try:
        call_command("loaddata", "referentiel", verbosity=0)
    finally:
        post_save.disconnect(noter)
    lus = []
    with connection.cursor() as curseur:
        for modele, cles in enregistres.items():
            lus.append(_lire(curseur, modele, modele._meta.pk.column, cles))
        for modele, cles in enregistres.items():
            for champ in modele._meta.local_many_to_many:
                intermediaire = champ.remote_field.through
                if intermediaire._meta.auto_created:
                    lus.append(_lire(curseur, intermediaire, champ.m2m_column_name(), cles))
    _REFERENTIEL_LU[connection.settings_dict["NAME"]] = lus


def _lire(curseur, modele, colonne_cle, cles):
    from django.db import connection

    colonnes = [champ.column for champ in modele._meta.concrete_fields]
    nom = connection.ops.quote_name
    marques = ", ".join(["%s"] * len(cles))
    curseur.execute(
        f"SELECT {', '.join(nom(c) for c in colonnes)} FROM {nom(modele._meta.db_table)} "
        f"WHERE {nom(colonne_cle)} IN ({marques})",
        list(cles),
    )
    return modele, colonnes, curseur.fetchall()


def _restituer_referentiel():
    """Insert the rows read at the first load again, if their tables are empty (after a flush)."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    lus = _REFERENTIEL_LU.get(connection.settings_dict["NAME"])
    if not lus:
        return False
    nom = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as curseur:
        for modele, _, _ in lus:
            curseur.execute(f"SELECT 1 FROM {nom(modele._meta.db_table)} LIMIT 1")
            if curseur.fetchone():
                return False
        for modele, colonnes, lignes in lus:
            curseur.executemany(
                f"INSERT INTO {nom(modele._meta.db_table)} "
                f"({', '.join(nom(c) for c in colonnes)}) "
                f"VALUES ({', '.join(['%s'] * len(colonnes))})",
                lignes,
            )
        # As loaddata does: identifiers handed out next follow the rows inserted with theirs.
        for requete in connection.ops.sequence_reset_sql(no_style(), [m for m, _, _ in lus]):
            curseur.execute(requete)
    return True


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
