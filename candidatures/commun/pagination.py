"""Pages of long lists that cost the same whatever the length of the list.

Django's ``Paginator`` counts every row of the list on every view. ``PaginateurBorne`` counts
up to a bound only: past it, the page says « plus de … », numbers its pages without a last
one, and knows whether a next page exists by reading one row more than it shows.
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property

BORNE_COMPTE = 500


class PageBornee(Page):
    def __init__(self, object_list, number, paginator, suite):
        super().__init__(object_list, number, paginator)
        self.suite = suite

    def has_next(self):
        return self.suite


class PaginateurBorne(Paginator):
    """A paginator whose count reads at most ``borne`` + 1 rows (``SELECT COUNT(*)`` over a
    ``LIMIT``); ``depasse`` tells the count stopped at the bound."""

    def __init__(self, object_list, per_page, borne=None):
        super().__init__(object_list, per_page)
        self.borne = borne or BORNE_COMPTE

    @cached_property
    def count(self):
        return self.object_list[: self.borne + 1].count()

    @property
    def depasse(self):
        return self.count > self.borne

    def validate_number(self, number):
        if not self.depasse:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as erreur:
            raise PageNotAnInteger("Ce numéro de page n'est pas un entier.") from erreur
        if number < 1 or number > 10**6:
            raise EmptyPage("Cette page n'existe pas.")
        return number

    def page(self, number):
        if not self.depasse:
            return super().page(number)
        number = self.validate_number(number)
        debut = (number - 1) * self.per_page
        lignes = list(self.object_list[debut:debut + self.per_page + 1])
        if not lignes and number > 1:
            raise EmptyPage("Cette page ne contient aucun résultat.")
        return PageBornee(lignes[: self.per_page], number, self, len(lignes) > self.per_page)
