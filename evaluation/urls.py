"""Instruction, corrections, thread, decisions and programmation (mounted under /instruction/)."""

from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("affectations/", views.affectations, name="affectations"),
    path("appels/<int:appel_pk>/", views.file, name="file"),
    path("appels/<int:appel_pk>/dossiers.xlsx", views.export_xlsx, name="export_xlsx"),
    path("appels/<int:appel_pk>/dossiers.csv", views.export_csv, name="export_csv"),
    path("appels/<int:appel_pk>/affecter/", views.affecter_selon_piliers, name="affecter_piliers"),
    path("appels/<int:appel_pk>/programmation/", views.programmation, name="programmation"),
    path("appels/<int:appel_pk>/subventions.csv", views.export_scdl, name="export_scdl"),
    path("dossiers/<int:pk>/", views.instruction, name="instruction"),
    path("dossiers/<int:pk>/prendre/", views.prendre, name="prendre"),
    path("dossiers/<int:pk>/affecter/", views.affecter, name="affecter"),
    path("dossiers/<int:pk>/corrections/", views.corrections, name="corrections"),
    path("dossiers/<int:pk>/decision/", views.decision, name="decision"),
    path("dossiers/<int:pk>/suivi/", views.suivi, name="suivi"),
    path("dossiers/<int:pk>/messages/", views.message, name="message"),
    path(
        "dossiers/<int:pk>/messages/pieces/<int:piece_pk>/",
        views.piece_message,
        name="piece_message",
    ),
    path("dossiers/<int:pk>/lettre.pdf", views.lettre, name="lettre"),
]
