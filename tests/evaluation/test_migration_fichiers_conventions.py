"""Migration 0009: the convention PDFs and published files already generated are kept, as the
first builds of the shared background-file mechanism."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from evaluation.models import GenerationConvention, GenerationPublication

from .factories import UtilisateurFactory, dossier_retenu

pytestmark = pytest.mark.django_db(transaction=True)

AVANT = [("evaluation", "0008_lignes_appel_du_dossier")]


def _migrer(cibles):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(cibles)
    return executor.loader.project_state(cibles).apps


def test_les_fichiers_existants_sont_repris():
    dossier = dossier_retenu(accorde=6000)
    auteur = UtilisateurFactory(administrateur=True)
    pdf = default_storage.save("conventions/ancien.pdf", ContentFile(b"%PDF-1.4 ancien"))
    csv = default_storage.save("donnees-ouvertes/ancien.csv", ContentFile(b"nomAttribuant\r\n"))
    try:
        anciennes = _migrer(AVANT)
        Convention = anciennes.get_model("evaluation", "Convention")
        Publication = anciennes.get_model("evaluation", "PublicationDonnees")
        Convention.objects.create(
            dossier_id=dossier.pk, reference="C-1", date_signature=datetime.date(2026, 3, 1),
            signataires="X", deliberation="D", montant_accorde=6000, part_avance=50,
            fichier=pdf, etat_fichier="termine", enregistree_par_id=auteur.pk,
        )
        Convention.objects.create(
            dossier_id=dossier_retenu().pk, reference="C-2",
            date_signature=datetime.date(2026, 3, 1), signataires="X", deliberation="D",
            montant_accorde=6000, part_avance=50, etat_fichier="en_attente",
        )
        Publication.objects.create(
            contrat_id=dossier.appel.contrat_id, annee=2026, fichier=csv, lignes=4,
            empreinte="a" * 64, publiee_par_id=auteur.pk,
        )

        # Forward to the latest migrations; the models of that state are the project's own.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

        convention = GenerationConvention.objects.get()
        assert convention.convention.reference == "C-1"
        assert convention.est_terminee and convention.fichier.name == pdf
        assert convention.convention.pdf_pret == convention
        publication = GenerationPublication.objects.get()
        assert publication.est_terminee and publication.fichier.name == csv
        assert publication.lignes == 4
    finally:
        default_storage.delete(pdf)
        default_storage.delete(csv)
