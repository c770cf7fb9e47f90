"""The queue's rows: fifty rows a page, written in Python rather than by template nodes."""

from html import escape  # Django's ``escape`` without its lazy-string wrapper, same output

from django import template
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from candidatures.commun.formats import euros
from candidatures.commun.redirections import adresses_par_cle

register = template.Library()


def _ligne(d, lien):
    quartiers = ", ".join(escape(q) for q in d.quartiers) or "—"
    action = f'<span class="code">{escape(d.action)}</span>' if d.action else "—"
    instructeur = escape(d.instructeur) if d.instructeur else "<em>non affecté</em>"
    if d.avis:
        avis = escape(capfirst(d.avis))
        if d.montant_propose:
            avis += f" ({escape(euros(d.montant_propose))})"
    else:
        avis = "—"
    if d.non_lus:
        messages = (f'<span class="badge text-bg-danger">{d.non_lus} non lu'
                    f'{"s" if d.non_lus > 1 else ""}</span>')
    else:
        messages = '<span class="visually-hidden">aucun message non lu</span>'
    return (
        "<tr>"
        f'<td><a href="{escape(lien(d.pk))}">{escape(d.reference)}</a></td>'
        f'<td>{escape(d.intitule or "(sans intitulé)")}'
        f'<span class="d-block small">{escape(d.structure)}</span></td>'
        f"<td>{action}</td>"
        f'<td class="small">{quartiers}</td>'
        f'<td class="text-end text-nowrap">{escape(euros(d.montant_demande))}</td>'
        f'<td><span class="badge text-bg-secondary">{escape(capfirst(d.statut))}</span></td>'
        f'<td class="small">{instructeur}</td>'
        f'<td class="small">{avis}</td>'
        f"<td>{messages}</td>"
        "</tr>\n"
    )


@register.simple_tag
def lignes_de_la_file(lignes):
    """The ``<tr>`` of each row (``LigneFile``), every value escaped."""
    if not lignes:
        return mark_safe(
            '<tr><td colspan="9">Aucun dossier ne correspond à ces critères.</td></tr>\n'
        )
    lien = adresses_par_cle("evaluation:instruction")
    return mark_safe("".join(_ligne(d, lien) for d in lignes))
