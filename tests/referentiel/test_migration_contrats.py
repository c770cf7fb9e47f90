"""A database of the single-contract portal migrates to several contracts without loss."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

AVANT = [("referentiel", "0001_initial"), ("candidatures", "0007_modifications_dossier")]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrer(cibles):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(cibles)
    return executor.loader.project_state(cibles).apps


def _dernieres():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _base_dune_seule_commune(apps):
    """What a 2025 portal held: one contract, its tree, QPV, staff in groups, a dossier."""
    Contrat = apps.get_model("referentiel", "Contrat")
    Pilier = apps.get_model("referentiel", "Pilier")
    Orientation = apps.get_model("referentiel", "Orientation")
    Objectif = apps.get_model("referentiel", "Objectif")
    Action = apps.get_model("referentiel", "Action")
    Quartier = apps.get_model("referentiel", "QuartierPrioritaire")
    Group = apps.get_model("auth", "Group")
    Utilisateur = apps.get_model("candidatures", "Utilisateur")
    Structure = apps.get_model("candidatures", "Structure")
    Appel = apps.get_model("candidatures", "AppelAProjets")
    Dossier = apps.get_model("candidatures", "Dossier")

    contrat = Contrat.objects.create(
        code="ancien-2015", nom="Contrat de ville d'Ancienne-Ville", territoire="Ancienne Agglo",
        annee_debut=2015, annee_fin=2020, source="Cahier n°4",
    )
    pilier = Pilier.objects.create(contrat=contrat, code="1", titre="Cohésion sociale", ordre=1)
    orientation = Orientation.objects.create(pilier=pilier, code="1.1", titre="Échanges", ordre=1)
    objectif = Objectif.objects.create(orientation=orientation, code="1.1.1", titre="Animer")
    action = Action.objects.create(objectif=objectif, code="1.1.1.a", libelle="Actions mobiles")
    quartier = Quartier.objects.create(
        code="centre", nom="Centre", commune="Ancienne-Ville",
        valide_du=datetime.date(2015, 1, 1),
    )
    instructrice = Utilisateur.objects.create(email="instructrice@exemple.test")
    instructrice.groups.add(Group.objects.get_or_create(name="instructeur")[0])
    membre_comite = Utilisateur.objects.create(email="comite@exemple.test")
    membre_comite.groups.add(Group.objects.get_or_create(name="comite")[0])
    administrateur = Utilisateur.objects.create(email="admin@exemple.test")
    administrateur.groups.add(Group.objects.get_or_create(name="administrateur")[0])
    structure = Structure.objects.create(
        raison_sociale="Association du centre", siret="73282932000074", objet="Animation",
        adresse="1 rue", code_postal="30100", commune="Alès",
    )
    appel = Appel.objects.create(
        contrat=contrat, annee=2025, titre="Appel 2025",
        ouverture=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
        cloture=datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC),
    )
    dossier = Dossier.objects.create(structure=structure, appel=appel, action_principale=action)
    dossier.quartiers.add(quartier)
    return {"contrat": contrat.pk, "action": action.pk, "dossier": dossier.pk,
            "quartier": quartier.pk, "objectif": objectif.pk}


def test_une_base_a_un_seul_contrat_migre_sans_perte():
    """Everything present before ends up in the default contract; staff keep their roles."""
    try:
        anciennes = _migrer(AVANT)
        # The test database holds the loaded référentiel: start from an empty tree.
        for modele in ("Renvoi", "Indicateur", "NoteFinancement", "Exigence", "Action",
                       "Objectif", "Orientation", "Pilier", "QuartierPrioritaire", "Contrat"):
            anciennes.get_model("referentiel", modele).objects.all().delete()
        cles = _base_dune_seule_commune(anciennes)

        apps = _migrer(_dernieres())

        Contrat = apps.get_model("referentiel", "Contrat")
        Action = apps.get_model("referentiel", "Action")
        Objectif = apps.get_model("referentiel", "Objectif")
        Dossier = apps.get_model("candidatures", "Dossier")
        Habilitation = apps.get_model("candidatures", "Habilitation")
        Utilisateur = apps.get_model("candidatures", "Utilisateur")
        contrat = Contrat.objects.select_related("territoire", "generation").get(
            pk=cles["contrat"]
        )
        assert (contrat.code, contrat.territoire.nom, contrat.par_defaut) == (
            "ancien-2015", "Ancienne Agglo", True
        )
        assert (contrat.generation.annee_debut, contrat.generation.annee_fin) == (2015, 2023)
        assert list(contrat.quartiers.values_list("pk", flat=True)) == [cles["quartier"]]
        assert contrat.quartiers.get().generation_id == contrat.generation_id
        assert Action.objects.get(pk=cles["action"]).contrat_id == contrat.pk
        assert Objectif.objects.get(pk=cles["objectif"]).contrat_id == contrat.pk
        dossier = Dossier.objects.get(pk=cles["dossier"])
        assert dossier.action_principale_id == cles["action"]
        assert list(dossier.quartiers.values_list("pk", flat=True)) == [cles["quartier"]]
        assert dossier.appel.contrat_id == contrat.pk
        assert set(Habilitation.objects.values_list("utilisateur__email", "role", "contrat")) == {
            ("instructrice@exemple.test", "instructeur", None),
            ("comite@exemple.test", "comite", None),
        }
        assert set(Habilitation.objects.values_list("territoire_id", flat=True)) == {
            contrat.territoire_id
        }
        admin = Utilisateur.objects.get(email="admin@exemple.test")
        assert list(admin.groups.values_list("name", flat=True)) == ["administrateur"]
        assert not Utilisateur.objects.get(email="instructrice@exemple.test").groups.exists()
    finally:
        # Back to the latest migrations if the test stopped on the way (without rendering the
        # models of a state nobody reads when there is nothing left to apply).
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            executor.migrate(executor.loader.graph.leaf_nodes())
