"""Addresses: where to go back after a form (a ``next`` address, kept only if it is a path of
this site); the addresses of a page's rows, reversed once."""

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

# A key no row has: the address reversed with it, then split around it.
_CLE_MODELE = 987654321


def adresses_par_cle(nom):
    """``cle → reverse(nom, args=[cle])`` for the fifty rows of a page, with one ``reverse``
    (the addresses differ by the key only)."""
    avant, _, apres = reverse(nom, args=[_CLE_MODELE]).partition(str(_CLE_MODELE))
    return lambda cle: f"{avant}{cle}{apres}"


def suivant_sur(request, valeur):
    """The ``next`` URL if it is a path of this site, else an empty string.

    Only paths count (« /dossiers/12/ »): a bare word such as « 0 » would be read by
    ``redirect()`` as a view name, and an address of another site would be an open redirect.
    """
    if (
        valeur
        and valeur.startswith("/")
        and url_has_allowed_host_and_scheme(
            valeur, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return valeur
    return ""
