"""The annual bilan of a scope: each dossier read once, then summed by action, QPV and structure.

The dossiers of the scope's calls are read once, through the index that starts with the call
(``dossier_soumis_appel_statut``), with their own one-to-one figures (instruction, decision,
bilan); their budget lines and QPV likewise, once. Python then adds each dossier to its action,
to each of its QPV and to its structure, and rolls the actions up to objective, orientation and
pilier: a sum of sums, exact because a dossier counts under one action only. A dossier may cover
several QPV: it then counts once in each of them (the QPV table does not add up).

Reading each dossier once rather than once per grouping keeps the cost of a contract's year
proportional to that year, whatever the number of contracts sharing the portal.
"""

from operator import add

from django.db.models import Count, FilteredRelation, Q, Sum
from django.utils import timezone

from candidatures.dossiers import budget
from candidatures.models import (
    STATUTS_REFUSES,
    STATUTS_RETENUS,
    Dossier,
    LigneBudget,
    PrevisionIndicateur,
    Structure,
)
from referentiel.models import Contrat, Pilier, QuartierPrioritaire

from ...models import LigneCompteRendu, RealisationIndicateur
from . import arbre
from .perimetre import CODES_CONTRAT_VILLE, CODES_FINANCEURS, statuts_comptes
from .resultats import (
    BilanAnnuel,
    Chiffres,
    Financeur,
    LigneAnnee,
    LigneQuartier,
    LigneStructure,
)

CODES_LUS = sorted(CODES_CONTRAT_VILLE | set(CODES_FINANCEURS))
# Position of the request in a dossier's vector, in the order of ``Chiffres``' fields.
DEMANDE = 3
SANS_QUARTIER = (None,)


def _vecteurs(perimetre, dossiers, annee_de_l_appel):
    """Each dossier's own figures, in the order of ``Chiffres``' fields (request still 0).

    The instruction, decision and bilan of each dossier are joined on the dossier *and* on the
    scope's calls: each of these tables is then read through its index that starts with the
    call (and holds the figures), never in full, however many contracts share it.

    Returns {dossier id: (year, action id, structure id, vector)}.
    """
    appels = list(annee_de_l_appel)
    comptes = set(statuts_comptes(perimetre.inclure_deposes))
    retenus, refuses = set(STATUTS_RETENUS), set(STATUTS_REFUSES)
    resultat = {}
    for (pk, appel_id, action_id, structure_id, statut, propose, accorde, femmes, hommes, filles,
         garcons) in dossiers.annotate(
        **{alias: FilteredRelation(relation, condition=Q(**{f"{relation}__appel_id__in": appels}))
           for alias, relation in (("i", "instruction"), ("d", "decision"), ("b", "bilan"))}
    ).values_list(
        "pk", "appel_id", "action_principale_id", "structure_id", "statut",
        "i__montant_propose", "d__montant_accorde",
        "b__beneficiaires_femmes", "b__beneficiaires_hommes",
        "b__beneficiaires_filles", "b__beneficiaires_garcons",
    ).order_by():
        compte = statut in comptes
        resultat[pk] = (
            annee_de_l_appel[appel_id], action_id, structure_id,
            [
                1, int(statut in retenus), int(statut in refuses), 0, propose or 0,
                accorde or 0, int(compte),
                (femmes or 0) if compte else 0, (hommes or 0) if compte else 0,
                (filles or 0) if compte else 0, (garcons or 0) if compte else 0,
            ],
        )
    return resultat


def _budgets(dossiers, appels, par_dossier, chemins, lignes):
    """Add each dossier's request to its vector; the funders' planned co-financing.

    The budget lines carry their dossier's call: filtered by the scope's calls, they are read
    through their index that starts with the call and the line's code.
    """
    financeurs = {code: Financeur(code, budget.PAR_CODE[code].libelle) for code in CODES_FINANCEURS}
    financeurs_par_pilier = {
        ligne.code: {code: Financeur(code, budget.PAR_CODE[code].libelle)
                     for code in CODES_FINANCEURS}
        for ligne in lignes["piliers"].values()
    }
    for dossier_id, code, montant in LigneBudget.objects.filter(
        appel_id__in=appels, code__in=CODES_LUS, dossier__in=dossiers
    ).values_list("dossier_id", "code", "montant").order_by():
        info = par_dossier.get(dossier_id)
        if info is None:
            continue
        if code in CODES_CONTRAT_VILLE:
            info[3][DEMANDE] += montant
        if code in financeurs:
            financeurs[code].demande += montant
            chemin = chemins.get(info[1])
            if chemin:
                financeurs_par_pilier[chemin[3].code][code].demande += montant
    return financeurs, financeurs_par_pilier


def _comptes_rendus(perimetre, dossiers, appels, par_dossier, chemins, financeurs,
                    financeurs_par_pilier):
    """The comptes rendus financiers of the counted bilans, in total and per pilier.

    Read per dossier, whose action is already known (``par_dossier``): no join back to the
    dossiers' rows, which lie among every other contract's.
    """
    for dossier_id, code, prevu, realise in (
        LigneCompteRendu.objects.filter(
            bilan__appel_id__in=appels,
            bilan__dossier__in=dossiers.filter(
                statut__in=statuts_comptes(perimetre.inclure_deposes)
            ),
            code__in=CODES_FINANCEURS,
        )
        .values_list("bilan__dossier_id", "code", "prevu", "realise")
        .order_by()
    ):
        info = par_dossier.get(dossier_id)
        chemin = chemins.get(info[1]) if info else None
        cibles = [financeurs]
        if chemin:
            cibles.append(financeurs_par_pilier[chemin[3].code])
        for cible in cibles:
            cible[code].prevu_bilans += prevu or 0
            cible[code].realise_bilans += realise or 0


def _indicateurs(perimetre, dossiers, appels):
    """Indicators: achieved in the counted bilans, forecast by the same dossiers (both tables
    filtered by the scope's calls, which their rows carry)."""
    comptes = dossiers.filter(statut__in=statuts_comptes(perimetre.inclure_deposes))
    realisations = list(
        RealisationIndicateur.objects.filter(bilan__appel_id__in=appels, bilan__dossier__in=comptes)
        .values("indicateur_id")
        .annotate(
            bilans=Count("pk", filter=~Q(valeur=None) | ~Q(valeur_femmes=None)
                         | ~Q(valeur_hommes=None) | ~Q(valeur_filles=None)
                         | ~Q(valeur_garcons=None)),
            valeur=Sum("valeur"), femmes=Sum("valeur_femmes"), hommes=Sum("valeur_hommes"),
            filles=Sum("valeur_filles"), garcons=Sum("valeur_garcons"),
        )
        .order_by()
    )
    previsions = list(
        PrevisionIndicateur.objects.filter(appel_id__in=appels, dossier__in=comptes)
        .values("indicateur_id")
        .annotate(
            valeur=Sum("valeur"), femmes=Sum("valeur_femmes"), hommes=Sum("valeur_hommes"),
            filles=Sum("valeur_filles"), garcons=Sum("valeur_garcons"),
        )
        .order_by()
    )
    return realisations, previsions


def _cumuler(cible, cle, vecteur):
    somme = cible.get(cle)
    cible[cle] = vecteur.copy() if somme is None else list(map(add, somme, vecteur))


def _sommer(dossiers, par_dossier):
    """Each dossier added to its (year, action), to each of its QPV and to its structure."""
    quartiers = {}
    for dossier_id, qpv_id in Dossier.quartiers.through.objects.filter(
        dossier_id__in=dossiers.values("pk")
    ).values_list("dossier_id", "quartierprioritaire_id"):
        quartiers.setdefault(dossier_id, []).append(qpv_id)
    par_action, par_quartier, par_structure = {}, {}, {}
    for dossier_id, (annee, action_id, structure_id, vecteur) in par_dossier.items():
        _cumuler(par_action, (annee, action_id), vecteur)
        _cumuler(par_structure, structure_id, vecteur)
        for qpv_id in quartiers.get(dossier_id, SANS_QUARTIER):
            _cumuler(par_quartier, qpv_id, vecteur)
    return par_action, par_quartier, par_structure


def _quartiers(perimetre, par_quartier):
    """The figures per priority district, the dossiers without one last; the names by id."""
    noms = {
        q.pk: q for q in QuartierPrioritaire.objects.filter(
            pk__in=set(par_quartier) - {None} | {perimetre.quartier_id} - {None}
        )
    }
    quartiers = []
    for qpv_id, vecteur in par_quartier.items():
        qpv = noms.get(qpv_id)
        quartiers.append(LigneQuartier(
            code=qpv.code if qpv else "",
            nom=str(qpv) if qpv else "Aucun quartier renseigné",
            chiffres=Chiffres(*vecteur),
        ))
    quartiers.sort(key=lambda q: (q.code == "", q.nom))
    return quartiers, noms


def _structures(par_structure):
    """The figures per structure; their names read by id (not by a join back to the
    dossiers)."""
    structures = [
        LigneStructure(
            structure_id=pk,
            nom=f"{raison_sociale} ({sigle})" if sigle else raison_sociale,
            siret=siret,
            chiffres=Chiffres(*par_structure[pk]),
        )
        for pk, raison_sociale, sigle, siret in Structure.objects.filter(
            pk__in=list(par_structure)
        ).values_list("pk", "raison_sociale", "sigle", "siret")
    ]
    return sorted(structures, key=lambda s: (s.nom.lower(), s.structure_id))


def agreger(perimetre, *, maintenant=None):
    """Sum the figures of ``perimetre`` (a constant number of queries); a ``BilanAnnuel``."""
    appels = list(perimetre.appels())
    dossiers = perimetre.dossiers(appels=appels)
    lignes, chemins = arbre.arbre(perimetre)
    par_dossier = _vecteurs(perimetre, dossiers, {a.pk: a.annee for a in appels})
    ids_appels = [a.pk for a in appels]
    financeurs, financeurs_par_pilier = _budgets(
        dossiers, ids_appels, par_dossier, chemins, lignes
    )
    _comptes_rendus(perimetre, dossiers, ids_appels, par_dossier, chemins, financeurs,
                    financeurs_par_pilier)
    par_action, par_quartier, par_structure = _sommer(dossiers, par_dossier)

    total = Chiffres()
    annees = {}
    for (annee, action_id), vecteur in par_action.items():
        chiffres = Chiffres(*vecteur)
        total.ajouter(chiffres)
        annees.setdefault(annee, LigneAnnee(annee)).chiffres.ajouter(chiffres)
        for niveau in chemins.get(action_id, ()):
            niveau.chiffres.ajouter(chiffres)
    liste_annees = [annees[a] for a in sorted(annees)]
    for avant, apres in zip(liste_annees, liste_annees[1:], strict=False):
        apres.evolution = arbre.evolution(avant.chiffres, apres.chiffres)
    quartiers, noms_quartiers = _quartiers(perimetre, par_quartier)

    return BilanAnnuel(
        perimetre=perimetre,
        contrat=str(Contrat.objects.get(pk=perimetre.contrat_id)),
        appels=appels,
        pilier=str(Pilier.objects.get(pk=perimetre.pilier_id)) if perimetre.pilier_id else "",
        quartier=str(noms_quartiers[perimetre.quartier_id]) if perimetre.quartier_id else "",
        structure=(
            str(Structure.objects.get(pk=perimetre.structure_id)) if perimetre.structure_id else ""
        ),
        genere_le=maintenant or timezone.now(),
        total=total,
        piliers=list(lignes["piliers"].values()),
        orientations=list(lignes["orientations"].values()),
        objectifs=list(lignes["objectifs"].values()),
        actions=list(lignes["actions"].values()),
        financeurs=list(financeurs.values()),
        financeurs_par_pilier={p: list(f.values()) for p, f in financeurs_par_pilier.items()},
        indicateurs=arbre.indicateurs(lignes, *_indicateurs(perimetre, dossiers, ids_appels)),
        quartiers=quartiers,
        structures=_structures(par_structure),
        annees=liste_annees,
    )
