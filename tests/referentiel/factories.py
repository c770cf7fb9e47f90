"""A second contract beside the default one (the seed), for the tests that need several.

One builder for every test module: a territory, a generation, the contract, one branch of tree
(pilier → orientation → objectif with its requirement and indicator → action) and a QPV of its
own. Its codes are those of the seed (« 1 », « 1.1 », « 1.1.1 », « 1.1.1.a »), as a successor
contract would reuse them: codes are unique within a contract only, and whatever is scoped by code
and not by contract shows up at once.
"""

import datetime

from referentiel.models import (
    Action,
    Contrat,
    Exigence,
    Generation,
    Indicateur,
    Objectif,
    Orientation,
    Pilier,
    QuartierPrioritaire,
    Territoire,
)

TITRES = {
    "pilier": "Emploi et insertion",
    "orientation": "Lever les freins à l'emploi",
    "objectif": "Accompagner vers la mobilité",
    "action": "Auto-école sociale",
    "exigence": "Public des QPV majoritaire",
    "indicateur": "Nombre de permis obtenus",
}


def creer_branche(contrat, titres=None, *, ventilation=Indicateur.Ventilation.FH):
    """Pilier 1 → 1.1 → 1.1.1 (requirement and indicator, unless their title is None) → 1.1.1.a."""
    titres = {**TITRES, **(titres or {})}
    pilier = Pilier.objects.create(contrat=contrat, code="1", titre=titres["pilier"], ordre=1)
    orientation = Orientation.objects.create(
        pilier=pilier, code="1.1", titre=titres["orientation"], ordre=1
    )
    objectif = Objectif.objects.create(
        orientation=orientation, code="1.1.1", titre=titres["objectif"], ordre=1
    )
    if titres["exigence"]:
        Exigence.objects.create(objectif=objectif, ordre=1, texte=titres["exigence"])
    if titres["indicateur"]:
        Indicateur.objects.create(
            objectif=objectif, ordre=1, libelle=titres["indicateur"], ventilation=ventilation
        )
    action = Action.objects.create(
        objectif=objectif, code="1.1.1.a", libelle=titres["action"], ordre=1
    )
    return {"pilier": pilier, "orientation": orientation, "objectif": objectif, "action": action}


def creer_contrat(code="val-fictif-2024", *, nom=None, territoire=None, generation=None,
                  titres=None, ventilation=Indicateur.Ventilation.FH, quartier=None):
    """A 2024–2030 contract of another territory (``territoire-<code>`` unless given: pass the
    default contract's territory for a successor contract), generation « Engagements Quartiers
    2030 » unless given, one branch of tree (``titres`` overrides :data:`TITRES`) and one QPV
    (``quartier``: code, nom, commune; « Les Fictives » in Val-Fictif by default)."""
    if territoire is None:
        territoire, _ = Territoire.objects.get_or_create(
            code=f"territoire-{code}", defaults={"nom": f"Territoire de {code}", "type": "EPCI"}
        )
    if generation is None:
        generation, _ = Generation.objects.get_or_create(
            code="engagements-quartiers-2030",
            defaults={"nom": "Engagements Quartiers 2030", "annee_debut": 2024, "annee_fin": 2030},
        )
    contrat = Contrat.objects.create(
        code=code, nom=nom or f"Contrat {code}", territoire=territoire, generation=generation,
        annee_debut=2024, annee_fin=2030,
    )
    creer_branche(contrat, titres, ventilation=ventilation)
    quartier = QuartierPrioritaire.objects.create(
        generation=generation, valide_du=datetime.date(2024, 1, 1),
        **(quartier or {"code": f"qpv-{code}", "nom": "Les Fictives", "commune": "Val-Fictif"}),
    )
    contrat.quartiers.add(quartier)
    return contrat
