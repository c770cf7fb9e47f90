"""Drafts: create one, save what was typed, sign the declaration, attach documents."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ...commun.erreurs import ConflitVersion, ErreurMetier
from ...commun.validators import valider_document
from ...models import (
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
from ...structures.permissions import est_responsable
from .. import journal


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


MESSAGE_CONFLIT = (
    "Vos modifications n'ont pas été enregistrées : {auteur} a enregistré ce dossier à {heure} "
    "depuis que vous l'avez ouvert. Vos saisies sont conservées ci-dessous ; consultez la version "
    "enregistrée, puis enregistrez à nouveau pour remplacer la sienne."
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
        raise ConflitVersion(
            verrouille, auteur=verrouille.modifie_par or "un autre membre",
            le=verrouille.modifie_le, message=MESSAGE_CONFLIT,
        )
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
