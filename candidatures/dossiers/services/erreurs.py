"""What the dossier services refuse: each error's ``str()`` is a French message for the user."""

from django.utils import timezone
from django.utils.formats import date_format

from ...models import Section


class ErreurDossier(Exception):
    """A refused operation; ``str()`` is a French message for the user."""


class TransitionInterdite(ErreurDossier):
    pass


class ModificationInterdite(ErreurDossier):
    pass


class AppelNonOuvert(ErreurDossier):
    pass


class ActionNonEligible(ErreurDossier):
    pass


class PieceRefusee(ErreurDossier):
    pass


class ConflitVersion(ErreurDossier):
    """Someone saved the dossier since the form was loaded: nothing was written."""

    def __init__(self, dossier):
        self.dossier = dossier
        auteur = dossier.modifie_par or "un autre membre"
        heure = date_format(timezone.localtime(dossier.modifie_le), "H:i")
        super().__init__(
            f"Vos modifications n'ont pas été enregistrées : {auteur} a enregistré ce dossier "
            f"à {heure} depuis que vous l'avez ouvert. Vos saisies sont conservées ci-dessous ; "
            "consultez la version enregistrée, puis enregistrez à nouveau pour remplacer la sienne."
        )


class DossierIncomplet(ErreurDossier):
    def __init__(self, manques):
        self.manques = manques
        nombre = sum(len(v) for v in manques.values())
        super().__init__(
            f"Le dossier ne peut pas être déposé : {nombre} élément{'s' if nombre > 1 else ''} "
            f"à compléter ({', '.join(str(Section(s).label) for s in manques)})."
        )
