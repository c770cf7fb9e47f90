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


class Formulaire:
    """What a row writes of its own form (a bound one: the values typed, the errors found)."""

    def __init__(self, form):
        self.form = form
        self.erreurs = bool(form.errors)

    def id_montant(self):
        return self.form["montant_accorde"].id_for_label

    def cachee(self):
        return champ(self.form["dossier"])

    def erreurs_de_ligne(self):
        return "".join(
            f'<p class="invalid-feedback d-block" role="alert">{escape(str(e))}</p>'
            for e in self.form.non_field_errors()
        )

    def champs(self, reference):
        return _champs(self.form, reference)


# Marks where the rows of an unbound page differ: characters of Unicode's private use area,
# which neither the fields' HTML nor a reference holds.
_INDEX, _DOSSIER, _REFERENCE = "\ue000", "\ue001", "\ue002"


class _Modele:
    """The fields of an unbound row, written once with marks for what differs from one row to
    the next (the form's index, the dossier, the reference in the labels): an unbound page
    needs neither fifty forms nor fifty times their fields written. Used only when every row's
    initial values but the dossier are the same."""

    def __init__(self, formset):
        commun = {k: v for k, v in formset.initial[0].items() if k != "dossier"}
        form = formset.form(
            auto_id=formset.auto_id, prefix=formset.add_prefix(_INDEX),
            error_class=formset.error_class, use_required_attribute=False,
            renderer=formset.form_renderer, initial={**commun, "dossier": _DOSSIER},
            **formset.get_form_kwargs(None),
        )
        formset.add_fields(form, None)
        self.id = form["montant_accorde"].id_for_label
        self.cachee = champ(form["dossier"])
        self.champs = _champs(form, _REFERENCE)

    @staticmethod
    def convient(formset):
        """True when the rows can be written from one model (unbound, same initial values)."""
        if formset.is_bound or not formset.initial:
            return False
        commun = [{k: v for k, v in ligne.items() if k != "dossier"} for ligne in formset.initial]
        return all(c == commun[0] for c in commun)

    def ligne(self, i, pk):
        return _LigneDuModele(self, str(i), str(pk))


class _LigneDuModele:
    """One row of an unbound page, written from the model of its fields."""

    erreurs = False

    def __init__(self, modele, index, pk):
        self.modele, self.index, self.pk = modele, index, pk

    def id_montant(self):
        return self.modele.id.replace(_INDEX, self.index)

    def cachee(self):
        return self.modele.cachee.replace(_INDEX, self.index).replace(_DOSSIER, self.pk)

    def erreurs_de_ligne(self):
        return ""

    def champs(self, reference):
        return self.modele.champs.replace(_INDEX, self.index).replace(_REFERENCE, reference)


def _decision(d, f, reference):
    propose = d.montant_propose
    accorder = ""
    if propose:
        accorder = (
            f'<button type="submit" name="accorder" value="{d.pk}" class="btn btn-outline-primary'
            f' btn-sm mb-2" data-accorder data-propose="{propose}" data-cible="'
            f'{escape(f.id_montant())}" aria-describedby="aide-accorder">'
            f"Accorder le montant proposé ({escape(euros(propose))})<span "
            f'class="visually-hidden"> à {reference}</span></button>\n'
        )
    return (
        f'<td class="decision-ligne">\n{f.cachee()}\n{f.erreurs_de_ligne()}{accorder}'
        f'<div class="row g-2">\n{f.champs(reference)}</div>\n</td>\n'
    )


def _ligne(d, f, lien, peut_decider):
    reference = escape(d.reference)
    selection = decision = ""
    if peut_decider:
        propose = ""
        if d.montant_propose:
            propose = (f' data-propose="{d.montant_propose}" data-cible="'
                       f'{escape(f.id_montant())}"')
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
        f'<tr class="{"table-danger" if f.erreurs else ""}" data-ligne '
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


def formulaires_des_lignes(formset):
    """What each row writes of its form: from one model of the fields on an unbound page, from
    the row's own form once the comité has sent the page (values typed, errors)."""
    if _Modele.convient(formset):
        modele = _Modele(formset)
        return [modele.ligne(i, ligne["dossier"]) for i, ligne in enumerate(formset.initial)]
    return [Formulaire(form) for form in formset.forms]


def ecrire_lignes(lignes, formulaires, peut_decider):
    """The ``<tr>`` of each awaiting row (``LigneADecider``) with what it writes of its form,
    every value escaped."""
    lien = adresses_par_cle("evaluation:instruction")
    paires = zip(lignes, formulaires, strict=False)
    return mark_safe("".join(_ligne(d, f, lien, peut_decider) for d, f in paires))


@register.simple_tag
def lignes_a_decider(lignes, formset, peut_decider):
    """The page's awaiting rows, their forms in ``formset``."""
    return ecrire_lignes(lignes, formulaires_des_lignes(formset), peut_decider)
