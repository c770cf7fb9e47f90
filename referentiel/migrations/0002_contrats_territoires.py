"""Several contracts: territories, generations, codes unique per contract.

Everything present before this migration ends up in one contract, the default one: its
territory and generation are created from what the contract row said, its QPV are attached to
that generation and to the contract, and every level of its tree points at it.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils.text import slugify


def vers_plusieurs_contrats(apps, schema_editor):
    Contrat = apps.get_model("referentiel", "Contrat")
    Territoire = apps.get_model("referentiel", "Territoire")
    Generation = apps.get_model("referentiel", "Generation")
    QuartierPrioritaire = apps.get_model("referentiel", "QuartierPrioritaire")
    Pilier = apps.get_model("referentiel", "Pilier")
    Orientation = apps.get_model("referentiel", "Orientation")
    Objectif = apps.get_model("referentiel", "Objectif")
    Action = apps.get_model("referentiel", "Action")

    contrats = list(Contrat.objects.order_by("annee_debut", "pk"))
    for contrat in contrats:
        territoire, _ = Territoire.objects.get_or_create(
            code=slugify(contrat.territoire)[:60] or f"territoire-{contrat.pk}",
            defaults={"nom": contrat.territoire, "type": "EPCI"},
        )
        generation, _ = Generation.objects.get_or_create(
            code=f"contrats-de-ville-{contrat.annee_debut}",
            defaults={
                "nom": f"Contrat de ville {contrat.annee_debut}–2023",
                "annee_debut": contrat.annee_debut,
                "annee_fin": max(2023, contrat.annee_fin),
            },
        )
        contrat.territoire_ref = territoire
        contrat.generation = generation
        contrat.save(update_fields=["territoire_ref", "generation"])
    if contrats:
        premier = contrats[0]
        Contrat.objects.filter(pk=premier.pk).update(par_defaut=True)
        QuartierPrioritaire.objects.update(generation=premier.generation)
        premier.quartiers.set(QuartierPrioritaire.objects.all())
    # Codes were unique on the whole database: one contract held every level of the tree.
    for pilier in Pilier.objects.all():
        Orientation.objects.filter(pilier=pilier).update(contrat_id=pilier.contrat_id)
    for orientation in Orientation.objects.all():
        Objectif.objects.filter(orientation=orientation).update(contrat_id=orientation.contrat_id)
    for objectif in Objectif.objects.all():
        Action.objects.filter(objectif=objectif).update(contrat_id=objectif.contrat_id)


def vers_un_contrat(apps, schema_editor):
    Contrat = apps.get_model("referentiel", "Contrat")
    for contrat in Contrat.objects.select_related("territoire_ref"):
        contrat.territoire = contrat.territoire_ref.nom
        contrat.save(update_fields=["territoire"])


class Migration(migrations.Migration):
    dependencies = [("referentiel", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="Territoire",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=60, unique=True, verbose_name="code")),
                ("nom", models.CharField(max_length=255, verbose_name="nom")),
                ("type", models.CharField(choices=[("EPCI", "intercommunalité (EPCI)"), ("commune", "commune"), ("autre", "autre")], default="EPCI", max_length=10, verbose_name="type")),
                ("siren", models.CharField(blank=True, max_length=9, verbose_name="SIREN")),
            ],
        ),
        migrations.CreateModel(
            name="Generation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=60, unique=True, verbose_name="code")),
                ("nom", models.CharField(max_length=255, verbose_name="nom")),
                ("annee_debut", models.PositiveSmallIntegerField(verbose_name="année de début")),
                ("annee_fin", models.PositiveSmallIntegerField(verbose_name="année de fin")),
            ],
        ),
        migrations.AddField(
            model_name="contrat",
            name="territoire_ref",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="contrats", to="referentiel.territoire"),
        ),
        migrations.AddField(
            model_name="contrat",
            name="generation",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="contrats", to="referentiel.generation"),
        ),
        migrations.AddField(
            model_name="contrat",
            name="par_defaut",
            field=models.BooleanField(default=False, verbose_name="contrat par défaut"),
        ),
        migrations.AddField(
            model_name="contrat",
            name="quartiers",
            field=models.ManyToManyField(blank=True, related_name="contrats", to="referentiel.quartierprioritaire"),
        ),
        migrations.AddField(
            model_name="quartierprioritaire",
            name="generation",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="quartiers", to="referentiel.generation"),
        ),
        migrations.AddField(
            model_name="orientation",
            name="contrat",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="referentiel.contrat"),
        ),
        migrations.AddField(
            model_name="objectif",
            name="contrat",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="referentiel.contrat"),
        ),
        migrations.AddField(
            model_name="action",
            name="contrat",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="referentiel.contrat"),
        ),
        migrations.RunPython(vers_plusieurs_contrats, vers_un_contrat),
        # A default lets the way back re-create the text column on a table holding rows.
        migrations.AlterField(
            model_name="contrat",
            name="territoire",
            field=models.CharField(default="", max_length=255, verbose_name="territoire"),
        ),
        migrations.RemoveField(model_name="contrat", name="territoire"),
        migrations.RenameField(model_name="contrat", old_name="territoire_ref", new_name="territoire"),
    ]
