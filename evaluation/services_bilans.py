"""Writes of the bilans: open, save a draft, attach documents, submit, correct, validate, remind.

Every change of status goes through candidatures' ``changer_statut``.
"""

import datetime
import logging
from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from candidatures.models import Dossier, LigneBudget, Statut
from candidatures.permissions import est_membre
from candidatures.services_dossiers import (
    ErreurDossier,
    ModificationInterdite,
    PieceRefusee,
    TransitionInterdite,
    changer_statut,
)
from candidatures.validators import TYPES_MIME, extension_de, valider_document

from . import notifications_bilans, selectors_bilans
from .instruction.permissions import est_instructeur
from .models import (
    CHAMPS_BENEFICIAIRES,
    Bilan,
    DemandeCorrectionBilan,
    LigneCompteRendu,
    ParametresBilan,
    PieceBilan,
    RealisationIndicateur,
    RelanceBilan,
)

logger = logging.getLogger(__name__)

VALEUR_MAX = 2_000_000_000


class ErreurBilan(ErreurDossier):
    """A refused operation on a bilan; ``str()`` is a French message for the user."""


class ConflitBilan(ErreurBilan):
    """Someone saved the bilan since the form was loaded: nothing was written."""

    def __init__(self, bilan):
        self.bilan = bilan
        auteur = bilan.modifie_par or "un autre membre"
        heure = date_format(timezone.localtime(bilan.modifie_le), "H:i")
        super().__init__(
            f"Vos modifications n'ont pas été enregistrées : {auteur} a enregistré ce bilan à "
            f"{heure} depuis que vous l'avez ouvert. Vos saisies sont conservées ci-dessous ; "
            "enregistrez à nouveau pour remplacer la version enregistrée."
        )


class SaisieBilanInvalide(ErreurBilan):
    """Values refused field by field: ``erreurs`` maps a field key to a French message."""

    def __init__(self, erreurs):
        self.erreurs = erreurs
        super().__init__(" ".join(erreurs.values()))


class BilanIncomplet(ErreurBilan):
    def __init__(self, manques):
        self.manques = manques
        nombre = sum(len(m) for m in manques.values())
        sections = ", ".join(selectors_bilans.SECTIONS[s] for s in manques)
        super().__init__(
            f"Le bilan ne peut pas être déposé : {nombre} élément{'s' if nombre > 1 else ''} "
            f"à compléter ({sections})."
        )


@dataclass
class Enregistrement:
    bilan: Bilan
    modifie: bool = False
    sections: set = field(default_factory=set)


# --- Settings of a call -------------------------------------------------------------------------


@transaction.atomic
def definir_seuil_ecart(*, appel, seuil, par):
    """Set the gap (in %) above which a line of the compte rendu must be explained, for a call."""
    from candidatures.permissions import est_administrateur

    if not est_administrateur(par):
        raise ErreurBilan("Seuls les administrateurs règlent les bilans d'un appel.")
    if isinstance(seuil, bool) or not isinstance(seuil, int) or not 1 <= seuil <= 100:
        raise SaisieBilanInvalide({"seuil_ecart": "Indiquez un pourcentage entier de 1 à 100."})
    parametres, _ = ParametresBilan.objects.update_or_create(
        appel=appel, defaults={"seuil_ecart": seuil}
    )
    return parametres


# --- Opening --------------------------------------------------------------------------------------


@transaction.atomic
def ouvrir_bilan(*, dossier, par=None, maintenant=None):
    """Start the bilan of a retained action: its compte rendu is prefilled with the budget."""
    maintenant = maintenant or timezone.now()
    verrouille = Dossier.objects.select_for_update().get(pk=dossier.pk)
    existant = Bilan.objects.filter(dossier=verrouille).first()
    if existant is not None:
        return existant
    if verrouille.statut not in selectors_bilans.STATUTS_SAISIE:
        raise TransitionInterdite(
            f"Un dossier « {verrouille.get_statut_display()} » n'a pas de bilan à remettre."
        )
    bilan = Bilan.objects.create(
        dossier=verrouille, cree_le=maintenant, modifie_le=maintenant, modifie_par=par
    )
    LigneCompteRendu.objects.bulk_create(
        LigneCompteRendu(bilan=bilan, code=ligne.code, prevu=ligne.montant)
        for ligne in LigneBudget.objects.filter(dossier=verrouille, montant__gt=0)
    )
    if verrouille.statut == Statut.EN_COURS:
        changer_statut(
            dossier=verrouille, vers=Statut.BILAN_A_REMETTRE, par=par,
            motif="Bilan de l'action commencé.",
        )
        dossier.statut = verrouille.statut
    return bilan


# --- Draft ----------------------------------------------------------------------------------------


def _entier_valide(valeur):
    return valeur is None or (
        isinstance(valeur, int) and not isinstance(valeur, bool) and 0 <= valeur <= VALEUR_MAX
    )


MESSAGE_ENTIER = "Saisissez un nombre entier positif ou nul."


def _valider_champs(bilan, champs, erreurs):
    permis = {f.name for f in Bilan._meta.get_fields()} & (
        {*selectors_bilans.CHAMPS_QUALITATIFS_REQUIS, *CHAMPS_BENEFICIAIRES,
         "objectifs_commentaire"}
    )
    for nom, valeur in champs.items():
        if nom not in permis:
            erreurs[nom] = "Ce champ ne fait pas partie du bilan."
        elif nom in CHAMPS_BENEFICIAIRES and not _entier_valide(valeur):
            erreurs[nom] = MESSAGE_ENTIER
        elif nom == "objectifs_atteints" and valeur not in ("", *Bilan.Atteinte.values):
            erreurs[nom] = "Choisissez atteints, partiellement atteints ou non atteints."
    debut = champs.get("date_debut", bilan.date_debut)
    fin = champs.get("date_fin", bilan.date_fin)
    if debut and fin and fin < debut:
        erreurs["date_fin"] = "La date de fin doit suivre la date de début."


def _valider_realisations(indicateurs, realisations, erreurs):
    for indicateur_id, valeurs in realisations.items():
        indicateur = indicateurs.get(indicateur_id)
        if indicateur is None:
            erreurs[f"indicateur_{indicateur_id}"] = (
                "Cet indicateur n'est pas un indicateur des objectifs de l'action."
            )
            continue
        attendus = selectors_bilans.champs_realisation(indicateur)
        for champ, valeur in valeurs.items():
            cle = f"indicateur_{indicateur_id}_{champ}"
            if champ not in attendus:
                erreurs[cle] = (
                    f"L'indicateur « {indicateur.libelle[:60]} » se renseigne en "
                    f"{indicateur.get_ventilation_display()} : cette valeur n'est pas demandée."
                    if attendus != ["texte"]
                    else "Cet indicateur appelle une réponse rédigée."
                )
            elif champ != "texte" and not _entier_valide(valeur):
                erreurs[cle] = MESSAGE_ENTIER


def _valider_lignes(lignes, erreurs):
    from candidatures import budget

    for code, valeurs in lignes.items():
        if code not in budget.PAR_CODE:
            erreurs[f"ligne_{code}"] = "Cette ligne n'existe pas dans le compte rendu financier."
            continue
        if not _entier_valide(valeurs.get("realise")):
            erreurs[f"ligne_{code}"] = "Saisissez un montant en euros entiers, positif ou nul."
        if set(valeurs) - {"realise", "explication"}:
            erreurs[f"ligne_{code}"] = "Seuls le montant réalisé et l'explication se saisissent."


def _verrouiller(bilan, version):
    verrouille = Bilan.objects.select_for_update().select_related("dossier").get(pk=bilan.pk)
    # The dossier row is locked too: its status decides whether the bilan may change.
    dossier = Dossier.objects.select_for_update().get(pk=verrouille.dossier_id)
    verrouille.dossier = dossier
    if dossier.statut not in selectors_bilans.STATUTS_SAISIE:
        raise ModificationInterdite(
            f"Le bilan est « {dossier.get_statut_display()} » : il n'est plus modifiable."
        )
    if version is not None and int(version) != verrouille.version:
        raise ConflitBilan(verrouille)
    return verrouille


@transaction.atomic
def enregistrer_bilan(
    *, bilan, par, version, champs=None, realisations=None, lignes=None, maintenant=None
):
    """Save what was typed, refusing if someone saved since ``version`` was read.

    ``champs`` maps bilan fields to values, ``realisations`` indicator ids to
    ``{"valeur_femmes": …, "texte": …}``, ``lignes`` budget codes to
    ``{"realise": …, "explication": …}``. Only what is given is written; an invalid value
    refuses the whole call (``SaisieBilanInvalide``).
    """
    verrouille = _verrouiller(bilan, version)
    champs, realisations, lignes = champs or {}, realisations or {}, lignes or {}
    indicateurs = {i.pk: i for i in selectors_bilans.indicateurs_du_bilan(verrouille.dossier)}
    erreurs = {}
    _valider_champs(verrouille, champs, erreurs)
    _valider_realisations(indicateurs, realisations, erreurs)
    _valider_lignes(lignes, erreurs)
    if erreurs:
        raise SaisieBilanInvalide(erreurs)
    resultat = Enregistrement(bilan=verrouille)

    for nom, valeur in champs.items():
        if getattr(verrouille, nom) != valeur:
            setattr(verrouille, nom, valeur)
            resultat.sections.add("qualitatif")

    existantes = {r.indicateur_id: r for r in verrouille.realisations.all()}
    for indicateur_id, valeurs in realisations.items():
        realisation = existantes.get(indicateur_id) or RealisationIndicateur(
            bilan=verrouille, indicateur_id=indicateur_id
        )
        change = [c for c, v in valeurs.items() if getattr(realisation, c) != v]
        if change:
            for c in change:
                setattr(realisation, c, valeurs[c])
            realisation.save()
            resultat.sections.add("indicateurs")

    existantes = {lg.code: lg for lg in verrouille.lignes.all()}
    for code, valeurs in lignes.items():
        ligne = existantes.get(code)
        if ligne is None:
            if valeurs.get("realise") is None and not valeurs.get("explication"):
                continue  # nothing forecast, nothing spent: no row
            ligne = LigneCompteRendu(bilan=verrouille, code=code, prevu=0)
        change = [c for c, v in valeurs.items() if getattr(ligne, c) != v]
        if change or ligne.pk is None:
            for c in change:
                setattr(ligne, c, valeurs[c])
            ligne.save()
            resultat.sections.add("financier")

    if resultat.sections:
        resultat.modifie = True
        verrouille.version += 1
        verrouille.modifie_par = par
        verrouille.modifie_le = maintenant or timezone.now()
        verrouille.save()
    return resultat


# --- Documents ------------------------------------------------------------------------------------


def _bilan_modifiable(bilan):
    statut = Dossier.objects.filter(pk=bilan.dossier_id).values_list("statut", flat=True).get()
    if statut not in selectors_bilans.STATUTS_SAISIE:
        raise ModificationInterdite("Le bilan n'est plus modifiable.")


def _toucher(bilan, par, maintenant):
    Bilan.objects.filter(pk=bilan.pk).update(
        modifie_le=maintenant or timezone.now(), modifie_par=par
    )


@transaction.atomic
def ajouter_piece_bilan(*, bilan, par, fichier, type=PieceBilan.Type.AUTRE, titre="",
                        maintenant=None):
    """Attach a checked document (bilan moral, photographs, attendance sheets…) to the bilan."""
    _bilan_modifiable(bilan)
    try:
        valider_document(fichier)
    except ValidationError as erreur:
        raise PieceRefusee(" ".join(erreur.messages)) from None
    if type not in PieceBilan.Type.values:
        type = PieceBilan.Type.AUTRE
    piece = PieceBilan.objects.create(
        bilan=bilan,
        type=type,
        titre=titre[:255],
        fichier=fichier,
        nom_original=fichier.name[:255],
        taille=fichier.size,
        type_mime=TYPES_MIME[extension_de(fichier.name)],
        ajoute_par=par,
    )
    _toucher(bilan, par, maintenant)
    return piece


@transaction.atomic
def supprimer_piece_bilan(*, piece, par, maintenant=None):
    """Remove a document from a bilan that may still be edited."""
    _bilan_modifiable(piece.bilan)
    piece.fichier.delete(save=False)
    piece.delete()
    _toucher(piece.bilan, par, maintenant)


# --- Submission, corrections, validation ----------------------------------------------------------


@transaction.atomic
def deposer_bilan(*, bilan, par, qualite="", maintenant=None):
    """Submit a complete bilan; the member who submits signs the attestation."""
    maintenant = maintenant or timezone.now()
    verrouille = _verrouiller(bilan, None)
    dossier = verrouille.dossier
    if not est_membre(par, dossier.structure):
        raise ModificationInterdite("Seul un membre de la structure dépose son bilan.")
    manques = selectors_bilans.manques(verrouille)
    if manques:
        raise BilanIncomplet(manques)
    if dossier.statut == Statut.EN_COURS:
        changer_statut(dossier=dossier, vers=Statut.BILAN_A_REMETTRE, par=par)
    verrouille.demandes_correction.filter(traitee_le__isnull=True).update(traitee_le=maintenant)
    changer_statut(dossier=dossier, vers=Statut.BILAN_DEPOSE, par=par, motif="Bilan déposé.")
    verrouille.depose_le = maintenant
    verrouille.depose_par = par
    verrouille.signataire = par.get_full_name() or par.email
    verrouille.qualite_signataire = (qualite or "").strip()[:150]
    verrouille.modifie_le = maintenant
    verrouille.save()
    bilan.dossier.statut = dossier.statut
    transaction.on_commit(partial(notifications_bilans.notifier_depot, bilan_id=verrouille.pk))
    return verrouille


def _verrouiller_depose(bilan, par, action):
    if not est_instructeur(par):
        raise ErreurBilan(f"Seuls les instructeurs {action} les bilans.")
    verrouille = Bilan.objects.select_for_update().get(pk=bilan.pk)
    dossier = Dossier.objects.select_for_update().get(pk=verrouille.dossier_id)
    if dossier.statut != Statut.BILAN_DEPOSE:
        raise TransitionInterdite(
            f"Le bilan est « {dossier.get_statut_display()} » : il n'attend pas de validation."
        )
    verrouille.dossier = dossier
    return verrouille


@transaction.atomic
def demander_corrections_bilan(*, bilan, par, message, maintenant=None):
    """Return a submitted bilan to the structure with a message naming what to fix."""
    maintenant = maintenant or timezone.now()
    message = (message or "").strip()
    if not message:
        raise SaisieBilanInvalide({"message": "Expliquez ce qui doit être corrigé."})
    verrouille = _verrouiller_depose(bilan, par, "renvoient")
    changer_statut(
        dossier=verrouille.dossier, vers=Statut.BILAN_A_CORRIGER, par=par, motif=message
    )
    demande = DemandeCorrectionBilan.objects.create(
        bilan=verrouille, message=message, demandee_par=par, demandee_le=maintenant
    )
    verrouille.modifie_le = maintenant
    verrouille.save(update_fields=["modifie_le"])
    bilan.dossier.statut = verrouille.dossier.statut
    transaction.on_commit(
        partial(notifications_bilans.notifier_corrections, demande_id=demande.pk)
    )
    return demande


@transaction.atomic
def valider_bilan(*, bilan, par, maintenant=None):
    """Accept a submitted bilan: the action is closed (« clôturé »)."""
    maintenant = maintenant or timezone.now()
    verrouille = _verrouiller_depose(bilan, par, "valident")
    changer_statut(
        dossier=verrouille.dossier, vers=Statut.CLOTURE, par=par,
        motif="Bilan validé : action clôturée.",
    )
    verrouille.valide_le = maintenant
    verrouille.valide_par = par
    verrouille.modifie_le = maintenant
    verrouille.save(update_fields=["valide_le", "valide_par", "modifie_le"])
    bilan.dossier.statut = verrouille.dossier.statut
    transaction.on_commit(partial(notifications_bilans.notifier_validation, bilan_id=verrouille.pk))
    return verrouille


# --- Reminders ------------------------------------------------------------------------------------

# (step, days before the due date: negative once it has passed). The latest step reached is sent.
ETAPES_RELANCE = [("j-30", 30), ("j-7", 7), ("j+1", -1), ("j+30", -30)]
STATUTS_A_RELANCER = {Statut.EN_COURS, Statut.BILAN_A_REMETTRE, Statut.BILAN_A_CORRIGER}


def etape_due(echeance, aujourd_hui):
    """The latest reminder step reached on ``aujourd_hui`` for a bilan due on ``echeance``."""
    atteinte = None
    for etape, jours in ETAPES_RELANCE:
        if aujourd_hui >= echeance - datetime.timedelta(days=jours):
            atteinte = etape
    return atteinte


def relancer_bilans(*, aujourd_hui=None):
    """E-mail the structures whose bilan is soon due or late; each step is sent only once.

    Each reminder commits on its own (``_relancer``): one failed e-mail does not stop the others.
    """
    aujourd_hui = aujourd_hui or timezone.localdate()
    envoyees = []
    dossiers = (
        Dossier.objects.filter(
            statut__in=STATUTS_A_RELANCER, decision__date_limite_bilan__isnull=False
        )
        .select_related("decision", "structure")
        .order_by("pk")
    )
    for dossier in dossiers:
        echeance = dossier.decision.date_limite_bilan
        etape = etape_due(echeance, aujourd_hui)
        if etape is None:
            continue
        try:
            relance = _relancer(dossier, etape, echeance)
        except Exception:
            # Nothing is recorded for this dossier: tomorrow's run tries again.
            logger.exception("Relance du bilan du dossier %s non envoyée", dossier.pk)
            continue
        if relance is not None:
            envoyees.append(relance)
    return envoyees


@transaction.atomic
def _relancer(dossier, etape, echeance):
    """Record and send one reminder, both or neither."""
    relance, creee = RelanceBilan.objects.get_or_create(
        dossier=dossier, etape=etape, echeance=echeance
    )
    if not creee:
        return None
    if dossier.statut == Statut.EN_COURS:
        changer_statut(
            dossier=dossier, vers=Statut.BILAN_A_REMETTRE, par=None,
            motif="Bilan attendu : rappel envoyé à la structure.",
        )
    relance.destinataires = ", ".join(
        notifications_bilans.envoyer_relance(dossier=dossier, etape=etape)
    )
    relance.save(update_fields=["destinataires"])
    return relance
