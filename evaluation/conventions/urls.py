"""Conventions and payments (mounted under /conventions/)."""

from django.urls import path

from . import views

app_name = "conventions"

urlpatterns = [
    path("appels/<int:appel_pk>/", views.tableau, name="tableau"),
    path("appels/<int:appel_pk>/paiements.xlsx", views.tableau_xlsx, name="tableau_xlsx"),
    path("appels/<int:appel_pk>/parametres/", views.parametres, name="parametres"),
    path("dossiers/<int:pk>/", views.convention, name="convention"),
    path("dossiers/<int:pk>/paiements/", views.paiement, name="paiement"),
    path("dossiers/<int:pk>/solde-non-du/", views.sans_solde, name="sans_solde"),
    path("dossiers/<int:pk>/convention.pdf", views.pdf, name="pdf"),
    path("dossiers/<int:pk>/convention/etat/", views.pdf_etat, name="pdf_etat"),
]
