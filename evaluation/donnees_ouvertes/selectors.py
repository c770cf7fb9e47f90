"""Which granted subsidies a year's open-data file lists."""

from django.db.models import Q

from evaluation.models import SEUIL_PUBLICATION, Decision, PublicationDonnees


def subventions_a_publier(contrat_id, annee):
    """Retained subsidies of the contract's calls of that year whose convention is recorded,
    above the legal threshold (décret 2017-779) or chosen by the administrator."""
    return (
        Decision.objects.filter(
            nature=Decision.Nature.RETENU,
            dossier__appel__contrat_id=contrat_id,
            dossier__appel__annee=annee,
            dossier__convention__isnull=False,
        )
        .filter(
            Q(dossier__convention__montant_accorde__gt=SEUIL_PUBLICATION)
            | Q(dossier__convention__publier=True)
        )
        .select_related(
            "dossier__structure", "dossier__appel__parametres_conventions",
            "dossier__action_principale", "dossier__convention",
        )
        .prefetch_related("dossier__convention__paiements")
        .order_by("dossier__numero", "pk")
    )


def publications_publiques():
    """The published years, newest first, with their contract."""
    return (
        PublicationDonnees.objects.exclude(fichier="")
        .select_related("contrat__territoire")
        .order_by("-annee", "contrat__nom")
    )
