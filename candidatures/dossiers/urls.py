"""Dossier pages of the structures (and, once submitted, of the staff)."""

from django.urls import path

from .. import views_dossiers as views

app_name = "dossiers"

urlpatterns = [
    path("", views.mes_dossiers, name="liste"),
    path("nouveau/", views.nouveau, name="nouveau"),
    path("fiche-action.json", views.fiche_action, name="fiche_action"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.modifier, name="modifier"),
    path("<int:pk>/deposer/", views.deposer, name="deposer"),
    path("<int:pk>/retirer/", views.retirer, name="retirer"),
    path("<int:pk>/renouveler/", views.renouveler, name="renouveler"),
    path("<int:pk>/apercu/", views.apercu, name="apercu"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("<int:pk>/pieces/<int:piece_pk>/", views.telecharger_piece, name="piece"),
]
