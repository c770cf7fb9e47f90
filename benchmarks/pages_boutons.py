"""Pages benchmark, in process: the server time of the buttons that change a dossier.

A button that changes a dossier cannot be pressed twice on the same one (« décider », « demander
des corrections »): each press is timed once, on a different dossier of the volume call in the
right status, by the Django test client (server time, no network), with the benchmark settings
except e-mail, kept in memory (no SMTP server in the benchmark: what is timed is building the
messages, not the network). Runs once ``django.setup()`` was called.
"""

import datetime
import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from candidatures.models import Dossier, Statut, Utilisateur
from evaluation.models import Instruction


def _candidats(appel, statut, nombre):
    return list(
        Dossier.objects.filter(appel_id=appel, statut=statut)
        .order_by("pk").values_list("pk", flat=True)[:nombre]
    )


def _decision(pk):
    instruction = Instruction.objects.filter(dossier_id=pk).first()
    montant = (instruction.montant_propose if instruction else None) or 1
    return {"nature": "retenu", "montant_accorde": str(montant), "versement": "unique",
            "date_limite_bilan": (datetime.date.today() + datetime.timedelta(days=365)).isoformat(),
            "reference_deliberation": "Banc des pages"}


def _corrections(_pk):
    return {"sections": ["budget"], "message": "Précisez le budget prévisionnel, s'il vous plaît.",
            "echeance": ""}


COURRIELS_EN_MEMOIRE = "django.core.mail.backends.locmem.EmailBackend"
BOUTONS = [
    # (role, name, status of the dossiers pressed on, path, form data)
    ("comite", "décider (retenu, une décision)", Statut.INSTRUIT,
     "/instruction/dossiers/{pk}/decision/", _decision),
    ("instructeur", "demander des corrections", Statut.EN_INSTRUCTION,
     "/instruction/dossiers/{pk}/corrections/", _corrections),
]


def _erreurs(reponse):
    formulaire = (reponse.context or {}).get("form")
    return str(dict(formulaire.errors)) if formulaire is not None else "formulaire rendu"


def _client(email):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(Utilisateur.objects.get(email=email))
    client.get("/", secure=True)  # the CSRF cookie (the test client does not check it anyway)
    return client


@override_settings(MAILERS={"default": {"BACKEND": COURRIELS_EN_MEMOIRE}})
def mesurer_boutons(comptes, nombre=3):
    """Median and maximum server time (ms), queries and statuses of each button."""
    resultats = []
    for role, nom, statut, chemin, donnees in BOUTONS:
        client = _client(comptes[role])
        durees, requetes, statuts, erreurs = [], [], set(), set()
        for pk in _candidats(comptes["appel"], statut, nombre):
            with CaptureQueriesContext(connection) as capture:
                debut = time.perf_counter()
                try:
                    reponse = client.post(chemin.format(pk=pk), donnees(pk), secure=True)
                except Exception as erreur:  # noqa: BLE001 — reported, the benchmark goes on
                    erreurs.add(repr(erreur)[:300])
                    continue
                durees.append((time.perf_counter() - debut) * 1000)
            requetes.append(len(capture.captured_queries))
            statuts.add(reponse.status_code)
            if reponse.status_code == 200:  # the form again: say why, the press was refused
                erreurs.add(_erreurs(reponse))
        resultats.append({
            "role": role, "bouton": nom, "appuis": len(durees),
            "statuts_http": sorted(statuts), "refus": sorted(erreurs),
            "requetes": max(requetes) if requetes else None,
            "mediane_ms": round(statistics.median(durees), 1) if durees else None,
            "max_ms": round(max(durees), 1) if durees else None,
        })
    return resultats
