"""Bilan pages: drafts that lose nothing, submission, validation, dashboard, files."""

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import load_workbook
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from candidatures.commun.erreurs import ErreurMetier
from candidatures.models import Statut
from evaluation.bilans import taches
from evaluation.bilans.agregats import Perimetre, empreinte
from evaluation.bilans.services import depot as services_bilans_depot
from evaluation.bilans.services import parametres as services_bilans_parametres
from evaluation.bilans.services import saisie as services_bilans_saisie
from evaluation.models import Bilan, GenerationBilan, RealisationIndicateur
from tests.evaluation.factories import (
    AppelAProjetsFactory,
    BilanFactory,
    DossierFactory,
    MembreFactory,
    UtilisateurFactory,
    dossier_retenu,
    indicateur,
    jeu_bilans,
    remplir_bilan,
)

pytestmark = pytest.mark.django_db

IMMEDIAT = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def membre():
    return MembreFactory()


@pytest.fixture
def dossier(membre):
    return dossier_retenu(membre=membre)


@pytest.fixture
def porteur(client, membre):
    client.force_login(membre.utilisateur)
    return client


def _formulaire(reponse):
    """The values the bilan page would post back as they are displayed."""
    contexte = reponse.context
    donnees = {"version": contexte["version"]}
    for form in contexte["page"].formulaires:
        for champ in form:
            if champ.name == "fichier":
                continue
            valeur = champ.value()
            donnees[champ.html_name] = "" if valeur is None else valeur
    return donnees


def _html(reponse):
    """The page with spaces normalised and none between tags."""
    texte = re.sub(r"[\s\u00a0\u202f]+", " ", reponse.content.decode())
    return re.sub(r">\s+<", "><", texte)


# --- Filling and submitting -----------------------------------------------------------------------


def test_commencer_le_bilan(porteur, dossier):
    """The first visit offers to start; starting prefills the compte rendu."""
    url = reverse("bilans:saisie", args=[dossier.pk])

    assertContains(porteur.get(url), "Commencer le bilan")
    reponse = porteur.post(reverse("bilans:commencer", args=[dossier.pk]))

    assertRedirects(reponse, url)
    assert Bilan.objects.get(dossier=dossier).lignes.count() == 9
    dossier.refresh_from_db()
    assert dossier.statut == Statut.BILAN_A_REMETTRE


def test_brouillon_valeur_invalide_reaffichee_les_autres_enregistrees(porteur, dossier, membre):
    """A refused value comes back as typed with its error; valid values are saved anyway."""
    services_bilans_saisie.ouvrir_bilan(dossier=dossier, par=membre.utilisateur)
    url = reverse("bilans:saisie", args=[dossier.pk])
    habitants = indicateur("1.1.1", 6)
    donnees = _formulaire(porteur.get(url))
    donnees.update({
        f"indicateur_{habitants.pk}_valeur_femmes": "-3",
        f"indicateur_{habitants.pk}_valeur_hommes": "1 200",
        "lieux": "Tamaris",
        "realise_64": "douze",
        "enregistrer": "indicateurs",
    })

    reponse = porteur.post(url, donnees)

    assert reponse.status_code == 200
    assertContains(reponse, "Le bilan contient des erreurs")
    assertContains(reponse, 'value="-3"')
    assertContains(reponse, 'value="douze"')
    assertContains(reponse, "Saisissez un nombre positif ou nul.")
    realisation = RealisationIndicateur.objects.get(bilan__dossier=dossier, indicateur=habitants)
    assert (realisation.valeur_femmes, realisation.valeur_hommes) == (None, 1200)
    bilan = Bilan.objects.get(dossier=dossier)
    assert bilan.lieux == "Tamaris"
    assert bilan.lignes.get(code="64").realise is None


def test_prevision_affichee_a_cote_de_chaque_champ(porteur, dossier, membre):
    """The forecast of the dossier is shown beside each value to report."""
    services_bilans_saisie.ouvrir_bilan(dossier=dossier, par=membre.utilisateur)

    reponse = porteur.get(reverse("bilans:saisie", args=[dossier.pk]))

    assertContains(reponse, "prévu : 10", count=4)
    assertContains(reponse, "prévu : 20")


def test_ecart_a_expliquer_ouvre_la_case(porteur, dossier, membre):
    """After saving a line 25 % under its forecast, the page asks for an explanation."""
    services_bilans_saisie.ouvrir_bilan(dossier=dossier, par=membre.utilisateur)
    url = reverse("bilans:saisie", args=[dossier.pk])
    donnees = _formulaire(porteur.get(url))
    donnees.update({"realise_74_etat_pv": "3000", "enregistrer": "financier"})

    porteur.post(url, donnees)
    reponse = porteur.get(url)

    assertContains(reponse, "Écart supérieur à 15 % : explication requise.")
    assertContains(reponse, 'name="explication_74_etat_pv"')
    assertContains(reponse, "-25,0 %")


def test_deposer_un_bilan_complet(porteur, dossier, membre):
    """With the attestation ticked, a complete bilan is submitted."""
    bilan = services_bilans_saisie.ouvrir_bilan(dossier=dossier, par=membre.utilisateur)
    remplir_bilan(bilan, membre.utilisateur)
    donnees = _formulaire(porteur.get(reverse("bilans:saisie", args=[dossier.pk])))
    donnees.update({"attestation": "on", "qualite": "présidente"})

    reponse = porteur.post(reverse("bilans:deposer", args=[dossier.pk]), donnees)

    assertRedirects(reponse, reverse("bilans:detail", args=[dossier.pk]))
    dossier.refresh_from_db()
    bilan.refresh_from_db()
    assert dossier.statut == Statut.BILAN_DEPOSE
    assert bilan.qualite_signataire == "présidente"


def test_depot_sans_attestation_refuse(porteur, dossier, membre):
    """Without the attestation the bilan stays a draft and the page says why."""
    bilan = services_bilans_saisie.ouvrir_bilan(dossier=dossier, par=membre.utilisateur)
    remplir_bilan(bilan, membre.utilisateur)
    donnees = _formulaire(porteur.get(reverse("bilans:saisie", args=[dossier.pk])))

    reponse = porteur.post(reverse("bilans:deposer", args=[dossier.pk]), donnees)

    assertContains(reponse, "Cochez l&#x27;attestation pour déposer le bilan.")
    dossier.refresh_from_db()
    assert dossier.statut == Statut.BILAN_A_REMETTRE


def test_depot_incomplet_renvoie_au_sommaire(porteur, dossier, membre):
    """An incomplete bilan is not submitted; the message names the sections to complete."""
    services_bilans_saisie.ouvrir_bilan(dossier=dossier, par=membre.utilisateur)
    donnees = _formulaire(porteur.get(reverse("bilans:saisie", args=[dossier.pk])))
    donnees["attestation"] = "on"

    reponse = porteur.post(reverse("bilans:deposer", args=[dossier.pk]), donnees, follow=True)

    assertContains(reponse, "Le bilan ne peut pas être déposé")
    dossier.refresh_from_db()
    assert dossier.statut == Statut.BILAN_A_REMETTRE


# --- Validation ---------------------------------------------------------------------------------


@pytest.fixture
def bilan_depose(dossier, membre):
    bilan = services_bilans_saisie.ouvrir_bilan(dossier=dossier, par=membre.utilisateur)
    remplir_bilan(bilan, membre.utilisateur)
    services_bilans_depot.deposer_bilan(bilan=bilan, par=membre.utilisateur)
    return bilan


def test_instructeur_demande_des_corrections(client, bilan_depose, membre):
    """The message reaches the structure's page; the bilan is open again."""
    client.force_login(UtilisateurFactory(instructeur=True))
    dossier = bilan_depose.dossier

    reponse = client.post(
        reverse("bilans:corrections", args=[dossier.pk]),
        {"message": "Ajoutez les feuilles de présence."},
    )

    assertRedirects(reponse, reverse("bilans:detail", args=[dossier.pk]))
    client.force_login(membre.utilisateur)
    assertContains(
        client.get(reverse("bilans:saisie", args=[dossier.pk])),
        "Ajoutez les feuilles de présence.",
    )


def test_corrections_sans_message_refusees(client, bilan_depose):
    """An empty message is refused on the page."""
    client.force_login(UtilisateurFactory(instructeur=True))

    reponse = client.post(
        reverse("bilans:corrections", args=[bilan_depose.dossier_id]), {"message": ""}
    )

    assertContains(reponse, "Expliquez ce qui doit être corrigé.", status_code=400)


def test_instructeur_valide(client, bilan_depose):
    """Validation closes the action."""
    client.force_login(UtilisateurFactory(instructeur=True))

    client.post(reverse("bilans:valider", args=[bilan_depose.dossier_id]))

    bilan_depose.dossier.refresh_from_db()
    assert bilan_depose.dossier.statut == Statut.CLOTURE


def test_detail_montre_prevu_et_realise(client, bilan_depose):
    """The bilan page shows each indicator's forecast beside its achieved value."""
    client.force_login(UtilisateurFactory(comite=True))

    reponse = client.get(reverse("bilans:detail", args=[bilan_depose.dossier_id]))

    assertContains(reponse, "F 10 / H 10")
    assertContains(reponse, "F 14 / H 9")
    assertNotContains(reponse, "Valider le bilan")


def test_liste_du_porteur_et_des_instructeurs(
    client, bilan_depose, membre, django_assert_max_num_queries
):
    """The structure sees its bilan; instructors see it among the bilans to validate."""
    client.force_login(membre.utilisateur)
    assertContains(client.get(reverse("bilans:liste")), bilan_depose.dossier.reference)

    client.force_login(UtilisateurFactory(instructeur=True))
    with django_assert_max_num_queries(12):
        reponse = client.get(reverse("bilans:liste"))

    assertContains(reponse, "Bilans déposés, à valider")
    assertContains(reponse, bilan_depose.dossier.reference)


def _bilans_deposes(nombre, appel):
    debut = timezone.now() - datetime.timedelta(days=nombre + 1)
    return [
        BilanFactory(dossier=DossierFactory(bilan_depose=True, appel=appel),
                     depose_le=debut + datetime.timedelta(days=i))
        for i in range(nombre)
    ]


def test_bilans_a_valider_requetes_constantes_et_pages_au_dela_de_la_borne(
    client, monkeypatch, django_assert_num_queries
):
    """The list of bilans to validate costs as many queries for 2 bilans as for 12; past the
    counting bound it numbers pages without a last one, and « Page suivante » reaches every
    waiting bilan once, oldest first."""
    monkeypatch.setattr("candidatures.commun.pagination.BORNE_COMPTE", 4)
    monkeypatch.setattr("evaluation.bilans.views.liste.PAR_PAGE", 5)
    client.force_login(UtilisateurFactory(instructeur=True))
    appel = AppelAProjetsFactory()
    bilans = _bilans_deposes(2, appel)
    client.get(reverse("bilans:liste"))
    with CaptureQueriesContext(connection) as peu:
        client.get(reverse("bilans:liste"))
    bilans += _bilans_deposes(10, appel)

    with django_assert_num_queries(len(peu.captured_queries)):
        premiere = client.get(reverse("bilans:liste"))
    lus, reponse, numero = [], premiere, 1
    while True:
        lus += [b.pk for b in reponse.context["a_valider"]]
        if not reponse.context["a_valider"].has_next():
            break
        numero += 1
        reponse = client.get(reverse("bilans:liste"), {"page": numero})

    assertContains(premiere, "Page 1</span>")
    assertNotContains(premiere, "Page 1 sur")
    assert lus == [b.pk for b in sorted(bilans, key=lambda b: b.depose_le)]


# --- Dashboard ------------------------------------------------------------------------------------


@pytest.fixture
def comite(client):
    client.force_login(UtilisateurFactory(comite=True))
    return client


def test_tableau_de_bord_montre_les_chiffres_du_jeu(comite, django_assert_max_num_queries):
    """Totals, pilier rows and indicators of the hand-computed dataset, in French formats."""
    jeu_bilans()

    # The contract is resolved and the user's contracts are proposed: two queries more.
    with django_assert_max_num_queries(32):
        reponse = comite.get(reverse("bilans:tableau_de_bord"),
                             {"annee_debut": 2025, "annee_fin": 2025})

    html = _html(reponse)
    assert '<dd id="synthese-deposes">6</dd>' in html
    assert '<dd id="synthese-retenus">4</dd>' in html
    assert '<dd id="synthese-refuses">1</dd>' in html
    assert '<dd id="synthese-demande">25 000 €</dd>' in html
    assert '<dd id="synthese-propose">16 500 €</dd>' in html
    assert '<dd id="synthese-accorde">13 500 €</dd>' in html
    assert '<dd id="synthese-part-femmes">52,5 %</dd>' in html
    assert "Les chiffres réalisés ne comptent que les bilans validés." in html
    assert (
        '<th scope="row">Cohésion sociale</th><td class="montant">4</td>'
        '<td class="montant">3</td><td class="montant">0</td>'
        '<td class="montant">14 000 €</td><td class="montant">11 500 €</td>'
        '<td class="montant">9 500 €</td><td class="montant">1</td>'
        '<td class="montant">30</td><td class="montant">20</td>'
    ) in html
    assert (
        "Nombre d&#x27;habitants mobilisés <span class=\"small\">(femmes / hommes (F/H))</span>"
        '</th><td class="montant">1</td><td class="montant">25</td><td class="montant">25</td>'
        '<td class="montant">0</td><td class="montant">0</td><td class="montant">50</td>'
        '<td class="montant">30</td><td class="montant">20</td><td class="montant">0</td>'
        '<td class="montant">0</td><td class="montant">50</td><td class="montant">60,0 %</td>'
        '<td class="montant">100,0 %</td>'
    ) in html


def test_tableau_de_bord_filtres_et_bilans_deposes(comite):
    """The filters narrow the figures; including submitted bilans is clearly labelled."""
    jeu_bilans()

    reponse = comite.get(reverse("bilans:tableau_de_bord"), {
        "annee_debut": 2025, "annee_fin": 2025, "inclure_deposes": "on",
    })

    html = _html(reponse)
    assert "incluent des bilans déposés mais <strong>pas encore validés</strong>" in html
    assert '<dd id="synthese-realisees">3</dd>' in html


def test_graphiques_accessibles(comite):
    """Each chart is an image with a title and a description, and its table beside it."""
    jeu_bilans()

    reponse = comite.get(reverse("bilans:tableau_de_bord"))

    assertContains(reponse, 'role="img"', count=3)
    assertContains(reponse, '<title id="graphique-sexe-titre">')
    assertContains(reponse, '<desc id="graphique-montants-desc">')
    assertContains(reponse, "Bénéficiaires par sexe et par pilier : valeurs du graphique")
    assertNotContains(reponse, "style=")


def test_annees_invalides(comite):
    """An end year before the start year is an error on the form."""
    jeu_bilans()

    reponse = comite.get(reverse("bilans:tableau_de_bord"),
                         {"annee_debut": 2025, "annee_fin": 2024})

    assertContains(reponse, "année de fin doit suivre l&#x27;année de début.")


# --- Files ----------------------------------------------------------------------------------------


def test_un_petit_bilan_aussi_est_construit_par_le_worker(
    comite, django_capture_on_commit_callbacks, executer_taches, monkeypatch
):
    """Even a small bilan is not built in the request: the worker builds it, with the
    dashboard's scope, and the same address then leads to the kept file."""
    appel = jeu_bilans()["appel_2025"]
    parametres = {"annee_debut": 2025, "annee_fin": 2025}
    construire = taches.construire
    monkeypatch.setattr(taches, "construire", lambda *a, **k: 1 / 0)
    with django_capture_on_commit_callbacks(execute=True):
        attente = comite.get(reverse("bilans:xlsx"), parametres)
    generation = GenerationBilan.objects.get()
    assertRedirects(attente, reverse("bilans:generation", args=[generation.pk]))
    monkeypatch.setattr(taches, "construire", construire)
    executer_taches()

    reponse = comite.get(reverse("bilans:xlsx"), parametres, follow=True)

    # The name carries the contract (its code) and the year.
    assert reponse["Content-Disposition"] == (
        f'attachment; filename="bilan-contrat-de-ville-{slugify(appel.contrat.code)}-2025.xlsx"'
    )
    classeur = load_workbook(io.BytesIO(b"".join(reponse.streaming_content)))
    valeurs = {ligne[0]: ligne[1] for ligne in classeur["Synthèse"].iter_rows(values_only=True)}
    assert valeurs["Dossiers déposés"] == 6


def test_le_fichier_est_construit_en_arriere_plan(
    comite, settings, django_capture_on_commit_callbacks
):
    """The request returns at once; the task builds and keeps the file."""
    jeu = jeu_bilans()
    settings.TASKS = IMMEDIAT
    parametres = {"annee_debut": 2025, "annee_fin": 2025}

    with django_capture_on_commit_callbacks(execute=True):
        reponse = comite.get(reverse("bilans:pdf"), parametres)

    generation = GenerationBilan.objects.get()
    assertRedirects(reponse, reverse("bilans:generation", args=[generation.pk]))
    assert generation.etat == GenerationBilan.Etat.TERMINEE
    assert generation.progression == 100
    assert generation.empreinte == empreinte(Perimetre.pour_appel(jeu["appel_2025"]))
    page = comite.get(reverse("bilans:generation", args=[generation.pk]))
    assertContains(page, "Télécharger le fichier")
    etat = comite.get(reverse("bilans:generation_etat", args=[generation.pk])).json()
    assert (etat["etat"], etat["progression"]) == ("terminee", 100)
    fichier = comite.get(reverse("bilans:generation_fichier", args=[generation.pk]))
    assert b"".join(fichier.streaming_content).startswith(b"%PDF")

    encore = comite.get(reverse("bilans:pdf"), parametres)

    assertRedirects(encore, reverse("bilans:generation_fichier", args=[generation.pk]),
                    fetch_redirect_response=False)
    assert GenerationBilan.objects.count() == 1


def test_le_fichier_est_reconstruit_quand_les_donnees_changent(
    comite, settings, django_capture_on_commit_callbacks
):
    """A change in the data makes a new file; the outdated one is deleted once whoever asked
    for it had time to fetch it (an hour)."""
    jeu = jeu_bilans()
    settings.TASKS = IMMEDIAT
    parametres = {"annee_debut": 2025, "annee_fin": 2025, "inclure_deposes": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        comite.get(reverse("bilans:xlsx"), parametres)
    ancienne = GenerationBilan.objects.get()
    chemin = ancienne.fichier.path
    GenerationBilan.objects.filter(pk=ancienne.pk).update(
        demandee_le=timezone.now() - datetime.timedelta(hours=2)
    )

    services_bilans_depot.valider_bilan(
        bilan=jeu["dossiers"][1].bilan, par=UtilisateurFactory(instructeur=True)
    )
    with django_capture_on_commit_callbacks(execute=True):
        comite.get(reverse("bilans:xlsx"), parametres)

    nouvelle = GenerationBilan.objects.get()
    assert nouvelle.pk != ancienne.pk
    assert nouvelle.empreinte != ancienne.empreinte
    assert nouvelle.etat == GenerationBilan.Etat.TERMINEE
    import os

    assert not os.path.exists(chemin)


def test_sans_worker_la_page_montre_l_attente(comite, settings):
    """Queued but not yet run: the page shows the state and a refresh link (no JavaScript)."""
    jeu_bilans()
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}

    reponse = comite.get(reverse("bilans:xlsx"), follow=True)

    assertContains(reponse, "En attente")
    assertContains(reponse, "Actualiser la page")
    generation = GenerationBilan.objects.get()
    fichier = comite.get(reverse("bilans:generation_fichier", args=[generation.pk]))
    assertRedirects(fichier, reverse("bilans:generation", args=[generation.pk]))


def test_echec_de_la_tache_signale(settings, monkeypatch):
    """A failed build is marked as such, with a message."""
    jeu = jeu_bilans()
    settings.TASKS = IMMEDIAT
    generation = GenerationBilan.objects.create(
        format="pdf", contrat_id=jeu["appel_2025"].contrat_id, annee_debut=2025,
        annee_fin=2025, empreinte="x",
    )
    monkeypatch.setattr(taches, "construire", lambda *a, **k: 1 / 0)

    taches.generer_fichier_bilan.enqueue(generation_id=str(generation.pk))

    generation.refresh_from_db()
    assert generation.etat == GenerationBilan.Etat.ECHEC
    assert "échoué" in generation.message


def test_pdf_de_la_structure(
    client, bilan_depose, membre, django_capture_on_commit_callbacks, executer_taches
):
    """Members download their structure's bilan, built by the worker."""
    client.force_login(membre.utilisateur)
    adresse = reverse("bilans:structure_pdf", args=[membre.structure.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.get(adresse)
    executer_taches()

    reponse = client.get(adresse, follow=True)

    assert reponse["Content-Type"] == "application/pdf"
    assert b"".join(reponse.streaming_content).startswith(b"%PDF")


# --- Settings of a call ---------------------------------------------------------------------------


def test_administrateur_regle_le_seuil_d_ecart(client, dossier):
    """The threshold set for the call is the one the compte rendu applies."""
    from evaluation.bilans.selectors import seuil_ecart

    client.force_login(UtilisateurFactory(administrateur=True))
    url = reverse("bilans:parametres", args=[dossier.appel_id])

    refus = client.post(url, {"seuil_ecart": "0"})
    reponse = client.post(url, {"seuil_ecart": "25"})

    assertContains(refus, "Assurez-vous que cette valeur est supérieure ou égale à 1.")
    assertRedirects(
        reponse, reverse("bilans:tableau_de_bord") + "?contrat=ales-agglomeration-2015"
    )
    assert seuil_ecart(dossier.appel) == 25


def test_seul_un_administrateur_regle_le_seuil(dossier):
    """The service refuses a comité member."""
    with pytest.raises(ErreurMetier, match="Seuls les administrateurs"):
        services_bilans_parametres.definir_seuil_ecart(
            appel=dossier.appel, seuil=20, par=UtilisateurFactory(comite=True)
        )
