"""Where to go back after a form: a ``next`` address, kept only if it is a path of this site."""

from django.utils.http import url_has_allowed_host_and_scheme


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
