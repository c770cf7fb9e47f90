from django.urls import path

from . import views

app_name = "referentiel"

urlpatterns = [
    path("", views.index, name="index"),
    # Addresses of the single-contract portal: they still lead to the default contract.
    path("objectifs/<str:code>/", views.objectif_par_defaut, name="objectif_par_defaut"),
    path("<slug:contrat>/", views.contrat, name="contrat"),
    path("<slug:contrat>/objectifs/<str:code>/", views.objectif, name="objectif"),
]
