"""Who may see and change a dossier: every page × every role, plus the predicates."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from candidatures.appels.permissions import peut_gerer_appels
from candidatures.dossiers.permissions import (
    peut_creer_dossier,
    peut_deposer_dossier,
    peut_modifier_dossier,
    peut_renouveler_dossier,
    peut_retirer_dossier,
    peut_signer_declaration,
    peut_voir_dossier,
)
from candidatures.models import Dossier, PieceJointe, Statut

from .factories import (
    PDF_MINIMAL,
    AppelAProjetsFactory,
    DossierFactory,
    MembreFactory,
    UtilisateurFactory,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "anonyme", "responsable", "contributeur", "autre_porteur", "instructeur", "comite",
    "administrateur",
]


@pytest.fixture
def monde():
    """One structure with a responsable and a contributeur, a draft and a submitted dossier."""
    responsable = MembreFactory()
    structure = responsable.structure
    contributeur = MembreFactory(structure=structure, contributeur=True)
    brouillon = DossierFactory(structure=structure)
    depose = DossierFactory(structure=structure, depose=True)
    for dossier in (brouillon, depose):
        PieceJointe.objects.create(
            dossier=dossier,
            fichier=ContentFile(PDF_MINIMAL, name="devis.pdf"),
            nom_original="devis.pdf",
            taille=len(PDF_MINIMAL),
        )
    return {
        "dossiers": {"brouillon": brouillon, "depose": depose},
        "utilisateurs": {
            "anonyme": None,
            "responsable": responsable.utilisateur,
            "contributeur": contributeur.utilisateur,
            "autre_porteur": MembreFactory().utilisateur,
            "instructeur": UtilisateurFactory(instructeur=True),
            "comite": UtilisateurFactory(comite=True),
            "administrateur": UtilisateurFactory(administrateur=True),
        },
    }


def _url(nom, dossier):
    if nom == "piece":
        return reverse("dossiers:piece", args=[dossier.pk, dossier.pieces.get().pk])
    return reverse(f"dossiers:{nom}", args=[dossier.pk])


MEMBRES = {"responsable": 200, "contributeur": 200}
PERSONNEL = {"instructeur": 200, "comite": 200, "administrateur": 200}
# (page, dossier) → expected status per role; anything not listed is 404.
ATTENDU = {
    ("detail", "brouillon"): MEMBRES,
    ("apercu", "brouillon"): MEMBRES,
    # The kept PDF, or (none yet) the dossier page where it is prepared.
    ("pdf", "brouillon"): {r: 302 for r in MEMBRES},
    ("fichiers", "brouillon"): MEMBRES,
    ("piece", "brouillon"): MEMBRES,
    ("modifier", "brouillon"): MEMBRES,
    ("retirer", "brouillon"): {"responsable": 200},
    ("detail", "depose"): {**MEMBRES, **PERSONNEL},
    ("apercu", "depose"): {**MEMBRES, **PERSONNEL},
    ("pdf", "depose"): {r: 302 for r in {**MEMBRES, **PERSONNEL}},
    ("recepisse", "depose"): {r: 302 for r in {**MEMBRES, **PERSONNEL}},
    ("fichiers", "depose"): {**MEMBRES, **PERSONNEL},
    ("piece", "depose"): {**MEMBRES, **PERSONNEL},
    ("modifier", "depose"): {**MEMBRES, **{r: 302 for r in PERSONNEL}},
    ("retirer", "depose"): {"responsable": 200},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("page", "etat"), list(ATTENDU))
def test_acces_aux_pages_du_dossier(client, monde, page, etat, role):
    """Members see their dossiers, staff the submitted ones, anyone else gets a 404."""
    dossier = monde["dossiers"][etat]
    utilisateur = monde["utilisateurs"][role]
    if utilisateur:
        client.force_login(utilisateur)

    reponse = client.get(_url(page, dossier))

    if role == "anonyme":
        assert reponse.status_code == 302
        assert reponse.url.startswith(reverse("comptes:connexion"))
    else:
        attendu = ATTENDU[(page, etat)].get(role, 404)
        if page == "modifier" and etat == "depose" and role in MEMBRES:
            attendu = 302  # not editable any more: sent to the summary
        assert reponse.status_code == attendu


@pytest.mark.parametrize("role", ["autre_porteur", "instructeur", "contributeur"])
def test_modifier_le_dossier_dautrui_impossible_par_post(client, monde, role):
    """A POST on another structure's draft (or by staff) changes nothing."""
    dossier = monde["dossiers"]["brouillon"]
    client.force_login(monde["utilisateurs"][role])

    reponse = client.post(
        reverse("dossiers:modifier", args=[dossier.pk]),
        {"version": dossier.version, "sections": "projet", "intitule": "Piraté"},
    )

    dossier.refresh_from_db()
    if role == "contributeur":
        assert dossier.intitule == "Piraté"
    else:
        assert reponse.status_code == 404
        assert dossier.intitule != "Piraté"


@pytest.mark.parametrize("role", ["autre_porteur", "instructeur", "contributeur"])
def test_retrait_reserve_au_responsable(client, monde, role):
    """Only a responsable of the structure withdraws a dossier."""
    dossier = monde["dossiers"]["depose"]
    client.force_login(monde["utilisateurs"][role])

    reponse = client.post(reverse("dossiers:retirer", args=[dossier.pk]), {"motif": "Non"})

    assert reponse.status_code == 404
    dossier.refresh_from_db()
    assert dossier.statut == Statut.DEPOSE


def test_liste_ne_montre_que_les_dossiers_visibles(client, monde, django_assert_max_num_queries):
    """"Mes dossiers" lists the structure's dossiers only, in a bounded number of queries."""
    autre = monde["utilisateurs"]["autre_porteur"]
    DossierFactory.create_batch(3, structure=autre.adhesions.get().structure)
    client.force_login(monde["utilisateurs"]["responsable"])

    with django_assert_max_num_queries(12):
        reponse = client.get(reverse("dossiers:liste"))

    listes = [d.pk for _, dossiers in reponse.context["appels"] for d in dossiers]
    assert sorted(listes) == sorted(d.pk for d in monde["dossiers"].values())


def test_personnel_voit_les_deposes_pas_les_brouillons(monde):
    """Staff read submitted dossiers, never drafts."""
    instructeur = monde["utilisateurs"]["instructeur"]

    visibles = set(Dossier.objects.visibles_par(instructeur))

    assert visibles == {monde["dossiers"]["depose"]}


def test_predicats(monde):
    """The dossier predicates, role by role."""
    u = monde["utilisateurs"]
    brouillon, depose = monde["dossiers"]["brouillon"], monde["dossiers"]["depose"]

    assert peut_modifier_dossier(u["contributeur"], brouillon)
    assert not peut_modifier_dossier(u["contributeur"], depose)
    assert not peut_modifier_dossier(u["autre_porteur"], brouillon)
    assert peut_signer_declaration(u["responsable"], brouillon)
    assert not peut_signer_declaration(u["contributeur"], brouillon)
    assert peut_deposer_dossier(u["contributeur"], brouillon)
    assert not peut_deposer_dossier(u["instructeur"], brouillon)
    assert peut_retirer_dossier(u["responsable"], depose)
    assert not peut_retirer_dossier(u["contributeur"], depose)
    assert peut_voir_dossier(u["comite"], depose)
    assert not peut_voir_dossier(u["comite"], brouillon)
    assert peut_renouveler_dossier(u["contributeur"], depose)
    assert not peut_renouveler_dossier(u["contributeur"], brouillon)
    assert peut_gerer_appels(u["administrateur"])
    assert not peut_gerer_appels(u["instructeur"])
    assert peut_creer_dossier(u["contributeur"], brouillon.structure)
    assert not peut_creer_dossier(u["autre_porteur"], brouillon.structure)


def test_le_personnel_ne_voit_que_les_dossiers_de_ses_contrats(monde):
    """A dossier submitted on another contract's call stays unknown to this contract's staff;
    the portal administrator sees it."""
    from tests.contrat_temoin import creer_contrat

    ailleurs = DossierFactory(appel=AppelAProjetsFactory(contrat=creer_contrat()), depose=True)
    u = monde["utilisateurs"]

    for role in ("instructeur", "comite"):
        assert ailleurs not in Dossier.objects.visibles_par(u[role])
        assert not peut_voir_dossier(u[role], ailleurs)
    assert ailleurs in Dossier.objects.visibles_par(u["administrateur"])
    assert peut_voir_dossier(u["administrateur"], ailleurs)


def test_mes_dossiers_d_un_instructeur_sont_ceux_de_ses_structures(client, monde):
    """« Mes dossiers » lists the user's structures' dossiers: staff find the others in the
    queue of their contracts."""
    client.force_login(monde["utilisateurs"]["instructeur"])

    reponse = client.get(reverse("dossiers:liste"))

    assert list(reponse.context["appels"]) == []
