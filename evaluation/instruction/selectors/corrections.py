"""Corrections: what the structure changed after each request."""

from dataclasses import dataclass

from candidatures.dossiers.journal import comparer, prendre_instantane
from candidatures.models import DemandeCorrection


@dataclass
class Comparaison:
    demande: DemandeCorrection
    echeance: object
    ecarts: list
    en_cours: bool


def comparaisons(dossier):
    """For each correction request, what the structure changed since (latest request first)."""
    demandes = list(
        DemandeCorrection.objects.filter(dossier=dossier, suivi__isnull=False)
        .select_related("suivi", "demandee_par")
        .order_by("demandee_le", "pk")
    )
    resultat = []
    actuel = None
    for i, demande in enumerate(demandes):
        if i + 1 < len(demandes):
            apres = demandes[i + 1].suivi.avant
        else:
            actuel = actuel or prendre_instantane(dossier)
            apres = actuel
        resultat.append(
            Comparaison(
                demande=demande,
                echeance=demande.suivi.echeance,
                ecarts=comparer(demande.suivi.avant, apres),
                en_cours=demande.traitee_le is None,
            )
        )
    return list(reversed(resultat))

