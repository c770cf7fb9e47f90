"""The public catalogue: tree, search, objective pages."""

import pytest
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from referentiel.models import Action, Objectif

pytestmark = pytest.mark.django_db

CONTRAT = "ales-agglomeration-2015"


def test_arbre_public_avec_tous_les_piliers(client):
    """An anonymous visitor sees the four piliers, their orientations, objectives and actions."""

    reponse = client.get(reverse("referentiel:index"))

    assert reponse.status_code == 200
    for titre in (
        "Cohésion sociale",
        "Habitat et cadre de vie",
        "Emploi et développement économique",
        "Valeurs de la République et citoyenneté",
    ):
        assertContains(reponse, titre)
    assertContains(reponse, "1.1.1.a")
    assertContains(reponse, "Mettre en place des actions mobiles")
    assertContains(reponse, "4.2.4.c")


def test_arbre_liste_les_quartiers_prioritaires(client):
    """The tree page ends with the QPV and their period of validity."""

    reponse = client.get(reverse("referentiel:index"))

    assertContains(reponse, "Trescol – La Levade (La Grand-Combe)")
    assertContains(reponse, "au 31 décembre 2023")


def test_arbre_marque_les_objectifs_hors_appel(client):
    """Objectives outside the call carry a visible badge in the tree."""

    reponse = client.get(reverse("referentiel:index"))

    hors = Objectif.objects.filter(hors_appel_a_projets=True).count()
    assert hors > 0
    assert reponse.content.decode().count("Hors appel à projets") == hors


def test_arbre_en_nombre_de_requetes_constant(client, django_assert_num_queries):
    """The tree is read in a fixed number of queries, however many items it has."""

    with django_assert_num_queries(7):
        client.get(reverse("referentiel:index"))


def test_recherche_par_code_d_objectif(client):
    """Searching "1.3.2" finds the objective and its actions, not 1.3.20 or 1.3.3."""

    reponse = client.get(reverse("referentiel:index"), {"q": "1.3.2"})

    codes = [r.code for r in reponse.context["recherche"].resultats]
    assert codes[0] == "1.3.2"
    assert set(codes[1:]) == set(
        Action.objects.filter(objectif__code="1.3.2").values_list("code", flat=True)
    )
    assert "1.3.3" not in codes


def test_recherche_par_code_d_action(client):
    """Searching "1.3.2.c" finds exactly that action."""

    reponse = client.get(reverse("referentiel:index"), {"q": "1.3.2.c"})

    assert [r.code for r in reponse.context["recherche"].resultats] == ["1.3.2.c"]
    assertContains(reponse, "1 résultat pour")


@pytest.mark.parametrize("requete", ["egalite", "EGALITE", "Égalité", "égalité"])
def test_recherche_insensible_aux_accents_et_a_la_casse(client, requete):
    """Accents and case are ignored: "egalite" finds "égalité", highlighted."""

    reponse = client.get(reverse("referentiel:index"), {"q": requete})

    codes = [r.code for r in reponse.context["recherche"].resultats]
    assert "1.3.3" in codes
    assertContains(reponse, "<mark>égalité</mark>", html=False)


def test_recherche_de_plusieurs_mots(client):
    """Every word must appear: "sante mentale" finds objective 1.4.2, not 1.4.1."""

    reponse = client.get(reverse("referentiel:index"), {"q": "sante mentale"})

    codes = {r.code for r in reponse.context["recherche"].resultats}
    assert "1.4.2" in codes
    assert "1.4.1" not in codes


def test_recherche_sans_resultat(client):
    """A search that finds nothing says so in French."""

    reponse = client.get(reverse("referentiel:index"), {"q": "zzzzz"})

    assertContains(reponse, "Aucun résultat pour « zzzzz »")


def test_recherche_echappe_le_html(client):
    """What the visitor typed is escaped, never injected into the page."""

    reponse = client.get(reverse("referentiel:index"), {"q": "<script>alert(1)</script>"})

    assertNotContains(reponse, "<script>alert(1)</script>", html=False)
    assertContains(reponse, "&lt;script&gt;")


def test_page_objectif_complete(client):
    """An objective's page shows its actions, cahier des charges and indicators with F/H badges."""

    objectif = Objectif.objects.get(code="1.1.1")

    reponse = client.get(reverse("referentiel:objectif", args=[CONTRAT, "1.1.1"]))

    assert reponse.status_code == 200
    for action in objectif.actions.all():
        assertContains(reponse, action.code)
    for exigence in objectif.exigences.all():
        assertContains(reponse, escape(exigence.texte))
    for indicateur in objectif.indicateurs.all():
        assertContains(reponse, escape(indicateur.libelle))
    assertContains(reponse, '<span class="badge badge-ventilation"', html=False)
    assertContains(reponse, "F/H")


def test_page_objectif_hors_appel(client):
    """An objective outside the call says clearly that no proposal can be filed on it."""

    code = Objectif.objects.filter(hors_appel_a_projets=True).first().code

    reponse = client.get(reverse("referentiel:objectif", args=[CONTRAT, code]))

    assertContains(reponse, "aucune demande de subvention ne peut être déposée")


def test_page_objectif_renvoi_vers_orientation(client):
    """1.3.10 refers to orientation 1.4, with a link to it."""

    reponse = client.get(reverse("referentiel:objectif", args=[CONTRAT, "1.3.10"]))

    assertContains(reponse, "orientation stratégique 1.4")
    assertContains(
        reponse, 'href="/referentiel/ales-agglomeration-2015/#orientation-1.4"', html=False
    )


def test_page_objectif_renvoi_vers_objectifs(client):
    """1.6.5 links to 1.1.1 and 1.1.3, which list it among the objectives referring to them."""

    reponse = client.get(reverse("referentiel:objectif", args=[CONTRAT, "1.6.5"]))
    cible = client.get(reverse("referentiel:objectif", args=[CONTRAT, "1.1.3"]))

    assertContains(
        reponse, 'href="/referentiel/ales-agglomeration-2015/objectifs/1.1.1/"', html=False
    )
    assertContains(
        reponse, 'href="/referentiel/ales-agglomeration-2015/objectifs/1.1.3/"', html=False
    )
    assertContains(cible, "Objectifs qui renvoient à celui-ci")
    assertContains(
        cible, 'href="/referentiel/ales-agglomeration-2015/objectifs/1.6.5/"', html=False
    )


def test_page_objectif_notes_de_financement(client):
    """Funding notes are shown apart from the requirements."""

    objectif = Objectif.objects.filter(notes_financement__isnull=False).first()

    reponse = client.get(reverse("referentiel:objectif", args=[CONTRAT, objectif.code]))

    assertContains(reponse, "Financements et dispositifs")
    assertContains(reponse, escape(objectif.notes_financement.first().texte))


def test_objectif_inconnu_404_en_francais(client):
    """An unknown code gives a French 404 naming the code."""

    reponse = client.get(reverse("referentiel:objectif", args=[CONTRAT, "9.9.9"]))

    assert reponse.status_code == 404
    assertContains(
        reponse, escape("Aucun objectif opérationnel n'a le code « 9.9.9 »"), status_code=404
    )


def test_page_objectif_en_nombre_de_requetes_constant(client, django_assert_num_queries):
    """An objective page costs a fixed number of queries."""

    with django_assert_num_queries(9):
        client.get(reverse("referentiel:objectif", args=[CONTRAT, "1.1.1"]))


def _message_en_attente(client, texte):
    """A flash message waiting in the visitor's cookie, as a redirect after a form leaves it."""
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    client.cookies["messages"] = CookieStorage(HttpRequest())._encode(
        [Message(constants.INFO, texte)]
    )


def test_le_catalogue_d_un_visiteur_est_garde_entier(client, django_assert_num_queries):
    """Asked again by a visitor who is not signed in, the catalogue is the page kept whole:
    no template rendered, no query, the same HTML."""
    premiere = client.get(reverse("referentiel:index"))

    with django_assert_num_queries(0):
        seconde = client.get(reverse("referentiel:index"), {"utm_source": "lettre"})

    assert seconde.templates == []
    assert seconde.content == premiere.content
    assert seconde["Content-Type"] == "text/html; charset=utf-8"


def test_un_pilier_renomme_se_voit_aussitot_dans_le_catalogue_garde(client):
    client.get(reverse("referentiel:index"))
    from referentiel.models import Pilier

    pilier = Pilier.objects.order_by("ordre").first()
    pilier.titre = "Cohésion sociale et citoyenneté"
    pilier.save()

    assertContains(client.get(reverse("referentiel:index")), "Cohésion sociale et citoyenneté")


def test_un_message_en_attente_s_affiche_une_fois_sur_le_catalogue_garde(client):
    """A flash message waiting for the visitor is shown, once, never hidden by the kept page
    nor kept with it."""
    client.get(reverse("referentiel:index"))
    _message_en_attente(client, "Votre mot de passe a été changé.")

    assertContains(client.get(reverse("referentiel:index")), "Votre mot de passe a été changé.")
    assertNotContains(client.get(reverse("referentiel:index")), "Votre mot de passe a été changé.")


def test_une_personne_connectee_n_a_pas_la_page_du_visiteur(client):
    from tests.candidatures.factories import UtilisateurFactory

    client.get(reverse("referentiel:index"))
    client.force_login(UtilisateurFactory(porteur=True, prenom="Aïcha", nom="Benali"))

    reponse = client.get(reverse("referentiel:index"))

    assertContains(reponse, "Aïcha Benali")
    assertContains(reponse, "Se déconnecter")
