"""Exports of a call built in the background: the queue (XLSX, CSV), the letters in bulk and
the granted subsidies in SCDL format.

They go through ``evaluation.generations``, as the annual bilans do: a file is kept until the data
it shows change. Each nature of export brings a builder (``FABRIQUES``) and a download name
(``NOMS``); adding one is a builder, a fingerprint and a view that calls ``demander_export``.
"""

import hashlib

from django.conf import settings
from django.db.models import Count, Max
from django.http import QueryDict
from django.tasks import task
from django.utils.http import urlencode

from .. import generations
from ..donnees_ouvertes.scdl import subventions_scdl
from ..models import Decision, GenerationExport
from . import exports, pdf
from .forms import FiltreFileForm
from .selectors import file as selectors_file
from .selectors.programmation import subventions_accordees

Nature = GenerationExport.Nature
# Above this many rows, a queue export is built in the background instead of in the request.
SEUIL_ARRIERE_PLAN = 500

TYPES_CONTENU = {
    Nature.FILE_XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Nature.FILE_CSV: "text/csv; charset=utf-8",
    Nature.LETTRES: "application/zip",
    Nature.SCDL: "text/csv; charset=utf-8",
}
NOMS = {
    Nature.FILE_XLSX: "dossiers-{annee}.xlsx",
    Nature.FILE_CSV: "dossiers-{annee}.csv",
    Nature.LETTRES: "lettres-de-decision-{annee}.zip",
    Nature.SCDL: "subventions-contrat-de-ville-{annee}.csv",
}


def seuil_arriere_plan():
    return getattr(settings, "EXPORTS_SEUIL_ARRIERE_PLAN", SEUIL_ARRIERE_PLAN)


def nom_telechargement(generation):
    return NOMS[generation.nature].format(annee=generation.appel.annee)


def parametres_file(filtres, user):
    """The queue's filters as a stable query string: the same filters share one kept file.
    « Mes dossiers » depends on who asks: their id is part of it."""
    valeurs = {cle: getattr(valeur, "pk", valeur) for cle, valeur in filtres.items()}
    if valeurs.get("instructeur") == "moi":
        valeurs["pour"] = user.pk
    return urlencode(sorted(valeurs.items()))


def dossiers_de(generation):
    """The queue an export was asked for, filters read back from its row."""
    appel = generation.appel
    filtres = FiltreFileForm(QueryDict(generation.parametres), appel=appel).filtres()
    return selectors_file.file_triee(
        appel=appel, filtres=filtres, user=generation.demandee_par
    )


def decisions_de(appel):
    return (
        Decision.objects.filter(dossier__appel=appel)
        .select_related("dossier")
        .order_by("dossier__numero", "pk")
    )


def empreinte_lettres(appel):
    """A hash of the decisions of the call and of what their letters show."""
    elements = decisions_de(appel).order_by().aggregate(
        n=Count("pk"),
        derniere=Max("decidee_le"),
        dossiers=Max("dossier__modifie_le"),
        structures=Max("dossier__structure__modifie_le"),
    )
    return hashlib.sha256(repr(["lettres", elements]).encode()).hexdigest()


def empreinte_scdl(appel):
    """A hash of what the SCDL rows show: decisions, conventions, payments, structures."""
    elements = decisions_de(appel).order_by().aggregate(
        n=Count("pk"),
        derniere=Max("decidee_le"),
        dossiers=Max("dossier__modifie_le"),
        structures=Max("dossier__structure__modifie_le"),
        conventions=Max("dossier__convention__modifiee_le"),
        paiements=Count("dossier__convention__paiements"),
        dernier_paiement=Max("dossier__convention__paiements__saisi_le"),
    )
    return hashlib.sha256(repr(["scdl", elements]).encode()).hexdigest()


def _scdl(generation, progression):
    return subventions_scdl(subventions_accordees(generation.appel))


def _file_xlsx(generation, progression):
    return exports.file_xlsx(
        dossiers_de(generation), f"Dossiers {generation.appel.annee}", progression
    )


def _file_csv(generation, progression):
    return exports.file_csv(dossiers_de(generation), progression)


def _lettres(generation, progression):
    return pdf.lettres_zip(decisions_de(generation.appel), progression)


FABRIQUES = {
    Nature.FILE_XLSX: _file_xlsx,
    Nature.FILE_CSV: _file_csv,
    Nature.LETTRES: _lettres,
    Nature.SCDL: _scdl,
}


def demander_export(*, appel, nature, par, empreinte, parametres=""):
    """Return the kept export of the call (same nature, same filters) if its data did not
    change, else start building it in the background."""
    return generations.demander(
        cible=GenerationExport.objects.filter(appel=appel, nature=nature, parametres=parametres),
        empreinte=empreinte,
        creer=lambda actuelle: GenerationExport.objects.create(
            appel=appel, nature=nature, parametres=parametres, empreinte=actuelle,
            demandee_par=par,
        ),
        tache=generer_export,
    )


@task()
def generer_export(generation_id):
    """Build one requested export of a call, reporting progress in its row."""
    generations.construire(
        GenerationExport,
        generation_id,
        lambda generation, progression: FABRIQUES[generation.nature](generation, progression),
        lambda generation: f"{generation.pk}.{NOMS[generation.nature].rsplit('.', 1)[1]}",
    )
