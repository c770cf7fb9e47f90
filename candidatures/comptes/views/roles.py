"""Roles pages: accounts, their portal roles and habilitations, granted and removed.

Portal administrators manage every account; a territory administrator manages the instructeur
and comité habilitations of what it administers (the rule is in ``selectors``).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ...commun.erreurs import ErreurMetier, ajouter_au_formulaire
from ...models import Habilitation, Role, Utilisateur
from .. import axes as comptes_axes
from .. import selectors, services
from ..forms import HabilitationForm, RechercheUtilisateursForm, RolesPortailForm
from .compte import suivant_sur

COMPTES_PAR_PAGE = 25
# Below this, a territory administrator's territories and contracts are listed in the page
# itself (no script needed); a portal administrator always searches.
OPTIONS_DANS_LA_PAGE = 30


def _portee(request):
    portee = selectors.portee_administration(request.user)
    if not portee.administre:
        raise PermissionDenied("Seuls les administrateurs gèrent les rôles et les habilitations.")
    return portee


def _exiger_portail(request):
    if not request.user.est_administrateur_portail:
        raise PermissionDenied("Seuls les administrateurs du portail font cette opération.")


def _roles_portail(utilisateur):
    """Labels of the portal-wide roles, read from the prefetched groups."""
    groupes = {g.name for g in utilisateur.groups.all()}
    roles = []
    if Role.PORTEUR in groupes:
        roles.append("porteur de projet")
    if utilisateur.is_superuser or Role.ADMINISTRATEUR in groupes:
        roles.append("administrateur du portail")
    return roles


@require_GET
def roles(request):
    """Accounts the administrator sees, with their roles; paginated, searchable."""
    portee = _portee(request)
    recherche = RechercheUtilisateursForm(request.GET or None)
    requete = recherche.cleaned_data["q"].strip() if recherche.is_valid() else ""
    page = Paginator(
        selectors.comptes_visibles(portee, requete), COMPTES_PAR_PAGE
    ).get_page(request.GET.get("page"))
    bloquees = comptes_axes.adresses_bloquees([u.email for u in page]) if portee.tout else set()
    lignes = [
        {
            "utilisateur": utilisateur,
            "roles_portail": _roles_portail(utilisateur),
            "habilitations": list(utilisateur.habilitations.all()),
            "bloque": utilisateur.email.lower() in bloquees,
            # A colleague found by exact address opens with it: that is what lets a territory
            # administrator see an account outside its scope.
            "lien": _url_compte(utilisateur, requete if "@" in requete else ""),
        }
        for utilisateur in page
    ]
    return render(request, "comptes/roles.html", {
        "recherche": recherche,
        "page": page,
        "lignes": lignes,
        "requete": requete,
        "portail": portee.tout,
    })


def _url_compte(utilisateur, email=""):
    url = reverse("comptes:roles_compte", args=[utilisateur.pk])
    return f"{url}?{urlencode({'email': email})}" if email else url


def _cible(request, portee, pk):
    """The account, if the administrator may manage it; a 404 otherwise (reveals nothing)."""
    cible = get_object_or_404(Utilisateur, pk=pk)
    email = request.POST.get("email") or request.GET.get("email") or ""
    if not selectors.compte_visible(portee, cible, email):
        raise Http404
    return cible, email


def _options(portee):
    """Territories and contracts written into the page's lists, when few enough."""
    if portee.tout:
        return [], []
    territoires = list(selectors.territoires_accordables(portee)[:OPTIONS_DANS_LA_PAGE])
    contrats = [
        (c.code, selectors.libelle_contrat(c))
        for c in selectors.contrats_accordables(portee)[:OPTIONS_DANS_LA_PAGE]
    ]
    return [(t.code, t.nom) for t in territoires], contrats


def _page_compte(request, portee, cible, email, *, form=None, form_portail=None):
    groupes = set(cible.groups.values_list("name", flat=True))
    territoires, contrats = _options(portee)
    contexte = {
        "cible": cible,
        "email": email,
        "portail": portee.tout,
        "roles_portail": _roles_portail(cible),
        "habilitations": selectors.habilitations_du_compte(portee, cible),
        "form": form or HabilitationForm(roles=portee.roles_accordables()),
        "territoires_proposes": territoires,
        "contrats_proposes": contrats,
        "bloque": portee.tout and bool(comptes_axes.adresses_bloquees([cible.email])),
    }
    if portee.tout:
        contexte["form_portail"] = form_portail or RolesPortailForm(initial={"roles": [
            r for r in (Role.PORTEUR, Role.ADMINISTRATEUR)
            if r in groupes or (r == Role.ADMINISTRATEUR and cible.is_superuser)
        ]})
    return render(request, "comptes/roles_compte.html", contexte)


@require_GET
def compte(request, pk):
    """One account: its roles, its habilitations (removable ones with a button), a grant form."""
    portee = _portee(request)
    cible, email = _cible(request, portee, pk)
    return _page_compte(request, portee, cible, email)


@require_POST
def habilitation_accorder(request, pk):
    portee = _portee(request)
    cible, email = _cible(request, portee, pk)
    form = HabilitationForm(request.POST, roles=portee.roles_accordables())
    if form.is_valid():
        try:
            habilitation = services.accorder_habilitation(
                utilisateur=cible, role=form.cleaned_data["role"],
                territoire=form.cleaned_data["territoire"], contrat=form.cleaned_data["contrat"],
                par=request.user,
            )
        except ErreurMetier as erreur:
            ajouter_au_formulaire(form, erreur)
        else:
            messages.success(request, f"Habilitation accordée à {cible.email} : {habilitation}.")
            return redirect("comptes:roles_compte", cible.pk)
    return _page_compte(request, portee, cible, email, form=form)


@require_POST
def habilitation_retirer(request, pk, habilitation_pk):
    portee = _portee(request)
    habilitation = get_object_or_404(
        Habilitation.objects.filter(portee.filtre_habilitations()).select_related(
            "utilisateur", "territoire", "contrat"
        ),
        pk=habilitation_pk, utilisateur_id=pk,
    )
    cible = habilitation.utilisateur
    try:
        services.retirer_habilitation(habilitation=habilitation, par=request.user)
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(request, f"Habilitation retirée à {cible.email} : {habilitation}.")
        if not selectors.compte_visible(portee, cible):
            return redirect("comptes:roles")
    return redirect("comptes:roles_compte", cible.pk)


@require_POST
def roles_modifier(request, pk):
    """The portal-wide roles of an account (portal administrators only)."""
    _exiger_portail(request)
    portee = _portee(request)
    cible = get_object_or_404(Utilisateur, pk=pk)
    form = RolesPortailForm(request.POST)
    if form.is_valid():
        try:
            services.definir_roles_portail(
                utilisateur=cible, roles=form.cleaned_data["roles"], par=request.user
            )
        except ErreurMetier as erreur:
            messages.error(request, str(erreur))
        else:
            libelles = dict(form.fields["roles"].choices)
            choisis = [libelles[r] for r in form.cleaned_data["roles"]] or ["aucun"]
            messages.success(
                request, f"Rôles du portail de {cible.email} : {', '.join(choisis)}."
            )
            return redirect("comptes:roles_compte", cible.pk)
    return _page_compte(request, portee, cible, "", form_portail=form)


@require_POST
def debloquer(request, pk):
    _exiger_portail(request)
    utilisateur = get_object_or_404(Utilisateur, pk=pk)
    services.debloquer_connexion(utilisateur=utilisateur)
    messages.success(request, f"La connexion de {utilisateur.email} est débloquée.")
    suivant = suivant_sur(request, request.POST.get("next"))
    return redirect(suivant or reverse("comptes:roles_compte", args=[utilisateur.pk]))


@require_GET
def portees(request):
    """Territories or contracts matching what is typed, among those one may grant on (JSON)."""
    portee = _portee(request)
    texte = request.GET.get("q", "")
    if request.GET.get("type") == "contrat":
        territoire = selectors.trouver(
            selectors.territoires_accordables(portee), request.GET.get("territoire", "")
        )
        resultats = [
            {"valeur": c.code, "libelle": selectors.libelle_contrat(c)}
            for c in selectors.rechercher_contrats(
                selectors.contrats_accordables(portee), texte, territoire
            )
        ]
    else:
        resultats = [
            {"valeur": t.code, "libelle": t.nom}
            for t in selectors.rechercher_territoires(
                selectors.territoires_accordables(portee), texte
            )
        ]
    return JsonResponse({"resultats": resultats})
