"""Dossier pages of the structures (and, once submitted, of the staff)."""

from django.urls import path

from .views.detail import detail
from .views.fichiers import (
    apercu,
    fiche_action,
    fichiers,
    pdf,
    recepisse,
    redemander_recepisse,
    telecharger_piece,
)
from .views.formulaire import deposer, modifier, renouveler, retirer
from .views.listes import mes_dossiers, nouveau

app_name = "dossiers"

urlpatterns = [
    path("", mes_dossiers, name="liste"),
    path("nouveau/", nouveau, name="nouveau"),
    path("fiche-action.json", fiche_action, name="fiche_action"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/modifier/", modifier, name="modifier"),
    path("<int:pk>/deposer/", deposer, name="deposer"),
    path("<int:pk>/retirer/", retirer, name="retirer"),
    path("<int:pk>/renouveler/", renouveler, name="renouveler"),
    path("<int:pk>/apercu/", apercu, name="apercu"),
    path("<int:pk>/pdf/", pdf, name="pdf"),
    path("<int:pk>/recepisse/", recepisse, name="recepisse"),
    path("<int:pk>/recepisse/redemander/", redemander_recepisse, name="redemander_recepisse"),
    path("<int:pk>/fichiers/", fichiers, name="fichiers"),
    path("<int:pk>/pieces/<int:piece_pk>/", telecharger_piece, name="piece"),
]
