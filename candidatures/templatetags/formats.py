"""French formats in the templates of both apps: ``{% load formats %}``."""

from django import template

from ..commun import formats

register = template.Library()

register.filter("euros", formats.euros)
register.filter("nombre", formats.nombre)
register.filter("pourcentage", formats.pourcentage)
register.filter("siret", formats.siret)
register.filter("iban", formats.iban)
register.filter("date_longue", formats.date_longue)
register.filter("date_heure", formats.date_heure)
register.filter("heure", formats.heure)
