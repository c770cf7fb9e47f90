"""Submission of a bilan, and the instructor's answer: corrections asked, or validation."""

from functools import partial

from django.db import transaction
from django.utils import timezone

from candidatures.commun.erreurs import ErreurMetier, Incomplet, SaisieInvalide
from candidatures.dossiers.services.statuts import changer_statut, verrouiller_dossier
from candidatures.models import Statut
from candidatures.structures.permissions import est_membre
from evaluation.instruction.permissions import contrat_de, est_instructeur
from evaluation.models import Bilan, DemandeCorrectionBilan

from .. import notifications, selectors
from .saisie import _verrouiller


@transaction.atomic
def deposer_bilan(*, bilan, par, qualite="", maintenant=None):
    """Submit a complete bilan; the member who submits signs the attestation."""
    maintenant = maintenant or timezone.now()
    verrouille = _verrouiller(bilan, None)
    dossier = verrouille.dossier
    if not est_membre(par, dossier.structure):
        raise ErreurMetier("Seul un membre de la structure dépose son bilan.")
    manques = selectors.manques(verrouille)
    if manques:
        raise Incomplet(_message_incomplet(manques), manques)
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
    transaction.on_commit(partial(notifications.notifier_depot, bilan_id=verrouille.pk))
    return verrouille


def _message_incomplet(manques):
    nombre = sum(len(m) for m in manques.values())
    sections = ", ".join(selectors.SECTIONS[s] for s in manques)
    return (
        f"Le bilan ne peut pas être déposé : {nombre} élément{'s' if nombre > 1 else ''} "
        f"à compléter ({sections})."
    )


def _verrouiller_depose(bilan, par, action):
    if not est_instructeur(par, contrat_de(bilan.dossier)):
        raise ErreurMetier(f"Seuls les instructeurs {action} les bilans.")
    verrouille = Bilan.objects.select_for_update().get(pk=bilan.pk)
    dossier = verrouiller_dossier(bilan.dossier)
    if dossier.statut != Statut.BILAN_DEPOSE:
        raise ErreurMetier(
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
        raise SaisieInvalide({"message": "Expliquez ce qui doit être corrigé."})
    verrouille = _verrouiller_depose(bilan, par, "renvoient")
    changer_statut(
        dossier=verrouille.dossier, vers=Statut.BILAN_A_CORRIGER, par=par, motif=message
    )
    demande = DemandeCorrectionBilan.objects.create(
        bilan=verrouille, message=message, demandee_par=par, demandee_le=maintenant
    )
    verrouille.modifie_le = maintenant
    verrouille.save(update_fields=["modifie_le"])
    transaction.on_commit(
        partial(notifications.notifier_corrections, demande_id=demande.pk)
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
    transaction.on_commit(partial(notifications.notifier_validation, bilan_id=verrouille.pk))
    return verrouille

