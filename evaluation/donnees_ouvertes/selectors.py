"""Which granted subsidies a year's open-data file lists, and which file the public gets."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Min, Prefetch, Q

from evaluation.models import (
    SEUIL_PUBLICATION,
    Decision,
    GenerationPublication,
    PublicationDonnees,
)

Etat = GenerationPublication.Etat

# Every value a row of the file is made of (``scdl.ligne_scdl``): a change to any of them
# (a structure renamed, a decision or a convention corrected, a payment, the call's dispositif)
# changes the fingerprint, so the published file follows its data.
CHAMPS_EMPREINTE = (
    "pk", "reference_deliberation", "date_limite_bilan", "dossier__reference",
    "dossier__numero", "dossier__intitule", "dossier__action_principale__code",
    "dossier__structure__raison_sociale", "dossier__structure__siret",
    "dossier__structure__rna", "dossier__convention__date_signature",
    "dossier__convention__montant_accorde", "dossier__convention__part_avance",
    "dossier__convention__solde_verse", "dossier__convention__sans_solde",
    "dossier__appel__parametres_conventions__dispositif_aide",
)


def _retenues():
    """Retained subsidies with a recorded convention, above the legal threshold (décret
    2017-779) or chosen by the administrator."""
    return Decision.objects.filter(
        nature=Decision.Nature.RETENU, dossier__convention__isnull=False
    ).filter(
        Q(dossier__convention__montant_accorde__gt=SEUIL_PUBLICATION)
        | Q(dossier__convention__publier=True)
    )


def subventions_a_publier(contrat_id, annee):
    """The subsidies the contract's file of that year lists."""
    return (
        _retenues()
        .filter(dossier__appel__contrat_id=contrat_id, dossier__appel__annee=annee)
        .select_related(
            "dossier__structure", "dossier__appel__parametres_conventions",
            "dossier__action_principale", "dossier__convention",
        )
        .prefetch_related("dossier__convention__paiements")
        .order_by("dossier__numero", "pk")
    )


def empreintes(publications):
    """The fingerprint of the data of each publication (by pk), in one query."""
    publications = list(publications)
    if not publications:
        return {}
    annees = Q()
    for publication in publications:
        annees |= Q(dossier__appel__contrat_id=publication.contrat_id,
                    dossier__appel__annee=publication.annee)
    lignes = (
        _retenues().filter(annees)
        .values("dossier__appel__contrat_id", "dossier__appel__annee", *CHAMPS_EMPREINTE)
        .annotate(
            paiements=Count("dossier__convention__paiements"),
            premier=Min("dossier__convention__paiements__date"),
            dernier=Max("dossier__convention__paiements__date"),
        )
        .order_by("dossier__numero", "pk")
    )
    par_annee = {}
    for ligne in lignes:
        cle = (ligne.pop("dossier__appel__contrat_id"), ligne.pop("dossier__appel__annee"))
        par_annee.setdefault(cle, []).append(sorted(ligne.items()))
    attribuant = [settings.ATTRIBUANT_NOM, settings.ATTRIBUANT_SIRET]
    return {
        p.pk: hashlib.sha256(
            repr([attribuant, par_annee.get((p.contrat_id, p.annee), [])]).encode()
        ).hexdigest()
        for p in publications
    }


@dataclass
class EtatPublication:
    """A published year as its pages show it: the file served, and whether a newer one is
    being built from data that changed since."""

    publication: PublicationDonnees
    servi: GenerationPublication | None
    en_preparation: bool

    def __getattr__(self, nom):
        return getattr(self.publication, nom)


def _etat(publication):
    generations = publication.generations.all()
    servi = next((g for g in generations if g.est_terminee), None)
    plus_recentes = [g for g in generations if servi is None or g.demandee_le > servi.demandee_le]
    return EtatPublication(
        publication=publication, servi=servi,
        en_preparation=any(g.est_en_cours for g in plus_recentes),
    )


def _avec_generations(publications):
    return publications.select_related("contrat__territoire").prefetch_related(
        Prefetch(
            "generations",
            queryset=GenerationPublication.objects.exclude(etat=Etat.ECHEC).order_by(
                "-demandee_le"
            ),
        )
    )


def etats_publications():
    """Every published year, newest first, with the file served."""
    publications = _avec_generations(PublicationDonnees.objects.order_by("-annee", "contrat__nom"))
    return [_etat(p) for p in publications]


def etat_publication(contrat_id, annee):
    """The state of the contract's publication of that year, or None."""
    publication = _avec_generations(
        PublicationDonnees.objects.filter(contrat_id=contrat_id, annee=annee)
    ).first()
    return _etat(publication) if publication else None
