"""The region, department and intercommunality lines name their funder (« Région Occitanie »):
the queue's XLSX and CSV, the dossier PDF and the compte rendu financier PDF show the name the
dossier gave, not the generic label."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from candidatures.dossiers.pdf import rendre_dossier_pdf
from candidatures.models import LigneBudget
from evaluation.bilans.services import saisie as services_saisie
from evaluation.instruction.exports import COLONNES_FILE
from tests.evaluation.factories import (
    MembreFactory,
    UtilisateurFactory,
    dossier_depose,
    dossier_retenu,
    remplir_bilan,
)

pytestmark = pytest.mark.django_db


def _nommer(dossier):
    LigneBudget.objects.create(dossier=dossier, code="74_region", montant=1500,
                               precision="Région Occitanie")
    LigneBudget.objects.create(dossier=dossier, code="74_departement", montant=700,
                               precision="Département du Gard")
    # No name typed for the intercommunality: the territory of the call's contract.
    LigneBudget.objects.filter(dossier=dossier, code="74_epci").update(precision="")


def _texte(contenu):
    texte = "".join(p.extract_text() for p in PdfReader(io.BytesIO(contenu)).pages)
    return re.sub(r"[\s\u202f\u00a0]+", " ", texte)


@pytest.fixture
def depose():
    dossier = dossier_depose()
    _nommer(dossier)
    return dossier


def test_la_file_en_xlsx_nomme_les_financeurs(client, depose):
    client.force_login(UtilisateurFactory(instructeur=True))

    reponse = client.get(reverse("evaluation:export_xlsx", args=[depose.appel_id]))

    entete, ligne = list(load_workbook(io.BytesIO(reponse.content)).active.values)
    cellules = dict(zip(entete, ligne, strict=True))
    assert list(entete) == COLONNES_FILE
    assert cellules["Région : financeur"] == "Région Occitanie"
    assert cellules["Région : montant demandé (€)"] == 1500
    assert cellules["Département : financeur"] == "Département du Gard"
    territoire = depose.appel.contrat.territoire.nom
    assert cellules["Intercommunalité : financeur"] == territoire
    assert cellules["Commune(s) : financeur"] == "Alès"


def test_la_file_en_csv_nomme_les_financeurs(client, depose):
    client.force_login(UtilisateurFactory(instructeur=True))

    reponse = client.get(reverse("evaluation:export_csv", args=[depose.appel_id]))

    entete, ligne = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")),
                                    delimiter=";"))
    cellules = dict(zip(entete, ligne, strict=True))
    assert cellules["Région : financeur"] == "Région Occitanie"
    assert cellules["Département : montant demandé (€)"] == "700"
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", ligne[-1])


def test_le_pdf_du_dossier_nomme_les_financeurs(depose):
    texte = _texte(rendre_dossier_pdf(depose))

    assert "Région(s) (Région Occitanie)" in texte
    assert "Département(s) (Département du Gard)" in texte
    assert f"Intercommunalité(s) : EPCI ({depose.appel.contrat.territoire.nom})" in texte


def test_le_compte_rendu_nomme_les_financeurs(client, compte_rendu_pdf):
    membre = MembreFactory()
    dossier = dossier_retenu(membre=membre)
    _nommer(dossier)
    bilan = services_saisie.ouvrir_bilan(dossier=dossier, par=membre.utilisateur)
    remplir_bilan(bilan, membre.utilisateur)
    client.force_login(membre.utilisateur)

    texte = _texte(compte_rendu_pdf(dossier.pk))

    assert "Région(s) (Région Occitanie) 1 500 €" in texte
    assert "Département(s) (Département du Gard) 700 €" in texte
    assert f"Intercommunalité(s) : EPCI ({dossier.appel.contrat.territoire.nom})" in texte
