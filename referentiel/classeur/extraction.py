"""A contract of the database as a Classeur: what is exported, and what an import compares to.

A fixed number of queries, whatever the size of the contract. Rows come in the order of the
tree (pilier, orientation, objectif, then rank), each with the database row it was read from.
"""

from ..models import (
    Action,
    Exigence,
    Indicateur,
    NoteFinancement,
    Objectif,
    Orientation,
    Pilier,
    QuartierPrioritaire,
    Renvoi,
)
from .contenu import Classeur, Element
from .ecriture import ecrire_classeur

ORDRE_ORIENTATIONS = ("pilier__ordre", "pilier__code", "ordre", "code")
ORDRE_OBJECTIFS = tuple(f"orientation__{c}" for c in ORDRE_ORIENTATIONS) + ("ordre", "code")
ORDRE_ACTIONS = tuple(f"objectif__{c}" for c in ORDRE_OBJECTIFS) + ("ordre", "code")
ORDRE_LIGNES = tuple(f"objectif__{c}" for c in ORDRE_OBJECTIFS) + ("ordre",)


def contrat_en_dict(contrat):
    territoire, generation = contrat.territoire, contrat.generation
    return {
        "code": contrat.code,
        "nom": contrat.nom,
        "territoire_code": territoire.code,
        "territoire_nom": territoire.nom,
        "territoire_type": territoire.type,
        "territoire_siren": territoire.siren,
        "generation_code": generation.code,
        "generation_nom": generation.nom,
        "generation_annee_debut": generation.annee_debut,
        "generation_annee_fin": generation.annee_fin,
        "annee_debut": contrat.annee_debut,
        "annee_fin": contrat.annee_fin,
        "source": contrat.source,
    }


def quartier_en_dict(quartier):
    return {
        "code": quartier.code,
        "nom": quartier.nom,
        "commune": quartier.commune,
        "code_officiel": quartier.code_officiel,
        "secteurs": quartier.secteurs,
        "valide_du": quartier.valide_du,
        "valide_au": quartier.valide_au,
    }


def _elements(requete, champs):
    return [Element(champs(objet), objet=objet) for objet in requete]


def classeur_du_contrat(contrat):
    """The Classeur of ``contrat`` (None: an empty one, for a contract still to create)."""
    classeur = Classeur()
    if contrat is None:
        return classeur
    classeur.contrat = contrat_en_dict(contrat)
    feuilles = classeur.feuilles
    feuilles["piliers"] = _elements(
        Pilier.objects.filter(contrat=contrat).order_by("ordre", "code"),
        lambda p: {"code": p.code, "titre": p.titre, "ordre": p.ordre},
    )
    feuilles["orientations"] = _elements(
        Orientation.objects.filter(contrat=contrat).order_by(*ORDRE_ORIENTATIONS),
        lambda o: {"code": o.code, "titre": o.titre, "ordre": o.ordre},
    )
    feuilles["objectifs"] = _elements(
        Objectif.objects.filter(contrat=contrat).order_by(*ORDRE_OBJECTIFS),
        lambda o: {
            "code": o.code, "titre": o.titre, "hors_appel_a_projets": o.hors_appel_a_projets,
            "ordre": o.ordre,
        },
    )
    lignes = {
        "exigences": Exigence, "notes_financement": NoteFinancement, "indicateurs": Indicateur,
    }
    for cle, modele in lignes.items():
        requete = modele.objects.filter(objectif__contrat=contrat).select_related("objectif")
        feuilles[cle] = _elements(requete.order_by(*ORDRE_LIGNES), _champs_ligne)
    feuilles["actions"] = _elements(
        Action.objects.filter(contrat=contrat).order_by(*ORDRE_ACTIONS),
        lambda a: {"code": a.code, "libelle": a.libelle, "ordre": a.ordre},
    )
    feuilles["renvois"] = _elements(
        Renvoi.objects.filter(objectif__contrat=contrat)
        .select_related("objectif", "action", "cible_objectif", "cible_orientation")
        .order_by(*ORDRE_LIGNES),
        lambda r: {
            "objectif": r.objectif.code, "ordre": r.ordre,
            "action": r.action.code if r.action_id else None,
            "cible": r.cible_code, "texte": r.texte,
        },
    )
    feuilles["quartiers"] = _elements(
        contrat.quartiers.order_by("commune", "nom", "code"), quartier_en_dict
    )
    return classeur


def _champs_ligne(ligne):
    champs = {"objectif": ligne.objectif.code, "ordre": ligne.ordre}
    if isinstance(ligne, Indicateur):
        champs.update(libelle=ligne.libelle, ventilation=ligne.ventilation, nature=ligne.nature)
    else:
        champs["texte"] = ligne.texte
    return champs


def quartiers_de_la_generation(generation):
    """{code: Element} of every QPV of ``generation`` (None: none yet)."""
    if generation is None:
        return {}
    return {
        q.code: Element(quartier_en_dict(q), objet=q)
        for q in QuartierPrioritaire.objects.filter(generation=generation)
    }


def exporter_contrat(contrat):
    """The xlsx bytes of ``contrat``'s workbook."""
    return ecrire_classeur(classeur_du_contrat(contrat))
