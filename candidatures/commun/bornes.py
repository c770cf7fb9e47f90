"""Identifiers in URLs that no row can have: answered « page introuvable », not a crash.

``<int:pk>`` accepts any run of digits; one beyond the database's 64-bit integers makes
SQLite raise OverflowError (and PostgreSQL an error) in lookups Django does not guard, such
as ``appel_id=pk``. The middleware turns them into a 404 before the view runs.
"""

from django.http import Http404

ENTIER_MAX = 2**63 - 1


class IdentifiantsBornes:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for valeur in (*view_args, *view_kwargs.values()):
            if isinstance(valeur, int) and not -ENTIER_MAX <= valeur <= ENTIER_MAX:
                raise Http404("Aucun élément ne porte ce numéro.")
        return None
