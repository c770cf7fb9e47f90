"""The portal's one e-mail sender, and the absolute links the e-mails carry.

No request sends an e-mail: ``envoyer`` renders the message (a text template, quick) and, once
the transaction commits, queues the ``envoyer_courriel`` task; the worker (``manage.py
db_worker``) sends it. If the worker is down, nothing is lost: the task waits in the database
and is sent when the worker comes back. A failed send is tried again later, up to
``TENTATIVES`` times; the last failure is logged as an error and left failed in the task
results (administration).
"""

import datetime
import logging
from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

logger = logging.getLogger(__name__)

# Attempts to send one e-mail, and the wait before the next one (grows with each failure).
TENTATIVES = 5
DELAI_ENTRE_TENTATIVES = datetime.timedelta(minutes=5)


def lien_absolu(nom, *args, parametres=None):
    """The portal's full URL of a named view, with an optional query string."""
    lien = settings.PORTAIL_URL + reverse(nom, args=args)
    if parametres:
        lien += "?" + urlencode(parametres)
    return lien


def envoyer(*, destinataires, sujet, gabarit, contexte, pieces=()):
    """Queue one e-mail whose body is ``gabarit`` rendered; return its recipients.

    Every subject starts with the portal's name in brackets; the template gets ``PORTAIL_NOM``
    and ``PORTAIL_URL``. ``pieces``: (file name, stored file, MIME type) of each attachment,
    the stored file being a ``FieldFile`` of the default storage, read when the e-mail is sent.
    Without any recipient, nothing is sent: the skip is logged and an empty list returned.
    """
    destinataires = list(destinataires)
    if not destinataires:
        logger.warning("Courriel « %s » sans destinataire : non envoyé.", sujet)
        return []
    corps = render_to_string(
        gabarit,
        {**contexte, "PORTAIL_NOM": settings.PORTAIL_NOM, "PORTAIL_URL": settings.PORTAIL_URL},
    )
    transaction.on_commit(
        partial(
            envoyer_courriel.enqueue,
            destinataires=destinataires,
            sujet=f"[{settings.PORTAIL_NOM}] {sujet}",
            corps=corps,
            pieces=[[nom, fichier.name, type_mime] for nom, fichier, type_mime in pieces],
        )
    )
    return destinataires


def _nouvel_essai(tentative, **courriel):
    """Queue the next attempt, later if the task backend can defer a task."""
    tache = envoyer_courriel
    if tache.get_backend().supports_defer:
        tache = tache.using(run_after=timezone.now() + DELAI_ENTRE_TENTATIVES * tentative)
    tache.enqueue(tentative=tentative + 1, **courriel)


@task()
def envoyer_courriel(*, destinataires, sujet, corps, pieces=(), tentative=1):
    """Send one e-mail rendered by ``envoyer``, its attachments read from the storage now."""
    message = EmailMessage(subject=sujet, body=corps, to=destinataires)
    try:
        for nom, chemin, type_mime in pieces:
            with default_storage.open(chemin, "rb") as fichier:
                message.attach(nom, fichier.read(), type_mime)
        message.send()
    except Exception:
        if tentative >= TENTATIVES:
            logger.exception(
                "Courriel « %s » non envoyé après %d tentatives.", sujet, tentative
            )
            raise
        logger.warning(
            "Courriel « %s » non envoyé (tentative %d sur %d) : nouvel essai programmé.",
            sujet, tentative, TENTATIVES, exc_info=True,
        )
        _nouvel_essai(
            tentative, destinataires=destinataires, sujet=sujet, corps=corps, pieces=pieces
        )
        return "nouvel essai programmé"
    return "envoyé"
