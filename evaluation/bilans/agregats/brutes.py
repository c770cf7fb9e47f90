"""Raw rows of the counted bilans (one per dossier and numeric indicator), for pivot tables."""

from dataclasses import dataclass

from candidatures.models import Dossier, PrevisionIndicateur, Statut
from referentiel.models import Indicateur, QuartierPrioritaire

from ...models import RealisationIndicateur
from .resultats import Valeurs


@dataclass(slots=True)
class LigneBrute:
    """One dossier × indicator, for pivot tables: forecast and achieved values side by side."""

    annee: int
    reference: str
    structure: str
    pilier: str
    orientation: str
    objectif: str
    action: str
    quartiers: str
    statut: str
    indicateur: str
    ventilation: str
    prevu: Valeurs
    realise: Valeurs


def lignes_brutes(perimetre):
    """Dossier × numeric indicator rows of the counted bilans, ordered by year and reference."""
    dossiers = perimetre.dossiers_comptes()
    infos = {
        d[0]: d
        for d in dossiers.values_list(
            "pk", "appel__annee", "reference", "structure__raison_sociale", "statut",
            "action_principale__code", "action_principale__objectif__code",
            "action_principale__objectif__orientation__code",
            "action_principale__objectif__orientation__pilier__code",
        )
    }
    quartiers = {}
    liens = list(Dossier.quartiers.through.objects.filter(
        dossier_id__in=dossiers.values("pk")
    ).values_list("dossier_id", "quartierprioritaire_id"))
    noms = {
        q.pk: str(q)
        for q in QuartierPrioritaire.objects.filter(pk__in={qpv for _d, qpv in liens})
    }
    for dossier_id, qpv_id in liens:
        quartiers.setdefault(dossier_id, []).append(noms[qpv_id])
    indicateurs = {
        i.pk: i for i in Indicateur.objects.filter(
            nature=Indicateur.Nature.NOMBRE, objectif__contrat_id=perimetre.contrat_id
        )
    }
    colonnes = ("valeur", "valeur_femmes", "valeur_hommes", "valeur_filles", "valeur_garcons")
    valeurs = {}
    # Forecasts carry their dossier's call: read by the scope's calls too.
    for ligne in PrevisionIndicateur.objects.filter(
        appel__in=perimetre.appels().values("pk"), dossier__in=dossiers
    ).values_list(
        "dossier_id", "indicateur_id", *colonnes
    ):
        valeurs[(ligne[0], ligne[1])] = [Valeurs(*(v or 0 for v in ligne[2:])), Valeurs()]
    for ligne in RealisationIndicateur.objects.filter(bilan__dossier__in=dossiers).values_list(
        "bilan__dossier_id", "indicateur_id", *colonnes
    ):
        if ligne[1] not in indicateurs:
            continue
        paire = valeurs.setdefault((ligne[0], ligne[1]), [Valeurs(), Valeurs()])
        paire[1] = Valeurs(*(v or 0 for v in ligne[2:]))
    statuts = {valeur: str(libelle) for valeur, libelle in Statut.choices}
    lignes = []
    for (dossier_id, indicateur_id), (prevu, realise) in valeurs.items():
        info = infos.get(dossier_id)
        indicateur = indicateurs.get(indicateur_id)
        if info is None or indicateur is None:
            continue
        lignes.append(
            LigneBrute(
                annee=info[1], reference=info[2], structure=info[3], pilier=info[8] or "",
                orientation=info[7] or "", objectif=info[6] or "", action=info[5] or "",
                quartiers=", ".join(sorted(quartiers.get(dossier_id, []))),
                statut=statuts[info[4]],
                indicateur=indicateur.libelle,
                ventilation=indicateur.ventilation_json or "",
                prevu=prevu, realise=realise,
            )
        )
    lignes.sort(key=lambda lg: (lg.annee, lg.reference, lg.objectif, lg.indicateur))
    return lignes
