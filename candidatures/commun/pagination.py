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
    ``LIMIT``); ``depasse`` tells the count stopped at the bound. ``a_compter``, when given, is
    a cheaper query of as many rows as the list, counted instead of it."""

    def __init__(self, object_list, per_page, borne=None, a_compter=None):
        super().__init__(object_list, per_page)
        self.borne = borne or BORNE_COMPTE
        self.a_compter = object_list if a_compter is None else a_compter

    @cached_property
    def count(self):
        return self.a_compter[: self.borne + 1].count()

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


class _Compte:
    """What the templates read of a paginator: the count and the number of pages."""

    def __init__(self, count, per_page, borne=None):
        self.count = count
        self.num_pages = max(1, -(-count // per_page))
        self.per_page = per_page
        self.borne = borne
        self.depasse = borne is not None and count > borne


class PageParCurseur:
    """A page of a list sorted on one unique indexed column ``cle`` (keyset pagination).

    « Page suivante » carries the last key shown (``apres``), « Page précédente » the first one
    (``avant``): the database reads the page's rows from the index whatever the page. A page
    number alone (a link typed or kept, without JavaScript) still works, by ``OFFSET`` on the
    same index. ``compte`` is the list's length when the caller already knows it (totals),
    otherwise it is counted up to a bound (``PaginateurBorne``).
    """

    def __init__(self, queryset, cle, par_page, *, numero=1, apres=None, avant=None,
                 compte=None):
        self.number = numero
        self.paginator = None
        if apres is not None:
            lignes = list(queryset.filter(**{f"{cle}__gt": apres}).order_by(cle)[:par_page + 1])
            self._suivante, self._precedente = len(lignes) > par_page, True
            lignes = lignes[:par_page]
        elif avant is not None:
            lignes = list(
                queryset.filter(**{f"{cle}__lt": avant}).order_by(f"-{cle}")[:par_page + 1]
            )
            self._suivante, self._precedente = True, len(lignes) > par_page
            lignes = lignes[:par_page][::-1]
        else:
            lignes = self._par_numero(queryset, cle, par_page, numero)
            if not lignes and numero > 1:  # past the end, as Paginator.get_page: the last page
                self.number = numero = self._compter(queryset, par_page, compte).num_pages
                lignes = self._par_numero(queryset, cle, par_page, numero)
            self._suivante, self._precedente = len(lignes) > par_page, numero > 1
            lignes = lignes[:par_page]
        self.object_list = lignes
        self.cle_debut = getattr(lignes[0], cle) if lignes else None
        self.cle_fin = getattr(lignes[-1], cle) if lignes else None
        self.paginator = self._compter(queryset, par_page, compte)

    @staticmethod
    def _par_numero(queryset, cle, par_page, numero):
        debut = (numero - 1) * par_page
        return list(queryset.order_by(cle)[debut:debut + par_page + 1])

    def _compter(self, queryset, par_page, compte):
        if getattr(self, "paginator", None) is None:
            if compte is None:
                borne = PaginateurBorne(queryset, par_page)
                self.paginator = _Compte(borne.count, par_page, borne.borne)
            else:
                self.paginator = _Compte(compte, par_page)
        return self.paginator

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self):
        return self._suivante

    def has_previous(self):
        return self._precedente and self.number > 1

    def has_other_pages(self):
        return self.has_next() or self.has_previous()

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1
