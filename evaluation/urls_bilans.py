"""Bilans of the actions and annual bilans (mounted under /bilans/)."""

from django.urls import path

from . import views_bilans as views

app_name = "bilans"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("dossiers/<int:pk>/", views.detail, name="detail"),
    path("dossiers/<int:pk>/saisie/", views.saisie, name="saisie"),
    path("dossiers/<int:pk>/commencer/", views.commencer, name="commencer"),
    path("dossiers/<int:pk>/deposer/", views.deposer, name="deposer"),
    path("dossiers/<int:pk>/valider/", views.valider, name="valider"),
    path("dossiers/<int:pk>/corrections/", views.corrections, name="corrections"),
    path("dossiers/<int:pk>/documents/<int:piece_pk>/", views.piece, name="piece"),
    path("annuels/", views.tableau_de_bord, name="tableau_de_bord"),
    path("annuels/bilan.xlsx", views.telecharger, {"format": "xlsx"}, name="xlsx"),
    path("annuels/bilan.pdf", views.telecharger, {"format": "pdf"}, name="pdf"),
    path("appels/<int:appel_pk>/parametres/", views.parametres, name="parametres"),
    path("structures/<int:structure_pk>/bilan.pdf", views.structure_pdf, name="structure_pdf"),
    path("fichiers/<uuid:pk>/", views.generation, name="generation"),
    path("fichiers/<uuid:pk>/etat.json", views.generation_etat, name="generation_etat"),
    path("fichiers/<uuid:pk>/telecharger/", views.generation_fichier, name="generation_fichier"),
]
