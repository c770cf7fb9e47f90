"""The convention text an administrator writes: plain text with a fixed list of {champs}.

No template language reaches the user: a ``{nom}`` from ``CHAMPS`` is replaced by its value,
anything else between braces is refused with a French message, and the result is escaped
before it is put into the PDF's HTML.
"""

import re

from django.utils.html import escape

CHAMPS = {
    "reference": "référence de la convention",
    "date_convention": "date de la convention",
    "attribuant": "nom de l'attribuant",
    "beneficiaire": "raison sociale de la structure",
    "siret": "SIRET de la structure",
    "rna": "numéro RNA de la structure",
    "objet": "intitulé de l'action",
    "appel": "titre de l'appel à projets",
    "montant_accorde": "montant accordé, en euros",
    "echeancier": "échéancier des versements",
    "date_limite_bilan": "date limite de remise du bilan",
    "deliberation": "délibération",
    "signataires": "signataires",
}
MOTIF = re.compile(r"\{([^{}]*)\}")


def erreurs_du_modele(texte):
    """French messages for what the text holds besides known ``{champs}``; empty if valid."""
    erreurs = []
    inconnus = [nom for nom in MOTIF.findall(texte) if nom not in CHAMPS]
    if inconnus:
        liste = ", ".join(f"{{{nom}}}" for nom in dict.fromkeys(inconnus))
        erreurs.append(
            f"Champ{'s' if len(inconnus) > 1 else ''} inconnu{'s' if len(inconnus) > 1 else ''}"
            f" : {liste}. Champs possibles : "
            + ", ".join(f"{{{nom}}}" for nom in CHAMPS) + "."
        )
    reste = MOTIF.sub("", texte)
    if "{" in reste or "}" in reste:
        erreurs.append(
            "Une accolade n'est pas refermée : écrivez chaque champ sous la forme {nom_du_champ}."
        )
    return erreurs


def remplir(texte, valeurs):
    """The text with each ``{champ}`` replaced by its value, as plain text."""
    return MOTIF.sub(lambda m: str(valeurs.get(m.group(1), m.group(0))), texte)


def paragraphes_html(texte, valeurs):
    """The filled text as escaped HTML paragraphs (one per blank-line-separated block)."""
    rempli = remplir(texte, valeurs)
    blocs = [b.strip() for b in re.split(r"\n\s*\n", rempli) if b.strip()]
    return "".join(
        "<p>" + "<br>".join(escape(ligne) for ligne in bloc.splitlines()) + "</p>"
        for bloc in blocs
    )
