"""Transitions and saves under concurrency: the row lock lets exactly one of two racers win."""

import datetime
import threading
import time

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from candidatures.commun.erreurs import ConflitVersion, ErreurMetier
from candidatures.models import Dossier, HistoriqueStatut, Statut
from evaluation.instruction.selectors import commun as selectors_commun
from evaluation.instruction.services import decisions as services_decisions
from evaluation.instruction.services import instruction as services_instruction
from evaluation.models import Decision, Instruction, VersionAppel

from .factories import UtilisateurFactory, dossier_depose, dossier_instruit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite sérialise toutes les écritures : la concurrence se vérifie sur PostgreSQL.",
    ),
]


@pytest.fixture
def referentiel_charge(transactional_db):
    """Transactional tests run in a flushed database: load the référentiel again."""
    call_command("loaddata", "referentiel", verbosity=0)


@pytest.fixture
def lent(monkeypatch):
    """Hold the lock a little: the second racer then really waits on the first one's row."""
    original = selectors_commun.montant_demande

    def montant_demande_lent(dossier):
        time.sleep(0.3)
        return original(dossier)

    monkeypatch.setattr(selectors_commun, "montant_demande", montant_demande_lent)


def _courir(*taches):
    """Run the callables together; return (results, errors)."""
    depart = threading.Barrier(len(taches))
    resultats, erreurs = [], []

    def lancer(tache):
        try:
            depart.wait()
            resultats.append(tache())
        except ErreurMetier as erreur:
            erreurs.append(erreur)
        finally:
            connections.close_all()

    fils = [threading.Thread(target=lancer, args=(t,)) for t in taches]
    for f in fils:
        f.start()
    for f in fils:
        f.join()
    return resultats, erreurs


def test_deux_instructeurs_prennent_le_meme_dossier(referentiel_charge, lent):
    """Two instructors take the same dossier at once: one succeeds, the other is refused."""
    dossier = dossier_depose()
    a, b = UtilisateurFactory(instructeur=True), UtilisateurFactory(instructeur=True)

    resultats, erreurs = _courir(
        lambda: services_instruction.prendre_en_instruction(dossier=dossier, par=a),
        lambda: services_instruction.prendre_en_instruction(dossier=dossier, par=b),
    )

    assert len(resultats) == 1 and len(erreurs) == 1
    assert "ne peut pas passer" in str(erreurs[0])
    assert HistoriqueStatut.objects.filter(dossier=dossier, vers="en_instruction").count() == 1
    assert Instruction.objects.filter(dossier=dossier).count() == 1


def test_deux_sauvegardes_de_la_meme_version(referentiel_charge, lent):
    """Two instructors save the same version at once: the second gets a conflict."""
    dossier = dossier_depose()
    a, b = UtilisateurFactory(instructeur=True), UtilisateurFactory(instructeur=True)
    services_instruction.prendre_en_instruction(dossier=dossier, par=a)
    version = Instruction.objects.get(dossier=dossier).version

    resultats, erreurs = _courir(
        lambda: services_instruction.enregistrer_instruction(
            dossier=dossier, par=a, version=version, champs={"synthese": "A"}
        ),
        lambda: services_instruction.enregistrer_instruction(
            dossier=dossier, par=b, version=version, champs={"synthese": "B"}
        ),
    )

    assert len(resultats) == 1
    assert [type(e) for e in erreurs] == [ConflitVersion]
    instruction = Instruction.objects.get(dossier=dossier)
    assert instruction.synthese == resultats[0].synthese
    assert instruction.version == version + 1


def test_deux_decisions_simultanees(referentiel_charge, lent):
    """Two comité members decide the same dossier at once: one decision only."""
    dossier = dossier_instruit()
    a, b = UtilisateurFactory(comite=True), UtilisateurFactory(comite=True)
    bilan = timezone.localdate() + datetime.timedelta(days=90)

    resultats, erreurs = _courir(
        lambda: services_decisions.decider(
            dossier=dossier, par=a, nature="retenu", montant_accorde=5000,
            date_limite_bilan=bilan,
        ),
        lambda: services_decisions.decider(
            dossier=dossier, par=b, nature="non_retenu", motif="Non."
        ),
    )

    assert len(resultats) == 1 and len(erreurs) == 1
    assert Decision.objects.filter(dossier=dossier).count() == 1
    dossier.refresh_from_db()
    assert dossier.statut in (Statut.EN_COURS, Statut.NON_RETENU)


def _version(appel):
    return sum(VersionAppel.objects.filter(appel_id=appel.pk).values_list("version", flat=True))


def test_deux_ecritures_d_un_meme_appel_ne_s_attendent_pas(referentiel_charge):
    """A transaction that changed a dossier of a call and is still open (a bulk assignment of a
    thousand dossiers, say) does not hold up another write of the same call on account of the
    call's version; once both are committed, the version has risen for each of them."""
    un = dossier_depose()
    deux = dossier_depose(appel=un.appel)
    avant = _version(un.appel)
    autre = psycopg2.connect(**connection.get_connection_params())
    try:
        with transaction.atomic():
            Dossier.objects.filter(pk=un.pk).update(statut=Statut.RETIRE)
            with autre.cursor() as curseur:
                # Waiting for the open transaction would end in an error, not in a pause.
                curseur.execute("SET lock_timeout = '5s'")
                curseur.execute(
                    "UPDATE candidatures_dossier SET statut = %s WHERE id = %s",
                    [Statut.RETIRE, deux.pk],
                )
            autre.commit()
    finally:
        autre.close()

    assert _version(un.appel) == avant + 2
