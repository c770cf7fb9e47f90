"""Pages of the conventions: who may see and do what, the PDF and the workbook read back."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from evaluation.conventions import services
from evaluation.models import Convention, ParametresConventions

from .factories import MembreFactory, UtilisateurFactory, dossier_retenu

pytestmark = pytest.mark.django_db

HIER = timezone.localdate() - datetime.timedelta(days=1)
DONNEES_CONVENTION = {
    "reference": "CONV-2026-007", "date_signature": HIER.isoformat(),
    "signataires": "M. le Président ; Mme la Présidente", "deliberation": "COPIL-2026-04",
    "part_avance": "40",
}


@pytest.fixture
def membre():
    return MembreFactory()


@pytest.fixture
def dossier(membre):
    return dossier_retenu(membre=membre, accorde=6000, versement="echelonne")


def _acteurs(membre):
    return {
        "anonyme": None,
        "autre_porteur": MembreFactory().utilisateur,
        "membre": membre.utilisateur,
        "instructeur": UtilisateurFactory(instructeur=True),
        "comite": UtilisateurFactory(comite=True),
        "administrateur": UtilisateurFactory(administrateur=True),
    }


def _connecter(client, utilisateur):
    if utilisateur is not None:
        client.force_login(utilisateur)


@pytest.mark.parametrize("role, attendu, formulaire", [
    ("anonyme", 302, False), ("autre_porteur", 404, False), ("membre", 200, False),
    ("instructeur", 200, True), ("comite", 200, False), ("administrateur", 200, True),
])
def test_page_convention_par_role(client, membre, dossier, role, attendu, formulaire):
    """The structure and the whole staff read; instructors and administrators record."""
    _connecter(client, _acteurs(membre)[role])

    reponse = client.get(reverse("conventions:convention", args=[dossier.pk]))

    assert reponse.status_code == attendu
    if attendu == 200:
        assert ("Enregistrer la convention" in reponse.content.decode()) is formulaire


@pytest.mark.parametrize("role, enregistree", [
    ("membre", False), ("comite", False), ("instructeur", True), ("administrateur", True),
])
def test_enregistrer_convention_par_role(client, membre, dossier, role, enregistree):
    _connecter(client, _acteurs(membre)[role])

    reponse = client.post(
        reverse("conventions:convention", args=[dossier.pk]), DONNEES_CONVENTION
    )

    assert Convention.objects.filter(dossier=dossier).exists() is enregistree
    assert reponse.status_code == (302 if enregistree else 404)


def test_un_dossier_non_retenu_n_a_pas_de_convention(client, instructeur):
    """No convention page for a refused dossier."""
    from .factories import DecisionFactory

    refus = DecisionFactory(refus=True)
    client.force_login(instructeur)

    reponse = client.get(reverse("conventions:convention", args=[refus.dossier_id]))

    assert reponse.status_code == 404


def test_paiement_au_dela_de_l_accorde_message_et_saisie_gardee(client, dossier, instructeur):
    """Refused next to the field, with the typed values kept."""
    client.force_login(instructeur)
    client.post(reverse("conventions:convention", args=[dossier.pk]), DONNEES_CONVENTION)

    reponse = client.post(reverse("conventions:paiement", args=[dossier.pk]), {
        "paiement-nature": "avance", "paiement-date": HIER.isoformat(),
        "paiement-montant": "6001",
    })

    texte = reponse.content.decode()
    assert reponse.status_code == 400
    assert "dépasserait le montant accordé" in texte
    assert 'value="6001"' in texte
    assert Convention.objects.get(dossier=dossier).montant_verse == 0


def test_le_porteur_voit_convention_et_paiements_sur_son_dossier(client, membre, dossier,
                                                                 instructeur):
    convention = services.enregistrer_convention(
        dossier=dossier, par=instructeur, reference="CONV-2026-007", date_signature=HIER,
        signataires="M. le Président", deliberation="COPIL-2026-04", part_avance=40,
    )
    services.enregistrer_paiement(
        convention=convention, par=instructeur, nature="avance", date=HIER, montant=2400
    )
    client.force_login(membre.utilisateur)

    texte = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()

    assert "Convention n° CONV-2026-007" in texte
    assert "Avance de 2\xa0400\xa0€ (40 %)" in texte
    assert "reste à verser : <strong>3\xa0600\xa0€</strong>" in texte


def test_pdf_de_la_convention_relu(client, membre, dossier, instructeur, executer_taches,
                                   django_capture_on_commit_callbacks):
    """Rendered in the background from the call's text; the structure downloads it."""
    client.force_login(instructeur)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("conventions:convention", args=[dossier.pk]), DONNEES_CONVENTION)
    assert client.get(reverse("conventions:pdf", args=[dossier.pk])).status_code == 404
    executer_taches()
    client.force_login(membre.utilisateur)

    reponse = client.get(reverse("conventions:pdf", args=[dossier.pk]))

    texte = " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(b"".join(reponse.streaming_content))).pages
    )
    texte = " ".join(texte.split())
    assert "Convention n° CONV-2026-007" in texte
    assert dossier.structure.raison_sociale in texte
    assert "6 000 €" in texte.replace("\xa0", " ").replace("\u202f", " ")
    assert "Avance de 2" in texte and "(40 %)" in texte
    assert "compte rendu financier" in texte
    assert "{" not in texte


def test_pdf_en_preparation_puis_pret_et_garde_tant_que_rien_ne_change(
    client, dossier, instructeur, executer_taches, django_capture_on_commit_callbacks
):
    """The shared background mechanism: progress on the page and as JSON, then the file; the
    same data recorded again keep the same PDF, a corrected convention gets a new one."""
    client.force_login(instructeur)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("conventions:convention", args=[dossier.pk]), DONNEES_CONVENTION)
    page = client.get(reverse("conventions:convention", args=[dossier.pk])).content.decode()
    etat = client.get(reverse("conventions:pdf_etat", args=[dossier.pk])).json()
    assert "PDF de la convention : <strong>en attente</strong>" in page
    assert etat["etat"] == "en_attente" and etat["fichier"] == ""

    executer_taches()

    etat = client.get(reverse("conventions:pdf_etat", args=[dossier.pk])).json()
    assert etat["etat"] == "terminee" and etat["progression"] == 100
    assert etat["fichier"] == reverse("conventions:pdf", args=[dossier.pk])
    premier = dossier.convention.generations.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("conventions:convention", args=[dossier.pk]), DONNEES_CONVENTION)
    assert list(dossier.convention.generations.all()) == [premier]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("conventions:convention", args=[dossier.pk]),
                    {**DONNEES_CONVENTION, "signataires": "La vice-présidente"})
    assert dossier.convention.generations.count() == 2
    executer_taches()
    assert dossier.convention.pdf_pret != premier


def test_pdf_refuse_a_une_autre_structure(client, dossier, instructeur):
    services.enregistrer_convention(
        dossier=dossier, par=instructeur, reference="C", date_signature=HIER,
        signataires="X", deliberation="D", part_avance=50,
    )
    client.force_login(MembreFactory().utilisateur)

    assert client.get(reverse("conventions:pdf", args=[dossier.pk])).status_code == 404


@pytest.mark.parametrize("role, attendu", [
    ("membre", 403), ("instructeur", 200), ("comite", 200), ("administrateur", 200),
])
def test_tableau_des_paiements_par_role(client, membre, dossier, role, attendu):
    _connecter(client, _acteurs(membre)[role])

    reponse = client.get(reverse("conventions:tableau", args=[dossier.appel_id]))
    xlsx = client.get(reverse("conventions:tableau_xlsx", args=[dossier.appel_id]))

    assert (reponse.status_code, xlsx.status_code) == (attendu, attendu)


def _remplir(appel, nombre, instructeur):
    for _ in range(nombre):
        d = dossier_retenu(appel=appel, accorde=4000)
        c = services.enregistrer_convention(
            dossier=d, par=instructeur, reference=f"C{d.pk}", date_signature=HIER,
            signataires="X", deliberation="D", part_avance=50,
        )
        services.enregistrer_paiement(
            convention=c, par=instructeur, nature="avance", date=HIER, montant=2000
        )


@pytest.mark.parametrize("nombre", [2, 6])
def test_tableau_en_nombre_de_requetes_constant(client, dossier, instructeur, nombre,
                                               django_assert_num_queries):
    """Granted, paid, remaining: the same queries with 3 or 7 subsidies."""
    _remplir(dossier.appel, nombre, instructeur)
    client.force_login(instructeur)
    url = reverse("conventions:tableau", args=[dossier.appel_id])
    client.get(url)

    with django_assert_num_queries(10):
        reponse = client.get(url)

    totaux = reponse.context["totaux"]
    assert totaux["accorde"] == 6000 + 4000 * nombre
    assert totaux["verse"] == 2000 * nombre
    assert totaux["reste"] == 6000 + 2000 * nombre


def test_tableau_xlsx_relu(client, dossier, instructeur):
    _remplir(dossier.appel, 1, instructeur)
    client.force_login(instructeur)

    reponse = client.get(reverse("conventions:tableau_xlsx", args=[dossier.appel_id]))

    lignes = list(load_workbook(io.BytesIO(reponse.content)).active.values)
    assert lignes[0][:3] == ("Dossier", "Structure", "SIRET")
    par_reference = {ligne[0]: ligne for ligne in lignes[1:]}
    assert par_reference[dossier.reference][6:10] == (6000, 0, 6000, "convention à enregistrer")
    autre = next(ligne for ref, ligne in par_reference.items() if ref != dossier.reference)
    assert autre[6:10] == (4000, 2000, 2000, "à verser")


@pytest.mark.parametrize("role, attendu", [
    ("instructeur", 404), ("comite", 404), ("administrateur", 200),
])
def test_parametres_reserves_aux_administrateurs(client, membre, dossier, role, attendu):
    _connecter(client, _acteurs(membre)[role])

    reponse = client.get(reverse("conventions:parametres", args=[dossier.appel_id]))

    assert reponse.status_code == attendu


def test_parametres_champ_inconnu_et_uuid_invalide(client, dossier):
    """French messages next to each field; the typed text is kept."""
    client.force_login(UtilisateurFactory(administrateur=True))

    reponse = client.post(reverse("conventions:parametres", args=[dossier.appel_id]), {
        "part_avance": "60", "modele": "Montant : {montant} pour {objet}",
        "dispositif_aide": "dispositif-2026",
    })

    texte = reponse.content.decode()
    assert reponse.status_code == 400
    assert "Champ inconnu : {montant}" in texte
    assert "format UUID" in texte
    assert "Montant : {montant} pour {objet}" in texte
    assert not ParametresConventions.objects.exists()


def test_parametres_enregistres(client, dossier):
    client.force_login(UtilisateurFactory(administrateur=True))

    client.post(reverse("conventions:parametres", args=[dossier.appel_id]), {
        "part_avance": "60", "modele": "Convention {reference}",
        "dispositif_aide": "65d5b6c7-102c-4440-ac3b-768f708edc0a",
    })

    parametres = ParametresConventions.objects.get(appel=dossier.appel)
    assert parametres.part_avance == 60
    assert str(parametres.dispositif_aide) == "65d5b6c7-102c-4440-ac3b-768f708edc0a"


def test_publier_reserve_aux_administrateurs(client, dossier):
    """An instructor's publish request is refused with a message; nothing published."""
    from evaluation.models import PublicationDonnees

    client.force_login(UtilisateurFactory(instructeur=True))

    reponse = client.post(reverse("donnees_ouvertes:publier", args=[dossier.appel_id]),
                          follow=True)

    assert "Seuls les administrateurs" in reponse.content.decode()
    assert not PublicationDonnees.objects.exists()


def test_le_personnel_trouve_la_convention_depuis_le_dossier(client, membre, dossier,
                                                             instructeur):
    """A retained dossier without convention: staff get the way in, the structure does not."""
    url = reverse("dossiers:detail", args=[dossier.pk])
    client.force_login(instructeur)
    assert "Enregistrer la convention" in client.get(url).content.decode()

    client.force_login(membre.utilisateur)

    assert "Enregistrer la convention" not in client.get(url).content.decode()
