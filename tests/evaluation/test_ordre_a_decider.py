"""The awaiting list of the programmation is kept in its order with its running totals, under
the call's version and the contract's tree: after every kind of change, and whatever the
filter, the page shows the rows and totals the database computes from the data."""

import pytest

from candidatures.models import Dossier
from evaluation.instruction.selectors import programmation as selectors_programmation
from evaluation.instruction.views.decisions import LIGNES_PAR_PAGE
from evaluation.models import Instruction
from referentiel.models import Action, Pilier

from .factories import AppelAProjetsFactory
from .test_programmation import _en_masse, _url
from .test_totaux_gardes import (
    PREMIERE,
    _a_decider,
    _autre_action,
    _changer_d_action,
    _decider,
    _deplacer_l_action,
    _pilier,
    _proposer_autrement,
    _retirer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def appel():
    """Awaiting dossiers under two piliers, with two avis, and a decided one."""
    appel = AppelAProjetsFactory()
    _en_masse(appel, 3, propose=100, decides=1)
    _en_masse(appel, 2, propose=70, action=_autre_action(appel).code)
    Instruction.objects.filter(dossier=_a_decider(appel).first()).update(avis="favorable_reserves")
    return appel


def _filtres(appel):
    action = Action.objects.get(contrat=appel.contrat, code=PREMIERE)
    return [{}, {"pilier": _pilier(appel).pk}, {"objectif": action.objectif_id}]


def _montree(client, appel, filtres):
    """``(count, [(pk, running total)])`` of the page's awaiting rows, as the page shows them."""
    page = client.get(_url(appel, **filtres)).context["page"]
    return page.paginator.count, [(d.pk, d.cumul_pilier or 0) for d in page]


def _calculee(appel, filtres):
    """The same, computed by the database from the data now (``lignes``, not kept)."""
    nommes = {
        "pilier": Pilier.objects.filter(pk=filtres.get("pilier")).first(),
        "objectif": Action.objects.filter(objectif_id=filtres.get("objectif")).first(),
    }
    dossiers = list(selectors_programmation.lignes(
        appel, pilier=nommes["pilier"],
        objectif=nommes["objectif"].objectif if nommes["objectif"] else None,
    ))
    return len(dossiers), [(d.pk, d.cumul_pilier or 0) for d in dossiers]


def _reordonner_les_piliers(appel, comite):
    # The piliers' order changes (nothing of the call does): the list's order follows it.
    Pilier.objects.filter(pk=_pilier(appel).pk).update(ordre=99)


def _changer_d_appel(appel, comite):
    Dossier.objects.filter(pk=_a_decider(appel).first().pk).update(
        appel=AppelAProjetsFactory(contrat=appel.contrat, annee=appel.annee + 1), numero=999
    )


def _ajouter(appel, comite):
    _en_masse(appel, 1, propose=5)


CHANGEMENTS = [_decider, _proposer_autrement, _retirer, _changer_d_action, _deplacer_l_action,
               _reordonner_les_piliers, _changer_d_appel, _ajouter]


@pytest.mark.parametrize("changement", CHANGEMENTS, ids=lambda f: f.__name__.strip("_"))
def test_apres_chaque_changement_la_liste_a_decider_est_juste(client, comite, appel,
                                                              changement):
    client.force_login(comite)
    avant = {}
    for filtres in _filtres(appel):
        avant[str(filtres)] = _montree(client, appel, filtres)  # kept
        assert avant[str(filtres)] == _calculee(appel, filtres)
        assert _montree(client, appel, filtres) == avant[str(filtres)]  # read back

    changement(appel, comite)

    for filtres in _filtres(appel):
        apres = _montree(client, appel, filtres)
        assert apres == _calculee(appel, filtres)
    assert any(_montree(client, appel, f) != avant[str(f)] for f in _filtres(appel))


def test_les_cumuls_par_pilier_et_l_ordre(client, comite, appel):
    """Pilier by pilier; « favorable » before « favorable avec réserves », then by number; the
    running total restarts with each pilier."""
    client.force_login(comite)

    reserves = _a_decider(appel).first()

    compte, rangees = _montree(client, appel, {})

    assert compte == 5
    assert [cumul for _, cumul in rangees] == [100, 200, 300, 70, 140]
    assert [pk for pk, _ in rangees].index(reserves.pk) == 2


def test_la_seconde_page_continue_le_cumul(client, comite):
    appel = AppelAProjetsFactory()
    _en_masse(appel, LIGNES_PAR_PAGE + 2, propose=10)
    client.force_login(comite)

    seconde = client.get(_url(appel, page=2)).context["page"]

    assert seconde.paginator.count == LIGNES_PAR_PAGE + 2
    assert [d.cumul_pilier for d in seconde] == [10 * (LIGNES_PAR_PAGE + 1),
                                                  10 * (LIGNES_PAR_PAGE + 2)]
