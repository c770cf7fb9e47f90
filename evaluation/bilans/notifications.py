"""E-mails of the bilans: submitted, returned for corrections, validated, reminders."""

from candidatures.commun import courriels

from ..instruction.notifications import instructeurs_du_dossier, membres_de_la_structure
from ..models import Bilan, DemandeCorrectionBilan


def notifier_depot(*, bilan_id):
    """Tell the dossier's instructor that a bilan awaits validation."""
    bilan = Bilan.objects.select_related("dossier__structure").get(pk=bilan_id)
    dossier = bilan.dossier
    return courriels.envoyer(
        sujet=f"Dossier {dossier.reference} : bilan déposé",
        gabarit="bilans/courriels/depot.txt",
        contexte={
            "dossier": dossier,
            "bilan": bilan,
            "lien": courriels.lien_absolu("bilans:detail", dossier.pk),
        },
        destinataires=instructeurs_du_dossier(dossier),
    )


def notifier_corrections(*, demande_id):
    """Tell the structure what to correct in its bilan."""
    demande = DemandeCorrectionBilan.objects.select_related("bilan__dossier__structure").get(
        pk=demande_id
    )
    dossier = demande.bilan.dossier
    return courriels.envoyer(
        sujet=f"Dossier {dossier.reference} : bilan à corriger",
        gabarit="bilans/courriels/corrections.txt",
        contexte={
            "dossier": dossier,
            "demande": demande,
            "lien": courriels.lien_absolu("bilans:saisie", dossier.pk),
        },
        destinataires=membres_de_la_structure(dossier),
    )


def notifier_validation(*, bilan_id):
    """Tell the structure its bilan is validated and the action closed."""
    bilan = Bilan.objects.select_related("dossier__structure").get(pk=bilan_id)
    dossier = bilan.dossier
    return courriels.envoyer(
        sujet=f"Dossier {dossier.reference} : bilan validé",
        gabarit="bilans/courriels/validation.txt",
        contexte={"dossier": dossier, "lien": courriels.lien_absolu("bilans:detail", dossier.pk)},
        destinataires=membres_de_la_structure(dossier),
    )


def envoyer_relance(*, dossier, etape):
    """Remind the structure that its bilan is due soon, or late; return the addresses."""
    echeance = dossier.decision.date_limite_bilan
    return courriels.envoyer(
        sujet=(
            f"Dossier {dossier.reference} : bilan en retard"
            if etape.startswith("j+")
            else f"Dossier {dossier.reference} : bilan à remettre"
        ),
        gabarit="bilans/courriels/relance.txt",
        contexte={
            "dossier": dossier,
            "echeance": echeance,
            "en_retard": etape.startswith("j+"),
            "lien": courriels.lien_absolu("bilans:saisie", dossier.pk),
        },
        destinataires=membres_de_la_structure(dossier),
    )
