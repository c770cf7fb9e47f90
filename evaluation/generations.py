"""Files built in the background (``django.tasks``): one mechanism for bilans and exports.

A file is kept with the fingerprint of the data it was built from: asked again while the data
are unchanged, the same file (or the same running build) is served; once they change, a new file
is built. Each kind of file brings the rows of its target, its fingerprint and its builder; a
``@task`` per kind (``manage.py db_worker`` runs them) calls ``construire``.
"""

import datetime
import logging
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone

from .models import FichierGenere

logger = logging.getLogger(__name__)

Etat = FichierGenere.Etat
# A file of stale data stays this long after it was asked for, for whoever asked.
DELAI_DE_GRACE = datetime.timedelta(hours=1)
# A build that never finished (worker stopped) is not waited for forever.
ABANDON = datetime.timedelta(minutes=30)
MESSAGE_ECHEC = (
    "La génération a échoué. Relancez-la ; si l'échec persiste, prévenez l'administrateur du "
    "portail."
)


def existante(cible, empreinte):
    """The build of ``cible`` made (or being made) from data of ``empreinte``, if any: read
    only, as a page shown on GET may ask."""
    return (
        cible.filter(empreinte=empreinte)
        .exclude(etat=Etat.ECHEC)
        .exclude(
            etat__in=[Etat.EN_ATTENTE, Etat.EN_COURS],
            demandee_le__lt=timezone.now() - ABANDON,
        )
        .order_by("-demandee_le")
        .first()
    )


def reponse(*, etat, libelle, progression=0, fichier="", message=""):
    """The state of a file as its progress page polls it (``static/js/bilans-generation.js``):
    ``fichier`` is the download address once the file is ready, else empty."""
    return JsonResponse({
        "etat": etat, "etat_libelle": libelle, "progression": progression,
        "message": message, "fichier": fichier,
    })


def reponse_etat(generation, fichier):
    """The state of a build (a ``FichierGenere`` row); ``fichier`` given once it is ready."""
    return reponse(
        etat=generation.etat, libelle=generation.get_etat_display(),
        progression=generation.progression, message=generation.message,
        fichier=fichier if generation.est_terminee else "",
    )


@transaction.atomic
def demander(*, cible, empreinte, creer, tache):
    """Return the build of ``cible`` (the rows of one target) made from data of ``empreinte``,
    else drop the stale ones, create a row with ``creer(empreinte)`` and enqueue ``tache``."""
    cible = cible.select_for_update()
    trouvee = existante(cible, empreinte)
    if trouvee is not None:
        return trouvee
    # Files built from older data are dropped, except those asked for lately: someone may
    # still be waiting on that page or about to download it.
    for ancienne in cible.filter(demandee_le__lt=timezone.now() - DELAI_DE_GRACE):
        if ancienne.fichier:
            ancienne.fichier.delete(save=False)
        ancienne.delete()
    generation = creer(empreinte)
    transaction.on_commit(partial(tache.enqueue, generation_id=str(generation.pk)))
    return generation


def _avancer(modele, generation_id, valeur, **champs):
    modele.objects.filter(pk=generation_id).update(progression=valeur, **champs)


def construire(modele, generation_id, fabriquer, nom):
    """Build one requested file with ``fabriquer(generation, progression)``, reporting the
    progress (0–100) in its row, and keep it under ``nom(generation)``."""
    generation = modele.objects.filter(pk=generation_id).first()
    if generation is None or generation.etat == Etat.TERMINEE:
        return
    progression = partial(_avancer, modele, generation_id)
    progression(5, etat=Etat.EN_COURS)
    try:
        contenu = fabriquer(generation, progression)
    except Exception:
        logger.exception("Échec de la génération du fichier %s", generation_id)
        progression(0, etat=Etat.ECHEC, message=MESSAGE_ECHEC)
        raise
    generation = modele.objects.filter(pk=generation_id).first()
    if generation is None:
        return  # the data changed meanwhile: a newer request replaced this file
    generation.fichier.save(nom(generation), ContentFile(contenu), save=False)
    generation.taille = len(contenu)
    generation.etat = Etat.TERMINEE
    generation.progression = 100
    generation.message = ""
    generation.terminee_le = timezone.now()
    generation.save()
