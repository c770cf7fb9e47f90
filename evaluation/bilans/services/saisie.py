"""The operator's bilan: open it (prefilled with the budget), save the draft, attach documents."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from candidatures.commun.erreurs import ErreurMetier, SaisieInvalide
from candidatures.commun.validators import TYPES_MIME, extension_de, valider_document
from candidatures.commun.versions import Versionnement, appliquer, enregistrer_lignes
from candidatures.dossiers import budget
from candidatures.dossiers.services.statuts import changer_statut, verrouiller_dossier
from candidatures.models import STATUTS_SAISIE, Dossier, LigneBudget, Statut
from evaluation.models import (
    CHAMPS_BENEFICIAIRES,
    Bilan,
    DetailCompteRendu,
    LigneCompteRendu,
    PieceBilan,
    RealisationIndicateur,
)

from .. import selectors

VALEUR_MAX = 2_000_000_000
# What the Cerfa n°15059*02 asks beside the grid (indirect charges, contributions in kind, place).
CHAMPS_CERFA = ("regle_charges_indirectes", "note_contributions_nature", "fait_a")

MESSAGE_CONFLIT = (
    "Vos modifications n'ont pas été enregistrées : {auteur} a enregistré ce bilan à {heure} "
    "depuis que vous l'avez ouvert. Vos saisies sont conservées ci-dessous ; enregistrez à "
    "nouveau pour remplacer la version enregistrée."
)
VERSIONS = Versionnement(
    champ_par="modifie_par", champ_le="modifie_le", anonyme="un autre membre",
    message=MESSAGE_CONFLIT,
)


@dataclass
class Enregistrement:
    bilan: Bilan
    modifie: bool = False
    sections: set = field(default_factory=set)


# --- Opening --------------------------------------------------------------------------------------


@transaction.atomic
def ouvrir_bilan(*, dossier, par=None, maintenant=None):
    """Start the bilan of a retained action: its compte rendu is prefilled with the budget."""
    maintenant = maintenant or timezone.now()
    verrouille = verrouiller_dossier(dossier)
    existant = Bilan.objects.filter(dossier=verrouille).first()
    if existant is not None:
        return existant
    if verrouille.statut not in STATUTS_SAISIE:
        raise ErreurMetier(
            f"Un dossier « {verrouille.get_statut_display()} » n'a pas de bilan à remettre."
        )
    bilan = Bilan.objects.create(
        dossier=verrouille, cree_le=maintenant, modifie_le=maintenant, modifie_par=par
    )
    LigneCompteRendu.objects.bulk_create(
        LigneCompteRendu(bilan=bilan, code=ligne.code, prevu=ligne.montant)
        # The compte rendu is kept at the level of the accounts: details are in their line.
        for ligne in LigneBudget.objects.filter(
            dossier=verrouille, montant__gt=0, code__in=[lg.code for lg in budget.LIGNES]
        )
    )
    if verrouille.statut == Statut.EN_COURS:
        changer_statut(
            dossier=verrouille, vers=Statut.BILAN_A_REMETTRE, par=par,
            motif="Bilan de l'action commencé.",
        )
    return bilan


# --- Draft ----------------------------------------------------------------------------------------


def _entier_valide(valeur):
    return valeur is None or (
        isinstance(valeur, int) and not isinstance(valeur, bool) and 0 <= valeur <= VALEUR_MAX
    )


MESSAGE_ENTIER = "Saisissez un nombre entier positif ou nul."


def _valider_champs(bilan, champs, erreurs):
    permis = {f.name for f in Bilan._meta.get_fields()} & (
        {*selectors.CHAMPS_QUALITATIFS_REQUIS, *CHAMPS_BENEFICIAIRES,
         "objectifs_commentaire", *CHAMPS_CERFA}
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
        attendus = selectors.champs_realisation(indicateur)
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
    for code, valeurs in lignes.items():
        if code not in budget.PAR_CODE:
            erreurs[f"ligne_{code}"] = "Cette ligne n'existe pas dans le compte rendu financier."
            continue
        if not _entier_valide(valeurs.get("realise")):
            erreurs[f"ligne_{code}"] = "Saisissez un montant en euros entiers, positif ou nul."
        if budget.PAR_CODE[code].parent and set(valeurs) - {"realise"}:
            erreurs[f"ligne_{code}"] = "Seul le montant réalisé d'un détail se saisit."
        elif set(valeurs) - {"realise", "explication"}:
            erreurs[f"ligne_{code}"] = "Seuls le montant réalisé et l'explication se saisissent."


def _enregistrer_details(bilan, lignes):
    """Save the details of ``lignes`` and set each detailed line to the sum of its details.

    ``lignes`` (code → values) loses its details and gains the lines they set; returns whether
    a detail changed.
    """
    details = {
        code: lignes.pop(code) for code in list(lignes) if budget.PAR_CODE[code].parent
    }
    modifie = bool(enregistrer_lignes(
        {d.code: d for d in bilan.details.all()}, details,
        lambda code: DetailCompteRendu(bilan=bilan, code=code),
    ))
    realises = dict(bilan.details.values_list("code", "realise"))
    for parent, sous_lignes in budget.SOUS_LIGNES_DE.items():
        somme = sum(realises.get(s.code) or 0 for s in sous_lignes)
        if somme:  # as in the budget (``budget.reporter_sous_lignes``) and the page's script
            lignes[parent] = {**lignes.get(parent, {}), "realise": somme}
    return modifie


def _verrouiller(bilan, version):
    verrouille = Bilan.objects.select_for_update().get(pk=bilan.pk)
    # The dossier row is locked too (the caller's object, reloaded): its status decides whether
    # the bilan may change, and a status change shows on the caller's bilan.
    dossier = verrouiller_dossier(bilan.dossier)
    verrouille.dossier = dossier
    if dossier.statut not in STATUTS_SAISIE:
        raise ErreurMetier(
            f"Le bilan est « {dossier.get_statut_display()} » : il n'est plus modifiable."
        )
    VERSIONS.verifier(verrouille, version)
    return verrouille


@transaction.atomic
def enregistrer_bilan(
    *, bilan, par, version, champs=None, realisations=None, lignes=None, maintenant=None
):
    """Save what was typed, refusing if someone saved since ``version`` was read.

    ``champs`` maps bilan fields to values, ``realisations`` indicator ids to
    ``{"valeur_femmes": …, "texte": …}``, ``lignes`` budget codes to
    ``{"realise": …, "explication": …}`` (a detail such as 641: ``{"realise": …}`` only; a
    line whose details add up to more than 0 is their sum, whatever was typed on it). Only what
    is given is written; an invalid value refuses the whole call (``SaisieInvalide``).
    """
    verrouille = _verrouiller(bilan, version)
    champs, realisations, lignes = champs or {}, realisations or {}, lignes or {}
    indicateurs = {i.pk: i for i in selectors.indicateurs_du_bilan(verrouille.dossier)}
    erreurs = {}
    _valider_champs(verrouille, champs, erreurs)
    _valider_realisations(indicateurs, realisations, erreurs)
    _valider_lignes(lignes, erreurs)
    if erreurs:
        raise SaisieInvalide(erreurs)
    resultat = Enregistrement(bilan=verrouille)

    if appliquer(verrouille, champs):
        resultat.sections.add("qualitatif")
    if enregistrer_lignes(
        {r.indicateur_id: r for r in verrouille.realisations.all()}, realisations,
        lambda pk: RealisationIndicateur(bilan=verrouille, indicateur_id=pk),
    ):
        resultat.sections.add("indicateurs")
    lignes = dict(lignes)
    if _enregistrer_details(verrouille, lignes):
        resultat.sections.add("financier")
    # A line with no row (nothing forecast) gets one only once an amount or an explanation is
    # given: an empty line differs in nothing from a new row, so none is saved.
    if enregistrer_lignes(
        {lg.code: lg for lg in verrouille.lignes.all()}, lignes,
        lambda code: LigneCompteRendu(bilan=verrouille, code=code, prevu=0),
    ):
        resultat.sections.add("financier")

    if resultat.sections:
        resultat.modifie = True
        VERSIONS.marquer(verrouille, par, maintenant or timezone.now())
        verrouille.save()
    return resultat


# --- Documents ------------------------------------------------------------------------------------


def _bilan_modifiable(bilan):
    statut = Dossier.objects.filter(pk=bilan.dossier_id).values_list("statut", flat=True).get()
    if statut not in STATUTS_SAISIE:
        raise ErreurMetier("Le bilan n'est plus modifiable.")


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
        raise ErreurMetier(" ".join(erreur.messages)) from None
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

