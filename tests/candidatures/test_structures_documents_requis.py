"""The documents page says which documents a submission needs and which are missing or stale."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from candidatures.dossiers import selectors as selecteurs_dossiers
from candidatures.models import DocumentStructure
from candidatures.structures.selectors import (
    DOCUMENTS_STRUCTURE_REQUIS,
    documents_par_type,
    est_perime,
)

from .factories import (
    PDF_MINIMAL,
    DossierFactory,
    MembreFactory,
    UtilisateurFactory,
    deposer_documents_structure,
)

pytestmark = pytest.mark.django_db

MANQUANT = "Manquant : aucun dossier ne peut être déposé sans ce document."
PERIME = "Périmé : daté de plus de 18 mois"


def _document(structure, type_, date):
    return DocumentStructure.objects.create(
        structure=structure, type=type_, fichier=ContentFile(PDF_MINIMAL, name=f"{type_}.pdf"),
        nom_original=f"{type_}.pdf", taille=len(PDF_MINIMAL), type_mime="application/pdf",
        date_document=date,
    )


def _page(client, utilisateur, structure):
    client.force_login(utilisateur)
    return client.get(reverse("structures:documents", args=[structure.pk]))


def test_les_documents_obligatoires_sont_annonces_et_les_manquants_signales(client):
    """A new structure is told the three documents a submission needs, and that all three lack."""
    membre = MembreFactory()

    reponse = _page(client, membre.utilisateur, membre.structure)

    assertContains(reponse, "<strong>Avant de déposer un dossier</strong>", html=False)
    assertContains(
        reponse,
        "ces documents : statuts, liste des dirigeants et relevé d&#x27;identité bancaire (RIB).",
    )
    assertContains(reponse, "Il manque encore")
    assertContains(reponse, MANQUANT, count=3)
    assertContains(reponse, "obligatoire</span>", count=3)


def test_un_document_obligatoire_depose_n_est_plus_signale(client):
    """Once the statuts are there, only the two others are flagged as missing."""
    membre = MembreFactory()
    _document(membre.structure, DocumentStructure.Type.STATUTS, datetime.date(2023, 5, 12))

    reponse = _page(client, membre.utilisateur, membre.structure)

    assertContains(reponse, MANQUANT, count=2)
    assertContains(reponse, "<strong>liste des dirigeants</strong>", html=False)
    assertNotContains(reponse, "<strong>statuts</strong>", html=False)


def test_tous_les_documents_obligatoires_presents(client):
    """With the three required documents, the page says nothing is missing."""
    membre = MembreFactory()
    deposer_documents_structure(membre.structure)

    reponse = _page(client, membre.utilisateur, membre.structure)

    assertContains(reponse, "Tous les documents obligatoires sont déposés.")
    assertNotContains(reponse, "Il manque encore")
    assertNotContains(reponse, MANQUANT)


def test_un_document_perime_est_signale(client):
    """Approved accounts older than 18 months are flagged out of date; recent ones are not."""
    membre = MembreFactory()
    aujourd_hui = timezone.localdate()
    _document(
        membre.structure, DocumentStructure.Type.COMPTES_APPROUVES,
        aujourd_hui.replace(year=aujourd_hui.year - 2),
    )
    _document(membre.structure, DocumentStructure.Type.RAPPORT_ACTIVITE, aujourd_hui)

    reponse = _page(client, membre.utilisateur, membre.structure)

    assertContains(reponse, PERIME, count=1)
    assertContains(
        reponse, "À mettre à jour : <strong>derniers comptes approuvés</strong> (daté de plus de "
        "18 mois).", html=False,
    )


def test_peremption_a_dix_huit_mois():
    """The validity rule: 18 months for accounts and activity report, none for statuts."""
    membre = MembreFactory()
    comptes = _document(
        membre.structure, DocumentStructure.Type.COMPTES_APPROUVES, datetime.date(2024, 1, 15)
    )
    statuts = _document(membre.structure, DocumentStructure.Type.STATUTS, datetime.date(2000, 1, 1))

    assert not est_perime(comptes, datetime.date(2025, 8, 14))
    assert est_perime(comptes, datetime.date(2025, 8, 15))
    assert not est_perime(statuts, datetime.date(2025, 8, 15))


def test_la_page_et_le_depot_suivent_la_meme_regle():
    """What the page flags missing is exactly what the submission check reports missing."""
    membre = MembreFactory()
    _document(membre.structure, DocumentStructure.Type.RIB, datetime.date(2024, 1, 1))

    lignes = documents_par_type(membre.structure)
    _actuels, manquants = selecteurs_dossiers.documents_structure(membre.structure)

    assert [ligne["type"] for ligne in lignes if ligne["manquant"]] == manquants
    assert manquants == [t for t in DOCUMENTS_STRUCTURE_REQUIS if t != "rib"]


@pytest.mark.parametrize("role", ["responsable", "contributeur"])
def test_les_membres_voient_les_documents_requis(client, role):
    """Both roles of member see what is missing and may upload it."""
    membre = MembreFactory(role=role)

    reponse = _page(client, membre.utilisateur, membre.structure)

    assertContains(reponse, MANQUANT, count=3)
    assertContains(reponse, "Déposer<span class=\"visually-hidden\"> : statuts", html=False)


def test_le_personnel_voit_les_documents_requis_sans_pouvoir_deposer(client):
    """An instructeur of the contract (a dossier was submitted) sees the flags, no upload button."""
    dossier = DossierFactory(depose=True)
    _document(dossier.structure, DocumentStructure.Type.STATUTS, datetime.date(2023, 5, 12))
    instructeur = UtilisateurFactory(instructeur=True)

    reponse = _page(client, instructeur, dossier.structure)

    assertContains(reponse, MANQUANT, count=2)
    assertNotContains(reponse, "Déposer<span")


def test_un_administrateur_voit_les_documents_requis(client):
    """A portal administrator sees any structure's documents and their flags."""
    membre = MembreFactory()

    reponse = _page(client, UtilisateurFactory(administrateur=True), membre.structure)

    assertContains(reponse, MANQUANT, count=3)


def test_un_autre_porteur_ne_voit_pas_les_documents(client):
    """A porteur of another structure gets a 404, whether the structure exists or not."""
    membre = MembreFactory()
    autre = UtilisateurFactory(porteur=True)

    reponse = _page(client, autre, membre.structure)

    assert reponse.status_code == 404


def test_la_page_de_l_appel_dit_au_porteur_les_documents_a_deposer(client):
    """On an open call, a member whose structure lacks required documents is told which ones,
    with the link to upload them; once they are there, the warning goes."""
    from .factories import AppelAProjetsFactory

    appel = AppelAProjetsFactory()
    membre = MembreFactory()
    _document(membre.structure, DocumentStructure.Type.STATUTS, datetime.date(2023, 5, 12))
    client.force_login(membre.utilisateur)
    url = reverse("appels:detail", args=[appel.pk])

    reponse = client.get(url)

    assertContains(
        reponse, "doit d'abord déposer ces documents : liste des dirigeants, relevé "
        "d&#x27;identité bancaire (RIB).",
    )
    assertContains(reponse, reverse("structures:documents", args=[membre.structure.pk]))
    deposer_documents_structure(membre.structure)
    assertNotContains(client.get(url), "doit d'abord déposer")


def test_la_page_de_l_appel_ne_dit_rien_a_qui_n_a_pas_de_structure(client):
    """Staff (no structure of their own) see no such warning."""
    from .factories import AppelAProjetsFactory

    appel = AppelAProjetsFactory()
    client.force_login(UtilisateurFactory(instructeur=True))

    reponse = client.get(reverse("appels:detail", args=[appel.pk]))

    assert reponse.status_code == 200
    assertNotContains(reponse, "doit d'abord déposer")
