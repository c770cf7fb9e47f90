"""A second contrat de ville, with its own small tree, beside the default (Alès 2015) one."""

import datetime

from candidatures.models import Habilitation, Role
from referentiel.models import (
    Action,
    Contrat,
    Generation,
    Indicateur,
    Objectif,
    Orientation,
    Pilier,
    QuartierPrioritaire,
    Territoire,
)


def creer_contrat(code="nimes-metropole-2024", *, nom="Contrat de ville de Nîmes Métropole",
                  territoire=None, generation=None):
    """A contract of another territory (Nîmes by default), generation « Quartiers 2030 »:
    one pilier, orientation, objective (with a numeric indicator), action and QPV."""
    territoire = territoire or Territoire.objects.get_or_create(
        code="nimes-metropole", defaults={"nom": "Nîmes Métropole", "siren": "243000643"}
    )[0]
    generation = generation or Generation.objects.get_or_create(
        code="quartiers-2030",
        defaults={"nom": "Engagements Quartiers 2030", "annee_debut": 2024, "annee_fin": 2030},
    )[0]
    contrat = Contrat.objects.create(
        code=code, nom=nom, territoire=territoire, generation=generation,
        annee_debut=2024, annee_fin=2030,
    )
    pilier = Pilier.objects.create(contrat=contrat, code="1", titre="Emploi et insertion", ordre=1)
    orientation = Orientation.objects.create(
        pilier=pilier, code="1.1", titre="Accompagner vers l'emploi", ordre=1
    )
    objectif = Objectif.objects.create(
        orientation=orientation, code="1.1.1", titre="Lever les freins à l'emploi", ordre=1
    )
    Indicateur.objects.create(
        objectif=objectif, ordre=1, libelle="Personnes accompagnées",
        ventilation=Indicateur.Ventilation.FH,
    )
    action = Action.objects.create(
        objectif=objectif, code="1.1.1.a", libelle="Ateliers de recherche d'emploi", ordre=1
    )
    quartier = QuartierPrioritaire.objects.create(
        generation=generation, code=f"pissevin-{code}", nom="Pissevin", commune="Nîmes",
        valide_du=datetime.date(2024, 1, 1),
    )
    contrat.quartiers.add(quartier)
    return {
        "contrat": contrat, "territoire": territoire, "generation": generation,
        "pilier": pilier, "orientation": orientation, "objectif": objectif, "action": action,
        "quartier": quartier,
    }


def administrateur_de(*, territoire=None, contrat=None, **champs):
    """An account administering a whole territory, or one contract (a habilitation, not the
    portal-wide group the factory's ``administrateur`` trait gives)."""
    from .factories import UtilisateurFactory

    utilisateur = UtilisateurFactory(**champs)
    Habilitation.objects.create(
        utilisateur=utilisateur, role=Role.ADMINISTRATEUR, contrat=contrat,
        territoire=territoire or contrat.territoire,
    )
    return utilisateur
