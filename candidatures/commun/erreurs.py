"""What every service refuses: one family of errors, each ``str()`` a French message for the user.

Views catch ``ErreurMetier`` and show its message; they catch a subclass only to treat it
differently: ``ConflitVersion`` (keep what was typed, send back the saved version),
``SaisieInvalide`` (each message next to its field), ``Incomplet`` (lead to what is missing).
"""

from .formats import heure


class ErreurMetier(Exception):
    """A refused operation; ``str()`` is the French message for the user."""


class ConflitVersion(ErreurMetier):
    """Someone saved ``objet`` since the form was loaded: nothing was written.

    ``auteur`` saved it at ``le``; ``message`` is the area's wording, with ``{auteur}`` and
    ``{heure}`` to fill in. ``objet.version`` is the version to send back to the form.
    """

    def __init__(self, objet, *, auteur, le, message):
        self.objet = objet
        self.auteur = auteur
        self.le = le
        super().__init__(message.format(auteur=auteur, heure=heure(le)))


class SaisieInvalide(ErreurMetier):
    """Values refused field by field: ``erreurs`` maps a field name to a French message."""

    def __init__(self, erreurs):
        self.erreurs = erreurs
        super().__init__(" ".join(erreurs.values()))


class Incomplet(ErreurMetier):
    """Something cannot be submitted or concluded yet: ``manques`` says what is missing."""

    def __init__(self, message, manques):
        self.manques = manques
        super().__init__(message)


def ajouter_au_formulaire(form, erreur):
    """Show a refusal on ``form``: each field's message next to its field, the rest on top."""
    erreurs = erreur.erreurs if isinstance(erreur, SaisieInvalide) else {None: str(erreur)}
    for champ, message in erreurs.items():
        form.add_error(champ if champ in form.fields else None, message)
