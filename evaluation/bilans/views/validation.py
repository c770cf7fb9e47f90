"""Reading a bilan, and the instructor's answer: validation or corrections."""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from candidatures.commun.erreurs import ErreurMetier
from evaluation.models import Bilan, PieceBilan

from .. import selectors
from ..forms import CorrectionsBilanForm
from ..permissions import peut_saisir_bilan, peut_valider_bilan, peut_voir_bilan
from ..services import depot
from .commun import _dossier


@require_GET
def detail(request, pk):
    dossier = _dossier(request, pk, peut_voir_bilan)
    bilan = Bilan.objects.filter(dossier=dossier).first()
    return render(request, "bilans/detail.html", _contexte_detail(request, dossier, bilan))


def _contexte_detail(request, dossier, bilan, corrections=None):
    contexte = {
        "dossier": dossier,
        "bilan": bilan,
        "peut_saisir": peut_saisir_bilan(request.user, dossier),
        "peut_valider": peut_valider_bilan(request.user, dossier),
        "corrections": corrections or CorrectionsBilanForm(),
    }
    if bilan is not None:
        bilan.dossier = dossier
        seuil = selectors.seuil_ecart(dossier.appel_id)
        lignes = selectors.compte_rendu(bilan, seuil)
        prevus, realises = selectors.totaux_compte_rendu(lignes)
        realisations = {r.indicateur_id: r for r in bilan.realisations.all()}
        previsions = {p.indicateur_id: p for p in dossier.previsions.all()}
        contexte.update({
            "seuil": seuil,
            "indicateurs": [
                (i, realisations.get(i.pk), previsions.get(i.pk))
                for i in selectors.indicateurs_du_bilan(dossier)
            ],
            "lignes": [lg for lg in lignes if lg.prevu or lg.realise is not None],
            "totaux_prevus": prevus,
            "totaux_realises": realises,
            "pieces_bilan": bilan.pieces.all(),
            "demandes": bilan.demandes_correction.select_related("demandee_par"),
        })
    return contexte


@require_POST
def valider(request, pk):
    dossier = _dossier(request, pk, peut_valider_bilan)
    bilan = get_object_or_404(Bilan, dossier=dossier)
    try:
        depot.valider_bilan(bilan=bilan, par=request.user)
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(request, "Le bilan est validé : l'action est clôturée.")
    return redirect("bilans:detail", dossier.pk)


@require_POST
def corrections(request, pk):
    dossier = _dossier(request, pk, peut_valider_bilan)
    bilan = get_object_or_404(Bilan, dossier=dossier)
    form = CorrectionsBilanForm(request.POST)
    if form.is_valid():
        try:
            depot.demander_corrections_bilan(
                bilan=bilan, par=request.user, message=form.cleaned_data["message"]
            )
        except ErreurMetier as erreur:
            messages.error(request, str(erreur))
        else:
            messages.success(request, "Le bilan est renvoyé à la structure pour corrections.")
            return redirect("bilans:detail", dossier.pk)
    return render(
        request, "bilans/detail.html", _contexte_detail(request, dossier, bilan, form), status=400
    )


@require_GET
def piece(request, pk, piece_pk):
    dossier = _dossier(request, pk, peut_voir_bilan)
    document = get_object_or_404(PieceBilan, pk=piece_pk, bilan__dossier=dossier)
    return FileResponse(
        document.fichier.open("rb"), as_attachment=True, filename=document.nom_original
    )

