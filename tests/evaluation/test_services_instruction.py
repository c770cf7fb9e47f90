"""Services of the instruction: take in, assign, checklist, version conflicts, conclusion, trail."""

import pytest
from django.db import IntegrityError, transaction

from candidatures.commun.erreurs import ConflitVersion, ErreurMetier, Incomplet, SaisieInvalide
from candidatures.models import HistoriqueStatut, LigneBudget, Statut
from evaluation.instruction.services import affectation as services_affectation
from evaluation.instruction.services import instruction as services_instruction
from evaluation.models import (
    AffectationPilier,
    Avis,
    Instruction,
    Modification,
    VerdictExigence,
)
from referentiel.models import Pilier

from .factories import (
    MONTANT_DEMANDE,
    DossierFactory,
    InstructionFactory,
    UtilisateurFactory,
    conclure,
    dossier_depose,
    remplir_grille,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def depose():
    return dossier_depose()


@pytest.fixture
def en_instruction(depose, instructeur):
    services_instruction.prendre_en_instruction(dossier=depose, par=instructeur)
    depose.refresh_from_db()
    return depose


# --- Taking a dossier into instruction ------------------------------------------------------------


def test_prendre_en_instruction_un_dossier_depose(depose, instructeur):
    """A submitted dossier moves to « en instruction », with a history row and an instructor."""

    instruction = services_instruction.prendre_en_instruction(dossier=depose, par=instructeur)

    depose.refresh_from_db()
    assert depose.statut == Statut.EN_INSTRUCTION
    assert instruction.instructeur == instructeur
    assert instruction.montant_demande == MONTANT_DEMANDE
    assert instruction.commencee_le is not None
    dernier = HistoriqueStatut.objects.filter(dossier=depose).last()
    assert (dernier.de, dernier.vers, dernier.par) == ("depose", "en_instruction", instructeur)


@pytest.mark.parametrize(
    "trait", ["en_instruction", "a_corriger", "instruit", "retenu", "non_retenu", "retire"]
)
def test_prendre_en_instruction_refuse_hors_du_statut_depose(trait, instructeur):
    """Only « déposé » may enter instruction: every other status is refused by the table."""
    dossier = DossierFactory(**{trait: True})

    with pytest.raises(ErreurMetier, match="ne peut pas passer"):
        services_instruction.prendre_en_instruction(dossier=dossier, par=instructeur)

    dossier.refresh_from_db()
    assert dossier.statut == trait
    assert not HistoriqueStatut.objects.filter(dossier=dossier).exists()


def test_un_brouillon_ne_peut_pas_entrer_en_instruction(instructeur):
    """A draft is never instructed."""
    brouillon = DossierFactory()

    with pytest.raises(ErreurMetier, match="ne peut pas passer"):
        services_instruction.prendre_en_instruction(dossier=brouillon, par=instructeur)


def test_seul_un_instructeur_prend_en_instruction(depose):
    """A comité member cannot take a dossier into instruction."""
    comite = UtilisateurFactory(comite=True)

    with pytest.raises(ErreurMetier, match="Seuls les instructeurs"):
        services_instruction.prendre_en_instruction(dossier=depose, par=comite)

    depose.refresh_from_db()
    assert depose.statut == Statut.DEPOSE


def test_prendre_en_instruction_applique_l_instructeur_du_pilier(depose, instructeur):
    """With a pilier → instructor rule, the dossier goes to that instructor, not to the taker."""
    referent = UtilisateurFactory(instructeur=True)
    AffectationPilier.objects.create(pilier=Pilier.objects.get(code="1"), instructeur=referent)

    instruction = services_instruction.prendre_en_instruction(dossier=depose, par=instructeur)

    assert instruction.instructeur == referent
    assert Modification.objects.filter(
        dossier=depose, objet="affectation", apres=str(referent)
    ).exists()


# --- Assignment --------------------------------------------------------------------------------


def test_affecter_a_la_main_et_journaliser(depose, instructeur):
    """Assigning by hand creates the instruction and keeps who changed it."""
    autre = UtilisateurFactory(instructeur=True)

    services_affectation.affecter(dossier=depose, instructeur=autre, par=instructeur)

    assert Instruction.objects.get(dossier=depose).instructeur == autre
    trace = Modification.objects.get(dossier=depose, objet="affectation")
    assert (trace.avant, trace.apres, trace.par) == ("", str(autre), instructeur)


def test_affecter_refuse_un_non_instructeur(depose, instructeur):
    """A porteur cannot be assigned a dossier."""
    porteur = UtilisateurFactory(porteur=True)

    with pytest.raises(ErreurMetier, match="n'est pas instructeur de ce contrat"):
        services_affectation.affecter(dossier=depose, instructeur=porteur, par=instructeur)


def test_affecter_selon_piliers_ne_touche_que_les_dossiers_sans_instructeur(instructeur):
    """The button gives unassigned dossiers to their pilier's instructor and leaves the others."""
    referent = UtilisateurFactory(instructeur=True)
    AffectationPilier.objects.create(pilier=Pilier.objects.get(code="1"), instructeur=referent)
    libre = dossier_depose()
    deja = dossier_depose(appel=libre.appel)
    services_affectation.affecter(dossier=deja, instructeur=instructeur, par=instructeur)

    nombre = services_affectation.affecter_selon_piliers(appel=libre.appel, par=instructeur)

    assert nombre == 1
    assert Instruction.objects.get(dossier=libre).instructeur == referent
    assert Instruction.objects.get(dossier=deja).instructeur == instructeur


# --- Checklist and avis ------------------------------------------------------------------------


def test_enregistrer_la_grille_une_ligne_par_exigence(en_instruction, instructeur):
    """Each requirement's verdict is a real row, and each change is in the trail."""

    remplir_grille(en_instruction, instructeur, verdict=VerdictExigence.Verdict.PARTIEL)

    verdicts = VerdictExigence.objects.filter(instruction__dossier=en_instruction)
    assert verdicts.count() == 2
    assert set(verdicts.values_list("verdict", flat=True)) == {"partiellement_conforme"}
    assert Modification.objects.filter(dossier=en_instruction, objet="verdict").count() == 4
    champs = set(
        Modification.objects.filter(dossier=en_instruction, objet="instruction").values_list(
            "champ", flat=True
        )
    )
    assert {"Avis", "Montant proposé", "Synthèse pour le comité"} <= champs


def test_une_deuxieme_sauvegarde_sur_une_version_perimee_est_refusee(en_instruction, instructeur):
    """Two instructors save the same instruction: the second is refused, nothing is lost."""
    autre = UtilisateurFactory(instructeur=True)
    version_lue = Instruction.objects.get(dossier=en_instruction).version
    services_instruction.enregistrer_instruction(
        dossier=en_instruction, par=instructeur, version=version_lue,
        champs={"synthese": "Première version."},
    )

    with pytest.raises(ConflitVersion, match="n'ont pas été enregistrées"):
        services_instruction.enregistrer_instruction(
            dossier=en_instruction, par=autre, version=version_lue,
            champs={"synthese": "Seconde version."},
        )

    instruction = Instruction.objects.get(dossier=en_instruction)
    assert instruction.synthese == "Première version."
    assert instruction.version == version_lue + 1


def test_montant_propose_au_dela_du_demande_refuse_par_le_service(en_instruction, instructeur):
    """The service refuses a proposal above the request, with a French message."""
    version = Instruction.objects.get(dossier=en_instruction).version

    with pytest.raises(SaisieInvalide) as erreur:
        services_instruction.enregistrer_instruction(
            dossier=en_instruction, par=instructeur, version=version,
            champs={"montant_propose": MONTANT_DEMANDE + 1},
        )

    assert "dépasse le montant demandé" in erreur.value.erreurs["montant_propose"]


def test_montant_propose_au_dela_du_demande_refuse_par_la_base():
    """The database itself refuses a proposal above the request (CheckConstraint)."""
    instruction = InstructionFactory(montant_demande=1000)
    instruction.montant_propose = 1001

    with pytest.raises(IntegrityError), transaction.atomic():
        instruction.save()


def test_avis_defavorable_sans_montant(en_instruction, instructeur):
    """A negative avis carries no amount: service and database both refuse it."""
    version = Instruction.objects.get(dossier=en_instruction).version

    with pytest.raises(SaisieInvalide):
        services_instruction.enregistrer_instruction(
            dossier=en_instruction, par=instructeur, version=version,
            champs={"avis": Avis.DEFAVORABLE, "montant_propose": 500},
        )
    instruction = Instruction.objects.get(dossier=en_instruction)
    instruction.avis, instruction.montant_propose = Avis.DEFAVORABLE, 500
    with pytest.raises(IntegrityError), transaction.atomic():
        instruction.save()


def test_le_comite_ne_modifie_pas_une_instruction(en_instruction):
    """Comité members read the instruction but cannot write it."""
    comite = UtilisateurFactory(comite=True)

    with pytest.raises(ErreurMetier, match="Seuls les instructeurs"):
        services_instruction.enregistrer_instruction(
            dossier=en_instruction, par=comite, version=1, champs={"synthese": "Non."}
        )


def test_exigence_etrangere_au_dossier_refusee(en_instruction, instructeur):
    """A verdict on a requirement of another objective is refused."""
    from referentiel.models import Exigence

    etrangere = Exigence.objects.exclude(objectif__code="1.1.1").first()

    with pytest.raises(ErreurMetier, match="n'appartient pas"):
        services_instruction.enregistrer_instruction(
            dossier=en_instruction, par=instructeur, version=1,
            verdicts={etrangere.pk: {"verdict": "conforme"}},
        )


def test_une_baisse_du_montant_demande_efface_la_proposition(en_instruction, instructeur):
    """If the request falls below the proposal, the proposal is dropped and the trail says so."""
    remplir_grille(en_instruction, instructeur, montant=7000)
    LigneBudget.objects.filter(dossier=en_instruction, code="74_epci").update(montant=0)
    version = Instruction.objects.get(dossier=en_instruction).version

    instruction = services_instruction.enregistrer_instruction(
        dossier=en_instruction, par=instructeur, version=version, champs={"synthese": "Revue."}
    )

    assert instruction.montant_demande == 4000
    assert instruction.montant_propose is None
    assert Modification.objects.filter(
        dossier=en_instruction, champ__startswith="Montant proposé (supérieur"
    ).exists()


# --- Conclusion -------------------------------------------------------------------------------


def test_conclure_une_instruction_complete(en_instruction, instructeur):
    """With every verdict, an avis, an amount and a synthesis, the dossier becomes « instruit »."""
    remplir_grille(en_instruction, instructeur)

    instruction = services_instruction.conclure_instruction(dossier=en_instruction, par=instructeur)

    en_instruction.refresh_from_db()
    assert en_instruction.statut == Statut.INSTRUIT
    assert instruction.conclue_par == instructeur
    historique = HistoriqueStatut.objects.filter(dossier=en_instruction).last()
    assert historique.vers == "instruit"
    assert "favorable" not in historique.motif  # the history is public; the avis is not


def test_conclure_exige_un_verdict_par_exigence_et_un_avis(en_instruction, instructeur):
    """Missing verdicts, avis and synthesis are listed and nothing moves."""

    with pytest.raises(Incomplet) as erreur:
        services_instruction.conclure_instruction(dossier=en_instruction, par=instructeur)

    assert len(erreur.value.manques) == 4
    en_instruction.refresh_from_db()
    assert en_instruction.statut == Statut.EN_INSTRUCTION


def test_conclure_exige_un_montant_si_l_avis_est_favorable(en_instruction, instructeur):
    """A favourable avis without a proposed amount cannot be concluded."""
    remplir_grille(en_instruction, instructeur, montant=None)

    with pytest.raises(Incomplet, match="Montant proposé"):
        services_instruction.conclure_instruction(dossier=en_instruction, par=instructeur)


def test_conclure_un_avis_defavorable_sans_montant(en_instruction, instructeur):
    """A negative avis is concluded without any amount."""
    remplir_grille(en_instruction, instructeur, avis=Avis.DEFAVORABLE, montant=None)

    services_instruction.conclure_instruction(dossier=en_instruction, par=instructeur)

    en_instruction.refresh_from_db()
    assert en_instruction.statut == Statut.INSTRUIT


def test_conclure_refuse_un_dossier_depose_non_repris(depose, instructeur):
    """« déposé » → « instruit » is not in the table: the dossier must be taken in first."""

    with pytest.raises(ErreurMetier, match="ne peut pas passer"):
        services_instruction.conclure_instruction(dossier=depose, par=instructeur)


def test_une_instruction_conclue_n_est_plus_modifiable(instructeur):
    """After the conclusion, the checklist is frozen."""
    dossier = conclure(dossier_depose(), instructeur)

    with pytest.raises(ErreurMetier, match="pas modifiable"):
        services_instruction.enregistrer_instruction(
            dossier=dossier, par=instructeur, version=99, champs={"synthese": "Après coup."}
        )
