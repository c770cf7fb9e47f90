"""Reads of the conventions: a call's payments dashboard and a dossier's convention."""

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from candidatures.dossiers import budget
from evaluation.models import Decision, LigneCompteRendu

CODES_CHARGES = [code for code, ligne in budget.PAR_CODE.items() if ligne.cote == budget.CHARGE]


def _depenses():
    """Actual spending in the submitted compte rendu financier of the row's dossier."""
    return Subquery(
        LigneCompteRendu.objects.filter(
            bilan__dossier=OuterRef("dossier"), bilan__depose_le__isnull=False,
            code__in=CODES_CHARGES, realise__isnull=False,
        )
        .values("bilan__dossier")
        .annotate(total=Sum("realise"))
        .values("total")[:1],
        output_field=IntegerField(),
    )


RESTE = Case(
    When(dossier__convention__isnull=True, then=F("montant_accorde")),
    When(Q(dossier__convention__sans_solde=True) | Q(dossier__convention__solde_verse=True),
         then=Value(0)),
    default=F("montant_accorde") - F("dossier__convention__montant_verse"),
    output_field=IntegerField(),
)


def subventions_de_l_appel(appel):
    """The call's granted subsidies, each with its convention, payments so far and spending."""
    return (
        Decision.objects.filter(dossier__appel=appel, nature=Decision.Nature.RETENU)
        .select_related("dossier__structure", "dossier__convention", "dossier__bilan")
        .annotate(depenses=_depenses(), reste=RESTE)
        .order_by("dossier__numero", "pk")
    )


def totaux_de_l_appel(appel):
    """Granted, paid and remaining amounts of the call, and how many conventions are recorded."""
    return Decision.objects.filter(
        dossier__appel=appel, nature=Decision.Nature.RETENU
    ).aggregate(
        accorde=Coalesce(Sum("montant_accorde"), 0),
        verse=Coalesce(Sum("dossier__convention__montant_verse"), 0),
        reste=Coalesce(Sum(RESTE), 0),
        subventions=Count("pk"),
        conventions=Count("dossier__convention"),
    )



def pdf_de(convention, *, pret=False):
    """The latest rendering of the convention's PDF (the latest finished one if ``pret``)."""
    if convention is None:
        return None
    if pret:
        return convention.pdf_pret
    return convention.generations.order_by("-demandee_le").first()
