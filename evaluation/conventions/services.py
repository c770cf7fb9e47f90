"""Conventions, payments and recoveries: every write, checked and locked."""

from functools import partial

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from candidatures.commun.erreurs import ErreurMetier, SaisieInvalide
from candidatures.commun.formats import euros
from candidatures.dossiers import budget
from evaluation.donnees_ouvertes.services import actualiser_apres_changement
from evaluation.models import (
    Convention,
    LigneCompteRendu,
    Paiement,
    ParametresConventions,
)

from . import modele
from .permissions import (
    peut_enregistrer_convention,
    peut_gerer_conventions,
    peut_parametrer_conventions,
)
from .taches import demander_pdf


def parametres_de(appel):
    """The call's convention settings, defaults if the administrator set none yet."""
    parametres = getattr(appel, "parametres_conventions", None)
    return parametres or ParametresConventions(appel=appel)


def _signaler_changement(appel):
    transaction.on_commit(
        partial(actualiser_apres_changement, contrat_id=appel.contrat_id, annee=appel.annee)
    )


@transaction.atomic
def parametrer_conventions(*, appel, par, part_avance, modele_texte, dispositif_aide=None):
    """Set the call's schedule default, convention text and dispositif d'aide identifier."""
    if not peut_parametrer_conventions(par, appel):
        raise ErreurMetier("Seuls les administrateurs du contrat règlent les conventions.")
    erreurs = {}
    if part_avance is None or not 1 <= part_avance <= 100:
        erreurs["part_avance"] = "Indiquez une part comprise entre 1 et 100 %."
    problemes = modele.erreurs_du_modele(modele_texte or "")
    if not (modele_texte or "").strip():
        problemes.append("Écrivez le texte de la convention.")
    if problemes:
        erreurs["modele"] = " ".join(problemes)
    if erreurs:
        raise SaisieInvalide(erreurs)
    parametres, _cree = ParametresConventions.objects.select_for_update().get_or_create(
        appel=appel
    )
    parametres.part_avance = part_avance
    parametres.modele = modele_texte
    parametres.dispositif_aide = dispositif_aide
    parametres.modifie_par = par
    parametres.modifie_le = timezone.now()
    parametres.save()
    _signaler_changement(appel)
    return parametres


def _valider_convention(*, reference, date_signature, signataires, deliberation, part_avance):
    erreurs = {}
    if not (reference or "").strip():
        erreurs["reference"] = "Indiquez la référence de la convention."
    if date_signature is None:
        erreurs["date_signature"] = "Indiquez la date de la convention."
    elif date_signature > timezone.localdate():
        erreurs["date_signature"] = "La date de la convention ne peut pas être à venir."
    if not (signataires or "").strip():
        erreurs["signataires"] = "Indiquez qui signe la convention."
    if not (deliberation or "").strip():
        erreurs["deliberation"] = "Indiquez la délibération que la convention exécute."
    if part_avance is None or not 1 <= part_avance <= 100:
        erreurs["part_avance"] = "Indiquez une part comprise entre 1 et 100 %."
    return erreurs


@transaction.atomic
def enregistrer_convention(
    *, dossier, par, reference, date_signature, signataires, deliberation, part_avance=None,
    publier=False,
):
    """Record (or correct) the convention of a retained dossier, then render its PDF."""
    if not peut_enregistrer_convention(par, dossier):
        raise ErreurMetier(
            "Seuls les instructeurs et administrateurs du contrat enregistrent la convention "
            "d'un dossier retenu."
        )
    existante = Convention.objects.select_for_update().filter(dossier=dossier).first()
    if part_avance is None:
        part_avance = existante.part_avance if existante else part_avance_par_defaut(dossier)
    erreurs = _valider_convention(
        reference=reference, date_signature=date_signature, signataires=signataires,
        deliberation=deliberation, part_avance=part_avance,
    )
    if erreurs:
        raise SaisieInvalide(erreurs)
    convention = existante or Convention(dossier=dossier, enregistree_par=par)
    convention.reference = reference.strip()
    convention.date_signature = date_signature
    convention.signataires = signataires.strip()
    convention.deliberation = deliberation.strip()
    convention.part_avance = part_avance
    convention.publier = bool(publier)
    convention.montant_accorde = dossier.decision.montant_accorde
    convention.modifiee_le = timezone.now()
    convention.save()
    demander_pdf(convention, par)
    _signaler_changement(dossier.appel)
    return convention


def part_avance_par_defaut(dossier):
    """The advance a new convention proposes: 100 % for a single payment, else the call's."""
    if dossier.decision.versement == dossier.decision.Versement.UNIQUE:
        return 100
    return parametres_de(dossier.appel).part_avance


def bilan_valide(dossier):
    """Whether the dossier's bilan has been validated by an instructor."""
    bilan = getattr(dossier, "bilan", None)
    return bilan is not None and bilan.valide_le is not None


def _verrouiller(convention, par):
    if not peut_gerer_conventions(par, convention.dossier.appel):
        raise ErreurMetier(
            "Seuls les instructeurs et administrateurs du contrat enregistrent les paiements."
        )
    return Convention.objects.select_for_update().get(pk=convention.pk)


def _refus_paiement(convention, nature, montant):
    """The field and French reason why this payment may not be made, or None."""
    if convention.solde_verse:
        return "nature", "Le solde est déjà versé : la subvention est entièrement payée."
    if nature == Paiement.Nature.SOLDE:
        if convention.sans_solde:
            return "nature", (
                "Le solde n'est pas dû : bilan refusé ou action non réalisée "
                f"({convention.motif_sans_solde})."
            )
        if not bilan_valide(convention.dossier):
            return "nature", "Le solde ne peut être versé qu'après la validation du bilan."
    reste = convention.montant_accorde - convention.montant_verse
    if montant > reste:
        return "montant", (
            f"Ce paiement de {euros(montant)} dépasserait le montant accordé "
            f"({euros(convention.montant_accorde)}) : il reste {euros(reste)} à verser."
        )
    return None


@transaction.atomic
def enregistrer_paiement(*, convention, par, nature, date, montant):
    """Record a payment; never beyond the granted amount, the balance after the bilan only."""
    verrouillee = _verrouiller(convention, par)
    erreurs = {}
    if nature not in Paiement.Nature.values:
        erreurs["nature"] = "Choisissez avance, acompte ou solde."
    if date is None:
        erreurs["date"] = "Indiquez la date du paiement."
    elif date < verrouillee.date_signature:
        erreurs["date"] = "Un paiement ne peut pas précéder la date de la convention."
    elif date > timezone.localdate():
        erreurs["date"] = "Enregistrez un paiement une fois fait : sa date ne peut être à venir."
    if not montant or montant <= 0:
        erreurs["montant"] = "Indiquez un montant en euros, supérieur à zéro."
    if erreurs:
        raise SaisieInvalide(erreurs)
    refus = _refus_paiement(verrouillee, nature, montant)
    if refus:
        raise SaisieInvalide(dict([refus]))
    paiement = Paiement.objects.create(
        convention=verrouillee, nature=nature, date=date, montant=montant, saisi_par=par
    )
    verrouillee.montant_verse += montant
    verrouillee.solde_verse = nature == Paiement.Nature.SOLDE
    verrouillee.modifiee_le = timezone.now()
    verrouillee.save(update_fields=["montant_verse", "solde_verse", "modifiee_le"])
    _signaler_changement(verrouillee.dossier.appel)
    return paiement


@transaction.atomic
def renoncer_au_solde(*, convention, par, motif, action_non_realisee=False):
    """Record that the balance is not due: bilan refused, or action not carried out."""
    verrouillee = _verrouiller(convention, par)
    if not (motif or "").strip():
        raise SaisieInvalide({"motif": "Indiquez pourquoi le solde n'est pas versé."})
    if verrouillee.solde_verse:
        raise ErreurMetier("Le solde est déjà versé : ce qui est dû se recouvre par un titre.")
    verrouillee.sans_solde = True
    verrouillee.action_non_realisee = bool(action_non_realisee)
    verrouillee.motif_sans_solde = motif.strip()
    verrouillee.modifiee_le = timezone.now()
    verrouillee.save()
    _signaler_changement(verrouillee.dossier.appel)
    return verrouillee


def depenses_realisees(dossier):
    """Actual spending of the action (charges of the compte rendu financier), or None."""
    codes_charges = [code for code, poste in budget.PAR_CODE.items() if poste.cote == budget.CHARGE]
    total = LigneCompteRendu.objects.filter(
        bilan__dossier=dossier, bilan__depose_le__isnull=False, code__in=codes_charges,
        realise__isnull=False,
    ).aggregate(total=Sum("realise"))["total"]
    return total


def a_recouvrer(convention, depenses=None):
    """The amount to claim back (titre de recette): what was paid beyond what is justified.

    An action not carried out justifies nothing; otherwise the actual spending of the compte
    rendu financier justifies up to itself. Without a compte rendu, nothing is claimed yet.
    """
    if convention.action_non_realisee:
        return convention.montant_verse
    if depenses is None:
        return 0
    return max(0, convention.montant_verse - depenses)

