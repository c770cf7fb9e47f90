"""Account pages: sign-up, confirmation, profile, address and password."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy

from ...commun.erreurs import ErreurMetier, ajouter_au_formulaire
from ...commun.redirections import suivant_sur
from ...structures.selectors import structures_de
from .. import services
from ..forms import (
    AdresseForm,
    ChangementAdresseForm,
    ConnexionForm,
    InscriptionForm,
    MotDePasseOublieForm,
    ProfilForm,
)

CLE_ADRESSE_INSCRITE = "inscription_adresse"


class ConnexionView(auth_views.LoginView):
    template_name = "comptes/connexion.html"
    form_class = ConnexionForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        contexte = super().get_context_data(**kwargs)
        erreurs = contexte["form"].non_field_errors().as_data()
        contexte["adresse_non_confirmee"] = any(
            e.code == "adresse_non_confirmee" for e in erreurs
        )
        return contexte


class MotDePasseOublieView(auth_views.PasswordResetView):
    template_name = "comptes/mot_de_passe_oublie.html"
    form_class = MotDePasseOublieForm
    success_url = reverse_lazy("comptes:mot_de_passe_oublie_envoye")


class MotDePasseOublieEnvoyeView(auth_views.PasswordResetDoneView):
    template_name = "comptes/mot_de_passe_oublie_envoye.html"


class MotDePasseReinitialiserView(auth_views.PasswordResetConfirmView):
    template_name = "comptes/mot_de_passe_reinitialiser.html"
    success_url = reverse_lazy("comptes:mot_de_passe_reinitialise")

    def form_valid(self, form):
        reponse = super().form_valid(form)
        # The reset link reached the mailbox: the address is proven, as a confirmation would.
        services.marquer_adresse_confirmee(utilisateur=form.user)
        return reponse


class MotDePasseReinitialiseView(auth_views.PasswordResetCompleteView):
    template_name = "comptes/mot_de_passe_reinitialise.html"


class MotDePasseChangerView(auth_views.PasswordChangeView):
    template_name = "comptes/mot_de_passe_changer.html"
    success_url = reverse_lazy("comptes:mon_compte")

    def form_valid(self, form):
        messages.success(self.request, "Votre mot de passe a été modifié.")
        return super().form_valid(form)


@login_not_required
def inscription(request):
    if request.user.is_authenticated:
        return redirect("structures:liste")
    suivant = suivant_sur(request, request.POST.get("next") or request.GET.get("next"))
    form = InscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.inscrire(
                email=form.cleaned_data["email"],
                mot_de_passe=form.cleaned_data["password1"],
                prenom=form.cleaned_data["prenom"],
                nom=form.cleaned_data["nom"],
                suivant=suivant,
            )
        except ErreurMetier as erreur:
            ajouter_au_formulaire(form, erreur)
        else:
            request.session[CLE_ADRESSE_INSCRITE] = form.cleaned_data["email"]
            return redirect("comptes:inscription_envoyee")
    return render(request, "comptes/inscription.html", {"form": form, "next": suivant})


@login_not_required
def inscription_envoyee(request):
    return render(
        request,
        "comptes/inscription_envoyee.html",
        {"adresse": request.session.get(CLE_ADRESSE_INSCRITE, "")},
    )


@login_not_required
def confirmer(request, jeton):
    try:
        services.confirmer_adresse(jeton=jeton)
    except ErreurMetier as erreur:
        return render(
            request, "comptes/lien_invalide.html", {"erreur": str(erreur)}, status=400
        )
    messages.success(request, "Votre adresse électronique est confirmée.")
    suivant = suivant_sur(request, request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(suivant or "structures:liste")
    url = reverse("comptes:connexion")
    return redirect(f"{url}?{urlencode({'next': suivant})}" if suivant else url)


@login_not_required
def renvoyer_confirmation(request):
    form = AdresseForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        services.renvoyer_confirmation(email=form.cleaned_data["email"])
        # Same answer whether the account exists or not: the page reveals no address.
        messages.info(
            request,
            "Si un compte non confirmé utilise cette adresse, un nouveau lien vient de lui être "
            "envoyé. Il est valable 3 jours.",
        )
        return redirect("comptes:connexion")
    return render(request, "comptes/renvoyer_confirmation.html", {"form": form})


def mon_compte(request):
    form = ProfilForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.modifier_profil(
            utilisateur=request.user,
            prenom=form.cleaned_data["prenom"],
            nom=form.cleaned_data["nom"],
        )
        messages.success(request, "Vos informations ont été enregistrées.")
        return redirect("comptes:mon_compte")
    return render(
        request,
        "comptes/mon_compte.html",
        {"form": form, "structures": structures_de(request.user)},
    )


def changer_adresse(request):
    form = ChangementAdresseForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.demander_changement_adresse(
                utilisateur=request.user, nouvelle_adresse=form.cleaned_data["nouvelle_adresse"]
            )
        except ErreurMetier as erreur:
            ajouter_au_formulaire(form, erreur)
        else:
            messages.success(
                request,
                f"Un lien de confirmation a été envoyé à {form.cleaned_data['nouvelle_adresse']}. "
                "Votre adresse actuelle reste valable tant que vous ne l'avez pas ouvert.",
            )
            return redirect("comptes:mon_compte")
    return render(request, "comptes/changer_adresse.html", {"form": form})


@login_not_required
def confirmer_adresse(request, jeton):
    try:
        utilisateur = services.confirmer_changement_adresse(jeton=jeton)
    except ErreurMetier as erreur:
        return render(
            request, "comptes/lien_invalide.html", {"erreur": str(erreur)}, status=400
        )
    messages.success(
        request, f"Votre adresse électronique est désormais {utilisateur.email}."
    )
    return redirect("comptes:mon_compte" if request.user.is_authenticated else "comptes:connexion")
