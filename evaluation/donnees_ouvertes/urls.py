"""Open data (mounted under /donnees-ouvertes/): public page and files, publish action."""

from django.urls import path

from . import views

app_name = "donnees_ouvertes"

urlpatterns = [
    path("", views.index, name="index"),
    path("subventions/<int:pk>.csv", views.fichier, name="fichier"),
    path("publier/<int:appel_pk>/", views.publier, name="publier"),
]
