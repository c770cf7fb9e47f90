"""Loading a workbook into a contract: read and check it all, compare, then write all or nothing.

``importer_classeur(fichier, code)`` creates the contract (and its territory and generation)
if needed, and makes its tree, its lines and its QPV list those of the workbook: rows are
matched by code (tree), by (objective, rank) (lines), by code within the generation (QPV);
rows missing from the workbook are removed. With ``a_blanc=True`` nothing is written and the
returned Rapport is the preview. Any problem raises ClasseurInvalide before the first write.
"""

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError

from .. import fragments
from ..models import (
    Action,
    Contrat,
    Exigence,
    Generation,
    Indicateur,
    NoteFinancement,
    Objectif,
    Orientation,
    Pilier,
    QuartierPrioritaire,
    Renvoi,
    Territoire,
)
from .erreurs import ClasseurInvalide, Erreur, Erreurs
from .format import CODE_SLUG, CONTRAT, VALEUR, parent
from .lecture import lire_classeur
from .plan import preparer

# Each level of the tree: its model, the field naming its parent, the level of its parent.
NIVEAUX = (
    ("piliers", Pilier, None, None),
    ("orientations", Orientation, "pilier", "piliers"),
    ("objectifs", Objectif, "orientation", "orientations"),
    ("actions", Action, "objectif", "objectifs"),
)
CHAMPS = {
    "piliers": ("titre", "ordre"),
    "orientations": ("titre", "ordre"),
    "objectifs": ("titre", "hors_appel_a_projets", "ordre"),
    "actions": ("libelle", "ordre"),
    "exigences": ("texte",),
    "notes_financement": ("texte",),
    "indicateurs": ("libelle", "ventilation", "nature"),
}
LIGNES = {"exigences": Exigence, "notes_financement": NoteFinancement, "indicateurs": Indicateur}
# Removal order: what refers first, what is referred to last.
SUPPRESSION = (
    ("renvois", Renvoi), ("indicateurs", Indicateur), ("notes_financement", NoteFinancement),
    ("exigences", Exigence), ("actions", Action), ("objectifs", Objectif),
    ("orientations", Orientation), ("piliers", Pilier),
)
CHAMPS_QUARTIER = ("nom", "commune", "code_officiel", "secteurs", "valide_du", "valide_au")


def importer_classeur(fichier, code=None, *, nom=None, a_blanc=False):
    """Read, check and load the workbook ``fichier`` into the contract ``code`` (default: the
    code of its « Contrat » sheet). Return the Rapport; raise ClasseurInvalide."""
    classeur = lire_classeur(fichier, code_contrat=code)
    return charger_classeur(classeur, code, nom=nom, a_blanc=a_blanc)


def _code_valide(code, erreurs, *, de_la_feuille):
    if not code:
        erreurs.ajouter(
            "aucun code de contrat : renseignez « Code du contrat » ou donnez-le à l'import.",
            CONTRAT,
        )
    elif len(code) > 50 or not CODE_SLUG.match(code):
        erreurs.ajouter(
            f"le code de contrat « {code} » ne doit contenir que des lettres sans accent, des "
            "chiffres et des tirets (50 caractères au plus).",
            CONTRAT if de_la_feuille else None,
        )


def charger_classeur(classeur, code=None, *, nom=None, a_blanc=False):
    """Load a Classeur already read and checked (see importer_classeur)."""
    erreurs = Erreurs()
    de_la_feuille = not code
    code = code or classeur.contrat.get("code")
    _code_valide(code, erreurs, de_la_feuille=de_la_feuille)
    erreurs.lever()
    try:
        with transaction.atomic():
            contrat = (
                Contrat.objects.select_for_update(of=("self",))
                .select_related("territoire", "generation")
                .filter(code=code)
                .first()
            )
            nom = (nom or "").strip() or classeur.contrat.get("nom") or (
                contrat.nom if contrat else ""
            )
            if not nom or len(nom) > 255:
                erreurs.ajouter(
                    "le nom du contrat manque (ou dépasse 255 caractères) : renseignez « Nom du "
                    "contrat », ou donnez-le à l'import.", CONTRAT,
                    classeur.lignes_contrat.get("nom"), VALEUR,
                )
                erreurs.lever()
            plan = preparer(classeur, code=code, nom=nom, contrat=contrat)
            plan.rapport.a_blanc = a_blanc
            if not a_blanc:
                _appliquer(plan)
    except (ProtectedError, RestrictedError) as erreur:
        noms = ", ".join(sorted({str(o) for o in list(erreur.args[1])[:5]}))
        raise ClasseurInvalide([Erreur(
            f"des données ajoutées pendant l'import renvoient à des lignes à supprimer ({noms}) "
            ": rien n'a été enregistré, relancez l'import."
        )]) from erreur
    except IntegrityError as erreur:
        raise ClasseurInvalide([Erreur(
            "le contrat a été modifié par un autre import en même temps : rien n'a été "
            "enregistré, relancez l'import."
        )]) from erreur
    return plan.rapport


def _enregistrer(objet, valeurs):
    for champ, valeur in valeurs.items():
        setattr(objet, champ, valeur)
    objet.save()
    return objet


def _appliquer(plan):
    # Bulk writes send no signal: the kept catalogue and filters are told here.
    fragments.signaler_changement()
    donnees = plan.classeur.contrat
    territoire = plan.territoire or Territoire(code=donnees["territoire_code"])
    if "territoire" in plan.ecrire:
        _enregistrer(territoire, plan.valeurs["territoire"])
    generation = plan.generation or Generation(code=donnees["generation_code"])
    if "generation" in plan.ecrire:
        _enregistrer(generation, plan.valeurs["generation"])
    contrat = plan.contrat or Contrat(code=plan.code, territoire=territoire, generation=generation)
    if "contrat" in plan.ecrire:
        _enregistrer(contrat, plan.valeurs["contrat"])

    par_code = {}
    for cle, modele, champ_parent, niveau_parent in NIVEAUX:
        par_code[cle] = _ecrire_niveau(
            plan, cle, modele, contrat, champ_parent, par_code.get(niveau_parent)
        )
    objectifs = par_code["objectifs"]
    for cle, modele in LIGNES.items():
        _ecrire_lignes(plan, cle, modele, objectifs)
    _ecrire_renvois(plan, par_code)
    for cle, modele in SUPPRESSION:
        pks = [e.objet.pk for e in plan.operations[cle].supprimer]
        if pks:
            modele.objects.filter(pk__in=pks).delete()
    _ecrire_quartiers(plan, contrat, generation)
    plan.rapport.contrat = contrat
    return contrat


def _ecrire_niveau(plan, cle, modele, contrat, champ_parent, parents):
    """Create and update one level; return {code: row} of the whole level after the writes."""
    operations, champs = plan.operations[cle], CHAMPS[cle]
    nouveaux = []
    for element in operations.creer:
        objet = modele(contrat=contrat, code=element["code"], **{c: element[c] for c in champs})
        if champ_parent:
            setattr(objet, champ_parent, parents[parent(element["code"])])
        nouveaux.append(objet)
    modele.objects.bulk_create(nouveaux)
    modifies = []
    for objet, element in operations.modifier:
        for champ in champs:
            setattr(objet, champ, element[champ])
        modifies.append(objet)
    modele.objects.bulk_update(modifies, champs)
    return {o.code: o for o in modele.objects.filter(contrat=contrat)}


def _ecrire_lignes(plan, cle, modele, objectifs):
    operations, champs = plan.operations[cle], CHAMPS[cle]
    modele.objects.bulk_create(
        modele(objectif=objectifs[e["objectif"]], ordre=e["ordre"], **{c: e[c] for c in champs})
        for e in operations.creer
    )
    modifies = []
    for objet, element in operations.modifier:
        for champ in champs:
            setattr(objet, champ, element[champ])
        modifies.append(objet)
    modele.objects.bulk_update(modifies, champs)


def _valeurs_renvoi(element, par_code):
    cible = element["cible"]
    est_objectif = cible.count(".") == 2
    return {
        "action": par_code["actions"][element["action"]] if element["action"] else None,
        "cible_objectif": par_code["objectifs"][cible] if est_objectif else None,
        "cible_orientation": None if est_objectif else par_code["orientations"][cible],
        "texte": element["texte"],
    }


def _ecrire_renvois(plan, par_code):
    operations = plan.operations["renvois"]
    Renvoi.objects.bulk_create(
        Renvoi(
            objectif=par_code["objectifs"][e["objectif"]], ordre=e["ordre"],
            **_valeurs_renvoi(e, par_code),
        )
        for e in operations.creer
    )
    modifies = []
    for objet, element in operations.modifier:
        for champ, valeur in _valeurs_renvoi(element, par_code).items():
            setattr(objet, champ, valeur)
        modifies.append(objet)
    Renvoi.objects.bulk_update(modifies, ["action", "cible_objectif", "cible_orientation", "texte"])


def _ecrire_quartiers(plan, contrat, generation):
    operations = plan.operations["quartiers"]
    QuartierPrioritaire.objects.bulk_create(
        QuartierPrioritaire(
            generation=generation, code=e["code"], **{c: e[c] for c in CHAMPS_QUARTIER}
        )
        for e in operations.creer
    )
    # Official codes may move from one QPV to another: clear the changed ones first.
    changes = [o for o, e in operations.modifier if o.code_officiel != e["code_officiel"]]
    for objet in changes:
        objet.code_officiel = ""
    QuartierPrioritaire.objects.bulk_update(changes, ["code_officiel"])
    modifies = []
    for objet, element in operations.modifier:
        for champ in CHAMPS_QUARTIER:
            setattr(objet, champ, element[champ])
        modifies.append(objet)
    QuartierPrioritaire.objects.bulk_update(modifies, CHAMPS_QUARTIER)
    contrat.quartiers.set(
        QuartierPrioritaire.objects.filter(generation=generation, code__in=plan.quartiers_lies)
    )
    pks = [e.objet.pk for e in operations.supprimer]
    if pks:
        QuartierPrioritaire.objects.filter(pk__in=pks).delete()
