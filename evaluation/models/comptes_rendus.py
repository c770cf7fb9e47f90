"""The optional details of the compte rendu financier (Cerfa n°15059*02): 604, 606, 613, 641,
645… under accounts 60 to 64, 756, 758, 750 under account 75 — the details of the request's
budget grid, forecast and actual.

A detail's forecast is the dossier's budget detail (fixed since the dossier was submitted); only
its actual amount is kept here. When a detail of a line has an actual amount, the line's actual
amount (``LigneCompteRendu.realise``) is the sum of its details, set by the saving service. The
details are kept apart from ``LigneCompteRendu`` so that every sum over its lines (spending,
funders) keeps counting each euro once.
"""

from django.db import models
from django.db.models import Q

from candidatures.commun.formats import euros
from candidatures.dossiers import budget as grille_budget

from .bilans import Bilan

CODES_DETAILS = [ligne.code for ligne in grille_budget.SOUS_LIGNES]


class DetailCompteRendu(models.Model):
    """The actual amount of one detail of a line of the compte rendu financier."""

    bilan = models.ForeignKey(Bilan, on_delete=models.CASCADE, related_name="details")
    code = models.CharField(
        "détail", max_length=16,
        choices=[(ligne.code, ligne.libelle) for ligne in grille_budget.SOUS_LIGNES],
    )
    realise = models.IntegerField("réalisation (€)", null=True, blank=True)

    class Meta:
        verbose_name = "détail du compte rendu financier"
        verbose_name_plural = "détails du compte rendu financier"
        constraints = [
            models.UniqueConstraint(fields=["bilan", "code"], name="detail_compte_rendu_unique"),
            models.CheckConstraint(
                condition=Q(code__in=CODES_DETAILS), name="detail_compte_rendu_code_connu"
            ),
            models.CheckConstraint(
                condition=Q(realise__isnull=True) | Q(realise__gte=0),
                name="detail_compte_rendu_realise_positif",
            ),
        ]

    def __str__(self):
        return f"{self.code} : {euros(self.realise)} réalisés"
