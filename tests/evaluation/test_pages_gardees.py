"""The queue of a call kept whole for its user: given back while nothing it shows changes,
rendered anew after any change of what it shows, rights included, whoever writes."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from candidatures.commun.formats import euros
from candidatures.dossiers.services.montants import actualiser_montants_demandes
from candidatures.models import Dossier, Habilitation, LigneBudget, Membre, Statut, Structure
from evaluation.models import Lecture, Message
from referentiel.models import Action, QuartierPrioritaire
from tests.candidatures.factories import StructureFactory
from tests.contrat_temoin import creer_contrat, habiliter

from .factories import (
    AppelAProjetsFactory,
    DossierFactory,
    InstructionFactory,
    UtilisateurFactory,
)
from .test_file import REQUETES_FILE, REQUETES_FILE_GARDEE

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructeur():
    return UtilisateurFactory(instructeur=True, prenom="Inès", nom="Garnier")


@pytest.fixture
def appel():
    return AppelAProjetsFactory()


@pytest.fixture
def dossier(appel):
    dossier = DossierFactory(
        appel=appel, depose=True, action_principale=Action.objects.get(code="1.1.1.a"),
        intitule="Atelier vélo",
    )
    LigneBudget.objects.create(dossier=dossier, code="74_epci", montant=1000)
    actualiser_montants_demandes(Dossier.objects.filter(pk=dossier.pk))
    dossier.quartiers.set(QuartierPrioritaire.objects.filter(code="ales"))
    return dossier


def _url(appel):
    return reverse("evaluation:file", args=[appel.pk])


def _vue(client, appel, **parametres):
    reponse = client.get(_url(appel), parametres)
    assert reponse.status_code == 200
    return reponse.content.decode()


def _gardee(client, instructeur, appel):
    """The page viewed once, then asked again: the second answer is the kept page."""
    client.force_login(instructeur)
    premiere = _vue(client, appel)
    seconde = client.get(_url(appel))
    assert seconde.context is None  # not rendered: the kept page
    return premiere


def _sans_jetons(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_la_meme_page_redemandee_est_la_page_gardee(
    client, instructeur, appel, dossier, django_assert_num_queries
):
    """Asked again with nothing changed, the page costs four queries instead of twelve and
    shows exactly what the rendered one showed."""
    client.force_login(instructeur)
    client.get(_url(appel), {"tri": "reference"})  # session and référentiel's fragments warm
    with django_assert_num_queries(REQUETES_FILE):
        rendue = client.get(_url(appel)).content.decode()

    with django_assert_num_queries(REQUETES_FILE_GARDEE):
        gardee = client.get(_url(appel))

    assert gardee.context is None
    assert _sans_jetons(gardee.content.decode()) == _sans_jetons(rendue)
    assert "Atelier vélo" in rendue


def test_le_jeton_csrf_de_la_page_gardee_est_celui_de_la_session(instructeur, appel, dossier):
    """The forms of a kept page carry the CSRF token of the request that asks it: the
    « Se déconnecter » button works from it, for another session of the same user too."""
    for _ in range(2):
        client = Client(enforce_csrf_checks=True)
        client.force_login(instructeur)
        html = client.get(_url(appel)).content.decode()
        jeton = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

        reponse = client.post(reverse("comptes:deconnexion"), {"csrfmiddlewaretoken": jeton})

        assert reponse.status_code == 302
        assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "changement",
    [
        "intitule", "statut", "structure", "instructeur", "quartier", "montant", "avis",
    ],
)
def test_ce_que_montre_une_ligne_change_la_page(client, instructeur, appel, dossier,
                                                 changement):
    """Whatever changes in a row, by a bulk ``update()`` or a save, the next view shows it."""
    _gardee(client, instructeur, appel)
    if changement == "intitule":
        Dossier.objects.filter(pk=dossier.pk).update(intitule="Jardin partagé")
        attendu = "Jardin partagé"
    elif changement == "statut":
        Dossier.objects.filter(pk=dossier.pk).update(statut=Statut.RETIRE)
        attendu = str(Statut.RETIRE.label)
    elif changement == "structure":
        Structure.objects.filter(pk=dossier.structure_id).update(raison_sociale="Vélo Cévennes")
        attendu = "Vélo Cévennes"
    elif changement == "instructeur":
        autre = UtilisateurFactory(instructeur=True, prenom="Paul", nom="Mercier")
        instruction = InstructionFactory(dossier=dossier, instructeur=autre)
        _vue(client, appel)
        type(autre).objects.filter(pk=autre.pk).update(nom="Mercier-Roux")
        attendu = "Paul Mercier-Roux"
        assert instruction.pk
    elif changement == "quartier":
        quartier = QuartierPrioritaire.objects.exclude(code="ales").first()
        # Written without signals, as an import would.
        Dossier.quartiers.through.objects.bulk_create(
            [Dossier.quartiers.through(dossier=dossier, quartierprioritaire=quartier)]
        )
        # The row's cell lists both (the filter's list already holds every name).
        attendu = ", ".join(
            QuartierPrioritaire.libelle(q.nom, q.commune)
            for q in dossier.quartiers.order_by("commune", "nom")
        )
    elif changement == "montant":
        LigneBudget.objects.filter(dossier=dossier).update(montant=4321)
        actualiser_montants_demandes(Dossier.objects.filter(pk=dossier.pk))
        attendu = euros(4321)
    else:
        InstructionFactory(dossier=dossier, avis="defavorable")
        attendu = "Défavorable"

    assert attendu in _vue(client, appel)


def test_un_brouillon_enregistre_ne_change_pas_la_page(
    client, instructeur, appel, dossier, django_assert_num_queries
):
    """A porteur's draft is not in the queue: saving it keeps the page."""
    brouillon = DossierFactory(appel=appel)
    _gardee(client, instructeur, appel)

    Dossier.objects.filter(pk=brouillon.pk).update(intitule="Encore un brouillon")

    with django_assert_num_queries(REQUETES_FILE_GARDEE):
        client.get(_url(appel))


def test_un_message_puis_sa_lecture_changent_la_page(client, instructeur, appel, dossier):
    """A message from the structure shows as unread; once the instructor read the thread, no
    longer: both are the instructor's own view of the row."""
    _gardee(client, instructeur, appel)

    Message.objects.create(dossier=dossier, auteur=UtilisateurFactory(), de_la_structure=True,
                           texte="Bonjour")
    assert "1 non lu" in _vue(client, appel)

    Lecture.objects.create(dossier=dossier, utilisateur=instructeur, lu_le=timezone.now())
    assert "1 non lu" not in _vue(client, appel)


def test_chaque_utilisateur_a_sa_page(instructeur, appel, dossier):
    """Another instructor never gets the first one's page (their name, their unread
    messages)."""
    Message.objects.create(dossier=dossier, auteur=instructeur, de_la_structure=False,
                           texte="Pièce manquante ?")
    premier = Client()
    _gardee(premier, instructeur, appel)
    autre = UtilisateurFactory(instructeur=True, prenom="Paul", nom="Mercier")
    second = Client()
    second.force_login(autre)

    html = _vue(second, appel)

    assert "Mon compte : </span>Paul Mercier" in html
    assert "Mon compte : </span>Inès Garnier" not in html
    assert "1 non lu" in html  # the first instructor's message, unread by the second


def test_un_role_retire_ferme_la_page_aussitot(client, instructeur, appel, dossier):
    """The rights are those of the moment: a role withdrawn, or moved to another contract,
    closes the queue at the next view, though the page was kept."""
    autre = creer_contrat()
    _gardee(client, instructeur, appel)
    Habilitation.objects.filter(utilisateur=instructeur).update(
        contrat=autre, territoire=autre.territoire
    )

    assert client.get(_url(appel)).status_code == 404


def test_un_groupe_retire_ferme_la_page_aussitot(client, appel, dossier):
    """A portal administrator who is also an instructor of another contract: once no longer
    administrator, still staff, but the call is not theirs any more."""
    autre = creer_contrat()
    administrateur = habiliter(UtilisateurFactory(administrateur=True), "instructeur", autre)
    _gardee(client, administrateur, appel)

    administrateur.groups.remove(Group.objects.get(name="administrateur"))

    assert client.get(_url(appel)).status_code == 404


def test_un_nouvel_appel_s_offre_dans_la_liste_des_appels(client, instructeur, appel, dossier):
    _gardee(client, instructeur, appel)

    AppelAProjetsFactory(contrat=appel.contrat, annee=appel.annee + 1,
                         titre="Appel à projets suivant")

    assert "Appel à projets suivant" in _vue(client, appel)


def test_la_structure_courante_de_la_session_se_voit(client, instructeur, appel, dossier):
    """A staff member who also belongs to a structure: joining it shows it in the header."""
    _gardee(client, instructeur, appel)
    structure = StructureFactory(raison_sociale="Centre social des Cévennes")

    Membre.objects.create(structure=structure, utilisateur=instructeur,
                          role=Membre.Role.CONTRIBUTEUR)

    assert "Centre social des Cévennes" in _vue(client, appel)


def test_un_message_a_montrer_n_est_jamais_perdu(client, instructeur, appel, dossier):
    """A page kept, then an action that changes nothing and says so: its message is shown on
    the queue it leads back to."""
    _gardee(client, instructeur, appel)

    reponse = client.post(reverse("evaluation:affecter_piliers", args=[appel.pk]), follow=True)

    assert "Aucun dossier à affecter" in reponse.content.decode()
    assert "Aucun dossier à affecter" not in _vue(client, appel)
