"""Bilans of the actions and annual bilans (mounted under /bilans/)."""

from django.urls import path

from .views import annuels as views_annuels
from .views import document as views_document
from .views import fichiers as views_fichiers
from .views import liste as views_liste
from .views import saisie as views_saisie
from .views import validation as views_validation

app_name = "bilans"

urlpatterns = [
    path("", views_liste.liste, name="liste"),
    path("dossiers/<int:pk>/", views_validation.detail, name="detail"),
    path("dossiers/<int:pk>/saisie/", views_saisie.saisie, name="saisie"),
    path("dossiers/<int:pk>/commencer/", views_saisie.commencer, name="commencer"),
    path("dossiers/<int:pk>/deposer/", views_saisie.deposer, name="deposer"),
    path(
        "dossiers/<int:pk>/compte-rendu-financier.pdf", views_saisie.compte_rendu_pdf,
        name="compte_rendu_pdf",
    ),
    path(
        "dossiers/<int:pk>/compte-rendu-financier/etat.json", views_saisie.compte_rendu_etat,
        name="compte_rendu_etat",
    ),
    path("dossiers/<int:pk>/valider/", views_validation.valider, name="valider"),
    path("dossiers/<int:pk>/corrections/", views_validation.corrections, name="corrections"),
    path("dossiers/<int:pk>/documents/<int:piece_pk>/", views_validation.piece, name="piece"),
    path("annuels/", views_annuels.tableau_de_bord, name="tableau_de_bord"),
    path("annuels/bilan.xlsx", views_annuels.telecharger, {"format": "xlsx"}, name="xlsx"),
    path("annuels/bilan.pdf", views_annuels.telecharger, {"format": "pdf"}, name="pdf"),
    path("annuels/contrats.json", views_annuels.contrats, name="contrats"),
    path("annuels/pluriannuel/", views_annuels.pluriannuel, name="pluriannuel"),
    path(
        "annuels/pluriannuel/bilan.xlsx", views_annuels.pluriannuel_xlsx,
        name="pluriannuel_xlsx",
    ),
    path("appels/<int:appel_pk>/parametres/", views_annuels.parametres, name="parametres"),
    path("appels/<int:appel_pk>/document/", views_document.document, name="document"),
    path(
        "structures/<int:structure_pk>/bilan.pdf", views_annuels.structure_pdf,
        name="structure_pdf",
    ),
    path("fichiers/<uuid:pk>/", views_fichiers.generation, name="generation"),
    path("fichiers/<uuid:pk>/etat.json", views_fichiers.generation_etat, name="generation_etat"),
    path(
        "fichiers/<uuid:pk>/telecharger/", views_fichiers.generation_fichier,
        name="generation_fichier",
    ),
]
