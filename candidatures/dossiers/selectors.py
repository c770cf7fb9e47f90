"""Reads on dossiers: completeness, budget totals, what the cahier des charges asks, next step."""

from dataclasses import dataclass

from django.db.models import Sum
from django.utils.text import capfirst

from referentiel.models import Exigence, Indicateur

from ..commun.formats import euros
from ..models import DocumentStructure, LigneBudget, Section, Statut, TrancheAge
from ..models.declarations import InformationsFigees
from ..structures.selectors import documents_requis_manquants, informations_de_l_annee
from . import budget, cerfa

TRANCHES_MINEURS = {TrancheAge.T0_5, TrancheAge.T6_11, TrancheAge.T12_17}
TRANCHES_MAJEURS = {TrancheAge.T18_25, TrancheAge.T26_64, TrancheAge.T65}


def totaux_budget(dossier):
    """Total the dossier's budget: one grouped query, then `budget.totaliser`."""
    montants = dict(
        LigneBudget.objects.filter(dossier=dossier)
        .values("code")
        .annotate(total=Sum("montant"))
        .values_list("code", "total")
    )
    return budget.totaliser(montants)


def exigences_du_dossier(dossier):
    """Requirements of the objectives of the dossier's actions, main objective first."""
    objectifs = dossier.objectifs_concernes()
    rang = {o.pk: i for i, o in enumerate(objectifs)}
    exigences = Exigence.objects.filter(objectif__in=objectifs).select_related("objectif")
    return sorted(exigences, key=lambda e: (rang[e.objectif_id], e.ordre))


def indicateurs_numeriques(dossier):
    """Numeric indicators of the dossier's objectives: those a forecast value is asked for."""
    objectifs = dossier.objectifs_concernes()
    rang = {o.pk: i for i, o in enumerate(objectifs)}
    indicateurs = Indicateur.objects.filter(
        objectif__in=objectifs, nature=Indicateur.Nature.NOMBRE
    ).select_related("objectif")
    return sorted(indicateurs, key=lambda i: (rang[i.objectif_id], i.ordre))


def champs_prevision(indicateur):
    """The value columns an indicator must be forecast in, given its breakdown by sex."""
    champs = []
    if indicateur.demande_femmes_hommes:
        champs += ["valeur_femmes", "valeur_hommes"]
    if indicateur.demande_filles_garcons:
        champs += ["valeur_filles", "valeur_garcons"]
    return champs or ["valeur"]


def documents_structure(structure):
    """The structure's current documents, and the required types it still lacks."""
    actuels = list(DocumentStructure.objects.filter(structure=structure).actuels())
    return actuels, documents_requis_manquants(actuels)


def manques(dossier):
    """What is still missing, per section: ``{section: [messages]}`` without empty sections."""
    resultat = {
        Section.IDENTITE: _manques_identite(dossier),
        Section.PROJET: _manques_projet(dossier),
        Section.CAHIER: _manques_cahier(dossier),
        Section.INDICATEURS: _manques_indicateurs(dossier),
        Section.BUDGET: _manques_budget(dossier),
        Section.PIECES: _manques_pieces(dossier),
        Section.DECLARATION: []
        if dossier.est_signe
        else ["La déclaration sur l'honneur doit être signée par un responsable de la structure."],
    }
    _actuels, manquants = documents_structure(dossier.structure)
    presents = {d.type for d in _actuels}
    for section, liste in cerfa.manques_cerfa(dossier, presents).items():
        resultat[section] = resultat[section] + liste
    return {s: m for s, m in resultat.items() if m}


def _vide(valeur):
    return valeur is None or (isinstance(valeur, str) and not valeur.strip())


def _requis(dossier, champs):
    return [
        f"{capfirst(dossier._meta.get_field(c).verbose_name)} : à renseigner."
        for c in champs
        if _vide(getattr(dossier, c))
    ]


def _manques_identite(dossier):
    m = []
    if not dossier.action_principale_id:
        m.append("Action principale : choisissez la fiche-action à laquelle le projet répond.")
    m += _requis(dossier, ["contact_nom", "contact_email"])
    return m


def _manques_projet(dossier):
    m = _requis(
        dossier,
        [
            "intitule", "resume", "contexte", "objectifs", "description", "date_debut", "date_fin",
            "lieux", "part_beneficiaires_qpv", "salaries", "etpt", "benevoles",
        ],
    )
    if dossier.date_debut and dossier.date_fin:
        annee = dossier.appel.annee
        if dossier.date_fin < dossier.date_debut:
            m.append("Date de fin : elle doit suivre la date de début.")
        elif (
            dossier.date_debut.year != annee or dossier.date_fin.year != annee
        ) and _vide(dossier.justification_dates):
            m.append(
                f"Justification des dates : le projet déborde de l'année {annee} de l'appel, "
                "expliquez pourquoi."
            )
    if not dossier.pk or not dossier.quartiers.exists():
        m.append("Quartiers prioritaires concernés : cochez au moins un quartier.")
    publics = set(dossier.publics)
    if not publics:
        m.append("Public(s) cible(s) : cochez au moins une tranche d'âge.")
    if publics & TRANCHES_MAJEURS:
        m += _requis(dossier, ["beneficiaires_femmes", "beneficiaires_hommes"])
    if publics & TRANCHES_MINEURS:
        m += _requis(dossier, ["beneficiaires_filles", "beneficiaires_garcons"])
    return m


def _manques_cahier(dossier):
    if not dossier.action_principale_id:
        return ["Choisissez d'abord la fiche-action : son cahier des charges s'affichera ici."]
    repondues = {
        r.exigence_id for r in dossier.reponses.all() if r.texte and r.texte.strip()
    }
    return [
        f"Exigence {e.objectif.code} n°{e.ordre} : expliquez comment le projet y répond."
        for e in exigences_du_dossier(dossier)
        if e.pk not in repondues
    ]


def _manques_indicateurs(dossier):
    if not dossier.action_principale_id:
        return []
    previsions = {p.indicateur_id: p for p in dossier.previsions.all()}
    m = []
    for indicateur in indicateurs_numeriques(dossier):
        prevision = previsions.get(indicateur.pk)
        if prevision is None or any(
            getattr(prevision, c) is None for c in champs_prevision(indicateur)
        ):
            m.append(f"Indicateur « {indicateur.libelle[:80]} » : valeur prévisionnelle à saisir.")
    return m


def _manques_budget(dossier):
    totaux = totaux_budget(dossier)
    m = []
    if not totaux.charges:
        m.append("Budget : saisissez les charges du projet.")
    if not totaux.equilibre:
        m.append(
            f"Budget : le total des charges ({euros(totaux.charges)}) doit être égal au total des "
            f"produits ({euros(totaux.produits)})."
        )
    if not totaux.contributions_equilibrees:
        m.append(
            f"Budget : les emplois des contributions volontaires (86 : "
            f"{euros(totaux.contributions_emplois)}) doivent être égaux aux contributions "
            f"volontaires (87 : {euros(totaux.contributions_ressources)})."
        )
    if not totaux.montant_demande:
        m.append(
            "Budget : indiquez le montant demandé au contrat de ville (État — politique de la "
            f"ville et/ou {dossier.appel.contrat.territoire.nom})."
        )
    for ligne in dossier.lignes_budget.all():
        definition = budget.PAR_CODE[ligne.code]
        if (
            definition.a_preciser
            and dossier.formulaire >= definition.precision_depuis
            and ligne.montant
            and not ligne.precision.strip()
        ):
            m.append(f"Budget, ligne « {definition.libelle} » : précisez {definition.a_preciser}.")
    return m


def _manques_pieces(dossier):
    _actuels, manquants = documents_structure(dossier.structure)
    return [
        f"Document de la structure manquant : {t.label} (à déposer dans les documents de la "
        "structure)."
        for t in manquants
    ]


def informations_figees(dossier):
    """Whether the dossier shows the copy of the yearly declaration kept on submission: once
    submitted, except while it is being corrected (its resubmission copies it again)."""
    return dossier.depose_le is not None and dossier.statut != Statut.A_CORRIGER


def informations_du_dossier(dossier):
    """The structure's yearly declaration the dossier shows: the live one for a draft, the copy
    kept on submission afterwards (None if the structure had declared nothing then)."""
    if informations_figees(dossier):
        contenu = dossier.informations_deposees
        return InformationsFigees(contenu) if contenu else None
    return informations_de_l_annee(dossier.structure, dossier.appel.annee)


def contexte_informations(dossier):
    informations = informations_du_dossier(dossier)
    return {
        "informations": informations,
        "informations_absentes_au_depot": informations is None and informations_figees(dossier),
    }


def resume_dossier(dossier):
    """Everything the summary (page, print and PDF) shows."""
    reponses = {r.exigence_id: r.texte for r in dossier.reponses.all()}
    previsions = {p.indicateur_id: p for p in dossier.previsions.all()}
    lignes = {lg.code: lg for lg in dossier.lignes_budget.all()}
    if dossier.depose_le:
        documents, documents_manquants = list(dossier.documents_deposes.all()), []
    else:
        documents, documents_manquants = documents_structure(dossier.structure)
    return {
        "dossier": dossier,
        "actions_secondaires": dossier.actions_secondaires.select_related("objectif"),
        "quartiers": dossier.quartiers.all(),
        "exigences": [(e, reponses.get(e.pk, "")) for e in exigences_du_dossier(dossier)],
        "previsions": [
            (i, previsions.get(i.pk)) for i in indicateurs_numeriques(dossier)
        ],
        "budget_charges": [
            (ligne, lignes.get(ligne.code))
            for ligne in budget.TOUTES_ORDONNEES
            if ligne.cote in (budget.CHARGE, budget.CONTRIBUTION_EMPLOI)
        ],
        "budget_produits": [
            (ligne, lignes.get(ligne.code))
            for ligne in budget.TOUTES_ORDONNEES
            if ligne.cote in (budget.PRODUIT, budget.CONTRIBUTION_RESSOURCE)
        ],
        **contexte_informations(dossier),
        "totaux": totaux_budget(dossier),
        "pieces": dossier.pieces.all(),
        "documents_structure": documents,
        "documents_manquants": documents_manquants,
    }


# --- Next step shown in "Mes dossiers" ------------------------------------------------------


@dataclass
class Etape:
    texte: str
    echeance: object = None


def prochaine_etape(dossier):
    """What the structure has to do next, and by when."""
    statut = dossier.statut
    if statut == Statut.BROUILLON:
        if dossier.appel.est_ouvert():
            return Etape("Compléter puis déposer le dossier", dossier.appel.cloture)
        if dossier.appel.etat() == dossier.appel.Etat.A_VENIR:
            return Etape("Compléter le dossier ; le dépôt ouvre le", dossier.appel.ouverture)
        return Etape("L'appel est clos : ce brouillon ne peut plus être déposé")
    if statut == Statut.A_CORRIGER:
        return Etape("Corriger les sections demandées puis redéposer")
    if statut in (Statut.DEPOSE, Statut.EN_INSTRUCTION, Statut.INSTRUIT):
        return Etape("Attendre l'instruction puis la décision du comité")
    if statut == Statut.BILAN_A_REMETTRE:
        return Etape("Remettre le bilan de l'action")
    if statut == Statut.BILAN_A_CORRIGER:
        return Etape("Corriger le bilan")
    return Etape("Aucune action attendue")
