"""A dossier only uses the actions and QPV of its call's contract: database triggers
(see candidatures/dossiers/contrainte_contrat.py)."""

from django.db import migrations

from candidatures.dossiers.contrainte_contrat import installer, retirer


def creer(apps, schema_editor):
    installer(schema_editor.connection)


def supprimer(apps, schema_editor):
    retirer(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("candidatures", "0012_recepisse_dossier"),
        ("referentiel", "0003_contrats_contraintes"),
    ]

    operations = [migrations.RunPython(creer, supprimer)]
