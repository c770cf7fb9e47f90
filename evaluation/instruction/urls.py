"""Instruction, corrections, thread, decisions and programmation (mounted under /instruction/)."""

from django.urls import path

from .views import decisions as views_decisions
from .views import enveloppes as views_enveloppes
from .views import exports as views_exports
from .views import file as views_file
from .views import instruction as views_instruction
from .views import suivi as views_suivi

app_name = "evaluation"

urlpatterns = [
    path("", views_file.accueil, name="accueil"),
    path("affectations/", views_file.affectations, name="affectations"),
    path("appels/<int:appel_pk>/", views_file.file, name="file"),
    path("appels/<int:appel_pk>/dossiers.xlsx", views_file.export_xlsx, name="export_xlsx"),
    path("appels/<int:appel_pk>/dossiers.csv", views_file.export_csv, name="export_csv"),
    path(
        "appels/<int:appel_pk>/structures.json", views_file.structures_suggerees,
        name="structures_suggerees",
    ),
    path("appels/<int:appel_pk>/lettres.zip", views_exports.export_lettres, name="export_lettres"),
    path("exports/<uuid:pk>/", views_exports.export, name="export"),
    path("exports/<uuid:pk>/etat.json", views_exports.export_etat, name="export_etat"),
    path("exports/<uuid:pk>/telecharger/", views_exports.export_fichier, name="export_fichier"),
    path(
        "appels/<int:appel_pk>/affecter/", views_file.affecter_selon_piliers,
        name="affecter_piliers",
    ),
    path(
        "appels/<int:appel_pk>/programmation/", views_decisions.programmation,
        name="programmation",
    ),
    path(
        "appels/<int:appel_pk>/enveloppes/", views_enveloppes.enveloppes, name="enveloppes"
    ),
    path("appels/<int:appel_pk>/subventions.csv", views_file.export_scdl, name="export_scdl"),
    path("dossiers/<int:pk>/", views_instruction.instruction, name="instruction"),
    path("dossiers/<int:pk>/prendre/", views_instruction.prendre, name="prendre"),
    path("dossiers/<int:pk>/affecter/", views_instruction.affecter, name="affecter"),
    path("dossiers/<int:pk>/corrections/", views_instruction.corrections, name="corrections"),
    path("dossiers/<int:pk>/decision/", views_decisions.decision, name="decision"),
    path("dossiers/<int:pk>/suivi/", views_suivi.suivi, name="suivi"),
    path("dossiers/<int:pk>/messages/", views_suivi.message, name="message"),
    path(
        "dossiers/<int:pk>/messages/pieces/<int:piece_pk>/",
        views_suivi.piece_message,
        name="piece_message",
    ),
    path("dossiers/<int:pk>/lettre.pdf", views_suivi.lettre, name="lettre"),
    path("dossiers/<int:pk>/lettre/etat.json", views_suivi.lettre_etat, name="lettre_etat"),
]
