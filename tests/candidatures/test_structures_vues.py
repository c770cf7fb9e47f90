"""Structure pages through the test client: forms, documents, current structure, scoping."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from candidatures.models import DocumentStructure, Membre, Structure
from candidatures.structures import services as services_structures
from candidatures.structures.courante import CLE_SESSION

from .factories import (
    PDF_MINIMAL,
    AppelAProjetsFactory,
    DossierFactory,
    MembreFactory,
    StructureFactory,
    UtilisateurFactory,
)

pytestmark = pytest.mark.django_db

FORMULAIRE = {
    "raison_sociale": "Association Cévennes Partage",
    "sigle": "ACP",
    "type": "association",
    "siret": "732 829 320 00074",
    "rna": "w301000001",
    "objet": "Entraide entre habitants.",
    "adresse": "3 place de l'Hôtel de Ville",
    "code_postal": "30100",
    "commune": "Alès",
    "telephone": "04 66 12 34 56",
    "email": "contact@cevennes-partage.test",
    "representant_prenom": "Paul",
    "representant_nom": "Durand",
    "representant_fonction": "président",
    "contact_nom": "Inès Martin",
    "iban": "FR76 3000 6000 0112 3456 7890 189",
    "bic": "agrifrpp",
}


@pytest.fixture
def porteur(client):
    utilisateur = UtilisateurFactory(porteur=True)
    client.force_login(utilisateur)
    return utilisateur


def test_creer_une_structure(client, porteur):
    """A valid form creates the structure, normalised, with the user as responsable."""
    reponse = client.post(reverse("structures:creer"), FORMULAIRE)

    structure = Structure.objects.get()
    assertRedirects(reponse, reverse("structures:detail", args=[structure.pk]))
    assert structure.siret == "73282932000074"
    assert structure.rna == "W301000001"
    assert structure.iban == "FR7630006000011234567890189"
    assert structure.bic == "AGRIFRPP"
    assert Membre.objects.get(structure=structure).utilisateur == porteur
    assert client.session[CLE_SESSION] == structure.pk


def test_un_siret_faux_est_refuse_sans_perdre_la_saisie(client, porteur):
    """A wrong SIRET is refused next to the field, and every other field is kept."""
    reponse = client.post(reverse("structures:creer"), {**FORMULAIRE, "siret": "73282932000075"})

    assert reponse.status_code == 200
    assertContains(reponse, "clé de contrôle est fausse")
    assertContains(reponse, 'value="Association Cévennes Partage"')
    assertContains(reponse, 'value="3 place de l&#x27;Hôtel de Ville"')
    assertContains(reponse, 'value="73282932000075"')
    assertContains(reponse, 'href="#id_siret"')
    assert not Structure.objects.exists()


@pytest.mark.parametrize(
    ("champ", "valeur", "message"),
    [
        ("rna", "W12", "W suivie de 9 chiffres"),
        ("rna", "", "obligatoire pour une association"),
        ("iban", "FR7630006000011234567890188", "Cet IBAN"),
        ("code_postal", "3010", "5 chiffres"),
        ("telephone", "12", "10 chiffres"),
    ],
)
def test_erreurs_de_saisie_en_francais(client, porteur, champ, valeur, message):
    """Each wrong field gets its own French message."""
    reponse = client.post(reverse("structures:creer"), {**FORMULAIRE, champ: valeur})

    assertContains(reponse, message)
    assert not Structure.objects.exists()


def test_association_sans_rna_avec_un_motif(client, porteur):
    """An association without RNA number is accepted once it says why."""
    donnees = {**FORMULAIRE, "rna": "", "rna_absent_motif": "Association de droit local."}

    client.post(reverse("structures:creer"), donnees)

    assert Structure.objects.get().rna_absent_motif == "Association de droit local."


def test_siret_deja_inscrit(client, porteur):
    """Creating a structure whose SIRET is known says to ask to join it instead."""
    StructureFactory(siret="73282932000074")

    reponse = client.post(reverse("structures:creer"), FORMULAIRE)

    assertContains(reponse, "déjà inscrite sur le portail")
    assert Structure.objects.count() == 1


def test_modifier_une_structure(client):
    """A responsable edits the structure's identity."""
    membre = MembreFactory()
    client.force_login(membre.utilisateur)
    donnees = {**FORMULAIRE, "siret": membre.structure.siret, "commune": "Anduze",
               "code_postal": "30140"}

    client.post(reverse("structures:modifier", args=[membre.structure.pk]), donnees)

    membre.structure.refresh_from_db()
    assert membre.structure.commune == "Anduze"


def test_un_contributeur_ne_modifie_pas_l_identite(client):
    """Contributeurs read the structure but may not edit its identity."""
    membre = MembreFactory(contributeur=True)
    client.force_login(membre.utilisateur)

    reponse = client.get(reverse("structures:modifier", args=[membre.structure.pk]))

    assert reponse.status_code == 403


def test_lecture_seule_pour_l_instructeur(client):
    """An instructeur sees the structure (it submitted a dossier in their contract) without
    any editing button."""
    membre = MembreFactory()
    DossierFactory(structure=membre.structure, depose=True)
    client.force_login(UtilisateurFactory(instructeur=True))

    reponse = client.get(reverse("structures:detail", args=[membre.structure.pk]))

    assertContains(reponse, membre.structure.raison_sociale)
    assertNotContains(reponse, "Modifier les informations")
    assertNotContains(reponse, "Inviter un membre")


def test_deposer_un_document_par_la_page(client):
    """A good PDF is stored; the download sends it as an attachment with its original name."""
    membre = MembreFactory()
    client.force_login(membre.utilisateur)
    url = reverse("structures:deposer_document", args=[membre.structure.pk])

    reponse = client.post(url, {
        "type": "statuts", "date_document": "2023-05-12",
        "fichier": SimpleUploadedFile("Statuts signés.pdf", PDF_MINIMAL),
    })

    assertRedirects(reponse, reverse("structures:documents", args=[membre.structure.pk]))
    document = DocumentStructure.objects.get()
    telechargement = client.get(reverse("structures:telecharger", args=[document.pk]))
    assert telechargement["Content-Disposition"].startswith("attachment;")
    assert "Statuts%20sign%C3%A9s.pdf" in telechargement["Content-Disposition"]
    assert telechargement["Content-Type"] == "application/pdf"
    assert b"".join(telechargement.streaming_content) == PDF_MINIMAL


def test_un_faux_pdf_est_refuse_par_la_page(client):
    """A text file named .pdf is refused with a French message next to the field."""
    membre = MembreFactory()
    client.force_login(membre.utilisateur)

    reponse = client.post(
        reverse("structures:deposer_document", args=[membre.structure.pk]),
        {"type": "statuts", "date_document": "2023-05-12",
         "fichier": SimpleUploadedFile("statuts.pdf", b"juste du texte")},
    )

    assertContains(reponse, "ne correspond pas à son extension")
    assert not DocumentStructure.objects.exists()


def test_une_date_de_document_future_est_refusee(client):
    """A document cannot be dated in the future."""
    membre = MembreFactory()
    client.force_login(membre.utilisateur)
    # The portal's today is Paris's (timezone.localdate), not the machine's; two days ahead
    # stays in the future even if midnight passes during the request.
    demain = timezone.localdate() + datetime.timedelta(days=2)

    reponse = client.post(
        reverse("structures:deposer_document", args=[membre.structure.pk]),
        {"type": "rib", "date_document": demain.isoformat(),
         "fichier": SimpleUploadedFile("rib.pdf", PDF_MINIMAL)},
    )

    assertContains(reponse, "ne peut pas être dans le futur")


def test_le_document_d_une_autre_structure_est_introuvable(client):
    """Typing the id of another structure's document gives a 404."""
    autre = MembreFactory()
    document = services_structures.deposer_document(
        structure=autre.structure, type="rib", fichier=SimpleUploadedFile("rib.pdf", PDF_MINIMAL),
        date_document=datetime.date(2024, 1, 1), par=autre.utilisateur,
    )
    client.force_login(MembreFactory().utilisateur)

    assert client.get(reverse("structures:telecharger", args=[document.pk])).status_code == 404


def test_changer_de_structure_courante(client):
    """A member of two structures switches; the header shows the current one."""
    premiere = MembreFactory(structure__raison_sociale="Première association")
    seconde = MembreFactory(
        utilisateur=premiere.utilisateur, structure__raison_sociale="Seconde association"
    )
    client.force_login(premiere.utilisateur)
    entete = "Structure courante : </span>"
    assertContains(client.get(reverse("comptes:mon_compte")), entete + "Première")

    client.post(reverse("structures:choisir", args=[seconde.structure.pk]))

    assert client.session[CLE_SESSION] == seconde.structure.pk
    assertContains(client.get(reverse("comptes:mon_compte")), entete + "Seconde")


def test_une_structure_courante_quittee_n_est_plus_affichee(client):
    """A stale structure id in the session is ignored."""
    membre = MembreFactory(contributeur=True)
    MembreFactory(structure=membre.structure)
    client.force_login(membre.utilisateur)
    client.post(reverse("structures:choisir", args=[membre.structure.pk]))

    client.post(reverse("structures:quitter", args=[membre.structure.pk]))

    assertNotContains(client.get(reverse("comptes:mon_compte")), "Structure courante")


def test_inviter_par_la_page_envoie_le_courriel(
    client, django_capture_on_commit_callbacks, executer_taches
):
    """A responsable invites by address; the invitee gets the link."""
    membre = MembreFactory()
    client.force_login(membre.utilisateur)

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            reverse("structures:inviter", args=[membre.structure.pk]),
            {"email": "nouvelle@exemple.test", "role": "contributeur"},
            follow=True,
        )

    assertContains(reponse, "L&#x27;invitation a été envoyée à nouvelle@exemple.test")
    executer_taches()
    assert mail.outbox[-1].to == ["nouvelle@exemple.test"]
    assert "/structures/invitation/" in mail.outbox[-1].body


def test_accepter_une_invitation_par_la_page(client):
    """The invitee, signed in, accepts on the invitation page and becomes a member."""
    membre = MembreFactory()
    invitation = services_structures.inviter_membre(
        structure=membre.structure, email="nouvelle@exemple.test",
        role=Membre.Role.CONTRIBUTEUR, par=membre.utilisateur,
    )
    url = reverse("structures:invitation", args=[services_structures.jeton_invitation(invitation)])
    invitee = UtilisateurFactory(email="nouvelle@exemple.test")
    anonyme = client.get(url)
    assertContains(anonyme, "connectez-vous ou créez d'abord votre compte")
    client.force_login(invitee)

    reponse = client.post(url)

    assertRedirects(reponse, reverse("structures:detail", args=[membre.structure.pk]))
    assert Membre.objects.filter(structure=membre.structure, utilisateur=invitee).exists()


def test_demande_d_adhesion_par_la_page_et_reponse(client):
    """A user asks to join by SIRET; the responsable accepts from the structure page."""
    responsable = MembreFactory()
    demandeur = UtilisateurFactory()
    client.force_login(demandeur)
    client.post(reverse("structures:rejoindre"), {"siret": responsable.structure.siret})
    demande = responsable.structure.demandes_adhesion.get()
    client.force_login(responsable.utilisateur)
    page = client.get(reverse("structures:detail", args=[responsable.structure.pk]))
    assertContains(page, demandeur.email)

    client.post(reverse("structures:demande_accepter", args=[responsable.structure.pk, demande.pk]))

    assert Membre.objects.filter(structure=responsable.structure, utilisateur=demandeur).exists()


def test_le_dernier_responsable_ne_peut_pas_partir_par_la_page(client):
    """Leaving as last responsable shows the French explanation."""
    membre = MembreFactory()
    client.force_login(membre.utilisateur)

    reponse = client.post(reverse("structures:quitter", args=[membre.structure.pk]), follow=True)

    assertContains(reponse, "dernier responsable")
    assert Membre.objects.filter(pk=membre.pk).exists()


def test_la_liste_du_personnel_ne_multiplie_pas_les_requetes(client):
    """The staff list of structures costs the same for 2 or 20 structures (those that
    submitted a dossier in the user's contract)."""
    client.force_login(UtilisateurFactory(comite=True))
    appel = AppelAProjetsFactory()
    for structure in StructureFactory.create_batch(2):
        DossierFactory(structure=structure, appel=appel, depose=True)
    with CaptureQueriesContext(connection) as peu:
        client.get(reverse("structures:liste"))
    for structure in StructureFactory.create_batch(18):
        DossierFactory(structure=structure, appel=appel, depose=True)

    with CaptureQueriesContext(connection) as beaucoup:
        reponse = client.get(reverse("structures:liste"))

    assert len(beaucoup) == len(peu)
    assertContains(reponse, "20 structures")


def test_la_fiche_structure_ne_multiplie_pas_les_requetes(client, django_assert_max_num_queries):
    """The structure page of a responsable stays within a fixed number of queries."""
    membre = MembreFactory()
    MembreFactory.create_batch(5, structure=membre.structure, contributeur=True)
    client.force_login(membre.utilisateur)

    with django_assert_max_num_queries(20):
        client.get(reverse("structures:detail", args=[membre.structure.pk]))


def test_au_dela_de_la_borne_les_pages_menent_a_chaque_structure_une_fois(client, monkeypatch):
    """Past the counting bound, the list says « Plus de … » and numbers its pages without a
    last one; following « Page suivante » still reaches every visible structure exactly once,
    in name order."""
    monkeypatch.setattr("candidatures.commun.pagination.BORNE_COMPTE", 30)
    client.force_login(UtilisateurFactory(comite=True))
    appel = AppelAProjetsFactory()
    visibles = StructureFactory.create_batch(60)
    for structure in visibles:
        DossierFactory(structure=structure, appel=appel, depose=True)

    premiere = client.get(reverse("structures:liste"))
    lues, reponse, pages = [], premiere, 0
    while True:
        pages += 1
        lues += [s.pk for s in reponse.context["page"]]
        if not reponse.context["page"].has_next():
            break
        reponse = client.get(reverse("structures:liste"), {"page": pages + 1})

    assertContains(premiere, "Plus de 30 structures")
    assertContains(premiere, "Page 1</span>")
    assertContains(premiere, "Page suivante")
    attendues = Structure.objects.filter(pk__in=[s.pk for s in visibles])
    assert lues == list(attendues.order_by("raison_sociale", "pk").values_list("pk", flat=True))
    assert pages == 3
