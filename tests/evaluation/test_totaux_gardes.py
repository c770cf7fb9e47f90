"""The programmation's totals are kept under the call's version: after every kind of change
the page shows the new ones, and a view of unchanged data reads them back."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidatures.models import Dossier, EnveloppePilier, Statut
from evaluation import version_appel
from evaluation.instruction.services import decisions as services_decisions
from evaluation.instruction.services import enveloppes as services_enveloppes
from evaluation.models import Decision, Instruction, VersionAppel
from referentiel.models import Action, Objectif

from .factories import AppelAProjetsFactory, DossierFactory, UtilisateurFactory
from .test_programmation import _en_masse, _url

pytestmark = pytest.mark.django_db

PREMIERE = "1.1.1.a"


@pytest.fixture
def appel():
    appel = AppelAProjetsFactory()
    _en_masse(appel, 3, propose=100, decides=2)  # 300 € proposed, 2 × 50 € granted
    return appel


def _pilier(appel, code=PREMIERE):
    return Action.objects.get(contrat=appel.contrat, code=code).objectif.orientation.pilier


def _autre_action(appel):
    return Action.objects.filter(contrat=appel.contrat).exclude(
        objectif__orientation__pilier=_pilier(appel)
    ).first()


def _totaux(client, appel):
    """``(proposed, granted, awaiting, decided, {pilier code: (proposed, granted, rest)})``
    as the page shows them."""
    prog = client.get(_url(appel)).context["prog"]
    par_pilier = {t.pilier.code: (t.propose, t.accorde, t.reste) for t in prog.piliers}
    return prog.propose, prog.accorde, prog.nombre_a_decider, prog.nombre_decides, par_pilier


def _a_decider(appel):
    return Dossier.objects.filter(appel=appel, statut=Statut.INSTRUIT).order_by("pk")


def _decider(appel, comite):
    services_decisions.decider(
        dossier=_a_decider(appel).first(), par=comite, nature=Decision.Nature.NON_RETENU,
        motif="Hors des priorités du contrat.",
    )


def _proposer_autrement(appel, comite):
    # A bulk update: no model method nor signal runs, the database raises the version.
    Instruction.objects.filter(dossier=_a_decider(appel).first()).update(montant_propose=130)


def _retirer(appel, comite):
    Dossier.objects.filter(pk=_a_decider(appel).first().pk).update(statut=Statut.RETIRE)


def _changer_d_action(appel, comite):
    dossier = _a_decider(appel).first()
    dossier.action_principale = _autre_action(appel)
    dossier.save()


def _deplacer_l_action(appel, comite):
    # The contract's tree changes: the action goes under an objectif of another pilier.
    action = Action.objects.get(contrat=appel.contrat, code=PREMIERE)
    action.objectif = Objectif.objects.filter(
        orientation__pilier=_autre_action(appel).objectif.orientation.pilier
    ).first()
    action.save()


ATTENDU = {
    # change: (proposed, granted, awaiting, decided)
    _decider: (200, 100, 2, 3),
    _proposer_autrement: (330, 100, 3, 2),
    _retirer: (200, 100, 2, 2),
    _changer_d_action: (300, 100, 3, 2),
    _deplacer_l_action: (300, 100, 3, 2),
}


@pytest.mark.parametrize("changement", ATTENDU, ids=lambda f: f.__name__.strip("_"))
def test_apres_chaque_changement_la_page_montre_les_nouveaux_totaux(client, comite, appel,
                                                                   changement):
    client.force_login(comite)
    premier, autre = _pilier(appel).code, _autre_action(appel).objectif.orientation.pilier.code
    avant = _totaux(client, appel)
    assert avant[:4] == (300, 100, 3, 2)
    assert _totaux(client, appel) == avant  # read back

    changement(appel, comite)

    apres = _totaux(client, appel)
    assert apres[:4] == ATTENDU[changement]
    if changement in (_changer_d_action, _deplacer_l_action):
        moved = 100 if changement is _changer_d_action else 300
        assert apres[4][premier][0] == avant[4][premier][0] - moved
        assert apres[4][autre][0] == avant[4][autre][0] + moved
    else:
        assert apres != avant


def test_une_enveloppe_changee_change_le_reste(client, comite, appel):
    administrateur = UtilisateurFactory(administrateur=True)
    pilier = _pilier(appel)
    client.force_login(comite)
    services_enveloppes.definir_enveloppes(appel=appel, montants={pilier.pk: 1000},
                                           par=administrateur)
    assert _totaux(client, appel)[4][pilier.code][2] == 900

    EnveloppePilier.objects.filter(appel=appel, pilier=pilier).update(montant=400)

    assert _totaux(client, appel)[4][pilier.code][2] == 300


def test_un_dossier_change_d_appel_les_deux_appels_changent(client, comite, appel):
    autre = AppelAProjetsFactory(contrat=appel.contrat, annee=appel.annee + 1)
    _en_masse(autre, 1, propose=10)
    client.force_login(comite)
    assert _totaux(client, appel)[0] == 300
    assert _totaux(client, autre)[0] == 10

    Dossier.objects.filter(pk=_a_decider(appel).first().pk).update(appel=autre, numero=999)

    assert _totaux(client, appel)[:3] == (200, 100, 2)
    assert _totaux(client, autre)[:3] == (110, 0, 2)


def test_un_brouillon_enregistre_ne_change_pas_la_version(appel):
    """Only what the call's pages show raises its version: a draft's text saved does not (a
    submitted dossier's title does: the queue shows it)."""
    dossier = DossierFactory(appel=appel)
    version = _version(appel)
    dossier.intitule = "Un autre intitulé"
    dossier.save()
    assert _version(appel) == version

    dossier.statut = Statut.RETIRE
    dossier.save()
    assert _version(appel) > version


@pytest.mark.parametrize(("etat", "de_moins"), [("a_decider", 4), ("decides", 2)])
def test_une_seconde_vue_sans_changement_coute_moins(client, comite, appel, etat, de_moins,
                                                     django_assert_num_queries):
    """The first view after a change aggregates the call and keeps the result (two queries
    more: aggregate, write), and so for the awaiting list's order (two more); the next one
    reads them back with the call's version."""
    client.force_login(comite)
    client.get(_url(appel, etat=etat))  # session and caches warm
    _retirer(appel, comite)
    with CaptureQueriesContext(connection) as premiere:
        client.get(_url(appel, etat=etat))
    requetes = len(premiere.captured_queries)

    with django_assert_num_queries(requetes - de_moins):
        reponse = client.get(_url(appel, etat=etat))

    assert reponse.context["prog"].nombre_a_decider == 2


def test_les_declencheurs_de_version_reviennent_apres_une_migration(appel):
    """A SQLite table rebuild drops the version's triggers: the next ``migrate`` puts them back
    (simulated here by removing them), and a write raises the call's version again."""
    version_appel.retirer(connection)
    avant = _version(appel)
    Dossier.objects.filter(pk=_a_decider(appel).first().pk).update(statut=Statut.RETIRE)
    assert _version(appel) == avant  # nothing raises it any more

    call_command("migrate", verbosity=0)

    Dossier.objects.filter(pk=_a_decider(appel).first().pk).update(statut=Statut.RETIRE)
    assert _version(appel) > avant


def _version(appel):
    return sum(VersionAppel.objects.filter(appel_id=appel.pk).values_list("version", flat=True))
