"""A submitted dossier keeps a copy of its structure's yearly declaration (see
candidatures/models/declarations.py). Dossiers already submitted get the declaration their
structure has for their call's year, if any; none is blocked."""

from django.db import migrations, models

from candidatures.models.declarations import figer


def figer_existants(apps, schema_editor):
    Dossier = apps.get_model("candidatures", "Dossier")
    InformationsAnnuelles = apps.get_model("candidatures", "InformationsAnnuelles")
    declarations = {
        (i.structure_id, i.annee): i
        for i in InformationsAnnuelles.objects.prefetch_related("agrements", "lignes_budget")
    }
    a_figer = []
    for dossier in Dossier.objects.filter(depose_le__isnull=False).select_related("appel").only(
        "pk", "structure_id", "appel__annee"
    ).iterator(chunk_size=2000):
        informations = declarations.get((dossier.structure_id, dossier.appel.annee))
        if informations is not None:
            dossier.informations_deposees = figer(
                informations, informations.agrements.all(), informations.lignes_budget.all()
            )
            a_figer.append(dossier)
    Dossier.objects.bulk_update(a_figer, ["informations_deposees"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("candidatures", "0013_dossier_meme_contrat"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="informations_deposees",
            field=models.JSONField(
                blank=True, editable=False, null=True,
                verbose_name="informations annuelles de la structure au dépôt",
            ),
        ),
        migrations.RunPython(figer_existants, migrations.RunPython.noop),
    ]
