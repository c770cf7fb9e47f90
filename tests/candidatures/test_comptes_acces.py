"""Who reaches which page of accounts and structures: one test per (page, role)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidatures.models import DemandeAdhesion, DocumentStructure, Membre
from candidatures.structures import services as services_structures

from .factories import PDF_MINIMAL, DossierFactory, MembreFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonyme", "porteur_structure", "porteur_autre", "instructeur", "comite", "administrateur"]


@pytest.fixture
def monde():
    """Structure A (its responsable, a contributeur, a request, an invitation, a document, a
    dossier submitted in the default contract: its staff read the structure), B."""
    responsable = MembreFactory()
    structure = responsable.structure
    DossierFactory(structure=structure, depose=True)
    contributeur = MembreFactory(structure=structure, contributeur=True)
    demande = DemandeAdhesion.objects.create(structure=structure, utilisateur=UtilisateurFactory())
    invitation = services_structures.inviter_membre(
        structure=structure, email="invite@exemple.test", role=Membre.Role.CONTRIBUTEUR,
        par=responsable.utilisateur,
    )
    document = services_structures.deposer_document(
        structure=structure, type=DocumentStructure.Type.STATUTS,
        fichier=SimpleUploadedFile("statuts.pdf", PDF_MINIMAL),
        date_document=datetime.date(2024, 1, 1), par=responsable.utilisateur,
    )
    return {
        "structure": structure,
        "contributeur": contributeur,
        "demande": demande,
        "invitation": invitation,
        "jeton": services_structures.jeton_invitation(invitation),
        "document": document,
        "utilisateurs": {
            "anonyme": None,
            "porteur_structure": responsable.utilisateur,
            "porteur_autre": MembreFactory().utilisateur,
            "instructeur": UtilisateurFactory(instructeur=True),
            "comite": UtilisateurFactory(comite=True),
            "administrateur": UtilisateurFactory(administrateur=True),
        },
    }


def _s(nom, *cles):
    """URL of a structure page, arguments read from the ``monde`` fixture."""
    def construire(m):
        args = [m["structure"].pk] + [m[c].pk for c in cles]
        return reverse(f"structures:{nom}", args=args)
    return construire


def _url(nom, *args):
    return lambda m: reverse(nom, args=args)


TOUS_200 = dict.fromkeys(ROLES, 200)
CONNECTES_200 = {"anonyme": "connexion", **dict.fromkeys(ROLES[1:], 200)}
PUBLIC_SINON_REDIRIGE = {"anonyme": 200, **dict.fromkeys(ROLES[1:], 302)}
ADMIN_SEUL = {"anonyme": "connexion", "porteur_structure": 403, "porteur_autre": 403,
              "instructeur": 403, "comite": 403, "administrateur": 200}
ADMIN_SEUL_POST = {**ADMIN_SEUL, "administrateur": 302}
LECTURE = {"anonyme": "connexion", "porteur_structure": 200, "porteur_autre": 404,
           "instructeur": 200, "comite": 200, "administrateur": 200}
GESTION = {"anonyme": "connexion", "porteur_structure": 200, "porteur_autre": 404,
           "instructeur": 403, "comite": 403, "administrateur": 200}
GESTION_POST = {**GESTION, "porteur_structure": 302, "administrateur": 302}
MEMBRES_SEULS = {"anonyme": "connexion", "porteur_structure": 200, "porteur_autre": 404,
                 "instructeur": 404, "comite": 404, "administrateur": 404}

PAGES = [
    # (name, method, URL builder, expected status per role)
    ("connexion", "get", _url("comptes:connexion"), PUBLIC_SINON_REDIRIGE),
    ("inscription", "get", _url("comptes:inscription"), PUBLIC_SINON_REDIRIGE),
    ("inscription_envoyee", "get", _url("comptes:inscription_envoyee"), TOUS_200),
    ("renvoyer_confirmation", "get", _url("comptes:renvoyer_confirmation"), TOUS_200),
    ("confirmer_lien_faux", "get", _url("comptes:confirmer", "faux"), dict.fromkeys(ROLES, 400)),
    ("confirmer_adresse_lien_faux", "get", _url("comptes:confirmer_adresse", "faux"),
     dict.fromkeys(ROLES, 400)),
    ("mot_de_passe_oublie", "get", _url("comptes:mot_de_passe_oublie"), TOUS_200),
    ("mot_de_passe_oublie_envoye", "get", _url("comptes:mot_de_passe_oublie_envoye"), TOUS_200),
    ("mot_de_passe_reinitialiser", "get",
     _url("comptes:mot_de_passe_reinitialiser", "MQ", "faux-jeton"), TOUS_200),
    ("mot_de_passe_reinitialise", "get", _url("comptes:mot_de_passe_reinitialise"), TOUS_200),
    ("mon_compte", "get", _url("comptes:mon_compte"), CONNECTES_200),
    ("changer_adresse", "get", _url("comptes:changer_adresse"), CONNECTES_200),
    ("mot_de_passe_changer", "get", _url("comptes:mot_de_passe_changer"), CONNECTES_200),
    ("roles", "get", _url("comptes:roles"), ADMIN_SEUL),
    ("roles_modifier", "post",
     lambda m: reverse("comptes:roles_modifier", args=[m["utilisateurs"]["comite"].pk]),
     ADMIN_SEUL_POST),
    ("debloquer", "post",
     lambda m: reverse("comptes:debloquer", args=[m["utilisateurs"]["comite"].pk]),
     ADMIN_SEUL_POST),
    ("structures", "get", _url("structures:liste"), CONNECTES_200),
    ("structure_creer", "get", _url("structures:creer"), CONNECTES_200),
    ("structure_rejoindre", "get", _url("structures:rejoindre"), CONNECTES_200),
    ("structure_detail", "get", _s("detail"), LECTURE),
    ("structure_documents", "get", _s("documents"), LECTURE),
    ("document_telecharger", "get",
     lambda m: reverse("structures:telecharger", args=[m["document"].pk]), LECTURE),
    ("structure_modifier", "get", _s("modifier"), GESTION),
    ("structure_inviter", "get", _s("inviter"), GESTION),
    ("document_deposer", "get", _s("deposer_document"), GESTION),
    ("structure_quitter", "get", _s("quitter"), MEMBRES_SEULS),
    ("structure_choisir", "post", _s("choisir"), {**MEMBRES_SEULS, "porteur_structure": 302}),
    ("membre_role", "post", _s("membre_role", "contributeur"), GESTION_POST),
    ("membre_retirer", "post", _s("membre_retirer", "contributeur"), GESTION_POST),
    ("demande_accepter", "post", _s("demande_accepter", "demande"), GESTION_POST),
    ("demande_refuser", "post", _s("demande_refuser", "demande"), GESTION_POST),
    ("invitation_annuler", "post", _s("invitation_annuler", "invitation"), GESTION_POST),
    ("invitation", "get", lambda m: reverse("structures:invitation", args=[m["jeton"]]),
     TOUS_200),
]

CAS = [
    pytest.param(methode, construire, role, attendus[role], id=f"{nom}-{role}")
    for nom, methode, construire, attendus in PAGES
    for role in ROLES
]


@pytest.mark.parametrize(("methode", "construire", "role", "attendu"), CAS)
def test_acces(client, monde, methode, construire, role, attendu):
    """Each role gets the expected answer; anonymous visitors are sent to the login page."""
    utilisateur = monde["utilisateurs"][role]
    if utilisateur is not None:
        client.force_login(utilisateur)
    url = construire(monde)

    reponse = getattr(client, methode)(url)

    if attendu == "connexion":
        assert reponse.status_code == 302
        assert reponse.url.startswith(reverse("comptes:connexion") + "?next=")
    else:
        assert reponse.status_code == attendu


def test_les_pages_publiques_du_catalogue_restent_publiques(client):
    """The home page stays public with LoginRequiredMiddleware."""
    assert client.get(reverse("accueil")).status_code == 200
