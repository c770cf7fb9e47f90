"""References stay unique when many dossiers are submitted at the same instant (PostgreSQL)."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from candidatures.dossiers.services import depot as services
from candidatures.models import CompteurReferences, Dossier

from .factories import AppelAProjetsFactory, DossierFactory, MembreFactory

NOMBRE = 8


@pytest.fixture
def referentiel_charge(transactional_db):
    """Transactional tests run in a flushed database: load the référentiel again."""
    call_command("loaddata", "referentiel", verbosity=0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite sérialise toutes les écritures : la concurrence se vérifie sur PostgreSQL.",
)
def test_references_uniques_sous_depots_simultanes(referentiel_charge):
    """Eight threads submit eight dossiers of one call together: eight distinct references."""
    membre = MembreFactory()
    appel = AppelAProjetsFactory()
    dossiers = [
        DossierFactory(structure=membre.structure, appel=appel, complet=membre.utilisateur)
        for _ in range(NOMBRE)
    ]
    depart = threading.Barrier(NOMBRE)
    erreurs = []

    def deposer(dossier):
        try:
            depart.wait()
            services.deposer_dossier(dossier=dossier, par=membre.utilisateur)
        except Exception as erreur:  # noqa: BLE001 - reported by the assertion below
            erreurs.append(erreur)
        finally:
            connections.close_all()

    fils = [threading.Thread(target=deposer, args=(d,)) for d in dossiers]
    for f in fils:
        f.start()
    for f in fils:
        f.join()

    assert erreurs == []
    references = sorted(Dossier.objects.filter(appel=appel).values_list("reference", flat=True))
    assert references == [f"AAP-{appel.annee}-{n:04d}" for n in range(1, NOMBRE + 1)]
    assert CompteurReferences.objects.get(appel=appel).dernier_numero == NOMBRE
