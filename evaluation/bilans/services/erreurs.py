"""Refused operations on a bilan: each ``str()`` is a French message for the user."""

from django.utils import timezone
from django.utils.formats import date_format

from candidatures.dossiers.services.erreurs import ErreurDossier

from .. import selectors as selectors_bilans


class ErreurBilan(ErreurDossier):
    """A refused operation on a bilan; ``str()`` is a French message for the user."""


class ConflitBilan(ErreurBilan):
    """Someone saved the bilan since the form was loaded: nothing was written."""

    def __init__(self, bilan):
        self.bilan = bilan
        auteur = bilan.modifie_par or "un autre membre"
        heure = date_format(timezone.localtime(bilan.modifie_le), "H:i")
        super().__init__(
            f"Vos modifications n'ont pas été enregistrées : {auteur} a enregistré ce bilan à "
            f"{heure} depuis que vous l'avez ouvert. Vos saisies sont conservées ci-dessous ; "
            "enregistrez à nouveau pour remplacer la version enregistrée."
        )


class SaisieBilanInvalide(ErreurBilan):
    """Values refused field by field: ``erreurs`` maps a field key to a French message."""

    def __init__(self, erreurs):
        self.erreurs = erreurs
        super().__init__(" ".join(erreurs.values()))


class BilanIncomplet(ErreurBilan):
    def __init__(self, manques):
        self.manques = manques
        nombre = sum(len(m) for m in manques.values())
        sections = ", ".join(selectors_bilans.SECTIONS[s] for s in manques)
        super().__init__(
            f"Le bilan ne peut pas être déposé : {nombre} élément{'s' if nombre > 1 else ''} "
            f"à compléter ({sections})."
        )

