"""Structure pages: list, creation, identity, members, invitations, join requests, documents."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..commun.erreurs import ErreurMetier, ajouter_au_formulaire
from ..commun.pagination import PaginateurBorne
from ..commun.redirections import suivant_sur
from ..comptes.permissions import est_personnel
from ..models import DemandeAdhesion, DocumentStructure, Invitation, Membre, Structure
from . import selectors as selecteurs
from . import services
from .courante import definir_structure_courante, structure_courante
from .forms import DocumentForm, InvitationForm, RejoindreForm, RoleMembreForm, StructureForm
from .permissions import (
    est_membre,
    peut_deposer_document,
    peut_gerer_membres,
    peut_modifier_structure,
    peut_quitter_structure,
    role_dans_structure,
)

LONGUEUR_RECHERCHE = 255


def _structure_visible(request, pk):
    """The structure if the user may see it; a 404 otherwise, whether it exists or not."""
    return get_object_or_404(Structure.objects.visibles_par(request.user), pk=pk)


def _exiger(predicat, message):
    if not predicat:
        raise PermissionDenied(message)


def liste(request):
    """Staff: every structure, searchable. Anyone else: their structures and pending requests."""
    contexte = {
        "mes_structures": selecteurs.structures_de(request.user).annotate(
            nb_membres=Count("membres")
        ),
        "courante": structure_courante(request),
        "mes_demandes": selecteurs.demandes_de(request.user),
        "personnel": est_personnel(request.user),
    }
    if contexte["personnel"]:
        # No name is longer; a huge text would also be a LIKE pattern SQLite refuses.
        requete = request.GET.get("q", "").strip()[:LONGUEUR_RECHERCHE]
        structures = Structure.objects.visibles_par(request.user)
        if requete:
            structures = structures.filter(
                Q(raison_sociale__icontains=requete)
                | Q(sigle__icontains=requete)
                | Q(siret__startswith=requete.replace(" ", ""))
                | Q(commune__icontains=requete)
            )
        contexte["requete"] = requete
        structures = structures.order_by("raison_sociale", "pk")
        # Sorted on an index (raison sociale, pk) and counted up to a bound: the same cost
        # for twenty structures as for thousands.
        contexte["page"] = PaginateurBorne(structures, 25).get_page(request.GET.get("page"))
    return render(request, "structures/liste.html", contexte)


def creer(request):
    form = StructureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            structure = services.creer_structure(par=request.user, donnees=form.cleaned_data)
        except ErreurMetier as erreur:
            ajouter_au_formulaire(form, erreur)
        else:
            definir_structure_courante(request, structure)
            messages.success(
                request, f"La structure {structure} est créée ; vous en êtes responsable."
            )
            return redirect("structures:detail", pk=structure.pk)
    return render(request, "structures/formulaire.html", {"form": form, "structure": None})


def modifier(request, pk):
    structure = _structure_visible(request, pk)
    _exiger(
        peut_modifier_structure(request.user, structure),
        "Seuls les responsables de la structure modifient ses informations.",
    )
    form = StructureForm(request.POST or None, instance=structure)
    if request.method == "POST" and form.is_valid():
        try:
            services.modifier_structure(
                structure=structure, donnees=form.cleaned_data, par=request.user
            )
        except ErreurMetier as erreur:
            ajouter_au_formulaire(form, erreur)
        else:
            messages.success(request, "Les informations de la structure sont enregistrées.")
            return redirect("structures:detail", pk=structure.pk)
    return render(request, "structures/formulaire.html", {"form": form, "structure": structure})


def detail(request, pk):
    structure = _structure_visible(request, pk)
    gere = peut_gerer_membres(request.user, structure)
    membres = list(selecteurs.membres_de(structure))
    if gere:
        for membre in membres:
            membre.form_role = RoleMembreForm(
                initial={"role": membre.role}, prefix=f"m{membre.pk}"
            )
    return render(
        request,
        "structures/detail.html",
        {
            "structure": structure,
            "membres": membres,
            "role": role_dans_structure(request.user, structure),
            "peut_modifier": peut_modifier_structure(request.user, structure),
            "peut_gerer": gere,
            "peut_quitter": peut_quitter_structure(request.user, structure),
            "est_courante": structure_courante(request) == structure,
            "annee_courante": timezone.localdate().year,
            "documents": selecteurs.documents_par_type(structure),
            "invitations": selecteurs.invitations_en_attente(structure) if gere else [],
            "demandes": selecteurs.demandes_en_attente(structure) if gere else [],
        },
    )


@require_POST
def choisir(request, pk):
    """Make this structure the current one (only among the user's own structures)."""
    structure = get_object_or_404(selecteurs.structures_de(request.user), pk=pk)
    definir_structure_courante(request, structure)
    messages.success(request, f"Vous travaillez désormais pour {structure}.")
    suivant = suivant_sur(request, request.POST.get("next", ""))
    if suivant:
        return redirect(suivant)
    return redirect("structures:detail", pk=structure.pk)


def rejoindre(request):
    form = RejoindreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            demande = services.demander_adhesion(
                utilisateur=request.user,
                siret=form.cleaned_data["siret"],
                message=form.cleaned_data["message"],
            )
        except ErreurMetier as erreur:
            ajouter_au_formulaire(form, erreur)
        else:
            messages.success(
                request,
                f"Votre demande a été transmise aux responsables de {demande.structure}. Vous "
                "recevrez leur réponse par courriel.",
            )
            return redirect("structures:liste")
    return render(request, "structures/rejoindre.html", {"form": form})


def inviter(request, pk):
    structure = _structure_visible(request, pk)
    _exiger(
        peut_gerer_membres(request.user, structure),
        "Seuls les responsables de la structure invitent de nouveaux membres.",
    )
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.inviter_membre(
                structure=structure,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                par=request.user,
            )
        except ErreurMetier as erreur:
            ajouter_au_formulaire(form, erreur)
        else:
            messages.success(
                request,
                f"L'invitation a été envoyée à {invitation.email}. Le lien est valable 7 jours.",
            )
            return redirect("structures:detail", pk=structure.pk)
    return render(request, "structures/inviter.html", {"form": form, "structure": structure})


def _membre_gere(request, pk, membre_pk):
    structure = _structure_visible(request, pk)
    _exiger(
        peut_gerer_membres(request.user, structure),
        "Seuls les responsables de la structure gèrent ses membres.",
    )
    return structure, get_object_or_404(Membre, structure=structure, pk=membre_pk)


@require_POST
def membre_role(request, pk, membre_pk):
    structure, membre = _membre_gere(request, pk, membre_pk)
    form = RoleMembreForm(request.POST, prefix=f"m{membre.pk}")
    if form.is_valid():
        try:
            services.changer_role_membre(
                membre=membre, role=form.cleaned_data["role"], par=request.user
            )
        except ErreurMetier as erreur:
            messages.error(request, str(erreur))
        else:
            role = Membre.Role(form.cleaned_data["role"]).label
            messages.success(request, f"{membre.utilisateur} est désormais {role}.")
    return redirect("structures:detail", pk=structure.pk)


@require_POST
def membre_retirer(request, pk, membre_pk):
    structure, membre = _membre_gere(request, pk, membre_pk)
    try:
        services.retirer_membre(membre=membre, par=request.user)
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(request, f"{membre.utilisateur} ne fait plus partie de la structure.")
    if not est_membre(request.user, structure) and not est_personnel(request.user):
        return redirect("structures:liste")
    return redirect("structures:detail", pk=structure.pk)


def quitter(request, pk):
    structure = get_object_or_404(selecteurs.structures_de(request.user), pk=pk)
    if request.method == "POST":
        try:
            services.quitter_structure(structure=structure, utilisateur=request.user)
        except ErreurMetier as erreur:
            messages.error(request, str(erreur))
            return redirect("structures:detail", pk=structure.pk)
        messages.success(request, f"Vous avez quitté {structure}.")
        return redirect("structures:liste")
    return render(request, "structures/quitter.html", {"structure": structure})


def _demande_geree(request, pk, demande_pk):
    structure = _structure_visible(request, pk)
    _exiger(
        peut_gerer_membres(request.user, structure),
        "Seuls les responsables de la structure répondent aux demandes d'adhésion.",
    )
    return structure, get_object_or_404(DemandeAdhesion, structure=structure, pk=demande_pk)


@require_POST
def demande_accepter(request, pk, demande_pk):
    structure, demande = _demande_geree(request, pk, demande_pk)
    try:
        services.accepter_demande(demande=demande, par=request.user)
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(request, f"{demande.utilisateur} a rejoint la structure.")
    return redirect("structures:detail", pk=structure.pk)


@require_POST
def demande_refuser(request, pk, demande_pk):
    structure, demande = _demande_geree(request, pk, demande_pk)
    try:
        services.refuser_demande(demande=demande, par=request.user)
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(request, f"La demande de {demande.utilisateur} est refusée.")
    return redirect("structures:detail", pk=structure.pk)


@require_POST
def invitation_annuler(request, pk, invitation_pk):
    structure = _structure_visible(request, pk)
    _exiger(
        peut_gerer_membres(request.user, structure),
        "Seuls les responsables de la structure gèrent les invitations.",
    )
    invitation = get_object_or_404(Invitation, structure=structure, pk=invitation_pk)
    try:
        services.annuler_invitation(invitation=invitation, par=request.user)
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(request, f"L'invitation de {invitation.email} est annulée.")
    return redirect("structures:detail", pk=structure.pk)


@login_not_required
def invitation(request, jeton):
    """Show an invitation; a signed-in user accepts it, anyone else signs in or up first."""
    try:
        invitation = services.lire_invitation(jeton)
    except ErreurMetier as erreur:
        return render(
            request, "comptes/lien_invalide.html", {"erreur": str(erreur)}, status=400
        )
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membre = services.accepter_invitation(jeton=jeton, utilisateur=request.user)
        except ErreurMetier as erreur:
            messages.error(request, str(erreur))
        else:
            definir_structure_courante(request, membre.structure)
            messages.success(
                request,
                f"Vous avez rejoint {membre.structure} en tant que {membre.get_role_display()}.",
            )
            return redirect("structures:detail", pk=membre.structure_id)
    suivant = urlencode({"next": request.path})
    return render(
        request,
        "structures/invitation.html",
        {
            "invitation": invitation,
            "connexion": f"{reverse('comptes:connexion')}?{suivant}",
            "inscription": f"{reverse('comptes:inscription')}?{suivant}",
        },
    )


def documents(request, pk):
    structure = _structure_visible(request, pk)
    lignes = selecteurs.documents_par_type(structure)
    return render(
        request,
        "structures/documents.html",
        {
            "structure": structure,
            "documents": lignes,
            "documents_requis": [ligne for ligne in lignes if ligne["requis"]],
            "documents_manquants": [ligne for ligne in lignes if ligne["manquant"]],
            "documents_perimes": [ligne for ligne in lignes if ligne["perime"]],
            "peut_deposer": peut_deposer_document(request.user, structure),
        },
    )


def document_deposer(request, pk):
    structure = _structure_visible(request, pk)
    _exiger(
        peut_deposer_document(request.user, structure),
        "Seuls les membres de la structure déposent ses documents.",
    )
    form = DocumentForm(
        request.POST or None, request.FILES or None, initial={"type": request.GET.get("type")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            document = services.deposer_document(
                structure=structure,
                type=form.cleaned_data["type"],
                fichier=form.cleaned_data["fichier"],
                date_document=form.cleaned_data["date_document"],
                par=request.user,
            )
        except ErreurMetier as erreur:
            ajouter_au_formulaire(form, erreur)
        else:
            messages.success(
                request,
                f"« {document.get_type_display()} » est enregistré ({document.nom_original}).",
            )
            return redirect("structures:documents", pk=structure.pk)
    return render(
        request, "structures/deposer_document.html", {"form": form, "structure": structure}
    )


def document_telecharger(request, pk):
    """Send a document as an attachment, to whoever may see its structure only."""
    document = get_object_or_404(
        DocumentStructure.objects.visibles_par(request.user).select_related("structure"), pk=pk
    )
    try:
        fichier = document.fichier.open("rb")
    except FileNotFoundError:
        raise Http404("Le fichier de ce document est introuvable sur le serveur.") from None
    return FileResponse(
        fichier,
        as_attachment=True,
        filename=document.nom_original,
        content_type=document.type_mime,
    )
