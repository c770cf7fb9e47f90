"""The status history carries its dossier's call (filled from the dossier), indexed by call,
kept equal to the dossier's by triggers (see candidatures/dossiers/contrainte_appel.py)."""

import django.db.models.deletion
from django.db import migrations, models

from candidatures.dossiers import contrainte_appel

TABLES = ["candidatures_historiquestatut"]


def remplir(apps, schema_editor):
    contrainte_appel.remplir(schema_editor.connection, TABLES)


def creer(apps, schema_editor):
    contrainte_appel.installer(schema_editor.connection, TABLES)


def supprimer(apps, schema_editor):
    contrainte_appel.retirer(schema_editor.connection, TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("candidatures", "0014_dossier_informations_deposees"),
    ]

    operations = [
        migrations.AddField(
            model_name="historiquestatut",
            name="appel",
            field=models.ForeignKey(
                db_index=False, editable=False, null=True,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                to="candidatures.appelaprojets",
            ),
        ),
        migrations.RunPython(remplir, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="historiquestatut",
            name="appel",
            field=models.ForeignKey(
                db_index=False, editable=False,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                to="candidatures.appelaprojets",
            ),
        ),
        migrations.AddIndex(
            model_name="historiquestatut",
            index=models.Index(fields=["appel", "dossier", "le"], name="historique_appel_dossier"),
        ),
        migrations.RunPython(creer, supprimer),
    ]
