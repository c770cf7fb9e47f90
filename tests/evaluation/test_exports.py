"""Exports: the queue as XLSX and CSV, granted subsidies in the SCDL « subventions » format."""

import csv
import datetime
import io
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from evaluation.conventions import services as services_conventions
from evaluation.instruction.exports import COLONNES_FILE, COLONNES_SCDL
from evaluation.instruction.services import decisions as services_decisions
from tests.candidatures.factories import siret_valide

from .factories import MembreFactory, UtilisateurFactory, dossier_depose, dossier_instruit

pytestmark = pytest.mark.django_db

SIRET_AGGLO = siret_valide(4242)  # a test value, not the real one


@pytest.fixture
def appel_decide(comite):
    retenu = dossier_instruit()
    refuse = dossier_instruit(appel=retenu.appel)
    services_decisions.decider(
        dossier=retenu, par=comite, nature="retenu", montant_accorde=5250,
        date_limite_bilan=timezone.localdate() + datetime.timedelta(days=200),
        versement="echelonne", reference_deliberation="COPIL-2026-04",
    )
    services_decisions.decider(dossier=refuse, par=comite, nature="non_retenu", motif="Hors cible.")
    _conventionner(retenu)
    return retenu


def _conventionner(dossier, date=datetime.date(2026, 3, 15)):
    """The convention that gives the subsidy its dateConvention (and makes it a row)."""
    return services_conventions.enregistrer_convention(
        dossier=dossier, par=UtilisateurFactory(instructeur=True), reference="CONV-1",
        date_signature=date, signataires="Le président ; la présidente",
        deliberation="COPIL-2026-04",
    )


def _lire_scdl(client, appel):
    reponse = client.get(reverse("evaluation:export_scdl", args=[appel.pk]))
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    contenu = reponse.content
    assert not contenu.startswith(b"\xef\xbb\xbf")  # plain UTF-8, as open-data portals expect
    return list(csv.reader(io.StringIO(contenu.decode("utf-8"))))


@override_settings(ATTRIBUANT_SIRET=SIRET_AGGLO)
def test_export_scdl_relu_et_conforme(client, comite, appel_decide):
    """One row per granted subsidy, columns in schema order, values in the schema's formats."""
    client.force_login(comite)

    lignes = _lire_scdl(client, appel_decide.appel)

    entete, *donnees = lignes
    assert entete == COLONNES_SCDL
    assert len(donnees) == 1
    ligne = dict(zip(entete, donnees[0], strict=True))
    structure = appel_decide.structure
    assert ligne["nomAttribuant"] == "Alès Agglomération"
    assert re.fullmatch(r"[0-9]{14}", ligne["idAttribuant"])
    assert ligne["dateConvention"] == "2026-03-15"  # the convention's, not the decision's
    assert ligne["referenceDecision"] == "COPIL-2026-04"
    assert ligne["nomBeneficiaire"] == structure.raison_sociale
    assert ligne["idBeneficiaire"] == structure.siret
    assert re.fullmatch(r"[0-9]{14}", ligne["idBeneficiaire"])
    assert re.fullmatch(r"W[0-9]{9}", ligne["rnaBeneficiaire"])
    assert len(ligne["objet"]) < 256 and "1.1.1.a" in ligne["objet"]
    assert ligne["montant"] == "5250.00"
    assert ligne["nature"] == "aide en numéraire"
    assert ligne["conditionsVersement"] == "échelonné"
    # Nothing paid yet: from the convention to the bilan, when the balance is due.
    fin = appel_decide.decision.date_limite_bilan.isoformat()
    assert ligne["datesPeriodeVersement"] == f"2026-03-15/{fin}"
    assert ligne["notificationUE"] == "non"
    assert ligne["pourcentageSubvention"] == "1.00"  # a single beneficiary, whatever the cost
    assert ligne["dispositifAide"] == ""  # no identifier set for the call


def test_objet_long_tronque_a_255_caracteres(client, comite):
    """A long title is cut below 256 characters."""
    dossier = dossier_instruit()
    dossier.intitule = ("Très long intitulé " * 13).strip()  # 246 characters, plus the action code
    dossier.save()
    services_decisions.decider(
        dossier=dossier, par=comite, nature="retenu", montant_accorde=100,
        date_limite_bilan=timezone.localdate() + datetime.timedelta(days=10),
    )
    _conventionner(dossier)
    client.force_login(comite)

    _entete, ligne = _lire_scdl(client, dossier.appel)

    assert len(ligne[COLONNES_SCDL.index("objet")]) <= 255


def test_siret_provisoire_signale(client, comite, appel_decide):
    """Without ATTRIBUANT_SIRET, the programmation page warns before publication."""
    client.force_login(comite)

    reponse = client.get(reverse("evaluation:programmation", args=[appel_decide.appel_id]))

    assert "SIRET provisoire" in reponse.content.decode()


def test_export_file_xlsx_relu(client):
    """The filtered queue as XLSX: header and one row per dossier, amounts as numbers."""
    instructeur = UtilisateurFactory(instructeur=True)
    # Explicit names: the search is a substring match, and "… n°1" would also find "… n°12".
    jardins = MembreFactory(structure__raison_sociale="Les Jardins du Gardon")
    cevennes = MembreFactory(structure__raison_sociale="Cévennes Solidaires")
    dossier = dossier_depose(membre=jardins)
    dossier_depose(appel=dossier.appel, membre=cevennes)
    client.force_login(instructeur)

    reponse = client.get(
        reverse("evaluation:export_xlsx", args=[dossier.appel_id]), {"q": "Jardins du Gardon"}
    )

    feuille = load_workbook(io.BytesIO(reponse.content)).active
    lignes = list(feuille.values)
    assert list(lignes[0]) == COLONNES_FILE
    assert len(lignes) == 2
    assert lignes[1][0] == dossier.reference
    assert lignes[1][COLONNES_FILE.index("Montant demandé (€)")] == 7500


def test_export_file_csv_relu(client):
    """The queue as CSV for spreadsheets: BOM, semicolons, French dates."""
    instructeur = UtilisateurFactory(instructeur=True)
    dossier = dossier_depose()
    client.force_login(instructeur)

    reponse = client.get(reverse("evaluation:export_csv", args=[dossier.appel_id]))

    texte = reponse.content.decode("utf-8-sig")
    entete, ligne = list(csv.reader(io.StringIO(texte), delimiter=";"))
    assert entete == COLONNES_FILE
    assert ligne[0] == dossier.reference
    assert ligne[1] == dossier.structure.raison_sociale
    assert ligne[8] == "déposé"
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", ligne[-1])
