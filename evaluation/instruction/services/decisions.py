"""The comité's decisions, one by one or in a batch."""

from functools import partial

from django.db import transaction
from django.utils import timezone

from candidatures.commun.erreurs import ErreurMetier, SaisieInvalide
from candidatures.commun.formats import euros
from candidatures.dossiers.services.statuts import changer_statut, verrouiller_dossier
from candidatures.models import Statut
from evaluation.models import Decision, Modification

from .. import notifications
from ..permissions import contrat_de, est_comite
from ..selectors import commun as selectors_commun
from .commun import _journaliser


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
                f"Le montant accordé ({euros(montant_accorde)}) dépasse le montant demandé "
                f"({euros(montant_demande)})."
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
    if not est_comite(par, contrat_de(dossier)):
        raise ErreurMetier("Seuls le comité de pilotage et les administrateurs décident.")
    verrouille = verrouiller_dossier(dossier)
    montant_demande = selectors_commun.montant_demande(verrouille)
    erreurs = _valider_decision(
        nature=nature, montant_accorde=montant_accorde, motif=motif,
        date_limite_bilan=date_limite_bilan, montant_demande=montant_demande,
        aujourd_hui=timezone.localdate(maintenant),
    )
    if erreurs:
        raise SaisieInvalide(erreurs)
    if Decision.objects.filter(dossier=verrouille).exists():
        raise ErreurMetier("Ce dossier a déjà reçu une décision.")
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
        + ([("Montant accordé", "", euros(montant_accorde))] if retenu else []),
    )
    transaction.on_commit(
        partial(notifications.notifier_decision.enqueue, decision_id=decision.pk)
    )
    return decision


class ErreurLot(ErreurMetier):
    """A decision of a batch was refused: nothing of the batch was recorded.

    ``index`` is the refused line, ``erreur`` its refusal (shown on that line's form).
    """

    def __init__(self, index, erreur):
        self.index = index
        self.erreur = erreur
        super().__init__(str(erreur))


@transaction.atomic
def decider_en_lot(*, lignes, par, maintenant=None):
    """Record several decisions at once: all of them, or none if one is refused."""
    maintenant = maintenant or timezone.now()
    decisions = []
    for index, ligne in enumerate(lignes):
        try:
            decisions.append(decider(par=par, maintenant=maintenant, **ligne))
        except ErreurMetier as erreur:
            raise ErreurLot(index, erreur) from erreur
    return decisions

