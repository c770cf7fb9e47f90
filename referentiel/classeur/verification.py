"""Checks across the sheets of a workbook: code shapes, duplicates, parents, renvois, periods.

Run on a workbook whose cells were read (cells that could not be read hold None and are not
checked again). Also gives each tree row its rank within its parent: the order of the rows.
"""

import re

from .format import (
    ACTIONS,
    CAHIER,
    CODE_ACTION,
    CODE_OBJECTIF,
    CODE_ORIENTATION,
    CODE_PILIER,
    CODE_SLUG,
    CONTRAT,
    FINANCEMENTS,
    INDICATEURS,
    OBJECTIFS,
    ORIENTATIONS,
    PILIERS,
    QPV,
    RENVOIS,
    VALEUR,
    parent,
)

# Each level of the tree: its sheet, the shape of its codes, how a code is named in messages.
NIVEAUX = (
    ("piliers", PILIERS, CODE_PILIER, "de pilier (forme 1)", None),
    ("orientations", ORIENTATIONS, CODE_ORIENTATION, "d'orientation (forme 1.2)",
     ("piliers", "l'orientation", "de pilier")),
    ("objectifs", OBJECTIFS, CODE_OBJECTIF, "d'objectif (forme 1.2.3)",
     ("orientations", "l'objectif", "d'orientation")),
    ("actions", ACTIONS, CODE_ACTION, "d'action (forme 1.2.3.a)",
     ("objectifs", "l'action", "d'objectif")),
)
LIGNES = (("exigences", CAHIER), ("notes_financement", FINANCEMENTS), ("indicateurs", INDICATEURS))
# A renvoi target named with a contract: « autre-contrat:1.1.3 » or « autre-contrat/1.1.3 ».
CIBLE_QUALIFIEE = re.compile(r"^(?P<contrat>[-a-zA-Z0-9_]+)\s*[:/]\s*(?P<code>\d[\d.]*)$")


def verifier(classeur, erreurs, *, code_contrat=None):
    _verifier_contrat(classeur, erreurs)
    codes = {}
    for cle, nom, motif, forme, parente in NIVEAUX:
        codes[cle] = _verifier_niveau(classeur[cle], nom, motif, forme, parente, codes, erreurs)
    for cle, nom in LIGNES:
        _verifier_lignes(classeur[cle], nom, codes["objectifs"], erreurs)
    contrats = {code_contrat, classeur.contrat.get("code")} - {None, ""}
    _verifier_renvois(classeur, codes, erreurs, contrats)
    _verifier_quartiers(classeur["quartiers"], erreurs)


def _verifier_contrat(classeur, erreurs):
    contrat, lignes = classeur.contrat, classeur.lignes_contrat
    for prefixe in ("generation_", ""):
        debut, fin = contrat.get(f"{prefixe}annee_debut"), contrat.get(f"{prefixe}annee_fin")
        if debut and fin and fin < debut:
            erreurs.ajouter(
                f"l'année de fin ({fin}) précède l'année de début ({debut}).",
                CONTRAT, lignes.get(f"{prefixe}annee_fin"), VALEUR,
            )


def _verifier_niveau(elements, nom, motif, forme, parente, codes, erreurs):
    """Check one level; return {code: row number}. Ranks follow the rows, per parent."""
    vus, rangs = {}, {}
    for element in elements:
        code = element.get("code")
        if code is None:
            continue
        if not motif.match(code):
            erreurs.ajouter(f"« {code} » n'est pas un code {forme}.", nom, element.ligne, "Code")
            continue
        if code in vus:
            erreurs.ajouter(
                f"le code {code} figure déjà ligne {vus[code]}.", nom, element.ligne, "Code"
            )
            continue
        vus[code] = element.ligne
        code_parent = parent(code) if parente else None
        if parente and code_parent not in codes[parente[0]]:
            erreurs.ajouter(
                f"{parente[1]} {code} n'a pas {parente[2]} {code_parent} dans le classeur.",
                nom, element.ligne, "Code",
            )
        rangs[code_parent] = rangs.get(code_parent, 0) + 1
        element.champs["ordre"] = rangs[code_parent]
    return vus


def _objectif_connu(element, nom, objectifs, erreurs):
    code = element.get("objectif")
    if code is None:
        return False
    if not CODE_OBJECTIF.match(code):
        erreurs.ajouter(
            f"« {code} » n'est pas un code d'objectif (forme 1.2.3).",
            nom, element.ligne, "Objectif",
        )
        return False
    if code not in objectifs:
        erreurs.ajouter(
            f"l'objectif {code} n'est pas dans la feuille Objectifs.",
            nom, element.ligne, "Objectif",
        )
        return False
    return True


def _verifier_lignes(elements, nom, objectifs, erreurs):
    vus = {}
    for element in elements:
        if not _objectif_connu(element, nom, objectifs, erreurs) or element.get("ordre") is None:
            continue
        cle = (element["objectif"], element["ordre"])
        if cle in vus:
            erreurs.ajouter(
                f"le rang {cle[1]} de l'objectif {cle[0]} figure déjà ligne {vus[cle]}.",
                nom, element.ligne, "Rang",
            )
        else:
            vus[cle] = element.ligne


def _verifier_renvois(classeur, codes, erreurs, contrats):
    """``contrats``: the codes naming this contract (a target may be written « code:1.1.3 »)."""
    _verifier_lignes(classeur["renvois"], RENVOIS, codes["objectifs"], erreurs)
    for element in classeur["renvois"]:
        objectif, action = element.get("objectif"), element.get("action")
        if action is not None:
            element.champs["action"] = action = action or None
        if action and objectif:
            if action not in codes["actions"]:
                erreurs.ajouter(
                    f"l'action {action} n'est pas dans la feuille Actions.",
                    RENVOIS, element.ligne, "Action",
                )
            elif parent(action) != objectif:
                erreurs.ajouter(
                    f"l'action {action} n'est pas une action de l'objectif {objectif}.",
                    RENVOIS, element.ligne, "Action",
                )
        cible = element.get("cible")
        if cible is None:
            continue
        qualifiee = CIBLE_QUALIFIEE.match(cible)
        if qualifiee:
            if qualifiee["contrat"] not in contrats:
                erreurs.ajouter(
                    f"« {cible} » vise l'élément {qualifiee['code']} du contrat "
                    f"« {qualifiee['contrat']} » : un renvoi ne peut viser qu'un élément du "
                    "même contrat.", RENVOIS, element.ligne, "Cible",
                )
                continue
            element.champs["cible"] = cible = qualifiee["code"]
        if cible not in codes["objectifs"] and cible not in codes["orientations"]:
            erreurs.ajouter(
                f"la cible {cible} n'est ni un objectif ni une orientation du classeur.",
                RENVOIS, element.ligne, "Cible",
            )
        elif cible == objectif:
            erreurs.ajouter(
                f"l'objectif {objectif} ne peut pas renvoyer à lui-même.",
                RENVOIS, element.ligne, "Cible",
            )


def _verifier_quartiers(elements, erreurs):
    codes, officiels = {}, {}
    for element in elements:
        code, officiel = element.get("code"), element.get("code_officiel")
        if code is not None:
            if not CODE_SLUG.match(code):
                erreurs.ajouter(
                    f"le code « {code} » ne doit contenir que des lettres sans accent, des "
                    "chiffres et des tirets.", QPV, element.ligne, "Code",
                )
            elif code in codes:
                erreurs.ajouter(
                    f"le code {code} figure déjà ligne {codes[code]}.", QPV, element.ligne, "Code"
                )
            else:
                codes[code] = element.ligne
        if officiel:
            if officiel in officiels:
                erreurs.ajouter(
                    f"le code officiel {officiel} figure déjà ligne {officiels[officiel]}.",
                    QPV, element.ligne, "Code officiel",
                )
            else:
                officiels[officiel] = element.ligne
        du, au = element.get("valide_du"), element.get("valide_au")
        if du and au and au < du:
            erreurs.ajouter(
                f"la fin de validité ({au:%d/%m/%Y}) précède son début ({du:%d/%m/%Y}).",
                QPV, element.ligne, "Valide au",
            )
