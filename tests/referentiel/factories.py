"""A second, small contract for the tests that need several (the default one is the seed)."""

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


def creer_contrat(code="val-fictif-2024", *, territoire=None, nom=None):
    """A 2024–2030 contract of another territory: one branch of tree, one QPV.

    Its codes are those of the seed (« 1 », « 1.1 », « 1.1.1 », « 1.1.1.a »): codes are unique
    within a contract only.
    """
    if territoire is None:
        territoire, _ = Territoire.objects.get_or_create(
            code=f"territoire-{code}", defaults={"nom": f"Territoire de {code}", "type": "EPCI"}
        )
    generation, _ = Generation.objects.get_or_create(
        code="engagements-quartiers-2030",
        defaults={"nom": "Engagements Quartiers 2030", "annee_debut": 2024, "annee_fin": 2030},
    )
    contrat = Contrat.objects.create(
        code=code, nom=nom or f"Contrat {code}", territoire=territoire, generation=generation,
        annee_debut=2024, annee_fin=2030,
    )
    pilier = Pilier.objects.create(contrat=contrat, code="1", titre="Emploi et insertion", ordre=1)
    orientation = Orientation.objects.create(
        pilier=pilier, code="1.1", titre="Lever les freins à l'emploi", ordre=1
    )
    objectif = Objectif.objects.create(
        orientation=orientation, code="1.1.1", titre="Accompagner vers la mobilité", ordre=1
    )
    Action.objects.create(
        objectif=objectif, code="1.1.1.a", libelle="Auto-école sociale", ordre=1
    )
    Exigence.objects.create(objectif=objectif, ordre=1, texte="Public des QPV majoritaire")
    Indicateur.objects.create(
        objectif=objectif, ordre=1, libelle="Nombre de permis obtenus",
        ventilation=Indicateur.Ventilation.FH,
    )
    quartier = QuartierPrioritaire.objects.create(
        generation=generation, code=f"qpv-{code}", nom="Les Fictives", commune="Val-Fictif",
        valide_du=datetime.date(2024, 1, 1),
    )
    contrat.quartiers.add(quartier)
    return contrat
