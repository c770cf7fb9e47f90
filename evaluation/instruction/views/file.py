"""The queue of a call: list, exports, assignment by pilier, default instructors per pilier."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from candidatures.commun.formulaires import lire_entier
from candidatures.models import AppelAProjets, Role
from evaluation.models import AffectationPilier
from referentiel.models import Contrat, Pilier

from ... import pages_gardees
from .. import exports, taches
from ..forms import AffectationsPiliersForm, FiltreFileForm
from ..permissions import (
    peut_affecter,
    peut_exporter,
    peut_gerer_affectations,
    peut_gerer_enveloppes,
    peut_voir_file,
)
from ..selectors import file as selectors_file
from ..selectors import programmation as selectors_programmation
from ..services import affectation as services_affectation
from .commun import _appel, _refuser_si, _telechargement

PAR_PAGE = 50
SUGGESTIONS = 20


@require_GET
def accueil(request):
    """Open the queue of the call chosen (``?appel=``), else of the current call, among the
    calls of the user's contracts."""
    if not peut_voir_file(request.user):
        raise Http404
    appels = AppelAProjets.objects.pour_le_personnel(request.user)
    choisi = lire_entier(request.GET.get("appel", ""))
    appel = (
        appels.filter(pk=choisi).first() if choisi is not None else None
    ) or appels.courant()
    if appel is None:
        messages.info(request, "Aucun appel à projets n'existe encore pour vos contrats de ville.")
        return redirect("accueil")
    return redirect("evaluation:file", appel.pk)


def _file_filtree(request, appel):
    form = FiltreFileForm(request.GET or None, appel=appel)
    filtres = form.filtres()
    dossiers = selectors_file.file_triee(appel=appel, filtres=filtres, user=request.user)
    return form, filtres, dossiers


@require_GET
def file(request, appel_pk):
    """Submitted dossiers of a call: filters, search, sort, counts per status, pages. Kept for
    the user while nothing it shows changes (``evaluation.pages_gardees``)."""
    return pages_gardees.page_gardee(request, "file", appel_pk, lambda: _file(request, appel_pk))


def _file(request, appel_pk):
    if not peut_voir_file(request.user):
        raise Http404
    # The calls of the user's contracts, for the choice of call: the one shown is among them
    # (read once for both; a 404 outside them, as ``_appel``).
    appels = list(
        AppelAProjets.objects.pour_le_personnel(request.user)
        .select_related("contrat")
        .order_by("-annee", "contrat__nom")
    )
    appel = next((a for a in appels if a.pk == appel_pk), None)
    if appel is None:
        raise Http404
    form, filtres, dossiers = _file_filtree(request, appel)
    comptes, page = selectors_file.comptes_et_page(
        appel=appel, filtres=filtres, user=request.user, dossiers=dossiers,
        numero=request.GET.get("page"), par_page=PAR_PAGE,
        versions=pages_gardees.versions_de(request, appel.pk),
    )
    page.object_list = selectors_file.page_de_la_file(page.object_list, request.user)
    parametres = request.GET.copy()
    parametres.pop("page", None)
    sans_statut = parametres.copy()
    sans_statut.pop("statut", None)
    mes = parametres.copy()
    mes["instructeur"] = "moi"
    tous = parametres.copy()
    tous.pop("instructeur", None)
    return render(
        request,
        "evaluation/file.html",
        {
            "appel": appel,
            "appels": appels,
            "plusieurs_contrats": len({a.contrat_id for a in appels}) > 1,
            "form": form,
            "page": page,
            "comptes": comptes,
            "statut_actif": filtres.get("statut", ""),
            "parametres": parametres.urlencode(),
            "parametres_sans_statut": sans_statut.urlencode(),
            "lien_mes": mes.urlencode(),
            "lien_tous": tous.urlencode(),
            "vue_mes": filtres.get("instructeur") == "moi",
            "peut_affecter": peut_affecter(request.user, appel=appel),
            "peut_exporter": peut_exporter(request.user, appel),
            "peut_gerer_affectations": peut_gerer_affectations(request.user, appel.contrat_id),
            "peut_gerer_enveloppes": peut_gerer_enveloppes(request.user, appel),
        },
    )


def _exporter(request, appel_pk, nature):
    """The filtered queue as a file: in the answer when small, else built in the background
    (the page of the export says when it is ready)."""
    appel = _appel(request, appel_pk)
    if not peut_exporter(request.user, appel):
        raise Http404
    _form, filtres, dossiers = _file_filtree(request, appel)
    if dossiers.count() > taches.seuil_arriere_plan():
        generation = taches.demander_export(
            appel=appel, nature=nature, par=request.user,
            parametres=taches.parametres_file(filtres, request.user),
            empreinte=selectors_file.empreinte_file(dossiers),
        )
        return redirect("evaluation:export", generation.pk)
    if nature == taches.Nature.FILE_XLSX:
        contenu = exports.file_xlsx(dossiers, f"Dossiers {appel.annee}")
    else:
        contenu = exports.file_csv(dossiers)
    return _telechargement(
        contenu, taches.NOMS[nature].format(annee=appel.annee), taches.TYPES_CONTENU[nature]
    )


@require_GET
def export_xlsx(request, appel_pk):
    return _exporter(request, appel_pk, taches.Nature.FILE_XLSX)


@require_GET
def export_csv(request, appel_pk):
    return _exporter(request, appel_pk, taches.Nature.FILE_CSV)


@require_GET
def structures_suggerees(request, appel_pk):
    """Structures of the call's queue matching ``?q=`` (name, SIRET, RNA), a page at most."""
    appel = _appel(request, appel_pk)
    texte = request.GET.get("q", "").strip()[:100]
    structures = selectors_file.structures_de_la_file(appel, texte)[:SUGGESTIONS] if texte else []
    return JsonResponse({
        "resultats": [
            {"valeur": s.siret, "libelle": f"{s} — SIRET {s.siret}"} for s in structures
        ]
    })


@require_GET
def export_scdl(request, appel_pk):
    """Granted subsidies of the call in the SCDL « subventions » format, for publication."""
    appel = _appel(request, appel_pk)
    if not peut_exporter(request.user, appel):
        raise Http404
    subventions = selectors_programmation.subventions_accordees(appel)
    if subventions.count() > taches.seuil_arriere_plan():
        generation = taches.demander_export(
            appel=appel, nature=taches.Nature.SCDL, par=request.user,
            empreinte=taches.empreinte_scdl(appel),
        )
        return redirect("evaluation:export", generation.pk)
    nature = taches.Nature.SCDL
    return _telechargement(
        exports.subventions_scdl(subventions),
        taches.NOMS[nature].format(annee=appel.annee), taches.TYPES_CONTENU[nature],
    )


@require_POST
def affecter_selon_piliers(request, appel_pk):
    appel = _appel(request, appel_pk)
    _refuser_si(
        not peut_affecter(request.user, appel=appel),
        "Seuls les instructeurs répartissent les dossiers.",
    )
    nombre = services_affectation.affecter_selon_piliers(appel=appel, par=request.user)
    if nombre:
        messages.success(request, f"{nombre} dossier{'s' if nombre > 1 else ''} affecté"
                                  f"{'s' if nombre > 1 else ''} selon les piliers.")
    else:
        messages.info(request, "Aucun dossier à affecter : tous ont un instructeur, ou aucun "
                               "pilier n'a d'instructeur par défaut.")
    return redirect("evaluation:file", appel.pk)


def _contrat_administre(request):
    """The contract whose table is shown: ``?contrat=`` if the user administers it (404
    otherwise), else the default contract, else the first one they administer."""
    ids = request.user.contrats_ids(Role.ADMINISTRATEUR)
    contrats = Contrat.objects.all() if ids is None else Contrat.objects.filter(pk__in=ids)
    choisi = request.GET.get("contrat", "")
    if choisi:
        if lire_entier(choisi) is None:
            raise Http404
        return get_object_or_404(contrats, pk=lire_entier(choisi)), contrats
    contrat = contrats.filter(par_defaut=True).first() or contrats.order_by("nom").first()
    if contrat is None:
        raise Http404
    return contrat, contrats


@require_http_methods(["GET", "POST"])
def affectations(request):
    """The pilier → default instructor table of one contract (its administrators)."""
    if not peut_voir_file(request.user):
        raise Http404
    _refuser_si(not peut_gerer_affectations(request.user),
                "Seuls les administrateurs fixent les instructeurs par défaut.")
    contrat, contrats = _contrat_administre(request)
    piliers = list(Pilier.objects.filter(contrat=contrat).order_by("ordre", "code"))
    initiales = dict(
        AffectationPilier.objects.filter(pilier__contrat=contrat).values_list(
            "pilier_id", "instructeur_id"
        )
    )
    form = AffectationsPiliersForm(
        request.POST or None, contrat=contrat, piliers=piliers, initiales=initiales
    )
    if request.method == "POST" and form.is_valid():
        for pilier, instructeur in form.valeurs():
            services_affectation.definir_instructeur_pilier(
                pilier=pilier, instructeur=instructeur, par=request.user
            )
        messages.success(request, "Les instructeurs par défaut sont enregistrés.")
        return redirect(f"{reverse('evaluation:affectations')}?contrat={contrat.pk}")
    return render(
        request,
        "evaluation/affectations.html",
        {"form": form, "contrat": contrat, "contrats": contrats.order_by("nom")[:50]},
    )
