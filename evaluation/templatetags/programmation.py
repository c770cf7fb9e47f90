"""The programmation's awaiting rows: fifty rows a page, each with its decision form, written
in Python (every value escaped) rather than by a few dozen template nodes per row."""

from html import escape  # Django's ``escape`` without its lazy-string wrapper, same output

from django import template
from django.utils.safestring import mark_safe
from django.utils.text import capfirst, normalize_newlines

from candidatures.commun import formulaires as saisie
from candidatures.commun.formats import euros
from candidatures.commun.redirections import adresses_par_cle

register = template.Library()


def _attributs(attrs):
    """As ``formulaires._attributs`` (Django's ``attrs.html``): ``True`` bare, ``False`` out."""
    return "".join(
        f" {escape(nom)}" if valeur is True else f' {escape(nom)}="{escape(str(valeur))}"'
        for nom, valeur in attrs.items() if valeur is not False
    )


def _entree(widget, nom, valeur, attrs):
    valeur = "" if valeur is None else f' value="{escape(str(valeur))}"'
    return f'<input type="{escape(widget.input_type)}" name="{escape(nom)}"{valeur}' \
           f"{_attributs(attrs)}>"


def _zone(widget, nom, valeur, attrs):
    return f'<textarea name="{escape(nom)}"{_attributs(attrs)}>\n{escape(valeur or "")}</textarea>'


def _liste(widget, nom, valeurs, attrs):
    morceaux = [f'<select name="{escape(nom)}"{_attributs(attrs)}>']
    widget.ecrire_options(widget.choices, set(valeurs), morceaux)
    morceaux.append("\n</select>")
    return "".join(morceaux)


# The widgets of a row, written here; any other widget is rendered by Django.
ECRITS = {
    saisie.EntreeCachee: _entree, saisie.EntreeNombre: _entree, saisie.EntreeDate: _entree,
    saisie.ZoneDeTexte: _zone, saisie.ListeDeroulante: _liste,
}


def champ(bf):
    """The HTML ``str(bf)`` gives (``BoundField.as_widget``): the same attributes (required,
    invalid, described by its error), written without a template nor ``format_html``."""
    widget = bf.field.widget
    ecrire = ECRITS.get(type(widget))
    if ecrire is None or any(isinstance(c[1], list | tuple) for c in getattr(
            widget, "choices", ())):
        return str(bf)
    attrs = bf.build_widget_attrs({}, widget)
    if bf.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bf.auto_id)
    return ecrire(widget, bf.html_name, widget.format_value(bf.value()),
                  widget.build_attrs(widget.attrs, attrs))


def _champs(form, reference):
    """Each visible field with its label (naming the dossier) and its errors."""
    morceaux = []
    for bf in form.visible_fields():
        erreurs = "".join(
            f'<p class="invalid-feedback d-block" id="{escape(bf.auto_id)}_erreur">'
            f"{escape(str(erreur))}</p>"
            for erreur in bf.errors
        )
        morceaux.append(
            f'<div class="col-md-6">\n<label class="form-label small mb-0" '
            f'for="{escape(bf.id_for_label)}">{escape(str(bf.label))} — {reference}</label>\n'
            f"{champ(bf)}\n{erreurs}</div>\n"
        )
    return "".join(morceaux)


def _decision(d, f, reference):
    propose = d.montant_propose
    erreurs = "".join(
        f'<p class="invalid-feedback d-block" role="alert">{escape(str(e))}</p>'
        for e in f.non_field_errors()
    )
    accorder = ""
    if propose:
        accorder = (
            f'<button type="submit" name="accorder" value="{d.pk}" class="btn btn-outline-primary'
            f' btn-sm mb-2" data-accorder data-propose="{propose}" data-cible="'
            f'{escape(f["montant_accorde"].id_for_label)}" aria-describedby="aide-accorder">'
            f"Accorder le montant proposé ({escape(euros(propose))})<span "
            f'class="visually-hidden"> à {reference}</span></button>\n'
        )
    return (
        f'<td class="decision-ligne">\n{champ(f["dossier"])}\n{erreurs}{accorder}'
        f'<div class="row g-2">\n{_champs(f, reference)}</div>\n</td>\n'
    )


def _ligne(d, f, lien, peut_decider):
    reference = escape(d.reference)
    selection = decision = ""
    if peut_decider:
        propose = ""
        if d.montant_propose:
            propose = (f' data-propose="{d.montant_propose}" data-cible="'
                       f'{escape(f["montant_accorde"].id_for_label)}"')
        selection = (
            f'<td><input class="form-check-input" type="checkbox" name="selection" '
            f'value="{d.pk}" id="selection-{d.pk}" data-selection{propose}>\n'
            f'<label class="visually-hidden" for="selection-{d.pk}">Sélectionner {reference}'
            "</label></td>\n"
        )
        decision = _decision(d, f, reference)
    synthese = ""
    if d.synthese:
        texte = escape(normalize_newlines(d.synthese)).replace("\n", "<br>")
        synthese = f'\n<details class="small"><summary>Synthèse</summary>{texte}</details>'
    return (
        f'<tr class="{"table-danger" if f.errors else ""}" data-ligne '
        f'data-pilier="{d.pilier_id or ""}" id="ligne-{d.pk}">\n{selection}'
        f'<th scope="row"><a href="{escape(lien(d.pk))}">{reference}</a>\n'
        f'<span class="d-block fw-normal">{escape(str(d.intitule))}</span>\n'
        f'<span class="d-block small fw-normal">{escape(d.structure)} — '
        f'<span class="code">{escape(d.action or "")}</span></span></th>\n'
        f"<td>{escape(capfirst(d.avis))}{synthese}</td>\n"
        f'<td class="text-end text-nowrap">{escape(euros(d.montant_demande))}</td>\n'
        f'<td class="text-end text-nowrap">{escape(euros(d.montant_propose)) or "—"}</td>\n'
        f'<td class="text-end text-nowrap">{escape(euros(d.cumul_pilier or 0))}</td>\n'
        f"{decision}</tr>\n"
    )


@register.simple_tag
def lignes_a_decider(lignes, peut_decider):
    """The ``<tr>`` of each awaiting row (``(LigneADecider, form)`` pairs), every value
    escaped."""
    lien = adresses_par_cle("evaluation:instruction")
    return mark_safe("".join(_ligne(d, f, lien, peut_decider) for d, f in lignes))
