"""Account pages: sign-in and out, sign-up, confirmation, passwords, address, roles."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import compte as views
from .views import roles as views_roles

app_name = "comptes"

urlpatterns = [
    path("", views.mon_compte, name="mon_compte"),
    path("connexion/", views.ConnexionView.as_view(), name="connexion"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="deconnexion"),
    path("inscription/", views.inscription, name="inscription"),
    path("inscription/envoyee/", views.inscription_envoyee, name="inscription_envoyee"),
    path("confirmation/renvoyer/", views.renvoyer_confirmation, name="renvoyer_confirmation"),
    path("confirmation/<str:jeton>/", views.confirmer, name="confirmer"),
    path("adresse/", views.changer_adresse, name="changer_adresse"),
    path("adresse/confirmer/<str:jeton>/", views.confirmer_adresse, name="confirmer_adresse"),
    path("mot-de-passe/", views.MotDePasseChangerView.as_view(), name="mot_de_passe_changer"),
    path(
        "mot-de-passe/oublie/",
        views.MotDePasseOublieView.as_view(),
        name="mot_de_passe_oublie",
    ),
    path(
        "mot-de-passe/oublie/envoye/",
        views.MotDePasseOublieEnvoyeView.as_view(),
        name="mot_de_passe_oublie_envoye",
    ),
    path(
        "mot-de-passe/reinitialiser/<uidb64>/<token>/",
        views.MotDePasseReinitialiserView.as_view(),
        name="mot_de_passe_reinitialiser",
    ),
    path(
        "mot-de-passe/reinitialise/",
        views.MotDePasseReinitialiseView.as_view(),
        name="mot_de_passe_reinitialise",
    ),
    path("roles/", views_roles.roles, name="roles"),
    path("roles/portees.json", views_roles.portees, name="roles_portees"),
    path("roles/<int:pk>/", views_roles.compte, name="roles_compte"),
    path("roles/<int:pk>/portail/", views_roles.roles_modifier, name="roles_modifier"),
    path(
        "roles/<int:pk>/habilitations/", views_roles.habilitation_accorder,
        name="habilitation_accorder",
    ),
    path(
        "roles/<int:pk>/habilitations/<int:habilitation_pk>/retirer/",
        views_roles.habilitation_retirer, name="habilitation_retirer",
    ),
    path("roles/<int:pk>/debloquer/", views_roles.debloquer, name="debloquer"),
    path("double-authentification/", include("candidatures.comptes.second_facteur.urls")),
]
