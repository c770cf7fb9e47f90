"""Comparing a workbook with the database: what loading it creates, changes, keeps and removes.

``preparer`` reads the contract as it is (``extraction``), compares it sheet by sheet with the
workbook, and checks what only the database can tell: a contract moved to another territory or
generation, an official QPV code taken, rows to remove that something still refers to. It
writes nothing: the plan is the dry-run preview, and what ``chargement`` applies.
"""

import datetime
from dataclasses import dataclass, field

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
from .contenu import CLES, cle_de, cle_lisible
from .erreurs import Erreurs
from .extraction import classeur_du_contrat, quartiers_de_la_generation
from .format import CONTRAT, FEUILLES, FEUILLES_PAR_CLE, VALEUR, VENTILATIONS_ECRITES
from .references import references_externes

MODELES = {
    "piliers": Pilier, "orientations": Orientation, "objectifs": Objectif, "actions": Action,
    "exigences": Exigence, "notes_financement": NoteFinancement, "indicateurs": Indicateur,
    "renvois": Renvoi, "quartiers": QuartierPrioritaire,
}
ARTICLES = {
    "piliers": "le pilier", "orientations": "l'orientation", "objectifs": "l'objectif",
    "actions": "l'action", "exigences": "l'exigence de l'objectif",
    "notes_financement": "la mention de financement de l'objectif",
    "indicateurs": "l'indicateur de l'objectif", "renvois": "le renvoi de l'objectif",
    "quartiers": "le quartier",
}
LIBELLES = {"ordre": "position", "cible": "cible", "objectif": "objectif"}
for _feuille in FEUILLES:
    for _colonne in _feuille.colonnes:
        LIBELLES.setdefault(_colonne.cle, _colonne.entete.lower())
LIBELLES_CONTRAT = {
    "nom": "nom", "type": "type", "siren": "SIREN", "source": "source",
    "annee_debut": "année de début", "annee_fin": "année de fin",
}


@dataclass(frozen=True)
class Changement:
    feuille: str
    nature: str  # création, modification, suppression
    element: str
    details: str = ""

    def __str__(self):
        texte = f"{self.feuille} — {self.nature} : {self.element}"
        return f"{texte} ({self.details})" if self.details else texte


@dataclass
class Compte:
    feuille: str
    crees: int = 0
    modifies: int = 0
    inchanges: int = 0
    supprimes: int = 0


@dataclass
class Rapport:
    """The preview of an import (or what it did): counts per sheet and the list of changes."""

    code: str
    nom: str
    contrat_cree: bool
    a_blanc: bool = True
    comptes: dict = field(default_factory=lambda: {
        n: Compte(n) for n in (CONTRAT, *(f.nom for f in FEUILLES))
    })
    changements: list = field(default_factory=list)
    # The contract written (None for a dry run).
    contrat: object = None

    def _total(self, attribut):
        return sum(getattr(c, attribut) for c in self.comptes.values())

    crees = property(lambda self: self._total("crees"))
    modifies = property(lambda self: self._total("modifies"))
    inchanges = property(lambda self: self._total("inchanges"))
    supprimes = property(lambda self: self._total("supprimes"))

    def resume(self):
        return (
            f"{self.crees} créé(s), {self.modifies} modifié(s), {self.inchanges} inchangé(s), "
            f"{self.supprimes} supprimé(s)"
        )

    def noter(self, feuille, nature, element, details=""):
        compte = self.comptes[feuille]
        attribut = {"création": "crees", "modification": "modifies", "suppression": "supprimes"}
        setattr(compte, attribut[nature], getattr(compte, attribut[nature]) + 1)
        self.changements.append(Changement(feuille, nature, element, details))


@dataclass
class Operations:
    creer: list = field(default_factory=list)  # Elements of the workbook
    modifier: list = field(default_factory=list)  # (database row, Element of the workbook)
    supprimer: list = field(default_factory=list)  # Elements read from the database


@dataclass
class Plan:
    classeur: object
    code: str
    nom: str
    contrat: Contrat | None
    rapport: Rapport
    territoire: Territoire | None = None
    generation: Generation | None = None
    ecrire: set = field(default_factory=set)  # among "territoire", "generation", "contrat"
    operations: dict = field(default_factory=lambda: {cle: Operations() for cle in CLES})
    quartiers_lies: list = field(default_factory=list)  # codes, the contract's list
    # Values of the territory, generation and contract rows, by model field.
    valeurs: dict = field(default_factory=dict)


def _court(valeur):
    if valeur is None or valeur == "":
        return "(vide)"
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, datetime.date):
        return f"{valeur:%d/%m/%Y}"
    texte = VENTILATIONS_ECRITES.get(valeur, str(valeur)) if isinstance(valeur, str) else str(
        valeur)
    return f"« {texte[:57]}… »" if len(texte) > 60 else f"« {texte} »"


def _differences(anciens, nouveaux, libelles):
    return [
        f"{libelles.get(cle, cle)} : {_court(anciens.get(cle))} → {_court(valeur)}"
        for cle, valeur in nouveaux.items()
        if anciens.get(cle) != valeur
    ]


def preparer(classeur, *, code, nom, contrat):
    """The Plan of loading ``classeur`` into the contract ``code`` (``contrat``: that contract
    if it exists, locked by the caller). Raise ClasseurInvalide on what the database refuses."""
    erreurs = Erreurs()
    plan = Plan(classeur, code, nom, contrat, Rapport(code, nom, contrat_cree=contrat is None))
    _comparer_contrat(plan, erreurs)
    anciens = classeur_du_contrat(contrat)
    for cle in CLES:
        if cle != "quartiers":
            _comparer(plan, cle, anciens[cle], classeur[cle])
    _comparer_quartiers(plan, erreurs)
    _verifier_suppressions(plan, erreurs)
    erreurs.lever()
    return plan


def _comparer_objet(plan, etiquette, existant, voulu):
    """Compare one row of the « Contrat » sheet's block; note it; tell whether to write it."""
    if existant is None:
        plan.rapport.noter(CONTRAT, "création", etiquette)
        return True
    differences = _differences(
        {cle: getattr(existant, cle) for cle in voulu}, voulu, LIBELLES_CONTRAT
    )
    if differences:
        plan.rapport.noter(CONTRAT, "modification", etiquette, " ; ".join(differences))
        return True
    plan.rapport.comptes[CONTRAT].inchanges += 1
    return False


def _comparer_contrat(plan, erreurs):
    donnees, lignes = plan.classeur.contrat, plan.classeur.lignes_contrat
    plan.territoire = Territoire.objects.filter(code=donnees["territoire_code"]).first()
    plan.generation = Generation.objects.filter(code=donnees["generation_code"]).first()
    contrat = plan.contrat
    if contrat is not None:
        for cle, actuel in (
            ("territoire_code", contrat.territoire.code),
            ("generation_code", contrat.generation.code),
        ):
            if donnees[cle] != actuel:
                erreurs.ajouter(
                    f"le contrat {contrat.code} est rattaché à « {actuel} », pas à "
                    f"« {donnees[cle]} » : un import ne change ni son territoire ni sa "
                    "génération (copiez le contrat pour en commencer un autre).",
                    CONTRAT, lignes.get(cle), VALEUR,
                )
    territoire = {
        "nom": donnees["territoire_nom"], "type": donnees["territoire_type"],
        "siren": donnees["territoire_siren"],
    }
    generation = {
        "nom": donnees["generation_nom"], "annee_debut": donnees["generation_annee_debut"],
        "annee_fin": donnees["generation_annee_fin"],
    }
    voulu = {
        "nom": plan.nom, "annee_debut": donnees["annee_debut"], "annee_fin": donnees["annee_fin"],
        "source": donnees["source"],
    }
    for quoi, existant, champs, etiquette in (
        ("territoire", plan.territoire, territoire, f"territoire {donnees['territoire_code']}"),
        ("generation", plan.generation, generation, f"génération {donnees['generation_code']}"),
        ("contrat", contrat, voulu, f"contrat {plan.code}"),
    ):
        if _comparer_objet(plan, etiquette, existant, champs):
            plan.ecrire.add(quoi)
    plan.valeurs = {"territoire": territoire, "generation": generation, "contrat": voulu}


def _description(element):
    for champ in ("titre", "libelle", "texte", "nom"):
        if element.get(champ):
            return _court(element[champ])
    return ""


def _comparer(plan, cle, anciens, nouveaux):
    feuille = FEUILLES_PAR_CLE[cle].nom
    operations = plan.operations[cle]
    index = {cle_de(cle, e): e for e in anciens}
    for nouveau in nouveaux:
        ancien = index.pop(cle_de(cle, nouveau), None)
        if ancien is None:
            operations.creer.append(nouveau)
            plan.rapport.noter(
                feuille, "création", cle_lisible(cle, nouveau), _description(nouveau)
            )
            continue
        differences = _differences(ancien.champs, nouveau.champs, LIBELLES)
        if differences:
            operations.modifier.append((ancien.objet, nouveau))
            plan.rapport.noter(
                feuille, "modification", cle_lisible(cle, nouveau), " ; ".join(differences)
            )
        else:
            plan.rapport.comptes[feuille].inchanges += 1
    for ancien in index.values():
        operations.supprimer.append(ancien)
        plan.rapport.noter(feuille, "suppression", cle_lisible(cle, ancien))


def _comparer_quartiers(plan, erreurs):
    feuille = FEUILLES_PAR_CLE["quartiers"].nom
    operations = plan.operations["quartiers"]
    existants = quartiers_de_la_generation(plan.generation)
    lies = set(plan.contrat.quartiers.values_list("code", flat=True)) if plan.contrat else set()
    nouveaux = {e["code"]: e for e in plan.classeur["quartiers"]}
    for code, nouveau in nouveaux.items():
        ancien = existants.get(code)
        if ancien is None:
            operations.creer.append(nouveau)
            plan.rapport.noter(feuille, "création", code, _description(nouveau))
        else:
            differences = _differences(ancien.champs, nouveau.champs, LIBELLES)
            if code not in lies:
                differences.append("ajouté à la liste du contrat")
            if differences:
                operations.modifier.append((ancien.objet, nouveau))
                plan.rapport.noter(feuille, "modification", code, " ; ".join(differences))
            else:
                plan.rapport.comptes[feuille].inchanges += 1
        _verifier_code_officiel(nouveau, existants, nouveaux, erreurs)
    plan.quartiers_lies = list(nouveaux)
    retires = [existants[code] for code in sorted(lies - set(nouveaux)) if code in existants]
    ailleurs = set(
        Contrat.quartiers.through.objects.filter(
            quartierprioritaire_id__in=[e.objet.pk for e in retires]
        ).exclude(contrat_id=plan.contrat.pk if plan.contrat else None)
        .values_list("quartierprioritaire_id", flat=True)
    ) if retires else set()
    for ancien in retires:
        if ancien.objet.pk in ailleurs:
            details = "retiré de la liste du contrat ; d'autres contrats le gardent"
        else:
            details = "retiré de la liste du contrat et supprimé"
            operations.supprimer.append(ancien)
        plan.rapport.noter(feuille, "suppression", ancien["code"], details)


def _verifier_code_officiel(nouveau, existants, nouveaux, erreurs):
    officiel = nouveau["code_officiel"]
    if not officiel:
        return
    for code, ancien in existants.items():
        if code == nouveau["code"] or ancien["code_officiel"] != officiel:
            continue
        if code not in nouveaux or nouveaux[code]["code_officiel"] == officiel:
            erreurs.ajouter(
                f"le code officiel {officiel} est déjà celui du quartier « {code} » de cette "
                "génération.", FEUILLES_PAR_CLE["quartiers"].nom, nouveau.ligne, "Code officiel",
            )


def _verifier_suppressions(plan, erreurs):
    for cle, operations in plan.operations.items():
        supprimes = operations.supprimer
        references = references_externes(MODELES[cle], [e.objet for e in supprimes])
        for element in supprimes:
            if element.objet.pk in references:
                erreurs.ajouter(
                    f"{ARTICLES[cle]} {cle_lisible(cle, element)} n'est plus dans le classeur, "
                    f"mais des données y renvoient encore : "
                    f"{' ; '.join(references[element.objet.pk])}. Remettez la ligne dans le "
                    "classeur, ou retirez d'abord ces références.",
                    FEUILLES_PAR_CLE[cle].nom,
                )
