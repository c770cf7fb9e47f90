"""Corrections: the request, the e-mail, the blocked conclusion, the resubmission and the diff."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from candidatures.commun.erreurs import ErreurMetier, Incomplet, SaisieInvalide
from candidatures.dossiers.services.brouillons import enregistrer_brouillon, signer_declaration
from candidatures.dossiers.services.depot import deposer_dossier
from candidatures.models import Dossier, Section, Statut
from evaluation.instruction.selectors import corrections as selectors_corrections
from evaluation.instruction.services import corrections as services_corrections
from evaluation.instruction.services import instruction as services_instruction
from evaluation.models import SuiviCorrection

from .factories import MembreFactory, dossier_depose, remplir_grille

pytestmark = pytest.mark.django_db


@pytest.fixture
def membre():
    return MembreFactory()


@pytest.fixture
def dossier(membre, instructeur):
    dossier = dossier_depose(membre=membre)
    services_instruction.prendre_en_instruction(dossier=dossier, par=instructeur)
    dossier.refresh_from_db()
    return dossier


def _demander(dossier, instructeur, **kwargs):
    return services_corrections.demander_corrections(
        dossier=dossier, par=instructeur, sections=kwargs.pop("sections", [Section.PROJET]),
        message=kwargs.pop("message", "Précisez les lieux et le calendrier."), **kwargs,
    )


def _signer_et_redeposer(dossier, membre):
    signer_declaration(dossier=dossier, par=membre.utilisateur)
    return deposer_dossier(dossier=dossier, par=membre.utilisateur)


def test_demander_des_corrections(
    dossier, instructeur, membre, django_capture_on_commit_callbacks, executer_taches
):
    """The dossier goes « à corriger », with a deadline, a frozen copy and an e-mail sent."""
    echeance = timezone.localdate() + datetime.timedelta(days=15)

    with django_capture_on_commit_callbacks(execute=True):
        demande = _demander(dossier, instructeur, echeance=echeance)

    dossier.refresh_from_db()
    assert dossier.statut == Statut.A_CORRIGER
    assert dossier.sections_modifiables() == ["projet", "declaration"]
    suivi = SuiviCorrection.objects.get(demande=demande)
    assert suivi.echeance == echeance
    assert suivi.avant["champs"]["lieux"]["valeur"] == "Prés-Saint-Jean, Tamaris"
    executer_taches()
    assert len(mail.outbox) == 1
    courriel = mail.outbox[0]
    assert courriel.to == [membre.utilisateur.email]
    assert "corrections demandées" in courriel.subject
    assert "Précisez les lieux" in courriel.body
    assert "Projet" in courriel.body
    assert echeance.strftime("%Y") in courriel.body


def test_corrections_refusees_sur_un_dossier_depose_non_pris(instructeur):
    """Corrections are asked during instruction only: « déposé » → « à corriger » is refused."""
    depose = dossier_depose()

    with pytest.raises(ErreurMetier, match="ne peut pas passer"):
        _demander(depose, instructeur)

    assert not SuiviCorrection.objects.exists()


def test_echeance_passee_refusee(dossier, instructeur):
    """A deadline already past is refused."""

    with pytest.raises(SaisieInvalide):
        _demander(dossier, instructeur, echeance=timezone.localdate() - datetime.timedelta(days=1))

    dossier.refresh_from_db()
    assert dossier.statut == Statut.EN_INSTRUCTION


def test_conclusion_bloquee_tant_que_les_corrections_sont_attendues(dossier, instructeur):
    """While corrections are pending, the instruction cannot be concluded."""
    remplir_grille(dossier, instructeur)
    _demander(dossier, instructeur)

    with pytest.raises(
        Incomplet, match="corrections ont été demandées"
    ):
        services_instruction.conclure_instruction(dossier=dossier, par=instructeur)

    dossier.refresh_from_db()
    assert dossier.statut == Statut.A_CORRIGER


def test_la_structure_ne_corrige_que_les_sections_ouvertes(dossier, instructeur, membre):
    """Only the named sections may be edited by the structure."""
    _demander(dossier, instructeur, sections=[Section.PROJET])
    dossier.refresh_from_db()

    with pytest.raises(ErreurMetier, match="n'est pas ouverte"):
        enregistrer_brouillon(
            dossier=dossier, par=membre.utilisateur, version=dossier.version,
            lignes={"60": {"montant": 1}},
        )


def test_redepot_puis_reprise_et_ecarts_visibles(dossier, instructeur, membre):
    """After resubmission the dossier is taken again and the changes show field by field."""
    _demander(dossier, instructeur)
    dossier.refresh_from_db()
    enregistrer_brouillon(
        dossier=dossier, par=membre.utilisateur, version=dossier.version,
        champs={"lieux": "Prés-Saint-Jean, Tamaris, Cévennes", "benevoles": 9},
    )
    _signer_et_redeposer(Dossier.objects.get(pk=dossier.pk), membre)
    dossier.refresh_from_db()
    assert dossier.statut == Statut.DEPOSE

    services_instruction.prendre_en_instruction(dossier=dossier, par=instructeur)

    dossier.refresh_from_db()
    assert dossier.statut == Statut.EN_INSTRUCTION
    assert dossier.demande_ouverte() is None
    [comparaison] = selectors_corrections.comparaisons(dossier)
    assert not comparaison.en_cours
    ecarts = {e.libelle: (e.avant, e.apres) for e in comparaison.ecarts}
    assert ecarts["Lieux de réalisation"] == (
        "Prés-Saint-Jean, Tamaris", "Prés-Saint-Jean, Tamaris, Cévennes"
    )
    assert ecarts["Bénévoles mobilisés"] == ("6", "9")
    assert all(e.section == "projet" for e in comparaison.ecarts)


def test_apres_la_reprise_l_instruction_peut_etre_conclue(dossier, instructeur, membre):
    """Once the corrected dossier is taken back, the instruction concludes as usual."""
    remplir_grille(dossier, instructeur)
    _demander(dossier, instructeur)
    _signer_et_redeposer(Dossier.objects.get(pk=dossier.pk), membre)
    services_instruction.prendre_en_instruction(dossier=dossier, par=instructeur)

    services_instruction.conclure_instruction(dossier=dossier, par=instructeur)

    dossier.refresh_from_db()
    assert dossier.statut == Statut.INSTRUIT
