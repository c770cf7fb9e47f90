"""Natural keys: reference rows are found by their code, within their contract."""

from django.db import models


class CodeManager(models.Manager):
    """Rows whose code is unique on the whole portal (contracts, territories, generations)."""

    def get_by_natural_key(self, code):
        return self.get(code=code)


class ParContratManager(models.Manager):
    """Tree rows: a code is unique within its contract only (« 1.1.1.a » exists in each)."""

    def get_by_natural_key(self, contrat_code, code):
        return self.get(contrat__code=contrat_code, code=code)

    def du_contrat(self, contrat):
        return self.filter(contrat=contrat)
