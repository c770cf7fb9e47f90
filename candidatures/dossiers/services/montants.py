"""The amount a dossier asks of the contrat de ville, kept on the dossier for sorts and lists."""

from django.db.models import IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from ...models import Dossier, LigneBudget
from .. import budget
from ..selectors import totaux_budget


def actualiser_montant_demande(dossier):
    """Set ``dossier.montant_demande`` from its budget lines (the caller saves the dossier)."""
    dossier.montant_demande = totaux_budget(dossier).montant_demande
    return dossier.montant_demande


def actualiser_montants_demandes(dossiers=None):
    """Recompute the stored amount of many dossiers in one UPDATE (imports, bulk inserts)."""
    dossiers = Dossier.objects.all() if dossiers is None else dossiers
    somme = (
        LigneBudget.objects.filter(dossier=OuterRef("pk"), code__in=budget.CODES_CONTRAT_VILLE)
        .order_by()
        .values("dossier")
        .annotate(total=Sum("montant"))
        .values("total")
    )
    return dossiers.update(
        montant_demande=Coalesce(Subquery(somme, output_field=IntegerField()), Value(0))
    )
