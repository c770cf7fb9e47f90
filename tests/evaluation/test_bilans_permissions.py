"""Who reaches which bilan page: one case per URL and role."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from evaluation.bilans.permissions import (
    peut_saisir_bilan,
    peut_telecharger_generation,
    peut_valider_bilan,
    peut_voir_bilan,
    peut_voir_bilan_structure,
    peut_voir_bilans_annuels,
)
from evaluation.bilans.services import depot as services_bilans_depot
from evaluation.bilans.services import saisie as services_bilans_saisie
from evaluation.models import GenerationBilan
from tests.evaluation.factories import (
    MembreFactory,
    PieceBilanFactory,
    UtilisateurFactory,
    dossier_retenu,
    remplir_bilan,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonyme", "porteur", "autre_porteur", "instructeur", "comite", "administrateur"]


@pytest.fixture
def scenario():
    """A submitted bilan of a structure, a document, and two kept files (annual, structure)."""
    membre = MembreFactory()
    dossier = dossier_retenu(membre=membre)
    bilan = services_bilans_saisie.ouvrir_bilan(dossier=dossier, par=membre.utilisateur)
    remplir_bilan(bilan, membre.utilisateur)
    services_bilans_depot.deposer_bilan(bilan=bilan, par=membre.utilisateur)
    dossier.refresh_from_db()
    piece = PieceBilanFactory(bilan=bilan)
    generations = {}
    for nom, structure in (("annuel", None), ("structure", membre.structure)):
        generation = GenerationBilan(
            format="pdf", contrat_id=dossier.appel.contrat_id, annee_debut=dossier.appel.annee,
            annee_fin=dossier.appel.annee, structure=structure, empreinte="x",
            etat=GenerationBilan.Etat.TERMINEE, progression=100,
        )
        generation.fichier.save("bilan.pdf", ContentFile(b"%PDF-1.4 bilan"), save=False)
        generation.save()
        generations[nom] = generation
    return {
        "dossier": dossier, "piece": piece, "structure": membre.structure,
        "utilisateurs": {
            "porteur": membre.utilisateur,
            "autre_porteur": MembreFactory().utilisateur,
            "instructeur": UtilisateurFactory(instructeur=True),
            "comite": UtilisateurFactory(comite=True),
            "administrateur": UtilisateurFactory(administrateur=True),
        },
        "generations": generations,
    }


def _client(client, scenario, role):
    if role != "anonyme":
        client.force_login(scenario["utilisateurs"][role])
    return client


STAFF_OK = {"instructeur": 200, "comite": 200, "administrateur": 200}
STAFF_REDIRIGE = {"instructeur": 302, "comite": 302, "administrateur": 302}
PAGES = {
    # name: (method, expected status by role; anonymous is always sent to the login page)
    "liste": ("get", {"porteur": 200, "autre_porteur": 200, **STAFF_OK}),
    "detail": ("get", {"porteur": 200, "autre_porteur": 404, **STAFF_OK}),
    "saisie": ("get", {"porteur": 302, "autre_porteur": 404, "instructeur": 302, "comite": 302,
                       "administrateur": 302}),
    "piece": ("get", {"porteur": 200, "autre_porteur": 404, **STAFF_OK}),
    "valider": ("post", {"porteur": 404, "autre_porteur": 404, "instructeur": 302,
                         "comite": 404, "administrateur": 302}),
    "corrections": ("post", {"porteur": 404, "autre_porteur": 404, "instructeur": 302,
                             "comite": 404, "administrateur": 302}),
    "tableau_de_bord": ("get", {"porteur": 403, "autre_porteur": 403, **STAFF_OK}),
    # Bilan files are built by the worker: allowed, one is sent to the file or its progress.
    "xlsx": ("get", {"porteur": 403, "autre_porteur": 403, **STAFF_REDIRIGE}),
    "pdf": ("get", {"porteur": 403, "autre_porteur": 403, **STAFF_REDIRIGE}),
    "structure_pdf": ("get", {"porteur": 302, "autre_porteur": 404, **STAFF_REDIRIGE}),
    "parametres": ("get", {"porteur": 403, "autre_porteur": 403, "instructeur": 404,
                           "comite": 404, "administrateur": 200}),
    # The year's bilan document: the comité writes its comment, administrators the rest.
    "document": ("get", {"porteur": 403, "autre_porteur": 403, "instructeur": 404,
                         "comite": 200, "administrateur": 200}),
    "generation_annuelle": ("get", {"porteur": 404, "autre_porteur": 404, **STAFF_OK}),
    "fichier_annuel": ("get", {"porteur": 404, "autre_porteur": 404, **STAFF_OK}),
    "etat_annuel": ("get", {"porteur": 404, "autre_porteur": 404, **STAFF_OK}),
    "generation_structure": ("get", {"porteur": 200, "autre_porteur": 404, **STAFF_OK}),
    "fichier_structure": ("get", {"porteur": 200, "autre_porteur": 404, **STAFF_OK}),
}


def _url(nom, scenario):
    dossier = scenario["dossier"]
    annuelle, structure = scenario["generations"]["annuel"], scenario["generations"]["structure"]
    return {
        "liste": reverse("bilans:liste"),
        "detail": reverse("bilans:detail", args=[dossier.pk]),
        "saisie": reverse("bilans:saisie", args=[dossier.pk]),
        "piece": reverse("bilans:piece", args=[dossier.pk, scenario["piece"].pk]),
        "valider": reverse("bilans:valider", args=[dossier.pk]),
        "corrections": reverse("bilans:corrections", args=[dossier.pk]),
        "tableau_de_bord": reverse("bilans:tableau_de_bord"),
        "xlsx": reverse("bilans:xlsx"),
        "pdf": reverse("bilans:pdf"),
        "structure_pdf": reverse("bilans:structure_pdf", args=[scenario["structure"].pk]),
        "parametres": reverse("bilans:parametres", args=[dossier.appel_id]),
        "document": reverse("bilans:document", args=[dossier.appel_id]),
        "generation_annuelle": reverse("bilans:generation", args=[annuelle.pk]),
        "fichier_annuel": reverse("bilans:generation_fichier", args=[annuelle.pk]),
        "etat_annuel": reverse("bilans:generation_etat", args=[annuelle.pk]),
        "generation_structure": reverse("bilans:generation", args=[structure.pk]),
        "fichier_structure": reverse("bilans:generation_fichier", args=[structure.pk]),
    }[nom]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("nom", list(PAGES))
def test_acces_par_role(client, scenario, nom, role):
    """Each page answers each role as the bilan rules say (anonymous: to the login page)."""
    methode, attendus = PAGES[nom]
    client = _client(client, scenario, role)
    donnees = {"message": "Précisez les lieux."} if nom == "corrections" else {}

    reponse = getattr(client, methode)(_url(nom, scenario), donnees)

    if role == "anonyme":
        assert reponse.status_code == 302
        assert reponse["Location"].startswith(reverse("comptes:connexion"))
    else:
        assert reponse.status_code == attendus[role]


# --- Predicates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "voir", "saisir", "valider", "annuels", "structure", "fichier_annuel"),
    [
        ("porteur", True, False, False, False, True, False),
        ("autre_porteur", False, False, False, False, False, False),
        ("instructeur", True, False, True, True, True, True),
        ("comite", True, False, False, True, True, True),
        ("administrateur", True, False, True, True, True, True),
    ],
)
def test_predicats_sur_un_bilan_depose(
    scenario, role, voir, saisir, valider, annuels, structure, fichier_annuel
):
    """A submitted bilan: read by its structure and staff, validated by instructors only."""
    user = scenario["utilisateurs"][role]
    dossier = scenario["dossier"]

    assert peut_voir_bilan(user, dossier) is voir
    assert peut_saisir_bilan(user, dossier) is saisir
    assert peut_valider_bilan(user, dossier) is valider
    assert peut_voir_bilans_annuels(user) is annuels
    assert peut_voir_bilan_structure(user, scenario["structure"]) is structure
    assert peut_telecharger_generation(user, scenario["generations"]["annuel"]) is fichier_annuel


def test_seuls_les_membres_saisissent_un_bilan_attendu():
    """While the bilan is due, members fill it; staff do not."""
    membre = MembreFactory()
    dossier = dossier_retenu(membre=membre)

    assert peut_saisir_bilan(membre.utilisateur, dossier)
    assert not peut_saisir_bilan(UtilisateurFactory(administrateur=True), dossier)
    assert not peut_saisir_bilan(MembreFactory().utilisateur, dossier)
