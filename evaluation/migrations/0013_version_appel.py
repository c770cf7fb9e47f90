"""Counters per call raised by the database whenever the call's dossiers, instructions or
decisions change (see evaluation/version_appel.py): the programmation's totals are kept under
it."""

from django.db import migrations, models

from evaluation import version_appel


def installer(apps, schema_editor):
    version_appel.installer(schema_editor.connection)


def retirer(apps, schema_editor):
    version_appel.retirer(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('candidatures', '0017_previsions_budgets_appel_du_dossier'),
        ('evaluation', '0012_bilan_a_valider'),
    ]

    operations = [
        migrations.CreateModel(
            name='VersionAppel',
            fields=[
                ('id', models.BigAutoField(
                    auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('appel_id', models.BigIntegerField(db_index=True, verbose_name='appel à projets')),
                ('version', models.BigIntegerField(default=0)),
            ],
            options={
                'verbose_name': "version des données d'un appel",
                'verbose_name_plural': 'versions des données des appels',
            },
        ),
        migrations.RunPython(installer, retirer),
    ]
