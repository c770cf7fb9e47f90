"""Fixtures shared by the whole suite."""

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
