"""The instructors' queue: filters, search, sort, counts per status, pages, a fixed query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidatures.commun.formats import euros
from candidatures.dossiers.services.montants import actualiser_montants_demandes
from candidatures.models import Dossier, LigneBudget, Statut, Structure
from evaluation.instruction.selectors import file as selectors_file
from evaluation.models import Instruction, Message
from referentiel.models import Action, Pilier, QuartierPrioritaire

from .factories import (
    AppelAProjetsFactory,
    DecisionFactory,
    DossierFactory,
    InstructionFactory,
    UtilisateurFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def appel():
    return AppelAProjetsFactory()


def _dossier(appel, code="1.1.1.a", montant=1000, qpv="ales", **traits):
    traits = traits or {"depose": True}
    dossier = DossierFactory(
        appel=appel, action_principale=Action.objects.get(code=code), **traits
    )
    LigneBudget.objects.create(dossier=dossier, code="74_epci", montant=montant)
    actualiser_montants_demandes(Dossier.objects.filter(pk=dossier.pk))
    dossier.quartiers.set(QuartierPrioritaire.objects.filter(code=qpv))
    return dossier


def _references(reponse):
    return [d.reference for d in reponse.context["page"]]


def test_la_file_ne_montre_que_les_dossiers_deposes_de_l_appel(client, instructeur, appel):
    """Drafts and other calls' dossiers stay out of the queue."""
    depose = _dossier(appel)
    DossierFactory(appel=appel)
    _dossier(AppelAProjetsFactory())
    client.force_login(instructeur)

    reponse = client.get(reverse("evaluation:file", args=[appel.pk]))

    assert _references(reponse) == [depose.reference]


@pytest.mark.parametrize(
    ("filtre", "attendus"),
    [
        ({"action": "2.1"}, ["B"]),
        ({"action": "1.1.1.a"}, ["A", "C"]),
        ({"statut": "en_instruction"}, ["C"]),
        ({"qpv": "anduze"}, ["B"]),
        ({"q": "mobile"}, ["A"]),
        ({"tri": "-montant"}, ["C", "B", "A"]),
        ({"tri": "montant"}, ["A", "B", "C"]),
    ],
)
def test_filtres_recherche_et_tri(client, instructeur, appel, filtre, attendus):
    """Each filter narrows the list; the sort orders it."""
    action_b = Action.objects.filter(objectif__orientation__code="2.1").order_by("code").first()
    a = _dossier(appel, montant=100)
    a.intitule = "Camion mobile"
    a.save()
    b = _dossier(appel, code=action_b.code, montant=200, qpv="anduze-centre-ville")
    c = _dossier(appel, montant=300, en_instruction=True)
    noms = {a.reference: "A", b.reference: "B", c.reference: "C"}
    if "qpv" in filtre:
        filtre = {"qpv": QuartierPrioritaire.objects.get(code="anduze-centre-ville").pk}
    client.force_login(instructeur)

    reponse = client.get(reverse("evaluation:file", args=[appel.pk]), filtre)

    assert [noms[r] for r in _references(reponse)] == attendus


def test_filtre_par_pilier(client, instructeur, appel):
    """The pilier filter keeps only the dossiers of that pilier."""
    action_pilier_2 = Action.objects.filter(objectif__orientation__pilier__code="2").first()
    _dossier(appel)
    b = _dossier(appel, code=action_pilier_2.code)
    client.force_login(instructeur)
    url = reverse("evaluation:file", args=[appel.pk])
    pilier_2 = action_pilier_2.objectif.orientation.pilier

    assert _references(client.get(url, {"pilier": pilier_2.pk})) == [b.reference]


def test_filtres_de_l_arbre_combines(client, instructeur, appel):
    """Pilier, orientation and objective together keep the dossiers under all three; an
    objective outside the pilier chosen empties the list."""
    action_2 = Action.objects.filter(objectif__orientation__pilier__code="2").first()
    objectif = action_2.objectif
    _dossier(appel)
    b = _dossier(appel, code=action_2.code)
    pilier_1 = Pilier.objects.get(contrat=objectif.contrat, code="1")
    client.force_login(instructeur)
    url = reverse("evaluation:file", args=[appel.pk])
    arbre = {"pilier": objectif.orientation.pilier.pk, "orientation": objectif.orientation.pk,
             "objectif": objectif.pk}

    assert _references(client.get(url, arbre)) == [b.reference]
    assert _references(client.get(url, {"pilier": pilier_1.pk, "objectif": objectif.pk})) == []


@pytest.fixture
def deux_structures(appel):
    jardins = _dossier(appel)
    jardins.structure.raison_sociale = "Les Jardins du Gardon"
    jardins.structure.sigle = "JDG"
    jardins.structure.rna = "W301234567"
    jardins.structure.save()
    cevennes = _dossier(appel)
    cevennes.structure.raison_sociale = "Cévennes Solidaires"
    cevennes.structure.save()
    return jardins, cevennes


@pytest.mark.parametrize(
    "saisie",
    ["jardins du gard", "JDG", "siret", "siret-espaces", "debut-siret", "W301234567"],
)
def test_filtre_structure_par_nom_sigle_siret_ou_rna(client, instructeur, appel, deux_structures,
                                                    saisie):
    """The structure field is a text searched on the server: name, acronym, SIRET, RNA."""
    jardins, _cevennes = deux_structures
    siret = jardins.structure.siret
    saisie = {
        "siret": siret,
        "siret-espaces": f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}",
        "debut-siret": siret[:9],
    }.get(saisie, saisie)
    client.force_login(instructeur)

    reponse = client.get(reverse("evaluation:file", args=[appel.pk]), {"structure": saisie})

    assert _references(reponse) == [jardins.reference]
    assert reponse.context["form"]["structure"].value() == saisie  # what was typed stays


def test_filtre_structure_sans_javascript_un_champ_texte(client, instructeur, appel,
                                                        deux_structures):
    """No list of structures in the page: a plain text field that a form submission sends."""
    client.force_login(instructeur)

    reponse = client.get(reverse("evaluation:file", args=[appel.pk]))

    html = reponse.content.decode()
    assert 'name="structure"' in html
    assert '<select name="structure"' not in html
    assert "Cévennes Solidaires" not in html.split('id="titre-filtres"')[1].split("</form>")[0]
    assert _references(
        client.get(reverse("evaluation:file", args=[appel.pk]), {"structure": "inconnue"})
    ) == []


def test_suggestions_de_structures_bornees_et_limitees_a_l_appel(client, instructeur, appel,
                                                                deux_structures):
    """Suggestions list the call's structures matching the text, twenty at most."""
    jardins, _cevennes = deux_structures
    _dossier(AppelAProjetsFactory())  # another call's structure never suggested
    for _ in range(25):
        Structure.objects.filter(pk=_dossier(appel).structure_id).update(
            raison_sociale="Association des jardins partagés"
        )
    client.force_login(instructeur)
    url = reverse("evaluation:structures_suggerees", args=[appel.pk])

    resultats = client.get(url, {"q": "jardins"}).json()["resultats"]
    assert len(resultats) == 20
    assert client.get(url, {"q": "Gardon"}).json()["resultats"] == [
        {"valeur": jardins.structure.siret,
         "libelle": f"Les Jardins du Gardon (JDG) — SIRET {jardins.structure.siret}"}
    ]
    assert client.get(url, {"q": ""}).json()["resultats"] == []


def test_mes_dossiers_et_non_affectes(client, instructeur, appel):
    """« Mes dossiers » shows the user's; « non affecté » the ones without instructor."""
    mien = InstructionFactory(dossier=_dossier(appel, en_instruction=True), instructeur=instructeur)
    InstructionFactory(dossier=_dossier(appel, en_instruction=True))
    libre = _dossier(appel)
    client.force_login(instructeur)
    url = reverse("evaluation:file", args=[appel.pk])

    assert _references(client.get(url, {"instructeur": "moi"})) == [mien.dossier.reference]
    assert _references(client.get(url, {"instructeur": "aucun"})) == [libre.reference]


def test_comptes_par_statut(instructeur, appel):
    """Counts per status ignore the status filter but follow the others."""
    _dossier(appel)
    _dossier(appel)
    _dossier(appel, en_instruction=True)

    comptes = selectors_file.comptes_par_statut(
        appel=appel, filtres={"statut": "depose"}, user=instructeur
    )

    assert [(s.value, n) for s, n in comptes] == [("depose", 2), ("en_instruction", 1)]


def test_total_affiche_suit_le_filtre_de_statut(client, instructeur, appel):
    """The total shown (taken from the counts per status) is that of the status chosen."""
    _dossier(appel)
    _dossier(appel)
    _dossier(appel, en_instruction=True)
    client.force_login(instructeur)
    url = reverse("evaluation:file", args=[appel.pk])

    assert client.get(url).context["page"].paginator.count == 3
    assert client.get(url, {"statut": "depose"}).context["page"].paginator.count == 2
    assert "1 dossier." in client.get(url, {"statut": "en_instruction"}).content.decode()


def test_une_ligne_montre_le_dossier_ses_quartiers_son_instruction_echappes(
    client, instructeur, appel
):
    """Each cell of a row: reference linked to the instruction page, title, structure with its
    acronym, action, quartiers « nom (commune) », amount, status, instructor, avis with the
    proposed amount, unread messages; what a porteur typed is escaped, never markup."""
    dossier = _dossier(appel, montant=12500, qpv="ales")
    Dossier.objects.filter(pk=dossier.pk).update(
        intitule='Atelier <script>alert("x")</script> & cie'
    )
    Structure.objects.filter(pk=dossier.structure_id).update(
        raison_sociale="Les <b>Amis</b>", sigle="L&A"
    )
    quartier = QuartierPrioritaire.objects.get(code="ales")
    QuartierPrioritaire.objects.filter(pk=quartier.pk).update(nom="Près <i>Vert</i>")
    autre = _dossier(appel, code="2.1.1.a", qpv="ales")
    autre.quartiers.clear()
    InstructionFactory(
        dossier=dossier, instructeur=UtilisateurFactory(prenom="Ana", nom="Lopez"),
        avis="favorable", montant_demande=12500, montant_propose=9000,
    )
    Message.objects.create(
        dossier=dossier, auteur=UtilisateurFactory(), de_la_structure=True, texte="Bonjour"
    )
    Message.objects.create(
        dossier=dossier, auteur=UtilisateurFactory(), de_la_structure=True, texte="Relance"
    )
    client.force_login(instructeur)

    html = client.get(reverse("evaluation:file", args=[appel.pk])).content.decode()

    lien = reverse("evaluation:instruction", args=[dossier.pk])
    assert f'<a href="{lien}">{dossier.reference}</a>' in html
    assert "Atelier &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; cie" in html
    assert "<script>alert" not in html
    assert '<span class="d-block small">Les &lt;b&gt;Amis&lt;/b&gt; (L&amp;A)</span>' in html
    assert '<span class="code">1.1.1.a</span>' in html
    assert f"Près &lt;i&gt;Vert&lt;/i&gt; ({quartier.commune})" in html
    assert f'<td class="text-end text-nowrap">{euros(12500)}</td>' in html
    assert "Ana Lopez" in html
    assert f"Favorable ({euros(9000)})" in html
    assert '<span class="badge text-bg-danger">2 non lus</span>' in html
    # The other dossier: no quartier, no instructor, no avis, nothing unread.
    ligne = html.split(f">{autre.reference}</a>")[1].split("</tr>")[0]
    assert '<td class="small">—</td>' in ligne
    assert "<em>non affecté</em>" in ligne
    assert '<span class="visually-hidden">aucun message non lu</span>' in ligne


def test_pagination(client, instructeur, appel):
    """Fifty dossiers per page; the second page holds the rest."""
    for _ in range(52):
        DossierFactory(appel=appel, depose=True)
    client.force_login(instructeur)
    url = reverse("evaluation:file", args=[appel.pk])

    assert len(client.get(url).context["page"]) == 50
    assert len(client.get(url, {"page": 2}).context["page"]) == 2


def test_messages_non_lus_dans_la_file(client, instructeur, appel):
    """A message from the structure shows as unread until the instructor opens the thread."""
    dossier = _dossier(appel)
    Message.objects.create(
        dossier=dossier, auteur=UtilisateurFactory(), de_la_structure=True, texte="Bonjour"
    )
    client.force_login(instructeur)
    url = reverse("evaluation:file", args=[appel.pk])

    assert client.get(url).context["page"][0].non_lus == 1
    client.get(reverse("evaluation:suivi", args=[dossier.pk]))
    assert client.get(url).context["page"][0].non_lus == 0


def _remplir(appel, n):
    """n submitted dossiers with everything the queue shows: QPV, budget, instruction, messages."""
    qpv = list(QuartierPrioritaire.objects.all())
    action = Action.objects.get(code="1.1.1.a")
    instructeurs = [UtilisateurFactory(instructeur=True) for _ in range(3)]
    dossiers = DossierFactory.create_batch(n, appel=appel, depose=True, action_principale=action)
    LigneBudget.objects.bulk_create(
        LigneBudget(dossier=d, code="74_epci", montant=1000 + i) for i, d in enumerate(dossiers)
    )
    actualiser_montants_demandes(Dossier.objects.filter(appel=appel))
    Instruction.objects.bulk_create(
        Instruction(dossier=d, instructeur=instructeurs[i % 3], montant_demande=1000 + i)
        for i, d in enumerate(dossiers)
        if i % 2
    )
    Message.objects.bulk_create(
        Message(dossier=d, auteur=instructeurs[0], de_la_structure=False, texte="?")
        for d in dossiers[::3]
    )
    for i, dossier in enumerate(dossiers):
        dossier.quartiers.set(qpv[: 1 + i % 3])
    DecisionFactory(dossier=DossierFactory(appel=appel, en_cours=True, action_principale=action))
    return dossiers


# Session (read, then saved on every request: 3), user, roles, the call and the list of calls,
# filter choices (instructors, piliers, orientations, objectives, QPV, structures), count per
# status, page count, page, prefetch of the QPV: whatever the number of dossiers.
# The user's contracts are read once per role asked (staff, instructeur): +2 since the
# queue is scoped per contract, whatever the number of dossiers; -1 as the structures of the
# call are no longer listed in a select; +1 as the page is sorted on its ids alone, then read
# in full for those fifty ids; -1 as the total is the sum of the counts per status; -3 as the
# session is no longer saved on every request; -4 as the options of the filters on the tree
# and the quartiers are kept under the référentiel's version (counted from the second view);
# -1 as the contracts of the user's territories are read once, whatever the roles asked;
# -1 as the call shown is taken from the list of the user's calls, not read apart;
# +1 as the versions of the call and of the portal are read first (the page is kept under them);
# -1 as the user's groups and habilitations are read by one query.
REQUETES_FILE = 12
# The same page asked again by the same user while nothing it shows changed: session, user,
# the user's roles (groups and habilitations, one query: the staff pages' gate) and the
# versions.
REQUETES_FILE_GARDEE = 4


# A page whose counts per status and rows' ids were kept by a view with the same filters (of
# any user): the count and the sort over the call are not run again.
REQUETES_FILE_PARTAGEE = REQUETES_FILE - 2


def _autre_adresse():
    """The default sort named: the same rows at another address, under other filters. A view
    that warms the session and the référentiel's fragments without keeping the page measured
    next, nor its counts and rows."""
    return {"tri": "reference"}


@pytest.mark.parametrize("nombre", [10, 200])
@pytest.mark.parametrize(
    "parametres",
    [
        {"tri": "-montant"},
        {},
        {"structure": "a", "pilier": "", "tri": "montant"},
        {"q": "a", "page": "2"},
    ],
)
def test_nombre_de_requetes_constant(client, instructeur, appel, nombre, parametres,
                                     django_assert_num_queries):
    """The queue costs the same number of queries with 10 or 200 dossiers, whatever the
    filter, the sort or the page."""
    _remplir(appel, nombre)
    client.force_login(instructeur)
    url = reverse("evaluation:file", args=[appel.pk])
    client.get(url, _autre_adresse())

    with django_assert_num_queries(REQUETES_FILE):
        reponse = client.get(url, parametres)

    assert reponse.status_code == 200
    if not parametres.get("page"):
        assert reponse.context["page"].paginator.count == nombre + 1


@pytest.mark.parametrize("nombre", [10, 200])
def test_file_filtree_par_pilier_en_nombre_de_requetes_constant(
    client, instructeur, appel, nombre, django_assert_num_queries
):
    """A filter on the contract's tree: the pilier chosen is read (the form checks it), then
    the actions under it, once; two queries more, the same at 10 and 200 dossiers."""
    _remplir(appel, nombre)
    pilier = Action.objects.get(code="1.1.1.a").objectif.orientation.pilier
    client.force_login(instructeur)
    url = reverse("evaluation:file", args=[appel.pk])
    client.get(url, _autre_adresse())

    with django_assert_num_queries(REQUETES_FILE + 2):
        reponse = client.get(url, {"pilier": pilier.pk, "structure": "a", "tri": "montant"})

    assert reponse.context["page"].paginator.count == nombre + 1


def test_premiere_vue_lit_les_listes_des_filtres_une_fois(
    client, instructeur, appel, django_assert_num_queries
):
    """The first view of the queue reads the tree and the quartiers for its filters (four
    queries); the next ones take them from the cache. The same page asked again is the kept
    one."""
    client.force_login(instructeur)
    url = reverse("evaluation:file", args=[appel.pk])

    _remplir(appel, 3)

    with django_assert_num_queries(REQUETES_FILE + 4):
        client.get(url)
    with django_assert_num_queries(REQUETES_FILE):
        client.get(url, _autre_adresse())
    with django_assert_num_queries(REQUETES_FILE_GARDEE):
        client.get(url)


def test_un_pilier_renomme_se_voit_aussitot_dans_les_filtres(client, instructeur, appel):
    client.force_login(instructeur)
    url = reverse("evaluation:file", args=[appel.pk])
    client.get(url)
    pilier = Pilier.objects.get(contrat=appel.contrat, code="2")

    pilier.titre = "Habitat, cadre de vie et mobilités"
    pilier.save()

    assert "Habitat, cadre de vie et mobilités" in client.get(url).content.decode()


def test_les_filtres_gardes_sont_ceux_du_contrat_de_l_appel(client, instructeur, appel):
    """Kept per contract: the queue of another contract's call lists that contract's piliers,
    never those kept for the first one."""
    from referentiel.models import Contrat
    from tests.referentiel.factories import creer_contrat

    client.force_login(instructeur)
    client.get(reverse("evaluation:file", args=[appel.pk]))
    autre = creer_contrat("val-fictif-2024", nom="Contrat du Val-Fictif")
    Pilier.objects.filter(contrat=autre, code="1").update(titre="Pilier propre au Val-Fictif")
    appel_autre = AppelAProjetsFactory(contrat=autre)
    gestionnaire = UtilisateurFactory(instructeur=True, roles__contrat=autre)
    assert Contrat.objects.count() == 2

    client.force_login(gestionnaire)
    page_autre = client.get(reverse("evaluation:file", args=[appel_autre.pk])).content.decode()
    client.force_login(instructeur)
    page = client.get(reverse("evaluation:file", args=[appel.pk])).content.decode()

    assert "Pilier propre au Val-Fictif" in page_autre
    assert "Pilier propre au Val-Fictif" not in page


def test_export_en_nombre_de_requetes_constant(client, instructeur, appel):
    """The XLSX export of 10 or 60 dossiers costs the same number of queries."""
    _remplir(appel, 10)
    client.force_login(instructeur)
    url = reverse("evaluation:export_xlsx", args=[appel.pk])
    with CaptureQueriesContext(connection) as petit:
        client.get(url)
    _remplir(appel, 50)

    with CaptureQueriesContext(connection) as grand:
        client.get(url)

    assert len(grand) == len(petit)


def test_statut_brouillon_absent_des_choix(client, instructeur, appel):
    """The status filter never offers « brouillon »."""
    client.force_login(instructeur)

    reponse = client.get(reverse("evaluation:file", args=[appel.pk]))

    assert Statut.BROUILLON.value not in dict(reponse.context["form"].fields["statut"].choices)


@pytest.mark.parametrize("valeur", ["²", "①", "٣", "9" * 40, "1e3"])
def test_un_appel_illisible_mene_a_l_appel_courant(client, instructeur, valeur):
    """Unicode digits pass str.isdigit() and then fail in int(): no server error."""
    client.force_login(instructeur)

    reponse = client.get(reverse("evaluation:accueil"), {"appel": valeur})

    assert reponse.status_code in (200, 302)


def test_les_comptes_et_les_lignes_servent_a_chaque_instructeur(
    client, instructeur, appel, django_assert_num_queries
):
    """Two instructors read the same queue: the count per status and the sort of the whole call
    run for the first one; the second reads them kept (two queries less), and sees the same
    rows. A status changed gives both the new counts at once."""
    _remplir(appel, 60)
    autre = UtilisateurFactory(instructeur=True)
    url = reverse("evaluation:file", args=[appel.pk])
    parametres = {"tri": "-montant", "page": "2"}
    client.force_login(instructeur)
    premiere = client.get(url, parametres)
    client.force_login(autre)
    client.get(url, _autre_adresse())

    with django_assert_num_queries(REQUETES_FILE_PARTAGEE):
        seconde = client.get(url, parametres)

    assert _references(seconde) == _references(premiere)
    assert len(_references(seconde)) == 11
    assert seconde.context["comptes"] == premiere.context["comptes"]
    dossier = Dossier.objects.get(reference=_references(seconde)[0])
    dossier.statut = Statut.INSTRUIT
    dossier.save()
    client.force_login(instructeur)
    apres = client.get(url, parametres)
    assert (Statut.INSTRUIT, 1) in apres.context["comptes"]


def test_mes_dossiers_ne_sont_pas_partages(client, appel):
    """« Mes dossiers » names the user: each instructor gets their own rows and counts, never
    those kept for another."""
    premier, second = (UtilisateurFactory(instructeur=True) for _ in range(2))
    a, b = _dossier(appel), _dossier(appel)
    InstructionFactory(dossier=a, instructeur=premier)
    InstructionFactory(dossier=b, instructeur=second)
    url = reverse("evaluation:file", args=[appel.pk])

    vus = []
    for instructeur in (premier, second):
        client.force_login(instructeur)
        vus.append(_references(client.get(url, {"instructeur": "moi"})))

    assert vus == [[a.reference], [b.reference]]
