"""A second contrat de ville, with its own small tree, beside the default (Alès 2015) one."""

from candidatures.models import Habilitation, Role
from referentiel.models import Action, Generation, Territoire
from tests.referentiel.factories import creer_contrat as fabriquer_contrat


def creer_contrat(code="nimes-metropole-2024", *, nom="Contrat de ville de Nîmes Métropole",
                  territoire=None, generation=None):
    """A contract of another territory (Nîmes by default), generation « Quartiers 2030 »:
    one pilier, orientation, objective (with a numeric indicator, no requirement), action and
    QPV; returned with its parts by name."""
    territoire = territoire or Territoire.objects.get_or_create(
        code="nimes-metropole", defaults={"nom": "Nîmes Métropole", "siren": "243000643"}
    )[0]
    generation = generation or Generation.objects.get_or_create(
        code="quartiers-2030",
        defaults={"nom": "Engagements Quartiers 2030", "annee_debut": 2024, "annee_fin": 2030},
    )[0]
    contrat = fabriquer_contrat(
        code, nom=nom, territoire=territoire, generation=generation,
        titres={
            "orientation": "Accompagner vers l'emploi", "objectif": "Lever les freins à l'emploi",
            "action": "Ateliers de recherche d'emploi", "exigence": None,
            "indicateur": "Personnes accompagnées",
        },
        quartier={"code": f"pissevin-{code}", "nom": "Pissevin", "commune": "Nîmes"},
    )
    action = Action.objects.select_related("objectif__orientation__pilier").get(contrat=contrat)
    return {
        "contrat": contrat, "territoire": territoire, "generation": generation,
        "pilier": action.objectif.orientation.pilier, "orientation": action.objectif.orientation,
        "objectif": action.objectif, "action": action, "quartier": contrat.quartiers.get(),
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
