"""What the instruction's writes share: the trail, the lock order, the request from the budget."""

from candidatures.dossiers.services.statuts import verrouiller_dossier
from evaluation.models import Avis, Instruction, Modification, VerdictExigence

from ..selectors import commun as selectors_commun


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
    verrouille = verrouiller_dossier(dossier)
    Instruction.objects.get_or_create(dossier=verrouille)
    instruction = Instruction.objects.select_for_update().get(dossier=verrouille)
    return verrouille, instruction


def _rafraichir_montant_demande(instruction, dossier, changements):
    """Copy the request from the budget; drop a proposal the request no longer covers."""
    instruction.montant_demande = selectors_commun.montant_demande(dossier)
    propose = instruction.montant_propose
    if propose is not None and propose > instruction.montant_demande:
        changements.append(("Montant proposé (supérieur au nouveau montant demandé)", propose, ""))
        instruction.montant_propose = None

