"""Forecast indicators and budget lines carry their dossier's call (filled from the dossier),
indexed by call, kept equal to the dossier's by triggers (see
candidatures/dossiers/contrainte_appel.py)."""

import django.db.models.deletion
from django.db import migrations, models

from candidatures.dossiers import contrainte_appel

TABLES = ["candidatures_previsionindicateur", "candidatures_lignebudget"]
MODELES = ["previsionindicateur", "lignebudget"]


def remplir(apps, schema_editor):
    contrainte_appel.remplir(schema_editor.connection, TABLES)


def creer(apps, schema_editor):
    contrainte_appel.installer(schema_editor.connection, TABLES)


def supprimer(apps, schema_editor):
    contrainte_appel.retirer(schema_editor.connection, TABLES)


def _appel(**options):
    return models.ForeignKey(
        db_index=False, editable=False, on_delete=django.db.models.deletion.DO_NOTHING,
        related_name="+", to="candidatures.appelaprojets", **options,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("candidatures", "0016_structure_par_nom"),
    ]

    operations = [
        *(migrations.AddField(model_name=m, name="appel", field=_appel(null=True)) for m in MODELES),
        migrations.RunPython(remplir, migrations.RunPython.noop, elidable=True),
        *(migrations.AlterField(model_name=m, name="appel", field=_appel()) for m in MODELES),
        migrations.AddIndex(
            model_name="previsionindicateur",
            index=models.Index(
                fields=["appel", "dossier", "indicateur", "valeur", "valeur_femmes",
                        "valeur_hommes", "valeur_filles", "valeur_garcons"],
                name="prevision_appel_dossier",
            ),
        ),
        migrations.AddIndex(
            model_name="lignebudget",
            index=models.Index(fields=["appel", "code", "dossier", "montant"],
                               name="ligne_budget_appel_code"),
        ),
        migrations.RunPython(creer, supprimer),
    ]
