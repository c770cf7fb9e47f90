"""Rendered fragments of the référentiel kept in the "pages" cache under its version.

The contracts, their trees and quartiers change rarely and are shown on every catalogue page and
in the queue's filters. What is built from them is kept under a version of the référentiel, read
before the data: any change of a référentiel row (save, delete, many-to-many) and every bulk load
of a workbook gives a new version, so the next page builds anew from the new data. The version is
changed at once and again after commit: a page read while the change was not yet committed
was kept under the version of the first change, never under the last.
"""

import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

CACHE = "pages"
CLE_VERSION = "referentiel:version"


def _cache():
    return caches[CACHE]


def version():
    """The current version of the référentiel (a new one if the cache lost it)."""
    cache = _cache()
    actuelle = cache.get(CLE_VERSION)
    if actuelle is None:
        cache.add(CLE_VERSION, uuid.uuid4().hex, None)
        actuelle = cache.get(CLE_VERSION)
    return actuelle


def messages_en_attente(request):
    """Whether a flash message waits for this request (cookie or session storage): a page that
    shows it is shown once, never kept nor answered from what was kept."""
    return bool(
        request.COOKIES.get(getattr(settings, "MESSAGE_COOKIE_NAME", "messages"))
        or (hasattr(request, "session") and request.session.get("_messages"))
    )


def changer():
    _cache().set(CLE_VERSION, uuid.uuid4().hex, None)


def signaler_changement(*_args, using=None, **_kwargs):
    """A référentiel row changed: a new version now, and another once the change is committed."""
    changer()
    transaction.on_commit(changer, using=using)


def garder(nom, fabriquer):
    """The value of ``fabriquer()`` built for the current version of the référentiel (``None``
    is not kept)."""
    cle = f"referentiel:{version()}:{nom}"
    cache = _cache()
    valeur = cache.get(cle)
    if valeur is None:
        valeur = fabriquer()
        if valeur is not None:
            cache.set(cle, valeur)
    return valeur


def brancher(modeles):
    """Connect the change signals of ``modeles`` (called once the apps are ready)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for modele in modeles:
        post_save.connect(signaler_changement, sender=modele, dispatch_uid=f"frag-s-{modele}")
        post_delete.connect(signaler_changement, sender=modele, dispatch_uid=f"frag-d-{modele}")
        for champ in modele._meta.local_many_to_many:
            m2m_changed.connect(
                signaler_changement, sender=champ.remote_field.through,
                dispatch_uid=f"frag-m-{modele}-{champ.name}",
            )
