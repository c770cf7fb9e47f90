"""The list of bilans: those the structure must give and gave; those staff must validate."""

from dataclasses import dataclass
from html import escape

from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from candidatures.commun.formats import date_longue
from candidatures.commun.pagination import PaginateurBorne
from candidatures.commun.redirections import adresses_par_cle
from candidatures.models import STATUTS_SAISIE, Structure

from .. import selectors
from ..permissions import peut_voir_bilans_annuels

PAR_PAGE = 50


# One row of the table of bilans to validate, as the template wrote it.
_RANGEE = (
    '<tr>\n        <td><a href="{}">{}</a><span class="d-block small">{}</span></td>\n'
    '        <td>{}</td>\n        <td><span class="code">{}</span></td>\n        <td>{}</td>\n'
    '      </tr>'
)


@dataclass(slots=True)
class LigneAValider:
    """One row of the bilans to validate: its bilan's key and its HTML, written once here
    (escaped as the template would) rather than by a template lookup per cell."""

    pk: int
    html: str


def lignes_a_valider(valeurs):
    """Rows of the bilans to validate from ``selectors.bilans_a_valider``'s dicts: the detail
    address reversed once for the page, each submission day formatted once, each value escaped
    as the template's autoescape does (``django.utils.html.escape`` is ``html.escape``)."""
    adresse = adresses_par_cle("bilans:detail")
    fuseau = timezone.get_current_timezone()
    dates = {}
    lignes = []
    for v in valeurs:
        jour = v["depose_le"].astimezone(fuseau).date()
        if jour not in dates:
            dates[jour] = escape(date_longue(jour))
        structure = Structure.libelle(v["raison_sociale"], v["sigle"])
        lignes.append(LigneAValider(v["pk"], mark_safe(_RANGEE.format(
            adresse(v["dossier_id"]), escape(v["reference"]), escape(v["intitule"]),
            escape(structure), escape(v["action"] or ""), dates[jour],
        ))))
    return lignes


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
        page = PaginateurBorne(
            selectors.bilans_a_valider(request.user), PAR_PAGE,
            a_compter=selectors.dossiers_bilan_depose(request.user),
        ).get_page(request.GET.get("page"))
        page.object_list = lignes_a_valider(page.object_list)
        contexte["a_valider"] = page
    return render(request, "bilans/liste.html", contexte)
