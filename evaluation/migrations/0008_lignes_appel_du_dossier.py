"""Instructions, decisions, bilans and the instruction trail carry their dossier's call (filled
from the dossier), indexed by call, kept equal to the dossier's by triggers
(see candidatures/dossiers/contrainte_appel.py and evaluation/contrainte_appel.py)."""

import django.db.models.deletion
from django.db import migrations, models

from candidatures.dossiers import contrainte_appel

TABLES = [
    "evaluation_instruction", "evaluation_decision", "evaluation_bilan",
    "evaluation_modification",
]


def remplir(apps, schema_editor):
    contrainte_appel.remplir(schema_editor.connection, TABLES)


def creer(apps, schema_editor):
    contrainte_appel.installer(schema_editor.connection, TABLES)


def supprimer(apps, schema_editor):
    contrainte_appel.retirer(schema_editor.connection, TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("candidatures", "0015_lignes_appel_du_dossier"),
        ("evaluation", "0007_compte_rendu_details"),
    ]

    operations = [
        migrations.AddField(
            model_name="bilan",
            name="appel",
            field=models.ForeignKey(
                db_index=False, editable=False, null=True,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                to="candidatures.appelaprojets",
            ),
        ),
        migrations.AddField(
            model_name="decision",
            name="appel",
            field=models.ForeignKey(
                db_index=False, editable=False, null=True,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                to="candidatures.appelaprojets",
            ),
        ),
        migrations.AddField(
            model_name="instruction",
            name="appel",
            field=models.ForeignKey(
                db_index=False, editable=False, null=True,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                to="candidatures.appelaprojets",
            ),
        ),
        migrations.AddField(
            model_name="modification",
            name="appel",
            field=models.ForeignKey(
                db_index=False, editable=False, null=True,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                to="candidatures.appelaprojets",
            ),
        ),
        migrations.RunPython(remplir, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="bilan",
            name="appel",
            field=models.ForeignKey(
                db_index=False, editable=False,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                to="candidatures.appelaprojets",
            ),
        ),
        migrations.AlterField(
            model_name="decision",
            name="appel",
            field=models.ForeignKey(
                db_index=False, editable=False,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                to="candidatures.appelaprojets",
            ),
        ),
        migrations.AlterField(
            model_name="instruction",
            name="appel",
            field=models.ForeignKey(
                db_index=False, editable=False,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                to="candidatures.appelaprojets",
            ),
        ),
        migrations.AlterField(
            model_name="modification",
            name="appel",
            field=models.ForeignKey(
                db_index=False, editable=False,
                on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                to="candidatures.appelaprojets",
            ),
        ),
        migrations.AddIndex(
            model_name="bilan",
            index=models.Index(
                fields=["appel", "dossier", "modifie_le", "beneficiaires_femmes", "beneficiaires_hommes", "beneficiaires_filles", "beneficiaires_garcons"],
                name="bilan_appel_dossier",
            ),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(
                fields=["appel", "dossier", "montant_accorde"],
                name="decision_appel_dossier",
            ),
        ),
        migrations.AddIndex(
            model_name="instruction",
            index=models.Index(
                fields=["appel", "dossier", "montant_propose"],
                name="instruction_appel_dossier",
            ),
        ),
        migrations.AddIndex(
            model_name="modification",
            index=models.Index(
                fields=["appel", "dossier", "le"],
                name="modification_appel_dossier",
            ),
        ),
        migrations.RunPython(creer, supprimer),
    ]
