"""Calls for projects: the public page of the current call, its documents, the admin list."""

from django.urls import path

from . import views

app_name = "appels"

urlpatterns = [
    path("", views.courant, name="courant"),
    path("tous/", views.liste, name="liste"),
    path("gestion/", views.gestion, name="gestion"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/documents/<int:document_pk>/", views.document, name="document"),
]
