"""Background bilan files: kept until the data change, rebuilt when abandoned, run synchronously."""

import datetime

import pytest
from django.utils import timezone

from evaluation.bilans import taches
from evaluation.bilans.agregats import Perimetre, empreinte
from evaluation.models import GenerationBilan
from tests.evaluation.factories import (
    MembreFactory,
    UtilisateurFactory,
    dossier_retenu,
    jeu_bilans,
)

pytestmark = pytest.mark.django_db

IMMEDIAT = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
FACTICE = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def perimetre():
    jeu = jeu_bilans()
    return Perimetre.pour_appel(jeu["appel_2025"])


def _generation(perimetre, **champs):
    return GenerationBilan.objects.create(
        format="xlsx", contrat_id=perimetre.contrat_id, annee_debut=perimetre.annee_debut,
        annee_fin=perimetre.annee_fin, empreinte=empreinte(perimetre), **champs,
    )


def test_tache_construit_et_garde_le_fichier(
    perimetre, settings, django_capture_on_commit_callbacks
):
    """Run synchronously in tests, the task fills the row: state, progress, size, file."""
    settings.TASKS = IMMEDIAT

    with django_capture_on_commit_callbacks(execute=True):
        generation = taches.demander_generation(perimetre=perimetre, format="xlsx", par=None)

    generation.refresh_from_db()
    assert (generation.etat, generation.progression) == ("terminee", 100)
    assert generation.taille == len(generation.fichier.read()) > 0
    assert generation.fichier.name == f"bilans-generes/{generation.pk}.xlsx"


def test_fichier_reutilise_tant_que_les_donnees_ne_changent_pas(perimetre, settings):
    """The same scope and unchanged data give back the kept file, whoever asks."""
    settings.TASKS = FACTICE
    existante = _generation(perimetre, etat=GenerationBilan.Etat.TERMINEE, progression=100)

    generation = taches.demander_generation(
        perimetre=perimetre, format="xlsx", par=UtilisateurFactory(comite=True)
    )

    assert generation.pk == existante.pk


def test_autre_format_ou_perimetre_autre_fichier(perimetre, settings):
    """A PDF, or the same call with submitted bilans included, is another file."""
    settings.TASKS = FACTICE
    existante = _generation(perimetre, etat=GenerationBilan.Etat.TERMINEE)

    pdf = taches.demander_generation(perimetre=perimetre, format="pdf", par=None)
    deposes = taches.demander_generation(
        perimetre=Perimetre(
            contrat_id=perimetre.contrat_id, annee_debut=2025, annee_fin=2025,
            inclure_deposes=True,
        ),
        format="xlsx", par=None,
    )

    assert len({existante.pk, pdf.pk, deposes.pk}) == 3


def test_generation_en_cours_attendue(perimetre, settings):
    """A build started a minute ago is waited for, not started twice."""
    settings.TASKS = FACTICE
    en_cours = _generation(perimetre, etat=GenerationBilan.Etat.EN_COURS, progression=40)

    assert taches.demander_generation(perimetre=perimetre, format="xlsx", par=None) == en_cours


def test_generation_abandonnee_relancee(perimetre, settings):
    """A build stuck for two hours (worker stopped) is replaced by a new one."""
    settings.TASKS = FACTICE
    bloquee = _generation(
        perimetre, etat=GenerationBilan.Etat.EN_COURS,
        demandee_le=timezone.now() - datetime.timedelta(hours=2),
    )

    generation = taches.demander_generation(perimetre=perimetre, format="xlsx", par=None)

    assert generation.pk != bloquee.pk
    assert not GenerationBilan.objects.filter(pk=bloquee.pk).exists()


def test_echec_non_reutilise(perimetre, settings):
    """A failed build is not served: asking again starts a new one."""
    settings.TASKS = FACTICE
    echec = _generation(perimetre, etat=GenerationBilan.Etat.ECHEC)

    generation = taches.demander_generation(perimetre=perimetre, format="xlsx", par=None)

    assert generation.pk != echec.pk


def test_tache_d_une_generation_remplacee(perimetre, settings, monkeypatch):
    """If the data changed while building, the replaced row is gone: the task just stops."""
    settings.TASKS = IMMEDIAT
    generation = _generation(perimetre)

    def construire(*args, **kwargs):
        GenerationBilan.objects.filter(pk=generation.pk).delete()
        return b"contenu"

    monkeypatch.setattr(taches, "construire", construire)

    taches.generer_fichier_bilan.enqueue(generation_id=str(generation.pk))

    assert not GenerationBilan.objects.exists()


def test_empreinte_change_avec_un_nouveau_dossier(perimetre):
    """A dossier added to the call changes the fingerprint of the call's bilan."""
    from candidatures.models import AppelAProjets

    avant = empreinte(perimetre)

    dossier_retenu(membre=MembreFactory(), appel=AppelAProjets.objects.get(annee=2025))

    assert empreinte(perimetre) != avant


def test_un_fichier_demande_a_l_instant_survit_a_un_changement_des_donnees(perimetre, settings):
    """A waits for a file; the data change; B asks for the same one: A's file still exists
    (A's page and its progress must not turn into « introuvable »). Stale files asked for
    long ago are dropped."""
    settings.TASKS = FACTICE
    de_a = _generation(perimetre, etat=GenerationBilan.Etat.EN_ATTENTE)
    ancien = _generation(perimetre, etat=GenerationBilan.Etat.TERMINEE, progression=100)
    GenerationBilan.objects.filter(pk=ancien.pk).update(
        demandee_le=timezone.now() - datetime.timedelta(days=2)
    )
    GenerationBilan.objects.filter(pk__in=[de_a.pk, ancien.pk]).update(empreinte="perimee")

    de_b = taches.demander_generation(
        perimetre=perimetre, format="xlsx", par=UtilisateurFactory(comite=True)
    )

    assert de_b.pk not in (de_a.pk, ancien.pk)
    assert GenerationBilan.objects.filter(pk=de_a.pk).exists()
    assert not GenerationBilan.objects.filter(pk=ancien.pk).exists()
