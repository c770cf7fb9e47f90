"""Writes of the instruction: assign, take in, checklist, corrections, conclusion, decisions.

Every change of status goes through candidatures' ``changer_statut``: its transition table is the
only one, and it locks the dossier row.
"""

from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from candidatures.commun.validators import TYPES_MIME, extension_de, valider_document
from candidatures.comptes.permissions import est_administrateur
from candidatures.dossiers.journal import prendre_instantane
from candidatures.dossiers.services.depot import ouvrir_corrections
from candidatures.dossiers.services.erreurs import ErreurDossier, PieceRefusee, TransitionInterdite
from candidatures.dossiers.services.statuts import changer_statut
from candidatures.models import Dossier, Statut
from candidatures.structures.permissions import est_membre

from . import notifications, selectors
from .models import (
    AffectationPilier,
    Avis,
    Decision,
    Instruction,
    Lecture,
    Message,
    Modification,
    PieceMessage,
    SuiviCorrection,
    VerdictExigence,
)
from .permissions import (
    STATUTS_EN_COURS_INSTRUCTION,
    est_comite,
    est_instructeur,
    peut_ecrire_message,
)

PIECES_PAR_MESSAGE_MAX = 5


class ErreurInstruction(ErreurDossier):
    """A refused operation of the instruction; ``str()`` is a French message for the user."""


class ConflitInstruction(ErreurInstruction):
    """Someone saved the instruction since the form was loaded: nothing was written."""

    def __init__(self, instruction):
        self.instruction = instruction
        auteur = instruction.modifiee_par or "un autre instructeur"
        heure = date_format(timezone.localtime(instruction.modifiee_le), "H:i")
        super().__init__(
            f"Vos modifications n'ont pas été enregistrées : {auteur} a enregistré cette "
            f"instruction à {heure} depuis que vous l'avez ouverte. Vos saisies sont conservées "
            "ci-dessous ; comparez-les avec la version enregistrée (rechargez la page dans un "
            "autre onglet), puis enregistrez à nouveau pour remplacer la sienne."
        )


class SaisieInvalide(ErreurInstruction):
    """Values refused field by field: ``erreurs`` maps a field name to a French message."""

    def __init__(self, erreurs):
        self.erreurs = erreurs
        super().__init__(" ".join(erreurs.values()))


class InstructionIncomplete(ErreurInstruction):
    def __init__(self, manques):
        self.manques = manques
        n = len(manques)
        super().__init__(
            f"L'instruction ne peut pas être conclue : {n} élément{'s' if n > 1 else ''} "
            f"manque{'nt' if n > 1 else ''}. " + " ".join(manques)
        )


class ErreurLot(ErreurInstruction):
    """A decision of a batch was refused: nothing of the batch was recorded."""

    def __init__(self, index, erreur):
        self.index = index
        self.erreur = erreur
        super().__init__(str(erreur))


# --- Helpers --------------------------------------------------------------------------------------


def _affiche(valeur):
    if valeur is None or valeur == "":
        return ""
    if valeur in Avis.values:
        return str(Avis(valeur).label)
    if valeur in VerdictExigence.Verdict.values:
        return str(VerdictExigence.Verdict(valeur).label)
    return str(valeur)


def _journaliser(dossier, objet, par, le, changements):
    Modification.objects.bulk_create(
        Modification(
            dossier=dossier, objet=objet, champ=champ, avant=_affiche(avant),
            apres=_affiche(apres), par=par, le=le,
        )
        for champ, avant, apres in changements
    )


def _verrouiller(dossier):
    """Lock the dossier, then its instruction (created if needed): always in this order."""
    verrouille = Dossier.objects.select_for_update().get(pk=dossier.pk)
    Instruction.objects.get_or_create(dossier=verrouille)
    instruction = Instruction.objects.select_for_update().get(dossier=verrouille)
    return verrouille, instruction


def _rafraichir_montant_demande(instruction, dossier, changements):
    """Copy the request from the budget; drop a proposal the request no longer covers."""
    instruction.montant_demande = selectors.montant_demande(dossier)
    propose = instruction.montant_propose
    if propose is not None and propose > instruction.montant_demande:
        changements.append(("Montant proposé (supérieur au nouveau montant demandé)", propose, ""))
        instruction.montant_propose = None


# --- Assignment -----------------------------------------------------------------------------------


@transaction.atomic
def affecter(*, dossier, instructeur, par, maintenant=None):
    """Assign the dossier to an instructor (``None`` leaves it unassigned)."""
    maintenant = maintenant or timezone.now()
    if not est_instructeur(par):
        raise ErreurInstruction("Seuls les instructeurs répartissent les dossiers.")
    if instructeur is not None and not est_instructeur(instructeur):
        raise ErreurInstruction(f"{instructeur} n'a pas le rôle d'instructeur.")
    verrouille, instruction = _verrouiller(dossier)
    if verrouille.statut not in STATUTS_EN_COURS_INSTRUCTION | {Statut.INSTRUIT}:
        raise ErreurInstruction(
            f"Un dossier « {verrouille.get_statut_display()} » ne s'affecte plus."
        )
    if instruction.instructeur_id == getattr(instructeur, "pk", None):
        return instruction
    changements = [("Instructeur", instruction.instructeur or "", instructeur or "")]
    _rafraichir_montant_demande(instruction, verrouille, changements)
    instruction.instructeur = instructeur
    instruction.save()
    _journaliser(verrouille, Modification.Objet.AFFECTATION, par, maintenant, changements)
    return instruction


@transaction.atomic
def affecter_selon_piliers(*, appel, par):
    """Give each unassigned dossier of the call to its pilier's default instructor."""
    nombre = 0
    for dossier in selectors.dossiers_a_affecter(appel):
        instructeur = selectors.instructeur_par_defaut(dossier)
        if instructeur is not None:
            affecter(dossier=dossier, instructeur=instructeur, par=par)
            nombre += 1
    return nombre


@transaction.atomic
def definir_instructeur_pilier(*, pilier, instructeur, par):
    """Set (or clear, with ``None``) the default instructor of a pilier."""
    if not est_administrateur(par):
        raise ErreurInstruction("Seuls les administrateurs fixent les instructeurs par défaut.")
    if instructeur is None:
        AffectationPilier.objects.filter(pilier=pilier).delete()
        return None
    if not est_instructeur(instructeur):
        raise ErreurInstruction(f"{instructeur} n'a pas le rôle d'instructeur.")
    affectation, _ = AffectationPilier.objects.update_or_create(
        pilier=pilier, defaults={"instructeur": instructeur}
    )
    return affectation


# --- Instruction ----------------------------------------------------------------------------------


@transaction.atomic
def prendre_en_instruction(*, dossier, par, maintenant=None):
    """Move a submitted (or resubmitted) dossier into instruction and make sure it is assigned."""
    maintenant = maintenant or timezone.now()
    if not est_instructeur(par):
        raise ErreurInstruction("Seuls les instructeurs prennent un dossier en instruction.")
    changer_statut(dossier=dossier, vers=Statut.EN_INSTRUCTION, par=par)
    verrouille, instruction = _verrouiller(dossier)
    changements = []
    if instruction.instructeur_id is None:
        instructeur = selectors.instructeur_par_defaut(verrouille) or par
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
                f"Le montant proposé ({montant} €) dépasse le montant demandé par la structure "
                f"({montant_demande} €)."
            )
        elif avis == Avis.DEFAVORABLE and montant:
            erreurs["montant_propose"] = "Un avis défavorable ne propose aucun montant."
    return erreurs


@transaction.atomic
def enregistrer_instruction(*, dossier, par, version, champs=None, verdicts=None, maintenant=None):
    """Save the checklist and the avis, refusing if someone saved since ``version`` was read.

    ``champs`` maps ``avis``, ``montant_propose``, ``synthese``, ``annotations`` to values;
    ``verdicts`` maps exigence ids to ``{"verdict": …, "commentaire": …}``. Only what is given
    is written, and every changed value is kept in the trail.
    """
    maintenant = maintenant or timezone.now()
    if not est_instructeur(par):
        raise ErreurInstruction("Seuls les instructeurs modifient une instruction.")
    verrouille, instruction = _verrouiller(dossier)
    if verrouille.statut not in (Statut.EN_INSTRUCTION, Statut.A_CORRIGER):
        raise ErreurInstruction(
            f"Ce dossier est « {verrouille.get_statut_display()} » : son instruction n'est pas "
            "modifiable."
        )
    if int(version) != instruction.version:
        raise ConflitInstruction(instruction)
    champs = dict(champs or {})
    changements_instruction = []
    _rafraichir_montant_demande(instruction, verrouille, changements_instruction)
    effectifs = {
        nom: champs.get(nom, getattr(instruction, nom)) for nom in ("avis", "montant_propose")
    }
    erreurs = _valider_champs(effectifs, instruction.montant_demande)
    if erreurs:
        raise SaisieInvalide(erreurs)
    for nom, libelle in CHAMPS_INSTRUCTION.items():
        if nom in champs and getattr(instruction, nom) != champs[nom]:
            changements_instruction.append((libelle, getattr(instruction, nom), champs[nom]))
            setattr(instruction, nom, champs[nom])

    changements_grille = []
    if verdicts:
        exigences = {e.pk: e for e in selectors.exigences_du_dossier(verrouille)}
        existants = {v.exigence_id: v for v in instruction.verdicts.all()}
        for exigence_id, valeurs in verdicts.items():
            exigence = exigences.get(int(exigence_id))
            if exigence is None:
                raise ErreurInstruction(
                    "Cette exigence n'appartient pas au cahier des charges du dossier."
                )
            if valeurs.get("verdict", "") not in ("", *VerdictExigence.Verdict.values):
                raise SaisieInvalide({f"verdict_{exigence.pk}": "Ce verdict n'existe pas."})
            ligne = existants.get(exigence.pk) or VerdictExigence(
                instruction=instruction, exigence=exigence
            )
            nom = f"Exigence {exigence.objectif.code} n°{exigence.ordre}"
            change = False
            for champ, libelle in (("verdict", "verdict"), ("commentaire", "commentaire")):
                if champ in valeurs and getattr(ligne, champ) != valeurs[champ]:
                    changements_grille.append((f"{nom} — {libelle}", getattr(ligne, champ),
                                               valeurs[champ]))
                    setattr(ligne, champ, valeurs[champ])
                    change = True
            if change:
                ligne.save()

    if changements_instruction or changements_grille:
        instruction.version += 1
        instruction.modifiee_le = maintenant
        instruction.modifiee_par = par
        _journaliser(
            verrouille, Modification.Objet.INSTRUCTION, par, maintenant, changements_instruction
        )
        _journaliser(verrouille, Modification.Objet.VERDICT, par, maintenant, changements_grille)
    instruction.save()
    return instruction


@transaction.atomic
def conclure_instruction(*, dossier, par, maintenant=None):
    """Close the instruction with its avis: every requirement judged, no correction pending."""
    maintenant = maintenant or timezone.now()
    if not est_instructeur(par):
        raise ErreurInstruction("Seuls les instructeurs concluent une instruction.")
    verrouille, instruction = _verrouiller(dossier)
    if verrouille.statut == Statut.A_CORRIGER or selectors.corrections_en_attente(verrouille):
        raise InstructionIncomplete(
            ["Des corrections ont été demandées à la structure : attendez qu'elle redépose le "
             "dossier, puis reprenez l'instruction."]
        )
    if verrouille.statut == Statut.EN_INSTRUCTION:
        _rafraichir_montant_demande(instruction, verrouille, [])
        manques = selectors.manques_instruction(verrouille, instruction)
        if manques:
            raise InstructionIncomplete(manques)
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
    dossier.statut = verrouille.statut
    return instruction


# --- Corrections ----------------------------------------------------------------------------------


@transaction.atomic
def demander_corrections(*, dossier, par, sections, message, echeance=None, maintenant=None):
    """Ask the structure to correct named sections, by a date if given, and tell it by e-mail."""
    maintenant = maintenant or timezone.now()
    if not est_instructeur(par):
        raise ErreurInstruction("Seuls les instructeurs demandent des corrections.")
    if echeance is not None and echeance < timezone.localdate(maintenant):
        raise SaisieInvalide({"echeance": "L'échéance ne peut pas être déjà passée."})
    avant = prendre_instantane(dossier)
    demande = ouvrir_corrections(dossier=dossier, sections=sections, par=par, message=message)
    SuiviCorrection.objects.create(demande=demande, echeance=echeance, avant=avant)
    transaction.on_commit(partial(notifications.notifier_corrections, demande_id=demande.pk))
    return demande


# --- Messages -------------------------------------------------------------------------------------


@transaction.atomic
def envoyer_message(*, dossier, auteur, texte, fichiers=(), maintenant=None):
    """Add a message (and checked attachments) to the dossier's thread, and tell the other side."""
    maintenant = maintenant or timezone.now()
    texte = (texte or "").strip()
    if not peut_ecrire_message(auteur, dossier):
        raise ErreurInstruction("Vous ne participez pas aux échanges sur ce dossier.")
    if not texte:
        raise SaisieInvalide({"texte": "Écrivez votre message."})
    fichiers = list(fichiers or [])
    if len(fichiers) > PIECES_PAR_MESSAGE_MAX:
        raise SaisieInvalide(
            {"fichiers": f"Joignez au plus {PIECES_PAR_MESSAGE_MAX} fichiers par message."}
        )
    for fichier in fichiers:
        try:
            valider_document(fichier)
        except ValidationError as erreur:
            raise PieceRefusee(f"{fichier.name} : {' '.join(erreur.messages)}") from None
    message = Message.objects.create(
        dossier=dossier,
        auteur=auteur,
        de_la_structure=est_membre(auteur, dossier.structure) and not est_instructeur(auteur),
        texte=texte,
        envoye_le=maintenant,
    )
    for fichier in fichiers:
        PieceMessage.objects.create(
            message=message,
            fichier=fichier,
            nom_original=fichier.name[:255],
            taille=fichier.size,
            type_mime=TYPES_MIME[extension_de(fichier.name)],
        )
    marquer_lu(dossier=dossier, utilisateur=auteur, maintenant=maintenant)
    transaction.on_commit(partial(notifications.notifier_message, message_id=message.pk))
    return message


@transaction.atomic
def marquer_lu(*, dossier, utilisateur, maintenant=None):
    """Remember that ``utilisateur`` has read the dossier's thread up to now."""
    if not utilisateur.is_authenticated:
        return None
    lecture, _ = Lecture.objects.update_or_create(
        dossier=dossier, utilisateur=utilisateur,
        defaults={"lu_le": maintenant or timezone.now()},
    )
    return lecture


# --- Decisions ------------------------------------------------------------------------------------


def _valider_decision(*, nature, montant_accorde, motif, date_limite_bilan, montant_demande,
                      aujourd_hui):
    erreurs = {}
    if nature not in Decision.Nature.values:
        erreurs["nature"] = "Choisissez retenu, non retenu ou classé sans suite."
        return erreurs
    if nature == Decision.Nature.RETENU:
        if not montant_accorde:
            erreurs["montant_accorde"] = "Indiquez le montant accordé."
        elif montant_accorde > montant_demande:
            erreurs["montant_accorde"] = (
                f"Le montant accordé ({montant_accorde} €) dépasse le montant demandé "
                f"({montant_demande} €)."
            )
        if date_limite_bilan is None:
            erreurs["date_limite_bilan"] = "Indiquez la date à laquelle le bilan est attendu."
        elif date_limite_bilan <= aujourd_hui:
            erreurs["date_limite_bilan"] = "La date du bilan doit être à venir."
    elif not (motif or "").strip():
        # A refusal keeps no amount nor bilan date: those the form prefilled are dropped.
        erreurs["motif"] = "Indiquez le motif : il figure sur la lettre envoyée à la structure."
    return erreurs


@transaction.atomic
def decider(
    *, dossier, par, nature, montant_accorde=None, conditions="", motif="",
    date_limite_bilan=None, versement=Decision.Versement.UNIQUE, reference_deliberation="",
    maintenant=None,
):
    """Record the comité's decision on an instructed dossier; a retained one starts at once."""
    maintenant = maintenant or timezone.now()
    if not est_comite(par):
        raise ErreurInstruction("Seuls le comité de pilotage et les administrateurs décident.")
    verrouille = Dossier.objects.select_for_update().get(pk=dossier.pk)
    montant_demande = selectors.montant_demande(verrouille)
    erreurs = _valider_decision(
        nature=nature, montant_accorde=montant_accorde, motif=motif,
        date_limite_bilan=date_limite_bilan, montant_demande=montant_demande,
        aujourd_hui=timezone.localdate(maintenant),
    )
    if erreurs:
        raise SaisieInvalide(erreurs)
    if Decision.objects.filter(dossier=verrouille).exists():
        raise TransitionInterdite("Ce dossier a déjà reçu une décision.")
    changer_statut(dossier=verrouille, vers=nature, par=par, motif=(motif or conditions).strip())
    retenu = nature == Decision.Nature.RETENU
    decision = Decision.objects.create(
        dossier=verrouille,
        nature=nature,
        montant_demande=montant_demande,
        montant_accorde=montant_accorde if retenu else None,
        conditions=conditions.strip(),
        motif=motif.strip(),
        versement=versement,
        date_limite_bilan=date_limite_bilan if retenu else None,
        reference_deliberation=reference_deliberation.strip(),
        decidee_par=par,
        decidee_le=maintenant,
    )
    if retenu:
        changer_statut(
            dossier=verrouille, vers=Statut.EN_COURS, par=par,
            motif="Action retenue : réalisation en cours.",
        )
    _journaliser(
        verrouille, Modification.Objet.DECISION, par, maintenant,
        [("Décision", "", decision.get_nature_display())]
        + ([("Montant accordé", "", f"{montant_accorde} €")] if retenu else []),
    )
    dossier.statut = verrouille.statut
    transaction.on_commit(partial(notifications.notifier_decision, decision_id=decision.pk))
    return decision


@transaction.atomic
def decider_en_lot(*, lignes, par, maintenant=None):
    """Record several decisions at once: all of them, or none if one is refused."""
    maintenant = maintenant or timezone.now()
    decisions = []
    for index, ligne in enumerate(lignes):
        try:
            decisions.append(decider(par=par, maintenant=maintenant, **ligne))
        except ErreurDossier as erreur:
            raise ErreurLot(index, erreur) from erreur
    return decisions


@transaction.atomic
def generer_lettre(*, decision):
    """Return the decision letter's PDF, rendering and keeping it the first time."""
    from .pdf import rendre_lettre

    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.lettre:
        try:
            with decision.lettre.open("rb") as fichier:
                return fichier.read()
        except FileNotFoundError:
            pass  # the file was lost: the letter is rendered again from the same data
    contenu = rendre_lettre(decision)
    nom = f"lettre-{decision.dossier.reference}.pdf"
    decision.lettre.save(nom, ContentFile(contenu), save=False)
    decision.lettre_generee_le = timezone.now()
    decision.save(update_fields=["lettre", "lettre_generee_le"])
    return contenu
