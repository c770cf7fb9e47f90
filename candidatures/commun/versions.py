"""The save loop of a versioned form: lock the row, compare the version, save what changed, bump.

A dossier draft, an instruction and a bilan are each edited in one form that carries the
version it was loaded at. Their save services lock the row, refuse with ``ConflitVersion`` if
someone saved since, write only the values and rows that changed, and bump the version if any
did.
"""

from dataclasses import dataclass

from .erreurs import ConflitVersion
from .formulaires import lire_entier


@dataclass(frozen=True)
class Versionnement:
    """How a versioned model records its saves, and what a conflict on it says.

    ``champ_par`` and ``champ_le`` are the fields holding who saved last and when; ``anonyme``
    names the author when none is recorded; ``message`` is the area's French wording of a
    conflict, with ``{auteur}`` and ``{heure}`` to fill in.
    """

    champ_par: str
    champ_le: str
    anonyme: str
    message: str

    def verrouiller(self, requete, version, **filtre):
        """Lock the row ``filtre`` selects in ``requete``, then check ``version`` on it."""
        objet = requete.select_for_update().get(**filtre)
        self.verifier(objet, version)
        return objet

    def verifier(self, objet, version):
        """Refuse if ``objet`` (locked) was saved since ``version`` was read (``None``: none).

        A version that is not a whole number (a tampered or truncated form) cannot prove the
        form is up to date: it is refused as a conflict, so the page reloads what is saved.
        """
        if version is not None and lire_entier(str(version)) != objet.version:
            raise ConflitVersion(
                objet,
                auteur=getattr(objet, self.champ_par) or self.anonyme,
                le=getattr(objet, self.champ_le),
                message=self.message,
            )

    def marquer(self, objet, par, le):
        """Record a save of ``objet`` by ``par`` at ``le``: the next form must reload it."""
        objet.version += 1
        setattr(objet, self.champ_par, par)
        setattr(objet, self.champ_le, le)


def appliquer(objet, valeurs):
    """Set on ``objet`` the values that differ; return ``(field, before, after)`` of each."""
    changements = []
    for nom, valeur in valeurs.items():
        avant = getattr(objet, nom)
        if avant != valeur:
            changements.append((nom, avant, valeur))
            setattr(objet, nom, valeur)
    return changements


def enregistrer_lignes(existantes, saisies, nouvelle):
    """Write ``saisies`` (key → ``{field: value}``) on the rows ``existantes`` (key → row).

    A missing row is built by ``nouvelle(key)`` (``None``: no row to create); only the rows with
    a changed value are saved. Returns key → ``(field, before, after)`` list of the saved rows.
    """
    modifiees = {}
    for cle, valeurs in saisies.items():
        ligne = existantes.get(cle) or nouvelle(cle)
        if ligne is None:
            continue
        changements = appliquer(ligne, valeurs)
        if changements:
            ligne.save()
            modifiees[cle] = changements
    return modifiees
