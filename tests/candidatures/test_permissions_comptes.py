"""Predicates and scoped querysets of accounts and structures, one role at a time."""

import pytest
from django.contrib.auth.models import AnonymousUser

from candidatures.comptes import permissions as permissions_comptes
from candidatures.models import DocumentStructure, Role, Structure
from candidatures.structures import permissions as permissions_structures
from tests.contrat_temoin import creer_contrat, habiliter

from .factories import (
    PDF_MINIMAL,
    AppelAProjetsFactory,
    DossierFactory,
    MembreFactory,
    StructureFactory,
    UtilisateurFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonyme", "responsable", "contributeur", "autre_porteur", "instructeur", "comite",
         "administrateur", "superutilisateur"]


@pytest.fixture
def monde():
    """A structure with a responsable and a contributeur and a dossier submitted in the default
    contract (its staff read the structure), another structure, and the staff."""
    responsable = MembreFactory()
    structure = responsable.structure
    DossierFactory(structure=structure, depose=True)
    return {
        "structure": structure,
        "anonyme": AnonymousUser(),
        "responsable": responsable.utilisateur,
        "contributeur": MembreFactory(structure=structure, contributeur=True).utilisateur,
        "autre_porteur": MembreFactory().utilisateur,
        "instructeur": UtilisateurFactory(instructeur=True),
        "comite": UtilisateurFactory(comite=True),
        "administrateur": UtilisateurFactory(administrateur=True),
        "superutilisateur": UtilisateurFactory(is_superuser=True),
    }


def _attendus(*autorises):
    return [(role, role in autorises) for role in ROLES]


PERSONNEL = ("instructeur", "comite", "administrateur", "superutilisateur")
ADMINS = ("administrateur", "superutilisateur")
CAS = [
    *[("est_personnel", r, ok) for r, ok in _attendus(*PERSONNEL)],
    *[("est_administrateur", r, ok) for r, ok in _attendus(*ADMINS)],
    *[("peut_voir_structure", r, ok)
      for r, ok in _attendus("responsable", "contributeur", *PERSONNEL)],
    *[("peut_modifier_structure", r, ok) for r, ok in _attendus("responsable", *ADMINS)],
    *[("peut_gerer_membres", r, ok) for r, ok in _attendus("responsable", *ADMINS)],
    *[("peut_deposer_document", r, ok)
      for r, ok in _attendus("responsable", "contributeur", *ADMINS)],
    *[("peut_quitter_structure", r, ok) for r, ok in _attendus("responsable", "contributeur")],
    *[("peut_gerer_roles", r, ok) for r, ok in _attendus(*ADMINS)],
]


def _predicat(nom):
    """The predicate called ``nom``: about accounts and roles, or about structures."""
    return getattr(permissions_comptes, nom, None) or getattr(permissions_structures, nom)


@pytest.mark.parametrize(("predicat", "role", "attendu"), CAS)
def test_predicat(monde, predicat, role, attendu):
    """Each predicate answers as the role table says."""
    fonction = _predicat(predicat)
    user = monde[role]

    if predicat in {"est_personnel", "est_administrateur"}:
        resultat = fonction(user)
    else:
        resultat = fonction(user, monde["structure"])

    assert resultat is attendu


@pytest.mark.parametrize(
    ("role", "attendu"),
    _attendus("responsable", "contributeur", *PERSONNEL),
)
def test_peut_telecharger_document(monde, role, attendu):
    """A document may be downloaded by whoever may see its structure."""
    document = DocumentStructure.objects.create(
        structure=monde["structure"], type="statuts", fichier="x.pdf", nom_original="x.pdf",
        taille=len(PDF_MINIMAL), type_mime="application/pdf", date_document="2024-01-01",
    )

    assert permissions_structures.peut_telecharger_document(monde[role], document) is attendu


def test_un_porteur_ne_voit_que_ses_structures(monde):
    """The scoped queryset of a porteur holds their structures only."""
    StructureFactory()

    visibles = Structure.objects.visibles_par(monde["responsable"])

    assert list(visibles) == [monde["structure"]]


@pytest.mark.parametrize("role", ADMINS)
def test_l_administrateur_du_portail_voit_toutes_les_structures(monde, role):
    """Portal-wide administrators see every structure, with a dossier or not."""
    StructureFactory()

    assert Structure.objects.visibles_par(monde[role]).count() == Structure.objects.count()


@pytest.mark.parametrize("role", ["instructeur", "comite"])
def test_le_personnel_voit_les_structures_qui_ont_depose_dans_ses_contrats(monde, role):
    """Instructeurs and comité see a structure once it submitted a dossier in their contract:
    not before (a draft is not enough), not for a dossier of another contract."""
    autre_contrat = creer_contrat()
    brouillon = DossierFactory().structure
    ailleurs = DossierFactory(appel=AppelAProjetsFactory(contrat=autre_contrat), depose=True)

    visibles = set(Structure.objects.visibles_par(monde[role]))

    assert visibles == {monde["structure"]}
    assert brouillon not in visibles and ailleurs.structure not in visibles


def test_un_administrateur_de_territoire_ne_gere_pas_les_structures(monde):
    """Structures are portal-wide: an administrator of one territory reads those that submitted
    a dossier in its contracts, and changes none (their members and portal administrators do)."""
    defaut = monde["structure"].dossiers.get().appel.contrat
    admin_territoire = habiliter(UtilisateurFactory(), Role.ADMINISTRATEUR, defaut)
    structure = monde["structure"]

    assert permissions_structures.peut_voir_structure(admin_territoire, structure)
    assert not permissions_structures.peut_modifier_structure(admin_territoire, structure)
    assert not permissions_structures.peut_gerer_membres(admin_territoire, structure)
    assert not permissions_structures.peut_deposer_document(admin_territoire, structure)


def test_un_anonyme_ne_voit_rien(monde):
    """Nobody signed in, nothing visible."""
    assert not Structure.objects.visibles_par(monde["anonyme"]).exists()


def test_documents_visibles_par_structure(monde):
    """Documents are scoped like their structure."""
    mien = DocumentStructure.objects.create(
        structure=monde["structure"], type="rib", fichier="a.pdf", nom_original="a.pdf",
        taille=1, type_mime="application/pdf", date_document="2024-01-01",
    )
    DocumentStructure.objects.create(
        structure=StructureFactory(), type="rib", fichier="b.pdf", nom_original="b.pdf",
        taille=1, type_mime="application/pdf", date_document="2024-01-01",
    )

    assert list(DocumentStructure.objects.visibles_par(monde["contributeur"])) == [mien]
    assert list(DocumentStructure.objects.visibles_par(monde["comite"])) == [mien]
    assert DocumentStructure.objects.visibles_par(monde["administrateur"]).count() == 2


def test_groupes_et_habilitations_lus_en_une_requete(django_assert_num_queries):
    """A porteur who is also instructor on a territory and comité on one contract: one query
    reads all their roles, then every question about them is answered from it."""
    contrat = creer_contrat("Unique")
    utilisateur = habiliter(UtilisateurFactory(roles=[Role.PORTEUR, Role.INSTRUCTEUR]),
                            Role.COMITE, contrat)
    utilisateur = type(utilisateur).objects.get(pk=utilisateur.pk)

    with django_assert_num_queries(1):
        reponses = (
            utilisateur.a_role(Role.PORTEUR), utilisateur.a_role(Role.INSTRUCTEUR),
            utilisateur.a_role(Role.COMITE), utilisateur.a_role(Role.ADMINISTRATEUR),
            utilisateur.est_administrateur_portail, utilisateur.est_personnel,
        )

    assert reponses == (True, True, True, False, False, True)
    assert utilisateur.est_comite_de(contrat.pk)
    assert not utilisateur.est_instructeur_de(contrat.pk)
