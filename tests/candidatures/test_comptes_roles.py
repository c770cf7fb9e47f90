"""The roles pages through the test client: who sees which accounts, grants and removes what."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from candidatures.models import Habilitation, Role
from referentiel.models import Contrat

from .contrats import administrateur_de, creer_contrat
from .factories import UtilisateurFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def monde():
    """Territory A (Alès), territory B (Nîmes); staff of each, a porteur, the administrators."""
    ales = Contrat.objects.par_defaut()
    nimes = creer_contrat()
    return {
        "ales": ales, "territoire_a": ales.territoire,
        "nimes": nimes["contrat"], "territoire_b": nimes["territoire"],
        "portail": UtilisateurFactory(administrateur=True, email="portail@exemple.test"),
        "admin_a": administrateur_de(territoire=ales.territoire, email="admin-a@exemple.test"),
        "instructeur_a": UtilisateurFactory(instructeur=True, email="instr-a@exemple.test"),
        "comite_b": UtilisateurFactory(
            comite=True, roles__territoire=nimes["territoire"], email="comite-b@exemple.test"
        ),
        "porteur": UtilisateurFactory(porteur=True, email="nouvelle.collegue@exemple.test"),
    }


def _compte(cible, email=""):
    url = reverse("comptes:roles_compte", args=[cible.pk])
    return f"{url}?email={email}" if email else url


def _accorder(client, cible, **donnees):
    return client.post(reverse("comptes:habilitation_accorder", args=[cible.pk]), donnees)


# --- The list -------------------------------------------------------------------------------


def test_le_portail_voit_tous_les_comptes_et_leurs_roles(client, monde):
    client.force_login(monde["portail"])

    reponse = client.get(reverse("comptes:roles"))

    for cle in ("admin_a", "instructeur_a", "comite_b", "porteur", "portail"):
        assertContains(reponse, monde[cle].email)
    html = reponse.content.decode()
    assert "comité de pilotage</strong> —\ntous les contrats du territoire Nîmes Métropole" in html
    assertContains(reponse, "administrateur du portail")
    assertContains(reponse, "porteur de projet")


def test_l_administrateur_du_territoire_ne_voit_que_son_territoire(client, monde):
    """Accounts with a habilitation in A; B's staff and the porteur stay hidden."""
    Habilitation.objects.create(
        utilisateur=monde["instructeur_a"], role=Role.INSTRUCTEUR,
        territoire=monde["territoire_b"],
    )
    client.force_login(monde["admin_a"])

    reponse = client.get(reverse("comptes:roles"))

    assertContains(reponse, "instr-a@exemple.test")
    assertContains(reponse, "admin-a@exemple.test")
    assertNotContains(reponse, "comite-b@exemple.test")
    assertNotContains(reponse, "nouvelle.collegue@exemple.test")
    assertNotContains(reponse, "portail@exemple.test")
    # Only the habilitations of its territory are shown, never B's.
    assertContains(reponse, "tous les contrats du territoire Alès Agglomération")
    assertNotContains(reponse, "Nîmes")


def test_un_nouveau_collegue_se_trouve_par_son_adresse_exacte(client, monde):
    """The exact address finds any active account; a part of it finds nothing outside A."""
    client.force_login(monde["admin_a"])

    partiel = client.get(reverse("comptes:roles"), {"q": "nouvelle.collegue"})
    exact = client.get(reverse("comptes:roles"), {"q": "Nouvelle.Collegue@exemple.test"})
    autre_territoire = client.get(reverse("comptes:roles"), {"q": "comite"})

    assertNotContains(partiel, "nouvelle.collegue@exemple.test")
    assertContains(exact, "nouvelle.collegue@exemple.test")
    assertContains(exact, _compte(monde["porteur"], "Nouvelle.Collegue%40exemple.test"))
    assertNotContains(autre_territoire, "comite-b@exemple.test")


@pytest.mark.parametrize("qui", ["portail", "admin_a"])
def test_la_liste_coute_le_meme_nombre_de_requetes(client, monde, qui,
                                                   django_assert_num_queries):
    """2 or 25 accounts (a full page), each with habilitations: the same queries."""
    client.force_login(monde[qui])

    def ajouter(n):
        for utilisateur in UtilisateurFactory.create_batch(n, porteur=True):
            for role in (Role.INSTRUCTEUR, Role.COMITE):
                Habilitation.objects.create(utilisateur=utilisateur, role=role,
                                            territoire=monde["territoire_a"])
            Habilitation.objects.create(utilisateur=utilisateur, role=Role.COMITE,
                                        contrat=monde["ales"], territoire=monde["territoire_a"])

    ajouter(2)
    with CaptureQueriesContext(connection) as peu:
        client.get(reverse("comptes:roles"))
    ajouter(23)

    with django_assert_num_queries(len(peu)):
        reponse = client.get(reverse("comptes:roles"))

    assert reponse.context["page"].paginator.count >= 25
    assert len(reponse.context["lignes"]) == 25


# --- The account page -----------------------------------------------------------------------


def test_page_d_un_compte_hors_territoire_introuvable(client, monde):
    """A's administrator gets a 404 for B's staff, unless it names the exact address."""
    client.force_login(monde["admin_a"])

    assert client.get(_compte(monde["comite_b"])).status_code == 404
    assert client.get(_compte(monde["porteur"])).status_code == 404
    reponse = client.get(_compte(monde["porteur"], "nouvelle.collegue@exemple.test"))

    assertContains(reponse, "Rôles de nouvelle.collegue@exemple.test")
    assertContains(reponse, 'name="email" value="nouvelle.collegue@exemple.test"')


def test_l_administrateur_du_territoire_habilite_un_nouveau_collegue(client, monde):
    client.force_login(monde["admin_a"])

    reponse = _accorder(client, monde["porteur"], email="nouvelle.collegue@exemple.test",
                        role=Role.INSTRUCTEUR, territoire="ales-agglomeration", contrat="")

    assertRedirects(reponse, _compte(monde["porteur"]), fetch_redirect_response=False)
    assert monde["porteur"].est_instructeur_de(monde["ales"].pk)
    page = client.get(_compte(monde["porteur"]))
    assertContains(page, "Habilitation accordée à nouvelle.collegue@exemple.test")


def test_sans_l_adresse_exacte_pas_d_habilitation_hors_territoire(client, monde):
    """Knowing an account's number is not enough to reach it."""
    client.force_login(monde["admin_a"])

    reponse = _accorder(client, monde["porteur"], role=Role.INSTRUCTEUR,
                        territoire="ales-agglomeration")

    assert reponse.status_code == 404
    assert not monde["porteur"].habilitations.exists()


def test_l_administrateur_de_a_refuse_sur_b_message_au_champ(client, monde):
    """Granting on B: the page comes back, the message next to the field, the input kept."""
    client.force_login(monde["admin_a"])

    reponse = _accorder(client, monde["instructeur_a"], role=Role.COMITE,
                        territoire="nimes-metropole", contrat="")

    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert re.search(r'id="id_territoire"[^>]*value="nimes-metropole"|value="nimes-metropole"'
                     r'[^>]*id="id_territoire"', html)
    assertContains(reponse, "Vous n&#x27;administrez pas le territoire Nîmes Métropole.", count=2)
    assert not monde["instructeur_a"].habilitations.filter(territoire=monde["territoire_b"])


def test_l_administrateur_de_territoire_ne_propose_pas_le_role_d_administrateur(client, monde):
    client.force_login(monde["admin_a"])

    page = client.get(_compte(monde["instructeur_a"]))
    reponse = _accorder(client, monde["instructeur_a"], role=Role.ADMINISTRATEUR,
                        territoire="ales-agglomeration")

    assertNotContains(page, 'value="administrateur"')
    assert reponse.status_code == 200
    assert not monde["instructeur_a"].habilitations.filter(role=Role.ADMINISTRATEUR).exists()


def test_territoire_inconnu_message_en_francais(client, monde):
    client.force_login(monde["portail"])

    reponse = _accorder(client, monde["porteur"], role=Role.COMITE, territoire="Atlantide")

    assertContains(reponse, "Aucun territoire ne porte le code ou le nom « Atlantide »", count=2)
    assertContains(reponse, 'value="Atlantide"')
    assert not monde["porteur"].habilitations.exists()


def test_le_portail_accorde_sur_un_contrat_par_son_nom(client, monde):
    """The contract alone locates its territory; its exact name works as well as its code."""
    client.force_login(monde["portail"])

    reponse = _accorder(client, monde["porteur"], role=Role.ADMINISTRATEUR,
                        contrat="contrat de ville de nîmes métropole")

    assertRedirects(reponse, _compte(monde["porteur"]))
    habilitation = monde["porteur"].habilitations.get()
    assert (habilitation.contrat, habilitation.territoire) == (
        monde["nimes"], monde["territoire_b"]
    )


def test_retirer_une_habilitation(client, monde):
    client.force_login(monde["admin_a"])
    habilitation = monde["instructeur_a"].habilitations.get()

    reponse = client.post(reverse(
        "comptes:habilitation_retirer", args=[monde["instructeur_a"].pk, habilitation.pk]
    ))

    assertRedirects(reponse, reverse("comptes:roles"))
    assert not monde["instructeur_a"].habilitations.exists()


def test_retirer_une_habilitation_de_b_introuvable(client, monde):
    client.force_login(monde["admin_a"])
    habilitation = monde["comite_b"].habilitations.get()

    reponse = client.post(reverse(
        "comptes:habilitation_retirer", args=[monde["comite_b"].pk, habilitation.pk]
    ))

    assert reponse.status_code == 404
    assert Habilitation.objects.filter(pk=habilitation.pk).exists()


def test_l_administrateur_de_territoire_voit_sans_pouvoir_retirer_un_administrateur(client, monde):
    autre_admin = administrateur_de(territoire=monde["territoire_a"])
    client.force_login(monde["admin_a"])

    page = client.get(_compte(autre_admin))
    reponse = client.post(reverse(
        "comptes:habilitation_retirer", args=[autre_admin.pk, autre_admin.habilitations.get().pk]
    ), follow=True)

    assertContains(page, "Hors de ce que vous administrez")
    assertNotContains(page, "Retirer<span")
    assertContains(reponse, "elle sort de ce que vous administrez")
    assert autre_admin.habilitations.exists()


def test_roles_du_portail_depuis_la_page_du_compte(client, monde):
    client.force_login(monde["portail"])

    reponse = client.post(
        reverse("comptes:roles_modifier", args=[monde["porteur"].pk]),
        {"roles": [Role.PORTEUR, Role.ADMINISTRATEUR]}, follow=True,
    )

    assertContains(reponse, "Rôles du portail de nouvelle.collegue@exemple.test : porteur de "
                            "projet, administrateur du portail.")
    assert monde["porteur"].groups.filter(name=Role.ADMINISTRATEUR).exists()


def test_le_portail_ne_retire_pas_son_propre_dernier_droit(client, monde):
    client.force_login(monde["portail"])

    reponse = client.post(
        reverse("comptes:roles_modifier", args=[monde["portail"].pk]), {"roles": []}, follow=True
    )

    assertContains(reponse, "Vous ne pouvez pas retirer votre dernier droit d&#x27;administrateur")
    assert monde["portail"].groups.filter(name=Role.ADMINISTRATEUR).exists()


# --- Refusals by role -----------------------------------------------------------------------


def _requetes(monde):
    habilitation = monde["comite_b"].habilitations.get()
    cible = monde["comite_b"]
    return [
        ("get", reverse("comptes:roles"), {}),
        ("get", _compte(cible), {}),
        ("get", reverse("comptes:roles_portees"), {"q": "n"}),
        ("post", reverse("comptes:habilitation_accorder", args=[cible.pk]),
         {"role": Role.COMITE, "territoire": "ales-agglomeration"}),
        ("post", reverse("comptes:habilitation_retirer", args=[cible.pk, habilitation.pk]), {}),
        ("post", reverse("comptes:roles_modifier", args=[cible.pk]), {"roles": ["porteur"]}),
        ("post", reverse("comptes:debloquer", args=[cible.pk]), {}),
    ]


@pytest.mark.parametrize("qui", ["instructeur_a", "porteur"])
def test_sans_droit_d_administrateur_tout_est_refuse(client, monde, qui):
    client.force_login(monde[qui])

    for methode, url, donnees in _requetes(monde):
        assert getattr(client, methode)(url, donnees).status_code == 403, url

    assert set(monde["comite_b"].habilitations.values_list("role", flat=True)) == {"comite"}
    assert not monde["comite_b"].groups.filter(name="porteur").exists()


def test_roles_du_portail_et_deblocage_refuses_a_l_administrateur_du_territoire(client, monde):
    client.force_login(monde["admin_a"])

    portail = client.post(reverse("comptes:roles_modifier", args=[monde["instructeur_a"].pk]),
                          {"roles": ["administrateur"]})
    debloquer = client.post(reverse("comptes:debloquer", args=[monde["instructeur_a"].pk]))

    assert (portail.status_code, debloquer.status_code) == (403, 403)
    assert not monde["instructeur_a"].groups.filter(name="administrateur").exists()


# --- Territory and contract search ------------------------------------------------------------


def test_recherche_des_portees_limitee_a_ce_qu_on_administre(client, monde):
    url = reverse("comptes:roles_portees")
    client.force_login(monde["admin_a"])

    territoires = client.get(url, {"type": "territoire", "q": ""}).json()["resultats"]
    contrats = client.get(url, {"type": "contrat", "q": "contrat"}).json()["resultats"]
    client.force_login(monde["portail"])
    tout = client.get(url, {"type": "contrat", "q": "nîmes"}).json()["resultats"]

    assert [t["valeur"] for t in territoires] == ["ales-agglomeration"]
    assert [c["valeur"] for c in contrats] == ["ales-agglomeration-2015"]
    assert tout == [{
        "valeur": "nimes-metropole-2024",
        "libelle": "Contrat de ville de Nîmes Métropole — Nîmes Métropole, Engagements Quartiers "
                   "2030 (nimes-metropole-2024)",
    }]


def test_le_formulaire_n_est_pas_une_liste_deroulante_de_contrats(client, monde):
    """Contracts are typed (with suggestions), never a <select> of the whole table."""
    client.force_login(monde["portail"])

    page = client.get(_compte(monde["porteur"]))

    assertNotContains(page, "<select")
    assertContains(page, 'list="contrats-proposes"')
    assertContains(page, 'data-recherche-url="/comptes/roles/portees.json"')
