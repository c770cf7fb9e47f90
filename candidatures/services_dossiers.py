"""Writes on calls and dossiers: create, save a draft, submit, withdraw, renew, change status."""

import logging
from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone
from django.utils.formats import date_format

from referentiel.models import Action, Objectif

from .commun.validators import valider_document
from .dossiers import journal
from .dossiers import selectors as selectors_dossiers
from .models import (
    TRANSITIONS,
    CompteurReferences,
    DemandeCorrection,
    Dossier,
    HistoriqueStatut,
    LigneBudget,
    PieceJointe,
    PrevisionIndicateur,
    ReponseExigence,
    Section,
    Statut,
    TrancheAge,
)
from .structures.permissions import est_responsable

logger = logging.getLogger(__name__)


class ErreurDossier(Exception):
    """A refused operation; ``str()`` is a French message for the user."""


class TransitionInterdite(ErreurDossier):
    pass


class ModificationInterdite(ErreurDossier):
    pass


class AppelNonOuvert(ErreurDossier):
    pass


class ActionNonEligible(ErreurDossier):
    pass


class PieceRefusee(ErreurDossier):
    pass


class ConflitVersion(ErreurDossier):
    """Someone saved the dossier since the form was loaded: nothing was written."""

    def __init__(self, dossier):
        self.dossier = dossier
        auteur = dossier.modifie_par or "un autre membre"
        heure = date_format(timezone.localtime(dossier.modifie_le), "H:i")
        super().__init__(
            f"Vos modifications n'ont pas été enregistrées : {auteur} a enregistré ce dossier "
            f"à {heure} depuis que vous l'avez ouvert. Vos saisies sont conservées ci-dessous ; "
            "consultez la version enregistrée, puis enregistrez à nouveau pour remplacer la sienne."
        )


class DossierIncomplet(ErreurDossier):
    def __init__(self, manques):
        self.manques = manques
        nombre = sum(len(v) for v in manques.values())
        super().__init__(
            f"Le dossier ne peut pas être déposé : {nombre} élément{'s' if nombre > 1 else ''} "
            f"à compléter ({', '.join(str(Section(s).label) for s in manques)})."
        )


# --- Status machine --------------------------------------------------------------------------


@transaction.atomic
def changer_statut(*, dossier, vers, par, motif=""):
    """Move a dossier to another status if the transition table allows it, and log the move."""
    verrouille = Dossier.objects.select_for_update().get(pk=dossier.pk)
    de = Statut(verrouille.statut)
    vers = Statut(vers)
    if vers not in TRANSITIONS[de]:
        raise TransitionInterdite(
            f"Un dossier « {de.label} » ne peut pas passer au statut « {vers.label} »."
        )
    verrouille.statut = vers
    verrouille.save(update_fields=["statut"])
    HistoriqueStatut.objects.create(dossier=verrouille, de=de, vers=vers, par=par, motif=motif)
    dossier.statut = vers
    return verrouille


# --- Eligibility of fiche-action codes -------------------------------------------------------


def _actions_deposables(objectifs):
    return [
        a.code
        for a in Action.objects.filter(
            objectif__in=objectifs, objectif__hors_appel_a_projets=False, renvois__isnull=True
        ).order_by("objectif__code", "ordre", "code")
    ]


def _actions_des_renvois(renvois):
    objectifs = []
    for renvoi in renvois:
        if renvoi.cible_objectif_id:
            objectifs.append(renvoi.cible_objectif)
        else:
            objectifs.extend(renvoi.cible_orientation.objectifs.all())
    return _actions_deposables(objectifs)


def _cibles(renvois):
    return " et ".join(
        f"l'objectif opérationnel {r.cible_objectif.code}"
        if r.cible_objectif_id
        else f"l'orientation stratégique {r.cible_orientation.code}"
        for r in renvois
    )


def action_eligible(code):
    """Return the action a proposal may be filed on, or explain why ``code`` cannot be used."""
    code = (code or "").strip().rstrip(".").lower()
    action = Action.objects.select_related("objectif").filter(code__iexact=code).first()
    if action is None:
        objectif = Objectif.objects.filter(code=code).first()
        if objectif is None:
            raise ActionNonEligible(
                f"Aucune action n'a le code « {code[:20]} ». Un code d'action a la forme 1.1.1.a : "
                "consultez les fiches actions."
            )
        raise ActionNonEligible(_pourquoi_pas_objectif(objectif))
    if action.objectif.hors_appel_a_projets:
        raise ActionNonEligible(
            f"L'objectif {action.objectif.code} est hors appel à projets : aucune demande ne peut "
            f"être déposée sur l'action {action.code}."
        )
    renvois = list(action.renvois.select_related("cible_objectif", "cible_orientation"))
    if renvois:
        codes = ", ".join(_actions_des_renvois(renvois))
        raise ActionNonEligible(
            f"L'action {action.code} renvoie à {_cibles(renvois)} : choisissez l'une de ses "
            f"actions ({codes})."
        )
    return action


def _pourquoi_pas_objectif(objectif):
    if objectif.hors_appel_a_projets:
        return (
            f"L'objectif {objectif.code} est hors appel à projets : aucune demande ne peut être "
            "déposée sur ses actions."
        )
    renvois = list(objectif.renvois.select_related("cible_objectif", "cible_orientation"))
    actions = _actions_deposables([objectif])
    if not actions and renvois:
        return (
            f"L'objectif {objectif.code} n'a pas d'action propre : il renvoie à "
            f"{_cibles(renvois)}. "
            f"Choisissez l'une de ces actions : {', '.join(_actions_des_renvois(renvois))}."
        )
    if not actions:
        return (
            f"L'objectif {objectif.code} n'a aucune action : aucune demande ne peut être déposée "
            "sur cet objectif."
        )
    return (
        f"« {objectif.code} » est un objectif opérationnel : choisissez l'une de ses actions "
        f"({', '.join(actions)})."
    )


# --- Drafts ------------------------------------------------------------------------------------


def _historiser_creation(dossier, par, motif):
    HistoriqueStatut.objects.create(
        dossier=dossier, de="", vers=Statut.BROUILLON, par=par, motif=motif, le=dossier.cree_le
    )


@transaction.atomic
def creer_dossier(*, structure, appel, par, maintenant=None):
    """Start an empty draft for a structure on a call that is not closed."""
    maintenant = maintenant or timezone.now()
    if appel.etat(maintenant) == appel.Etat.CLOS:
        raise AppelNonOuvert(
            f"L'appel à projets « {appel} » est clos : il ne reçoit plus de dossier."
        )
    dossier = Dossier.objects.create(
        structure=structure,
        appel=appel,
        cree_par=par,
        cree_le=maintenant,
        modifie_par=par,
        modifie_le=maintenant,
        contact_nom=structure.contact_nom,
        contact_email=structure.contact_email,
        contact_telephone=structure.contact_telephone,
    )
    _historiser_creation(dossier, par, "")
    return dossier


CHAMPS_PAR_SECTION = {
    Section.IDENTITE: {
        "action_principale", "actions_secondaires", "contact_nom", "contact_email",
        "contact_telephone",
    },
    Section.PROJET: {
        "intitule", "resume", "contexte", "objectifs", "description", "date_debut", "date_fin",
        "justification_dates", "lieux", "quartiers", "part_beneficiaires_qpv",
        *(f"public_{t.value}" for t in TrancheAge),
        "beneficiaires_femmes", "beneficiaires_hommes", "beneficiaires_filles",
        "beneficiaires_garcons", "salaries", "etpt", "benevoles", "partenaires",
    },
}
SECTION_DU_CHAMP = {
    champ: section for section, champs in CHAMPS_PAR_SECTION.items() for champ in champs
}
CHAMPS_M2M = {"actions_secondaires", "quartiers"}
CHAMPS_PREVISION = ("valeur", "valeur_femmes", "valeur_hommes", "valeur_filles", "valeur_garcons")


@dataclass
class Enregistrement:
    dossier: Dossier
    modifie: bool = False
    signature_annulee: bool = False
    sections: set = field(default_factory=set)


def _verifier_section(dossier, section):
    if section not in dossier.sections_modifiables():
        if dossier.statut == Statut.A_CORRIGER:
            raise ModificationInterdite(
                f"La section « {Section(section).label} » n'est pas ouverte à la correction."
            )
        raise ModificationInterdite(
            f"Ce dossier est « {dossier.get_statut_display()} » : il n'est plus modifiable."
        )


@transaction.atomic
def enregistrer_brouillon(
    *, dossier, par, version, champs=None, reponses=None, previsions=None, lignes=None,
    maintenant=None,
):
    """Save what was typed, refusing if someone saved since ``version`` was read.

    ``champs`` maps dossier fields to values, ``reponses`` exigence ids to texts, ``previsions``
    indicateur ids to ``{"valeur_femmes": …}``, ``lignes`` budget codes to
    ``{"montant": …, "precision": …}``. Only what is given is written.
    """
    verrouille = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if int(version) != verrouille.version:
        raise ConflitVersion(verrouille)
    resultat = Enregistrement(dossier=verrouille)
    avant = journal.prendre_instantane(verrouille)

    for nom, valeur in (champs or {}).items():
        section = SECTION_DU_CHAMP[nom]
        _verifier_section(verrouille, section)
        if nom in CHAMPS_M2M:
            actuels = set(getattr(verrouille, nom).values_list("pk", flat=True))
            nouveaux = {getattr(v, "pk", v) for v in valeur}
            if actuels != nouveaux:
                getattr(verrouille, nom).set(nouveaux)
                resultat.sections.add(section)
        elif nom == "action_principale":
            if verrouille.action_principale_id != getattr(valeur, "pk", valeur):
                verrouille.action_principale = valeur
                resultat.sections.add(section)
        elif getattr(verrouille, nom) != valeur:
            setattr(verrouille, nom, valeur)
            resultat.sections.add(section)

    if reponses:
        _verifier_section(verrouille, Section.CAHIER)
        existantes = {r.exigence_id: r for r in verrouille.reponses.all()}
        for exigence_id, texte in reponses.items():
            reponse = existantes.get(exigence_id)
            if reponse is None:
                if texte:
                    ReponseExigence.objects.create(
                        dossier=verrouille, exigence_id=exigence_id, texte=texte
                    )
                    resultat.sections.add(Section.CAHIER)
            elif reponse.texte != texte:
                reponse.texte = texte
                reponse.save(update_fields=["texte"])
                resultat.sections.add(Section.CAHIER)

    if previsions:
        _verifier_section(verrouille, Section.INDICATEURS)
        existantes = {p.indicateur_id: p for p in verrouille.previsions.all()}
        for indicateur_id, valeurs in previsions.items():
            prevision = existantes.get(indicateur_id) or PrevisionIndicateur(
                dossier=verrouille, indicateur_id=indicateur_id
            )
            change = [c for c, v in valeurs.items() if getattr(prevision, c) != v]
            if change:
                for c in change:
                    setattr(prevision, c, valeurs[c])
                prevision.save()
                resultat.sections.add(Section.INDICATEURS)

    if lignes:
        _verifier_section(verrouille, Section.BUDGET)
        existantes = {lg.code: lg for lg in verrouille.lignes_budget.all()}
        for code, valeurs in lignes.items():
            ligne = existantes.get(code) or LigneBudget(dossier=verrouille, code=code)
            change = [c for c, v in valeurs.items() if getattr(ligne, c) != v]
            if change:
                for c in change:
                    setattr(ligne, c, valeurs[c])
                ligne.save()
                resultat.sections.add(Section.BUDGET)

    if resultat.sections:
        resultat.modifie = True
        verrouille.version += 1
        verrouille.modifie_par = par
        verrouille.modifie_le = maintenant or timezone.now()
        if verrouille.est_signe:
            # The declaration vouches for what is in the dossier: a change voids it.
            _effacer_signature(verrouille)
            resultat.signature_annulee = True
        verrouille.save()
        journal.journaliser_modifications(
            dossier=verrouille, avant=avant, par=par, le=verrouille.modifie_le
        )
    return resultat


def _effacer_signature(dossier):
    dossier.declaration_signee_par = None
    dossier.declaration_signataire = ""
    dossier.declaration_signee_le = None


@transaction.atomic
def signer_declaration(*, dossier, par, qualite="", maintenant=None):
    """Record the déclaration sur l'honneur, signed by a responsable of the structure."""
    verrouille = Dossier.objects.select_for_update().get(pk=dossier.pk)
    _verifier_section(verrouille, Section.DECLARATION)
    if not est_responsable(par, verrouille.structure):
        raise ModificationInterdite(
            "Seul un responsable de la structure peut signer la déclaration sur l'honneur."
        )
    verrouille.declaration_signee_par = par
    verrouille.declaration_signataire = par.get_full_name() or par.email
    verrouille.declaration_qualite = qualite
    verrouille.declaration_signee_le = maintenant or timezone.now()
    verrouille.save()
    return verrouille


@transaction.atomic
def annuler_signature(*, dossier, par):
    """Withdraw the signature of the declaration (a responsable unticks it)."""
    verrouille = Dossier.objects.select_for_update().get(pk=dossier.pk)
    _verifier_section(verrouille, Section.DECLARATION)
    if not est_responsable(par, verrouille.structure):
        raise ModificationInterdite(
            "Seul un responsable de la structure peut retirer la signature de la déclaration."
        )
    _effacer_signature(verrouille)
    verrouille.save()
    return verrouille


@transaction.atomic
def ajouter_piece(*, dossier, par, fichier, type, titre=""):
    """Attach a checked document (PDF, image, office file) to the dossier."""
    _verifier_section(dossier, Section.PIECES)
    try:
        valider_document(fichier)
    except ValidationError as erreur:
        raise PieceRefusee(" ".join(erreur.messages)) from None
    avant = journal.prendre_instantane(dossier)
    piece = PieceJointe.objects.create(
        dossier=dossier,
        type=type,
        titre=titre,
        fichier=fichier,
        nom_original=fichier.name[:255],
        taille=fichier.size,
        ajoute_par=par,
    )
    journal.journaliser_modifications(dossier=dossier, avant=avant, par=par, le=piece.ajoute_le)
    return piece


@transaction.atomic
def supprimer_piece(*, piece, par):
    """Remove an attachment from a dossier that may still be edited."""
    _verifier_section(piece.dossier, Section.PIECES)
    avant = journal.prendre_instantane(piece.dossier)
    piece.fichier.delete(save=False)
    piece.delete()
    journal.journaliser_modifications(
        dossier=piece.dossier, avant=avant, par=par, le=timezone.now()
    )


# --- Submission, withdrawal, corrections, renewal ------------------------------------------


def _tirer_numero(appel):
    CompteurReferences.objects.get_or_create(appel=appel)
    compteur = CompteurReferences.objects.select_for_update().get(pk=appel.pk)
    compteur.dernier_numero = F("dernier_numero") + 1
    compteur.save(update_fields=["dernier_numero"])
    compteur.refresh_from_db()
    return compteur.dernier_numero


@transaction.atomic
def deposer_dossier(*, dossier, par, maintenant=None):
    """Submit a complete draft while the call is open (or a corrected dossier at any time)."""
    maintenant = maintenant or timezone.now()
    verrouille = Dossier.objects.select_for_update().select_related("appel").get(pk=dossier.pk)
    if verrouille.statut not in (Statut.BROUILLON, Statut.A_CORRIGER):
        raise TransitionInterdite(
            f"Ce dossier est « {verrouille.get_statut_display()} » : il ne peut pas être déposé."
        )
    appel = verrouille.appel
    if verrouille.statut == Statut.BROUILLON and not appel.est_ouvert(maintenant):
        raise AppelNonOuvert(_message_appel_non_ouvert(appel, maintenant))
    manques = selectors_dossiers.manques(verrouille)
    if manques:
        raise DossierIncomplet(manques)
    if not verrouille.reference:
        verrouille.numero = _tirer_numero(appel)
        verrouille.reference = f"AAP-{appel.annee}-{verrouille.numero:04d}"
        verrouille.depose_le = maintenant
        verrouille.save(update_fields=["numero", "reference", "depose_le"])
    else:
        verrouille.demandes_correction.filter(traitee_le__isnull=True).update(traitee_le=maintenant)
    # The structure's documents are referenced as they are now: later versions do not change
    # what was submitted.
    actuels, _manquants = selectors_dossiers.documents_structure(verrouille.structure)
    verrouille.documents_deposes.set(actuels)
    changer_statut(dossier=verrouille, vers=Statut.DEPOSE, par=par)
    # The PDF and the e-mail are built by the worker: the submission does not wait for them.
    transaction.on_commit(partial(envoyer_recepisse.enqueue, dossier_id=verrouille.pk))
    dossier.statut = verrouille.statut
    dossier.reference = verrouille.reference
    return verrouille


def _message_appel_non_ouvert(appel, maintenant):
    def quand(instant):
        local = timezone.localtime(instant)
        return f"{date_format(local, 'j F Y')} à {date_format(local, 'H:i')}"

    if maintenant < appel.ouverture:
        return f"L'appel à projets n'ouvre que le {quand(appel.ouverture)} (heure de Paris)."
    return (
        f"L'appel à projets est clos depuis le {quand(appel.cloture)} (heure de Paris) : "
        "le dépôt n'est plus possible."
    )


@transaction.atomic
def retirer_dossier(*, dossier, par, motif):
    """Withdraw a dossier before the decision; the reason is required."""
    motif = (motif or "").strip()
    if not motif:
        raise ErreurDossier("Indiquez le motif du retrait.")
    return changer_statut(dossier=dossier, vers=Statut.RETIRE, par=par, motif=motif)


@transaction.atomic
def ouvrir_corrections(*, dossier, sections, par, message):
    """Ask the structure to correct the named sections; they become editable again.

    The declaration is always reopened: a corrected dossier is signed again.
    """
    sections = [Section(s) for s in sections]
    if not sections:
        raise ErreurDossier("Indiquez au moins une section à corriger.")
    if Section.DECLARATION not in sections:
        sections.append(Section.DECLARATION)
    if not (message or "").strip():
        raise ErreurDossier("Expliquez ce qui doit être corrigé.")
    verrouille = changer_statut(
        dossier=dossier, vers=Statut.A_CORRIGER, par=par, motif=message.strip()
    )
    return DemandeCorrection.objects.create(
        dossier=verrouille,
        message=message.strip(),
        sections_codes=",".join(s.value for s in sections),
        demandee_par=par,
    )


CHAMPS_RENOUVELES = (
    "action_principale", "contact_nom", "contact_email", "contact_telephone", "intitule", "resume",
    "contexte", "objectifs", "description", "lieux", "part_beneficiaires_qpv",
    *(f"public_{t.value}" for t in TrancheAge),
    "beneficiaires_femmes", "beneficiaires_hommes", "beneficiaires_filles",
    "beneficiaires_garcons", "salaries", "etpt", "benevoles", "partenaires",
)


@transaction.atomic
def renouveler_dossier(*, source, appel, par, maintenant=None):
    """Start a draft on ``appel`` from a previous year's dossier, copying its content only."""
    maintenant = maintenant or timezone.now()
    if appel.pk == source.appel_id:
        raise ErreurDossier("Un dossier se renouvelle sur l'appel à projets d'une autre année.")
    if not appel.est_ouvert(maintenant):
        raise AppelNonOuvert(_message_appel_non_ouvert(appel, maintenant))
    dossier = Dossier.objects.create(
        structure=source.structure,
        appel=appel,
        renouvelle=source,
        cree_par=par,
        cree_le=maintenant,
        modifie_par=par,
        modifie_le=maintenant,
        **{champ: getattr(source, champ) for champ in CHAMPS_RENOUVELES},
    )
    dossier.actions_secondaires.set(source.actions_secondaires.all())
    dossier.quartiers.set(source.quartiers.all())
    ReponseExigence.objects.bulk_create(
        ReponseExigence(dossier=dossier, exigence_id=r.exigence_id, texte=r.texte)
        for r in source.reponses.all()
    )
    LigneBudget.objects.bulk_create(
        LigneBudget(dossier=dossier, code=lg.code, montant=lg.montant, precision=lg.precision)
        for lg in source.lignes_budget.all()
    )
    _historiser_creation(dossier, par, f"Renouvellement du dossier {source}")
    return dossier


# --- Notifications ----------------------------------------------------------------------------


@task()
def envoyer_recepisse(dossier_id):
    """E-mail the récépissé PDF to every member of the structure (a background task)."""
    from .dossiers.pdf import rendre_dossier_pdf

    dossier = Dossier.objects.select_related("structure", "appel").get(pk=dossier_id)
    destinataires = sorted(
        dossier.structure.membres.values_list("utilisateur__email", flat=True)
    )
    if not destinataires:
        return
    pdf = rendre_dossier_pdf(dossier, recepisse=True)
    message = EmailMessage(
        subject=f"Récépissé de dépôt du dossier {dossier.reference}",
        body=(
            f"Bonjour,\n\nLe dossier {dossier.reference} « {dossier.intitule} » de "
            f"{dossier.structure} a été déposé le "
            f"{date_format(timezone.localtime(dossier.depose_le), 'j F Y à H:i')} "
            f"sur l'appel à projets « {dossier.appel} ».\n\n"
            "Vous trouverez en pièce jointe le récépissé de dépôt, qui résume le dossier.\n\n"
            "Le contrat de ville d'Alès Agglomération"
        ),
        to=destinataires,
    )
    message.attach(f"recepisse-{dossier.reference}.pdf", pdf, "application/pdf")
    message.send()
