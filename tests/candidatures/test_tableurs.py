"""No formula in a spreadsheet: the cell helpers, and names that refuse a formula's start."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils.html import escape
from openpyxl import Workbook, load_workbook
from pytest_django.asserts import assertContains

from candidatures.commun.tableurs import cellule_csv, ecrire_texte, ligne_csv, ligne_xlsx
from candidatures.models import Structure

from .factories import DossierFactory, MembreFactory, UtilisateurFactory
from .test_structures_vues import FORMULAIRE

CHARGES = [
    "=1+1",
    '=HYPERLINK("http://exemple.test","clic")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("charge", CHARGES)
def test_une_cellule_csv_ne_commence_jamais_comme_une_formule(charge):
    tampon = io.StringIO()
    csv.writer(tampon).writerow(ligne_csv([charge, 12, None]))
    relu = next(csv.reader(io.StringIO(tampon.getvalue())))

    assert relu[0] == "'" + charge
    assert relu[1] == "12"


def test_le_texte_ordinaire_et_les_nombres_restent_tels_quels():
    assert [cellule_csv(v) for v in ["Association", -12, 3.5, "", None]] == [
        "Association", -12, 3.5, "", None
    ]


@pytest.mark.parametrize("charge", CHARGES)
def test_une_cellule_xlsx_reste_du_texte(charge):
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet("Feuille")
    feuille.append(ligne_xlsx(feuille, [charge, 42]))
    ordinaire = Workbook()
    ecrire_texte(ordinaire.active["A1"], charge)
    fichiers = []
    for wb in (classeur, ordinaire):
        tampon = io.BytesIO()
        wb.save(tampon)
        fichiers.append(load_workbook(io.BytesIO(tampon.getvalue())))

    premier, second = (f.worksheets[0] for f in fichiers)
    charge = charge.replace("\r", "\n")  # XML reads a carriage return back as a line feed
    assert (premier["A1"].value, premier["A1"].data_type) == (charge, "s")
    assert (premier["B1"].value, premier["B1"].data_type) == (42, "n")
    assert (second["A1"].value, second["A1"].data_type) == (charge, "s")


@pytest.mark.django_db
@pytest.mark.parametrize("charge", ["=1+1", " =HYPERLINK(\"x\")", "+33", "@cmd"])
def test_un_nom_de_structure_ne_commence_pas_comme_une_formule(client, charge):
    client.force_login(UtilisateurFactory(porteur=True))

    reponse = client.post(
        reverse("structures:creer"), {**FORMULAIRE, "raison_sociale": charge, "sigle": charge}
    )

    assertContains(reponse, escape("ne peut pas commencer par « = », « + » ou « @ »"), count=4)
    assertContains(reponse, escape(charge.strip()))
    assert not Structure.objects.exists()


@pytest.mark.django_db
def test_un_intitule_de_projet_ne_commence_pas_comme_une_formule(client):
    membre = MembreFactory()
    dossier = DossierFactory(structure=membre.structure)
    client.force_login(membre.utilisateur)

    reponse = client.post(
        reverse("dossiers:modifier", args=[dossier.pk]),
        {"version": "1", "sections": "projet", "intitule": "=1+1", "resume": "Gardé"},
    )

    assertContains(reponse, escape("ne peut pas commencer par « = »"))
    assertContains(reponse, 'value="=1+1"')
    dossier.refresh_from_db()
    assert dossier.intitule != "=1+1" and dossier.resume == "Gardé"
