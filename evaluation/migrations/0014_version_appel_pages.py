"""The version's triggers extended to what the queue of a call shows (see
evaluation/version_appel.py): a submitted dossier's shown columns, its quartiers, messages and
readings raise the call's version; names, memberships, roles and calls raise the portal's.
Installed anew: on SQLite, ``CREATE TRIGGER IF NOT EXISTS`` would keep the old dossier trigger."""

from django.db import migrations

from evaluation import version_appel


def reinstaller(apps, schema_editor):
    version_appel.retirer(schema_editor.connection)
    version_appel.installer(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0013_version_appel'),
    ]

    operations = [
        migrations.RunPython(reinstaller, reinstaller),
    ]
