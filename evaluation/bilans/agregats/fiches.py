"""A structure's own bilan: each of its dossiers with its forecast and reported figures."""

from dataclasses import dataclass

from django.db.models import Sum

from candidatures.dossiers import budget
from candidatures.models import LigneBudget, PrevisionIndicateur, Statut
from referentiel.models import Indicateur

from ...models import LigneCompteRendu, RealisationIndicateur
from .perimetre import CODES_CONTRAT_VILLE, statuts_comptes
from .resultats import Valeurs


@dataclass
class LigneIndicateurDossier:
    libelle: str
    ventilation: str
    prevu: Valeurs
    realise: Valeurs | None


@dataclass
class LigneFinanciere:
    code: str
    libelle: str
    prevu: int
    realise: int | None

    @property
    def ecart(self):
        return None if self.realise is None else self.realise - self.prevu


@dataclass
class FicheDossier:
    """One dossier of a structure, with its bilan as reported (whatever its status)."""

    reference: str
    intitule: str
    annee: int
    action: str
    statut: str
    bilan_compte: bool
    montant_demande: int
    montant_accorde: int | None
    beneficiaires: Valeurs | None
    indicateurs: list
    financier: list


def fiches_dossiers(perimetre):
    """Every submitted dossier of the scope with its forecast and reported figures."""
    dossiers = perimetre.dossiers()
    comptes = set(statuts_comptes(perimetre.inclure_deposes))
    lignes = list(
        dossiers.values_list(
            "pk", "reference", "intitule", "appel__annee", "action_principale__code", "statut",
            "decision__montant_accorde", "bilan__beneficiaires_femmes",
            "bilan__beneficiaires_hommes", "bilan__beneficiaires_filles",
            "bilan__beneficiaires_garcons", "bilan__pk",
        ).order_by("appel__annee", "reference")
    )
    # Forecasts and budget lines carry their dossier's call: read by the scope's calls too.
    appels = perimetre.appels().values("pk")
    demandes = dict(
        LigneBudget.objects.filter(
            appel__in=appels, dossier__in=dossiers, code__in=CODES_CONTRAT_VILLE
        )
        .values("dossier_id").annotate(m=Sum("montant")).values_list("dossier_id", "m")
        .order_by()
    )
    colonnes = ("valeur", "valeur_femmes", "valeur_hommes", "valeur_filles", "valeur_garcons")
    indicateurs = {
        i.pk: i for i in Indicateur.objects.filter(
            nature=Indicateur.Nature.NOMBRE, objectif__contrat_id=perimetre.contrat_id
        )
    }
    valeurs = {}
    for ligne in PrevisionIndicateur.objects.filter(
        appel__in=appels, dossier__in=dossiers
    ).values_list(
        "dossier_id", "indicateur_id", *colonnes
    ):
        valeurs.setdefault(ligne[0], {})[ligne[1]] = [Valeurs(*(v or 0 for v in ligne[2:])), None]
    for ligne in RealisationIndicateur.objects.filter(bilan__dossier__in=dossiers).values_list(
        "bilan__dossier_id", "indicateur_id", *colonnes
    ):
        if ligne[1] in indicateurs:
            paire = valeurs.setdefault(ligne[0], {}).setdefault(ligne[1], [Valeurs(), None])
            paire[1] = Valeurs(*(v or 0 for v in ligne[2:]))
    financier = {}
    for dossier_id, code, prevu, realise in LigneCompteRendu.objects.filter(
        bilan__dossier__in=dossiers
    ).values_list("bilan__dossier_id", "code", "prevu", "realise"):
        financier.setdefault(dossier_id, {})[code] = (prevu, realise)
    statuts = {valeur: str(libelle) for valeur, libelle in Statut.choices}
    fiches = []
    for (pk, reference, intitule, annee, action, statut, accorde, bf, bh, bfi, bg,
         bilan_pk) in lignes:
        fiches.append(
            FicheDossier(
                reference=reference, intitule=intitule, annee=annee, action=action or "",
                statut=statuts[statut], bilan_compte=statut in comptes,
                montant_demande=demandes.get(pk, 0), montant_accorde=accorde,
                beneficiaires=Valeurs(0, bf or 0, bh or 0, bfi or 0, bg or 0)
                if bilan_pk else None,
                indicateurs=[
                    LigneIndicateurDossier(
                        libelle=indicateurs[i].libelle,
                        ventilation=indicateurs[i].get_ventilation_display(),
                        prevu=prevu, realise=realise,
                    )
                    for i, (prevu, realise) in sorted(
                        valeurs.get(pk, {}).items(),
                        key=lambda e: (indicateurs[e[0]].objectif_id, indicateurs[e[0]].ordre)
                        if e[0] in indicateurs else (0, 0),
                    )
                    if i in indicateurs
                ],
                financier=[
                    LigneFinanciere(ligne.code, ligne.libelle, *financier[pk][ligne.code])
                    for ligne in budget.LIGNES
                    if ligne.code in financier.get(pk, {})
                ],
            )
        )
    return fiches
