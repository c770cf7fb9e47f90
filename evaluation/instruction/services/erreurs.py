"""Refused operations of the instruction: each ``str()`` is a French message for the user."""

from django.utils import timezone
from django.utils.formats import date_format

from candidatures.dossiers.services.erreurs import ErreurDossier


class ErreurInstruction(ErreurDossier):
    """A refused operation of the instruction; ``str()`` is a French message for the user."""


class ConflitInstruction(ErreurInstruction):
    """Someone saved the instruction since the form was loaded: nothing was written."""

    def __init__(self, instruction):
        self.instruction = instruction
        auteur = instruction.modifiee_par or "un autre instructeur"
        heure = date_format(timezone.localtime(instruction.modifiee_le), "H:i")
        super().__init__(
            f"Vos modifications n'ont pas été enregistrées : {auteur} a enregistré cette "
            f"instruction à {heure} depuis que vous l'avez ouverte. Vos saisies sont conservées "
            "ci-dessous ; comparez-les avec la version enregistrée (rechargez la page dans un "
            "autre onglet), puis enregistrez à nouveau pour remplacer la sienne."
        )


class SaisieInvalide(ErreurInstruction):
    """Values refused field by field: ``erreurs`` maps a field name to a French message."""

    def __init__(self, erreurs):
        self.erreurs = erreurs
        super().__init__(" ".join(erreurs.values()))


class InstructionIncomplete(ErreurInstruction):
    def __init__(self, manques):
        self.manques = manques
        n = len(manques)
        super().__init__(
            f"L'instruction ne peut pas être conclue : {n} élément{'s' if n > 1 else ''} "
            f"manque{'nt' if n > 1 else ''}. " + " ".join(manques)
        )


class ErreurLot(ErreurInstruction):
    """A decision of a batch was refused: nothing of the batch was recorded."""

    def __init__(self, index, erreur):
        self.index = index
        self.erreur = erreur
        super().__init__(str(erreur))

