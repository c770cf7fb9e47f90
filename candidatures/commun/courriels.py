"""The portal's one e-mail sender, and the absolute links the e-mails carry."""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

logger = logging.getLogger(__name__)


def lien_absolu(nom, *args, parametres=None):
    """The portal's full URL of a named view, with an optional query string."""
    lien = settings.PORTAIL_URL + reverse(nom, args=args)
    if parametres:
        lien += "?" + urlencode(parametres)
    return lien


def envoyer(*, destinataires, sujet, gabarit, contexte, pieces=()):
    """Send one e-mail whose body is ``gabarit`` rendered; return its recipients.

    Every subject starts with the portal's name in brackets; the template gets ``PORTAIL_NOM``
    and ``PORTAIL_URL``. ``pieces``: (file name, content, MIME type) of each attachment.
    Without any recipient, nothing is sent: the skip is logged and an empty list returned.
    """
    destinataires = list(destinataires)
    if not destinataires:
        logger.warning("Courriel « %s » sans destinataire : non envoyé.", sujet)
        return []
    message = EmailMessage(
        subject=f"[{settings.PORTAIL_NOM}] {sujet}",
        body=render_to_string(
            gabarit,
            {**contexte, "PORTAIL_NOM": settings.PORTAIL_NOM, "PORTAIL_URL": settings.PORTAIL_URL},
        ),
        to=destinataires,
    )
    for nom, contenu, type_mime in pieces:
        message.attach(nom, contenu, type_mime)
    message.send()
    return destinataires
