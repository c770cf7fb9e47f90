"""Structure pages (porteurs de projet): members, invitations, join requests, documents."""

from django.urls import path

from . import informations, views

app_name = "structures"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("creer/", views.creer, name="creer"),
    path("rejoindre/", views.rejoindre, name="rejoindre"),
    path("invitation/<str:jeton>/", views.invitation, name="invitation"),
    path("documents/<int:pk>/telecharger/", views.document_telecharger, name="telecharger"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.modifier, name="modifier"),
    path("<int:pk>/choisir/", views.choisir, name="choisir"),
    path("<int:pk>/quitter/", views.quitter, name="quitter"),
    path("<int:pk>/membres/inviter/", views.inviter, name="inviter"),
    path("<int:pk>/membres/<int:membre_pk>/role/", views.membre_role, name="membre_role"),
    path("<int:pk>/membres/<int:membre_pk>/retirer/", views.membre_retirer, name="membre_retirer"),
    path(
        "<int:pk>/demandes/<int:demande_pk>/accepter/",
        views.demande_accepter,
        name="demande_accepter",
    ),
    path(
        "<int:pk>/demandes/<int:demande_pk>/refuser/",
        views.demande_refuser,
        name="demande_refuser",
    ),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/annuler/",
        views.invitation_annuler,
        name="invitation_annuler",
    ),
    path(
        "<int:pk>/informations/<int:annee>/", informations.informations, name="informations"
    ),
    path("<int:pk>/documents/", views.documents, name="documents"),
    path("<int:pk>/documents/deposer/", views.document_deposer, name="deposer_document"),
]
