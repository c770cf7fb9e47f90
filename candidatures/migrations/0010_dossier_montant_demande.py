"""The amount asked of the contrat de ville kept on the dossier, filled from the budget lines."""

from django.db import migrations, models
from django.db.models import IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

# The budget lines asked of the contrat de ville when this migration was written.
CODES_CONTRAT_VILLE = ["74_etat_pv", "74_epci"]


def remplir(apps, schema_editor):
    Dossier = apps.get_model("candidatures", "Dossier")
    LigneBudget = apps.get_model("candidatures", "LigneBudget")
    somme = (
        LigneBudget.objects.filter(dossier=OuterRef("pk"), code__in=CODES_CONTRAT_VILLE)
        .order_by()
        .values("dossier")
        .annotate(total=Sum("montant"))
        .values("total")
    )
    Dossier.objects.update(
        montant_demande=Coalesce(Subquery(somme, output_field=IntegerField()), Value(0))
    )


class Migration(migrations.Migration):

    dependencies = [
        ("candidatures", "0009_index_dossiers_soumis_par_appel"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="montant_demande",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="montant demandé au contrat de ville (€)"
            ),
        ),
        migrations.RunPython(remplir, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("depose_le__isnull", False)),
                fields=["appel", "montant_demande", "numero"],
                name="dossier_soumis_montant",
            ),
        ),
    ]
