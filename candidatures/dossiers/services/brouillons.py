"""Drafts: create one, save what was typed, sign the declaration, attach documents."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ...commun.erreurs import ErreurMetier
from ...commun.validators import valider_document
from ...commun.versions import Versionnement, appliquer, enregistrer_lignes
from ...models import (
    Dossier,
    HistoriqueStatut,
    LigneBudget,
    PieceJointe,
    PrevisionIndicateur,
    ReponseExigence,
    Section,
    Statut,
)
from ...structures.permissions import est_responsable
from .. import budget, journal
from ..champs import SECTION_DU_CHAMP
from .montants import actualiser_montant_demande


def _historiser_creation(dossier, par, motif):
    HistoriqueStatut.objects.create(
        dossier=dossier, de="", vers=Statut.BROUILLON, par=par, motif=motif, le=dossier.cree_le
    )


@transaction.atomic
def creer_dossier(*, structure, appel, par, maintenant=None):
    """Start an empty draft for a structure on a call that is not closed."""
    maintenant = maintenant or timezone.now()
    if appel.etat(maintenant) == appel.Etat.CLOS:
        raise ErreurMetier(
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
        contact_prenom=structure.contact_prenom,
        contact_fonction=structure.contact_fonction,
    )
    _historiser_creation(dossier, par, "")
    return dossier


CHAMPS_M2M = {"actions_secondaires", "quartiers"}


MESSAGE_CONFLIT = (
    "Vos modifications n'ont pas été enregistrées : {auteur} a enregistré ce dossier à {heure} "
    "depuis que vous l'avez ouvert. Vos saisies sont conservées ci-dessous ; consultez la version "
    "enregistrée, puis enregistrez à nouveau pour remplacer la sienne."
)
VERSIONS = Versionnement(
    champ_par="modifie_par", champ_le="modifie_le", anonyme="un autre membre",
    message=MESSAGE_CONFLIT,
)


@dataclass
class Enregistrement:
    dossier: Dossier
    modifie: bool = False
    signature_annulee: bool = False
    sections: set = field(default_factory=set)


def _verifier_section(dossier, section):
    if section not in dossier.sections_modifiables():
        if dossier.statut == Statut.A_CORRIGER:
            raise ErreurMetier(
                f"La section « {Section(section).label} » n'est pas ouverte à la correction."
            )
        raise ErreurMetier(
            f"Ce dossier est « {dossier.get_statut_display()} » : il n'est plus modifiable."
        )


def _appliquer_champs(dossier, champs):
    """Set the dossier fields that changed; return the sections they belong to."""
    sections = set()
    for nom, valeur in champs.items():
        section = SECTION_DU_CHAMP[nom]
        _verifier_section(dossier, section)
        if nom in CHAMPS_M2M:
            actuels = set(getattr(dossier, nom).values_list("pk", flat=True))
            nouveaux = {getattr(v, "pk", v) for v in valeur}
            if actuels != nouveaux:
                getattr(dossier, nom).set(nouveaux)
                sections.add(section)
        elif nom == "action_principale":
            if dossier.action_principale_id != getattr(valeur, "pk", valeur):
                dossier.action_principale = valeur
                sections.add(section)
        elif appliquer(dossier, {nom: valeur}):
            sections.add(section)
    return sections


def _enregistrer_lignes(dossier, section, existantes, saisies, nouvelle):
    """Save the rows of one section that changed; return the section if any did."""
    if not saisies:
        return set()
    _verifier_section(dossier, section)
    return {section} if enregistrer_lignes(existantes, saisies, nouvelle) else set()


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
    verrouille = VERSIONS.verrouiller(Dossier.objects, version, pk=dossier.pk)
    resultat = Enregistrement(dossier=verrouille)
    avant = journal.prendre_instantane(verrouille)

    resultat.sections |= _appliquer_champs(verrouille, champs or {})
    resultat.sections |= _enregistrer_lignes(
        verrouille, Section.CAHIER,
        {r.exigence_id: r for r in verrouille.reponses.all()},
        {exigence_id: {"texte": texte} for exigence_id, texte in (reponses or {}).items()},
        lambda exigence_id: ReponseExigence(dossier=verrouille, exigence_id=exigence_id),
    )
    resultat.sections |= _enregistrer_lignes(
        verrouille, Section.INDICATEURS,
        {p.indicateur_id: p for p in verrouille.previsions.all()}, previsions,
        lambda indicateur_id: PrevisionIndicateur(dossier=verrouille, indicateur_id=indicateur_id),
    )
    resultat.sections |= _enregistrer_lignes(
        verrouille, Section.BUDGET, {lg.code: lg for lg in verrouille.lignes_budget.all()},
        budget.reporter_sous_lignes(dict(lignes)) if lignes else lignes,
        lambda code: LigneBudget(dossier=verrouille, code=code),
    )

    if resultat.sections:
        resultat.modifie = True
        if Section.BUDGET in resultat.sections:
            actualiser_montant_demande(verrouille)
        VERSIONS.marquer(verrouille, par, maintenant or timezone.now())
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
        raise ErreurMetier(
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
        raise ErreurMetier(
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
        raise ErreurMetier(" ".join(erreur.messages)) from None
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
