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
