"""Exports of a call built in the background: queue XLSX/CSV above a threshold, letters in bulk.

The same mechanism as the annual bilans (``evaluation.generations``): a row per requested file,
« en attente » then ready, the file kept while the data are unchanged, rebuilt when they change.
"""

import csv
import datetime
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from evaluation.instruction import taches
from evaluation.instruction.exports import COLONNES_FILE
from evaluation.instruction.services import decisions as services_decisions
from evaluation.models import GenerationExport
from tests.evaluation.factories import (
    MembreFactory,
    UtilisateurFactory,
    dossier_depose,
    dossier_instruit,
)

pytestmark = pytest.mark.django_db

IMMEDIAT = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
FACTICE = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def en_arriere_plan(settings):
    """Every queue export goes to the background; tasks wait for a worker (none in tests)."""
    settings.EXPORTS_SEUIL_ARRIERE_PLAN = 0
    settings.TASKS = FACTICE


@pytest.fixture
def deux_dossiers():
    formule = MembreFactory(structure__raison_sociale="=HYPERLINK(\"http://x\")")
    jardins = MembreFactory(structure__raison_sociale="Les Jardins du Gardon")
    dossier = dossier_depose(membre=formule)
    autre = dossier_depose(appel=dossier.appel, membre=jardins)
    return dossier, autre


def _contenu(reponse):
    return b"".join(reponse.streaming_content) if reponse.streaming else reponse.content


def _travailler():
    """What ``manage.py db_worker`` does: run every export waiting for it."""
    for generation in GenerationExport.objects.exclude(etat="terminee"):
        taches.generer_export.call(generation_id=str(generation.pk))


def test_export_xlsx_en_attente_puis_pret_et_relu(client, instructeur, deux_dossiers,
                                                   en_arriere_plan):
    """Above the threshold the request answers at once with a page « en attente »; once built,
    the workbook holds the rows, amounts as numbers and text never read as a formula."""
    dossier, _autre = deux_dossiers
    client.force_login(instructeur)

    reponse = client.get(reverse("evaluation:export_xlsx", args=[dossier.appel_id]))

    generation = GenerationExport.objects.get()
    assert reponse.url == reverse("evaluation:export", args=[generation.pk])
    page = client.get(reponse.url).content.decode()
    assert "En attente" in page and "Télécharger le fichier" not in page
    assert client.get(reverse("evaluation:export_fichier", args=[generation.pk])).url == (
        reverse("evaluation:export", args=[generation.pk])
    )
    assert client.get(reverse("evaluation:export_etat", args=[generation.pk])).json()[
        "fichier"] == ""

    _travailler()

    assert "Télécharger le fichier" in client.get(reponse.url).content.decode()
    assert client.get(reverse("evaluation:export_etat", args=[generation.pk])).json()[
        "progression"] == 100
    fichier = client.get(reverse("evaluation:export_fichier", args=[generation.pk]))
    assert fichier["Content-Type"] == XLSX
    assert f"dossiers-{dossier.appel.annee}.xlsx" in fichier["Content-Disposition"]
    feuille = load_workbook(io.BytesIO(_contenu(fichier))).active
    lignes = {ligne[0]: ligne for ligne in list(feuille.values)[1:]}
    assert list(next(feuille.values)) == COLONNES_FILE
    assert set(lignes) == {d.reference for d in deux_dossiers}
    ligne = lignes[dossier.reference]
    assert ligne[COLONNES_FILE.index("Montant demandé (€)")] == dossier.montant_demande == 7500
    assert ligne[1] == '=HYPERLINK("http://x")'
    assert feuille.cell(row=2, column=2).data_type == "s"


def test_export_csv_garde_les_filtres_et_neutralise_les_formules(client, instructeur,
                                                               deux_dossiers, en_arriere_plan):
    """The filters of the queue hold in the background file; a cell starting with « = » is
    quoted so that no spreadsheet runs it."""
    dossier, autre = deux_dossiers
    client.force_login(instructeur)

    client.get(reverse("evaluation:export_csv", args=[dossier.appel_id]), {"q": "HYPERLINK"})
    _travailler()

    generation = GenerationExport.objects.get()
    texte = _contenu(
        client.get(reverse("evaluation:export_fichier", args=[generation.pk]))
    ).decode("utf-8-sig")
    entete, *lignes = list(csv.reader(io.StringIO(texte), delimiter=";"))
    assert entete == COLONNES_FILE
    assert [ligne[0] for ligne in lignes] == [dossier.reference]
    assert lignes[0][1] == "'=HYPERLINK(\"http://x\")"
    assert autre.reference not in texte


def test_meme_fichier_tant_que_les_donnees_ne_changent_pas(client, instructeur, deux_dossiers,
                                                           en_arriere_plan):
    """Asked again with unchanged data, the kept file is served; a changed dossier, another."""
    dossier, _autre = deux_dossiers
    url = reverse("evaluation:export_xlsx", args=[dossier.appel_id])
    client.force_login(instructeur)
    premiere = client.get(url).url
    _travailler()

    assert client.get(url).url == premiere
    assert client.get(url, {"tri": "-montant"}).url != premiere  # other filters, other file

    dossier.intitule = "Intitulé corrigé"
    dossier.modifie_le = timezone.now()
    dossier.save()
    nouvelle = client.get(url).url
    assert nouvelle != premiere
    _travailler()
    generation = GenerationExport.objects.get(pk=nouvelle.split("/")[-2])
    feuille = load_workbook(generation.fichier.open("rb")).active
    assert "Intitulé corrigé" in [ligne[3] for ligne in feuille.values]


def test_mes_dossiers_un_fichier_par_personne(client, deux_dossiers, en_arriere_plan, settings):
    """« Mes dossiers » depends on who asks: two instructors never share that file."""
    settings.EXPORTS_SEUIL_ARRIERE_PLAN = -1  # even their empty lists go to the background
    dossier, _autre = deux_dossiers
    url = reverse("evaluation:export_csv", args=[dossier.appel_id])
    urls = set()
    for _ in range(2):
        client.force_login(UtilisateurFactory(instructeur=True))
        urls.add(client.get(url, {"instructeur": "moi"}).url)

    assert len(urls) == 2


def test_sous_le_seuil_le_fichier_vient_dans_la_reponse(client, instructeur, deux_dossiers,
                                                       settings):
    """A small export needs no wait: the file is the answer, no row is kept."""
    settings.EXPORTS_SEUIL_ARRIERE_PLAN = 10
    dossier, _autre = deux_dossiers
    client.force_login(instructeur)

    reponse = client.get(reverse("evaluation:export_xlsx", args=[dossier.appel_id]))

    assert reponse["Content-Type"] == XLSX
    assert not GenerationExport.objects.exists()


def test_un_echec_se_dit_et_se_relance(client, instructeur, deux_dossiers, en_arriere_plan,
                                       monkeypatch):
    """A build that fails shows a French message; asking again starts a new one."""
    dossier, _autre = deux_dossiers
    url = reverse("evaluation:export_xlsx", args=[dossier.appel_id])
    client.force_login(instructeur)
    premiere = client.get(url).url

    def panne(generation, progression):
        raise RuntimeError("panne")

    monkeypatch.setitem(taches.FABRIQUES, GenerationExport.Nature.FILE_XLSX, panne)
    with pytest.raises(RuntimeError):
        _travailler()

    assert "La génération a échoué" in client.get(premiere).content.decode()
    assert client.get(url).url != premiere


def test_lettres_de_decision_en_archive(client, settings, django_capture_on_commit_callbacks):
    """The letters of the call's decisions in one ZIP, each a readable PDF of its dossier."""
    settings.TASKS = IMMEDIAT
    comite = UtilisateurFactory(comite=True)
    retenu = dossier_instruit()
    autre = dossier_instruit(appel=retenu.appel)
    dossier_depose(appel=retenu.appel)  # no decision: no letter
    services_decisions.decider(
        dossier=retenu, par=comite, nature="retenu", montant_accorde=5250,
        date_limite_bilan=timezone.localdate() + datetime.timedelta(days=200),
        versement="unique", reference_deliberation="COPIL-2026-04",
    )
    services_decisions.decider(dossier=autre, par=comite, nature="non_retenu", motif="Hors cible.")
    client.force_login(comite)

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.get(reverse("evaluation:export_lettres", args=[retenu.appel_id]))

    generation = GenerationExport.objects.get(nature="lettres")
    assert reponse.url == reverse("evaluation:export", args=[generation.pk])
    fichier = client.get(reverse("evaluation:export_fichier", args=[generation.pk]))
    assert fichier["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(_contenu(fichier)))
    assert sorted(archive.namelist()) == sorted(
        f"decision-{d.reference}.pdf" for d in (retenu, autre)
    )
    texte = PdfReader(io.BytesIO(archive.read(f"decision-{retenu.reference}.pdf"))).pages[0]
    assert retenu.reference in texte.extract_text()


def test_lettres_sans_decision(client, instructeur):
    """No decision yet: a message says so, nothing is built."""
    dossier = dossier_depose()
    client.force_login(instructeur)

    reponse = client.get(
        reverse("evaluation:export_lettres", args=[dossier.appel_id]), follow=True
    )

    assert "Aucune décision" in reponse.content.decode()
    assert not GenerationExport.objects.exists()


@pytest.fixture
def export_pret(deux_dossiers):
    dossier, _autre = deux_dossiers
    generation = taches.demander_export(
        appel=dossier.appel, nature=GenerationExport.Nature.FILE_CSV, par=None,
        empreinte="0" * 64,
    )
    taches.generer_export.call(generation_id=str(generation.pk))
    return generation


@pytest.mark.parametrize(
    ("role", "attendu"),
    [("instructeur", 200), ("comite", 200), ("administrateur", 200), ("porteur", 403),
     ("membre", 403), ("anonyme", 302)],
)
@pytest.mark.parametrize("page", ["export", "export_etat", "export_fichier"])
def test_qui_voit_un_export(client, export_pret, settings, role, attendu, page):
    """The contract's staff see and download an export; a structure's member or a porteur
    gets the refusal page; a visitor is sent to sign in."""
    settings.TASKS = FACTICE
    if role == "membre":
        client.force_login(MembreFactory().utilisateur)
    elif role != "anonyme":
        client.force_login(UtilisateurFactory(**{role: True}))

    reponse = client.get(reverse(f"evaluation:{page}", args=[export_pret.pk]))

    if attendu == 403:
        assert reponse.status_code in (403, 404)
    else:
        assert reponse.status_code == attendu
    if attendu == 302:
        assert "connexion" in reponse.url


@pytest.mark.parametrize("role", ["porteur", "membre"])
@pytest.mark.parametrize("nom", ["export_xlsx", "export_csv", "export_lettres",
                                 "structures_suggerees"])
def test_exports_refuses_hors_du_personnel(client, deux_dossiers, en_arriere_plan, role, nom):
    """Neither a porteur nor a structure's member may start an export or list structures."""
    dossier, _autre = deux_dossiers
    utilisateur = (
        UtilisateurFactory(porteur=True) if role == "porteur" else dossier.structure.membres.get()
        .utilisateur
    )
    client.force_login(utilisateur)

    reponse = client.get(reverse(f"evaluation:{nom}", args=[dossier.appel_id]), {"q": "a"})

    assert reponse.status_code in (403, 404)
    assert not GenerationExport.objects.exists()
