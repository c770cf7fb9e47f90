"""The list of bilans: those the structure must give and gave; those staff must validate."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from candidatures.commun.pagination import PaginateurBorne
from candidatures.models import STATUTS_SAISIE

from .. import selectors
from ..permissions import peut_voir_bilans_annuels

PAR_PAGE = 50


@require_GET
def liste(request):
    """The structure's bilans to give and given; for staff, the bilans waiting for validation."""
    membre_de = request.user.adhesions.exists()
    contexte = {"peut_voir_annuels": peut_voir_bilans_annuels(request.user)}
    if membre_de:
        dossiers = list(
            selectors.dossiers_a_bilan(request.user).filter(
                structure__membres__utilisateur=request.user
            )
        )
        contexte["a_remettre"] = [
            d for d in dossiers if d.statut in STATUTS_SAISIE
        ]
        contexte["remis"] = [
            d for d in dossiers if d.statut not in STATUTS_SAISIE
        ]
    if peut_voir_bilans_annuels(request.user):
        contexte["a_valider"] = PaginateurBorne(
            selectors.bilans_a_valider(request.user), PAR_PAGE
        ).get_page(request.GET.get("page"))
    return render(request, "bilans/liste.html", contexte)

