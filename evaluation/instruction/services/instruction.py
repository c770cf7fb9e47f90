"""The instruction of a dossier: take it in, save the checklist and the avis, conclude."""

from django.db import transaction
from django.utils import timezone

from candidatures.commun.erreurs import ErreurMetier, Incomplet, SaisieInvalide
from candidatures.commun.formats import euros
from candidatures.commun.versions import Versionnement, appliquer, enregistrer_lignes
from candidatures.dossiers.services.statuts import changer_statut
from candidatures.models import Statut
from evaluation.models import Avis, Modification, VerdictExigence

from ..permissions import contrat_de, est_instructeur
from ..selectors import commun as selectors_commun
from ..selectors import grille as selectors_grille
from .commun import _journaliser, _rafraichir_montant_demande, _verrouiller


@transaction.atomic
def prendre_en_instruction(*, dossier, par, maintenant=None):
    """Move a submitted (or resubmitted) dossier into instruction and make sure it is assigned."""
    maintenant = maintenant or timezone.now()
    if not est_instructeur(par, contrat_de(dossier)):
        raise ErreurMetier("Seuls les instructeurs prennent un dossier en instruction.")
    changer_statut(dossier=dossier, vers=Statut.EN_INSTRUCTION, par=par)
    verrouille, instruction = _verrouiller(dossier)
    changements = []
    if instruction.instructeur_id is None:
        instructeur = selectors_commun.instructeur_par_defaut(verrouille) or par
        changements.append(("Instructeur", "", instructeur))
        instruction.instructeur = instructeur
        _journaliser(verrouille, Modification.Objet.AFFECTATION, par, maintenant, changements)
        changements = []
    _rafraichir_montant_demande(instruction, verrouille, changements)
    _journaliser(verrouille, Modification.Objet.INSTRUCTION, par, maintenant, changements)
    if instruction.commencee_le is None:
        instruction.commencee_le = maintenant
    instruction.save()
    return instruction


MESSAGE_CONFLIT = (
    "Vos modifications n'ont pas été enregistrées : {auteur} a enregistré cette instruction à "
    "{heure} depuis que vous l'avez ouverte. Vos saisies sont conservées ci-dessous ; "
    "comparez-les avec la version enregistrée (rechargez la page dans un autre onglet), puis "
    "enregistrez à nouveau pour remplacer la sienne."
)
VERSIONS = Versionnement(
    champ_par="modifiee_par", champ_le="modifiee_le", anonyme="un autre instructeur",
    message=MESSAGE_CONFLIT,
)

CHAMPS_INSTRUCTION = {
    "avis": "Avis",
    "montant_propose": "Montant proposé",
    "synthese": "Synthèse pour le comité",
    "annotations": "Annotations internes",
}


def _valider_champs(champs, montant_demande):
    erreurs = {}
    avis = champs.get("avis")
    if avis not in (None, "", *Avis.values):
        erreurs["avis"] = "Cet avis n'existe pas."
    montant = champs.get("montant_propose")
    if montant is not None:
        if montant < 0:
            erreurs["montant_propose"] = "Le montant proposé ne peut pas être négatif."
        elif montant > montant_demande:
            erreurs["montant_propose"] = (
                f"Le montant proposé ({euros(montant)}) dépasse le montant demandé par la "
                f"structure ({euros(montant_demande)})."
            )
        elif avis == Avis.DEFAVORABLE and montant:
            erreurs["montant_propose"] = "Un avis défavorable ne propose aucun montant."
    return erreurs


def _enregistrer_verdicts(dossier, instruction, verdicts):
    """Save the verdicts that changed; return the trail of their changes."""
    if not verdicts:
        return []
    exigences = {e.pk: e for e in selectors_grille.exigences_du_dossier(dossier)}
    saisies = {}
    for exigence_id, valeurs in verdicts.items():
        exigence = exigences.get(int(exigence_id))
        if exigence is None:
            raise ErreurMetier("Cette exigence n'appartient pas au cahier des charges du dossier.")
        if valeurs.get("verdict", "") not in ("", *VerdictExigence.Verdict.values):
            raise SaisieInvalide({f"verdict_{exigence.pk}": "Ce verdict n'existe pas."})
        saisies[exigence.pk] = {c: valeurs[c] for c in ("verdict", "commentaire") if c in valeurs}
    modifies = enregistrer_lignes(
        {v.exigence_id: v for v in instruction.verdicts.all()}, saisies,
        lambda pk: VerdictExigence(instruction=instruction, exigence=exigences[pk]),
    )
    return [
        (f"Exigence {exigences[pk].objectif.code} n°{exigences[pk].ordre} — {champ}", avant, apres)
        for pk, changements in modifies.items()
        for champ, avant, apres in changements
    ]


@transaction.atomic
def enregistrer_instruction(*, dossier, par, version, champs=None, verdicts=None, maintenant=None):
    """Save the checklist and the avis, refusing if someone saved since ``version`` was read.

    ``champs`` maps ``avis``, ``montant_propose``, ``synthese``, ``annotations`` to values;
    ``verdicts`` maps exigence ids to ``{"verdict": …, "commentaire": …}``. Only what is given
    is written, and every changed value is kept in the trail.
    """
    maintenant = maintenant or timezone.now()
    if not est_instructeur(par, contrat_de(dossier)):
        raise ErreurMetier("Seuls les instructeurs modifient une instruction.")
    verrouille, instruction = _verrouiller(dossier)
    if verrouille.statut not in (Statut.EN_INSTRUCTION, Statut.A_CORRIGER):
        raise ErreurMetier(
            f"Ce dossier est « {verrouille.get_statut_display()} » : son instruction n'est pas "
            "modifiable."
        )
    VERSIONS.verifier(instruction, version)
    champs = dict(champs or {})
    changements_instruction = []
    _rafraichir_montant_demande(instruction, verrouille, changements_instruction)
    effectifs = {
        nom: champs.get(nom, getattr(instruction, nom)) for nom in ("avis", "montant_propose")
    }
    erreurs = _valider_champs(effectifs, instruction.montant_demande)
    if erreurs:
        raise SaisieInvalide(erreurs)
    changements_instruction += [
        (CHAMPS_INSTRUCTION[nom], avant, apres)
        for nom, avant, apres in appliquer(
            instruction, {nom: champs[nom] for nom in CHAMPS_INSTRUCTION if nom in champs}
        )
    ]
    changements_grille = _enregistrer_verdicts(verrouille, instruction, verdicts or {})

    if changements_instruction or changements_grille:
        VERSIONS.marquer(instruction, par, maintenant)
        _journaliser(
            verrouille, Modification.Objet.INSTRUCTION, par, maintenant, changements_instruction
        )
        _journaliser(verrouille, Modification.Objet.VERDICT, par, maintenant, changements_grille)
    instruction.save()
    return instruction


def _incomplete(manques):
    n = len(manques)
    return Incomplet(
        f"L'instruction ne peut pas être conclue : {n} élément{'s' if n > 1 else ''} "
        f"manque{'nt' if n > 1 else ''}. " + " ".join(manques),
        manques,
    )


@transaction.atomic
def conclure_instruction(*, dossier, par, maintenant=None):
    """Close the instruction with its avis: every requirement judged, no correction pending."""
    maintenant = maintenant or timezone.now()
    if not est_instructeur(par, contrat_de(dossier)):
        raise ErreurMetier("Seuls les instructeurs concluent une instruction.")
    verrouille, instruction = _verrouiller(dossier)
    if (
        verrouille.statut == Statut.A_CORRIGER
        or selectors_grille.corrections_en_attente(verrouille)
    ):
        raise _incomplete(
            ["Des corrections ont été demandées à la structure : attendez qu'elle redépose le "
             "dossier, puis reprenez l'instruction."]
        )
    if verrouille.statut == Statut.EN_INSTRUCTION:
        _rafraichir_montant_demande(instruction, verrouille, [])
        manques = selectors_grille.manques_instruction(verrouille, instruction)
        if manques:
            raise _incomplete(manques)
    # The status history is shown to the structure: the avis stays out of it.
    changer_statut(
        dossier=verrouille, vers=Statut.INSTRUIT, par=par, motif="Instruction conclue."
    )
    instruction.conclue_le = maintenant
    instruction.conclue_par = par
    instruction.save()
    _journaliser(
        verrouille, Modification.Objet.INSTRUCTION, par, maintenant,
        [("Instruction conclue", "", instruction.avis)],
    )
    return instruction

