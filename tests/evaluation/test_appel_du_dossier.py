"""The rows of a dossier read by the annual bilan carry the dossier's call, and always the same.

Instruction, decision, bilan, status history, instruction trail, forecast indicators and budget
lines are read by call (their index starts with it) so that one contract's year costs the same
among 50 contracts. Written around the models (as a shell, an import or raw SQL could), a
different call is refused by the database; a dossier moved to another call takes its rows along.
"""

import pytest
from django.db import IntegrityError, transaction

from candidatures.models import HistoriqueStatut, LigneBudget, PrevisionIndicateur
from evaluation.models import Bilan, Decision, Instruction, Modification
from tests.candidatures.factories import AppelAProjetsFactory
from tests.evaluation.factories import BilanFactory, dossier_retenu

pytestmark = pytest.mark.django_db(transaction=True)

MODELES = [
    Instruction, Decision, Bilan, HistoriqueStatut, Modification, PrevisionIndicateur, LigneBudget,
]


@pytest.fixture
def dossier():
    dossier = dossier_retenu()
    BilanFactory(dossier=dossier)
    HistoriqueStatut.objects.create(dossier=dossier, vers=dossier.statut)
    Modification.objects.bulk_create(
        [Modification(dossier=dossier, objet="decision", champ="montant", avant="1", apres="2")]
    )
    return dossier


def test_chaque_ligne_recoit_l_appel_de_son_dossier(dossier):
    """``save`` and ``bulk_create`` copy the call: nobody has to pass it."""
    for modele in MODELES:
        assert set(modele.objects.filter(dossier=dossier).values_list("appel_id", flat=True)) \
            == {dossier.appel_id}, modele.__name__


def test_previsions_et_budget_recoivent_l_appel_de_leur_dossier(dossier):
    """Forecasts and budget lines written as the services write them (``save``, then
    ``bulk_create`` when a dossier is renewed) carry their dossier's call."""
    from candidatures.dossiers.services.depot import renouveler_dossier

    assert PrevisionIndicateur.objects.filter(dossier=dossier).exists()
    assert LigneBudget.objects.filter(dossier=dossier).exists()
    suivant = AppelAProjetsFactory(annee=dossier.appel.annee + 1)
    renouvele = renouveler_dossier(source=dossier, appel=suivant, par=dossier.cree_par)
    lignes = LigneBudget.objects.filter(dossier=renouvele)
    assert lignes.count() == LigneBudget.objects.filter(dossier=dossier).count()
    assert set(lignes.values_list("appel_id", flat=True)) == {suivant.pk}


@pytest.mark.parametrize("modele", MODELES, ids=lambda m: m.__name__)
def test_la_base_refuse_un_autre_appel_que_celui_du_dossier(dossier, modele):
    autre = AppelAProjetsFactory(annee=dossier.appel.annee + 1)
    with pytest.raises(IntegrityError, match="appel de la ligne"), transaction.atomic():
        modele.objects.filter(dossier=dossier).update(appel=autre)
    assert set(modele.objects.filter(dossier=dossier).values_list("appel_id", flat=True)) \
        == {dossier.appel_id}


def test_la_base_refuse_une_nouvelle_ligne_d_un_autre_appel(dossier):
    autre = AppelAProjetsFactory(annee=dossier.appel.annee + 1)
    with pytest.raises(IntegrityError, match="appel de la ligne"), transaction.atomic():
        HistoriqueStatut.objects.create(dossier=dossier, vers=dossier.statut, appel=autre)


def test_la_base_refuse_une_prevision_ou_une_ligne_de_budget_d_un_autre_appel(dossier):
    autre = AppelAProjetsFactory(annee=dossier.appel.annee + 1)
    prevision = PrevisionIndicateur.objects.filter(dossier=dossier).first()
    prevision.delete()
    with pytest.raises(IntegrityError, match="appel de la ligne"), transaction.atomic():
        PrevisionIndicateur.objects.create(
            dossier=dossier, appel=autre, indicateur_id=prevision.indicateur_id, valeur=1
        )
    with pytest.raises(IntegrityError, match="appel de la ligne"), transaction.atomic():
        LigneBudget.objects.bulk_create(
            [LigneBudget(dossier=dossier, appel=autre, code="74_region", montant=100)]
        )
    assert not LigneBudget.objects.filter(dossier=dossier, code="74_region").exists()


def test_previsions_et_budget_lus_par_l_appel(dossier):
    """The annual bilan reads forecasts and budget lines filtered by the scope's calls, so that
    PostgreSQL reads them through their index that starts with the call."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluation.bilans.agregats import Perimetre, agreger

    with CaptureQueriesContext(connection) as requetes:
        agreger(Perimetre.pour_appel(dossier.appel))
    for table in ("candidatures_previsionindicateur", "candidatures_lignebudget"):
        lecture = next(r["sql"] for r in requetes if f'FROM "{table}"' in r["sql"])
        assert re.search(rf'"{table}"\."appel_id" IN \({dossier.appel_id}\)', lecture), table


def test_un_dossier_change_d_appel_avec_ses_lignes(dossier):
    autre = AppelAProjetsFactory(annee=dossier.appel.annee + 1)
    type(dossier).objects.filter(pk=dossier.pk).update(appel=autre)

    for modele in MODELES:
        assert set(modele.objects.filter(dossier=dossier).values_list("appel_id", flat=True)) \
            == {autre.pk}, modele.__name__


def _migrer(cibles):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(cibles)
    return executor.loader.graph.leaf_nodes()


def test_la_migration_donne_aux_lignes_existantes_l_appel_de_leur_dossier(dossier):
    """Rows written before the column existed get their dossier's call."""
    autre = dossier_retenu(appel=AppelAProjetsFactory(annee=dossier.appel.annee + 1))
    attendus = {dossier.pk: dossier.appel_id, autre.pk: autre.appel_id}
    try:
        dernieres = _migrer([
            ("candidatures", "0014_dossier_informations_deposees"),
            ("evaluation", "0007_compte_rendu_details"),
        ])
        _migrer(dernieres)
        for modele in MODELES:
            lus = dict(modele.objects.values_list("dossier_id", "appel_id").distinct())
            assert {d: lus[d] for d in lus} == {d: attendus[d] for d in lus}, modele.__name__
            assert dossier.pk in lus, modele.__name__
        assert Instruction.objects.filter(dossier=autre, appel_id=autre.appel_id).exists()
    finally:
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        _migrer(MigrationExecutor(connection).loader.graph.leaf_nodes())
