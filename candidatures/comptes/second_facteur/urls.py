"""Second-factor pages, under /comptes/double-authentification/."""

from django.urls import path

from . import views

app_name = "second_facteur"

urlpatterns = [
    path("", views.gerer, name="gerer"),
    path("verification/", views.verifier, name="verifier"),
    path("activation/", views.activer, name="activer"),
    path("codes-de-secours/", views.codes, name="codes"),
    path("codes-de-secours/nouveaux/", views.regenerer, name="regenerer"),
    path("desactivation/", views.desactiver, name="desactiver"),
]
