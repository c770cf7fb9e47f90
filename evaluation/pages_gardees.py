"""Pages of a call kept whole for a user, under the versions of what they show.

The queue of a call is read again and again by the same instructors while nothing in it changes.
A page asked again by the same user, with the same address, while nothing it shows has changed
is answered with the HTML kept the first time: four queries (session, user, the user's roles
for the staff pages' gate, versions) instead of a dozen and the rendering of its rows.

It is kept under:

- the page's name, its call and its address (filters, sort, page);
- the user, what the frame shows of them, and the structure chosen in their session;
- the day (dates shown relative to today, calls that open or close);
- the référentiel's version (the tree and quartiers of the filters, the contracts);
- the call's version and the portal's (``evaluation.version_appel``): the database raises them
  for every write to what the page shows — dossiers, instructions, decisions, messages and
  readings of the call; names, memberships, roles and groups, calls of the portal.

So a role withdrawn, a structure renamed or a message posted gives a new key at once, in the
same transaction as the change: the next view is rendered anew, its rights checked anew. The
versions are read before the page is rendered: a page rendered during a change is kept under
an older version than the change's, never a newer one.

Not kept: answers other than 200, and a page with messages to show (they are shown once). The
CSRF tokens of the page's forms are the request's own, put back into the kept HTML.
"""

import hashlib
import re

from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

from candidatures.structures.courante import CLE_SESSION as STRUCTURE_COURANTE
from referentiel import fragments

from .version_appel import versions

_JETON = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
# A mark escaped text cannot hold (``<`` is escaped wherever the page shows what users typed).
_MARQUE = "<jeton-csrf>"


def versions_de(request, appel_id):
    """The call's version and the portal's (``version_appel.versions``), read once per request:
    the kept page and what its rendering keeps share them."""
    lues = request.__dict__.setdefault("_versions_appel", {})
    if appel_id not in lues:
        lues[appel_id] = versions(connection, appel_id)
    return lues[appel_id]


def _cle(request, nom, appel_id, version_appel, version_portail):
    user = request.user
    elements = (
        nom, appel_id, request.get_full_path(), user.pk, str(user), user.is_staff,
        user.is_superuser, request.session.get(STRUCTURE_COURANTE), timezone.localdate(),
        fragments.version(), version_appel, version_portail,
    )
    return "page:" + hashlib.sha256(repr(elements).encode()).hexdigest()


def page_gardee(request, nom, appel_id, rendre):
    """The answer of ``rendre()`` (which checks the user's rights), kept for this user under the
    versions of what the page shows, and given back while none of them changes."""
    if not request.user.is_authenticated or fragments.messages_en_attente(request):
        return rendre()
    cle = _cle(request, nom, appel_id, *versions_de(request, appel_id))
    cache = caches[fragments.CACHE]
    gardee = cache.get(cle)
    if gardee is not None:
        return HttpResponse(gardee.replace(_MARQUE, get_token(request)))
    reponse = rendre()
    if reponse.status_code == 200 and not reponse.streaming:
        cache.set(cle, _JETON.sub(rf"\g<1>{_MARQUE}\g<2>", reponse.content.decode()))
    return reponse
