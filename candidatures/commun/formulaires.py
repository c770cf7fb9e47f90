"""Form pieces of the sectioned pages (dossier and bilan): numbers typed the French way, text
areas, a section that reports its valid values only, fields laid out in a table; a quick
``<select>``."""

import re

from django import forms
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

LIBELLES_VALEURS = {
    "valeur": "Nombre",
    "valeur_femmes": "Femmes",
    "valeur_hommes": "Hommes",
    "valeur_filles": "Filles",
    "valeur_garcons": "Garçons",
}
ESPACES = re.compile(r"[\s\u00a0\u202f€]")
CHIFFRES = re.compile(r"[0-9]{1,18}")


def lire_entier(texte):
    """The whole number an identifier or a query parameter holds, or None if it holds none.

    Only ASCII digits count: ``str.isdigit()`` also accepts « ² » or « ① », which ``int()``
    then refuses.
    """
    if isinstance(texte, str) and CHIFFRES.fullmatch(texte):
        return int(texte)
    return None


class NombreEntierField(forms.IntegerField):
    """A whole number ≥ 0 people may type with spaces ("1 500") or a euro sign."""

    default_error_messages = {
        "invalid": "Saisissez un nombre entier, sans virgule (par exemple 1500).",
        "min_value": "Saisissez un nombre positif ou nul.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2_000_000_000)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("min", None)
        attrs.pop("max", None)
        attrs.pop("step", None)
        attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        return attrs

    def to_python(self, value):
        if isinstance(value, str):
            value = ESPACES.sub("", value)
        return super().to_python(value)


def champ_texte(label, lignes=4, **kwargs):
    """An optional multi-line text field."""
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": lignes}), **kwargs
    )


class SectionForm(forms.Form):
    """A section: reports the valid values only, so that one bad field does not block the rest."""

    section = None
    required_css_class = ""

    def valeurs_valides(self):
        """Valid values of the fields the page sent (a text field absent from it is left alone)."""
        self.is_valid()
        return {
            nom: v
            for nom, v in self.cleaned_data.items()
            if nom not in self.errors
            and not self.fields[nom].widget.value_omitted_from_data(
                self.data, self.files, self.add_prefix(nom)
            )
        }


class ChampsEnTableau(SectionForm):
    """Fields laid out by hand in a table: mark invalid inputs and tie them to their message."""

    def full_clean(self):
        super().full_clean()
        for nom in self.errors:
            if nom in self.fields:
                attrs = self.fields[nom].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-describedby"] = f"{self[nom].auto_id}_erreur"


def _attributs(attrs):
    """Attributes as Django's ``attrs.html`` writes them: ``True`` bare, ``False`` left out."""
    return mark_safe("".join(
        format_html(" {}", nom) if valeur is True else format_html(' {}="{}"', nom, valeur)
        for nom, valeur in attrs.items() if valeur is not False
    ))


class ListeDeroulante(forms.Select):
    """A ``<select>`` written in Python, the same HTML as Django's templates: a list page that
    shows a few hundred options on every view (the queue's filters) does not render one
    template per option, nor build one dictionary per option."""

    def ecrire_options(self, choix, choisies, morceaux):
        """Append the ``<option>`` of ``choix`` to ``morceaux``, the first of ``choisies``
        selected."""
        for valeur, libelle in choix:
            valeur = "" if valeur is None else str(valeur)
            selected = ""
            if valeur in choisies:
                selected = " selected"
                choisies.clear()  # one selected option, as Django's Select
            morceaux.append(f'\n  <option value="{escape(valeur)}"{selected}>{escape(libelle)}'
                            "</option>")

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        morceaux = [format_html('<select name="{}"{}>', name, _attributs(attrs))]
        choisies = {str(v) for v in self.format_value(value)}
        for valeur, libelle in self.choices:
            if isinstance(libelle, (list, tuple)):
                morceaux.append(format_html('\n  <optgroup label="{}">', valeur))
                self.ecrire_options(libelle, choisies, morceaux)
                morceaux.append("\n  </optgroup>")
            else:
                self.ecrire_options([(valeur, libelle)], choisies, morceaux)
        morceaux.append("\n</select>")
        return mark_safe("".join(morceaux))


class EntreeEnPython:
    """An ``<input>`` written in Python, the same HTML as Django's ``input.html``: a page that
    carries one form per row (the programmation) does not render three templates per input."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        valeur = widget["value"]
        return format_html(
            '<input type="{}" name="{}"{}{}>', widget["type"], widget["name"],
            "" if valeur is None else format_html(' value="{}"', str(valeur)),
            _attributs(widget["attrs"]),
        )


class ZoneDeTexte(forms.Textarea):
    """A ``<textarea>`` written in Python, the same HTML as Django's ``textarea.html``."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>', widget["name"],
            _attributs(widget["attrs"]), widget["value"] or "",
        )


class EntreeNombre(EntreeEnPython, forms.NumberInput):
    pass


class EntreeDate(EntreeEnPython, forms.DateInput):
    pass


class EntreeCachee(EntreeEnPython, forms.HiddenInput):
    pass
