"""The database itself keeps a dossier inside its call's contract.

Forms and services refuse another contract's action or QPV with a French message; these tests
write around them (as the admin, a shell or an import could) and expect the database to refuse.
"""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from candidatures.dossiers.contrainte_contrat import retirer
from referentiel.models import Action, Contrat
from tests.candidatures.factories import AppelAProjetsFactory
from tests.evaluation.factories import dossier_depose
from tests.referentiel.factories import creer_contrat

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def deux_contrats():
    autre = creer_contrat("val-fictif-2024", nom="Contrat du Val-Fictif")
    dossier = dossier_depose(appel=AppelAProjetsFactory())
    return dossier, autre


def _refuse(message, ecrire):
    with pytest.raises(IntegrityError, match=message), transaction.atomic():
        ecrire()


def test_action_principale_d_un_autre_contrat_refusee(deux_contrats):
    dossier, autre = deux_contrats
    etrangere = Action.objects.get(contrat=autre, code="1.1.1.a")
    dossier.action_principale = etrangere

    _refuse("action principale", dossier.save)

    dossier.refresh_from_db()
    assert dossier.action_principale.contrat == Contrat.objects.par_defaut()
    # The same code in the right contract is accepted.
    dossier.action_principale = Action.objects.get(
        contrat=Contrat.objects.par_defaut(), code="1.1.2.a"
    )
    dossier.save()


def test_action_secondaire_d_un_autre_contrat_refusee(deux_contrats):
    dossier, autre = deux_contrats
    etrangere = Action.objects.get(contrat=autre, code="1.1.1.a")

    _refuse("action secondaire", lambda: dossier.actions_secondaires.add(etrangere))

    dossier.actions_secondaires.add(
        Action.objects.get(contrat=Contrat.objects.par_defaut(), code="1.1.2.a")
    )
    assert dossier.actions_secondaires.count() == 1


def test_quartier_hors_du_contrat_refuse(deux_contrats):
    dossier, autre = deux_contrats
    etranger = autre.quartiers.get()

    _refuse("quartier", lambda: dossier.quartiers.add(etranger))

    assert etranger not in dossier.quartiers.all()
    dossier.quartiers.add(Contrat.objects.par_defaut().quartiers.first())


def test_un_appel_qui_a_des_dossiers_ne_change_pas_de_contrat(deux_contrats):
    dossier, autre = deux_contrats
    appel = dossier.appel
    appel.contrat = autre

    _refuse("ne change pas de contrat", appel.save)

    vide = AppelAProjetsFactory(annee=appel.annee + 1)
    vide.contrat = autre
    vide.save()


def test_les_declencheurs_reviennent_apres_une_migration(deux_contrats):
    """On SQLite, a migration that rebuilds the dossier tables drops their triggers: the next
    ``migrate`` puts them back (simulated here by removing them)."""
    dossier, autre = deux_contrats
    etranger = autre.quartiers.get()
    retirer(connection)
    dossier.quartiers.add(etranger)  # nothing guards the table any more
    dossier.quartiers.remove(etranger)

    call_command("migrate", verbosity=0)

    _refuse("quartier", lambda: dossier.quartiers.add(etranger))
