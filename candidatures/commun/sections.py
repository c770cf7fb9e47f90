"""Sectioned pages: every section of an object in one <form>, saved as a whole with its version.

A dossier draft and a bilan are each typed in such a page. Every button (and the autosave)
posts the whole form: what is valid is saved, what is not stays in its field with its error,
and a save refused because someone saved since keeps everything typed with a conflict message.
"""

from django.contrib import messages

from .erreurs import ConflitVersion, ErreurMetier, SaisieInvalide
from .formulaires import lire_entier


def valeurs_par_indicateur(valeurs, indicateurs, champs_de):
    """Indicator id → ``{field: value}`` of the valid values typed in its fields.

    ``champs_de(indicator)`` names the fields of an indicator: forecast or realisation.
    """
    resultat = {}
    for indicateur in indicateurs:
        champs = {
            champ: valeurs[f"indicateur_{indicateur.pk}_{champ}"]
            for champ in champs_de(indicateur)
            if f"indicateur_{indicateur.pk}_{champ}" in valeurs
        }
        if champs:
            resultat[indicateur.pk] = champs
    return resultat


class PageSections:
    """The section forms of one versioned object, and the saving of all of them at once.

    A subclass lists its forms in ``formulaires``, saves them in ``sauver()`` (returning the
    service's result) and goes on in ``apres_enregistrement()`` once the save went through.
    """

    def __init__(self, request, objet, data=None):
        self.request = request
        self.data = data
        self.conflit = None
        self.erreur = None
        self.resultat = None
        self.version = objet.version

    @property
    def formulaires(self):
        raise NotImplementedError

    @property
    def a_des_erreurs(self):
        return bool(self.conflit or self.erreur) or any(f.errors for f in self.formulaires)

    def sauver(self):
        raise NotImplementedError

    def apres_enregistrement(self):
        pass

    def enregistrer(self):
        """Save every valid value; invalid ones stay in the forms with their error."""
        try:
            self.resultat = self.sauver()
        except ConflitVersion as conflit:
            self.conflit = conflit
            self.version = conflit.objet.version
            return
        except SaisieInvalide as erreur:
            self._rattacher(erreur.erreurs)
            return
        except ErreurMetier as erreur:
            self.erreur = str(erreur)
            return
        self.apres_enregistrement()

    def _rattacher(self, erreurs):
        """Put each refused value's message next to its field (on the page if none has it)."""
        for cle, message in erreurs.items():
            for form in self.formulaires:
                if cle in form.fields:
                    form.add_error(cle, message)
                    break
            else:
                self.erreur = message

    def _pieces(self, pieces, *, supprimer, ajouter, type_autre, supprimee):
        """Remove the attachment the page asked to remove, attach the file it sent.

        ``pieces`` are the object's attachments, ``supprimer(piece=, par=)`` and
        ``ajouter(par=, fichier=, type=, titre=)`` the services, ``supprimee`` the message
        (``{piece}`` filled in) once one is removed. A refused file stays on its field.
        """
        a_supprimer = lire_entier(self.data.get("supprimer_piece"))
        if a_supprimer is not None:
            piece = pieces.filter(pk=a_supprimer).first()
            if piece:
                supprimer(piece=piece, par=self.request.user)
                messages.info(self.request, supprimee.format(piece=piece))
        valeurs = self.pieces.valeurs_valides()
        if valeurs.get("fichier"):
            try:
                ajouter(
                    par=self.request.user, fichier=valeurs["fichier"],
                    type=valeurs.get("type_piece") or type_autre,
                    titre=valeurs.get("titre_piece", ""),
                )
            except ErreurMetier as erreur:
                self.pieces.add_error("fichier", str(erreur))

    def _libelle(self, champ):
        return champ.label

    def erreurs(self):
        """(label, message, field id) of every field error, in page order, for the summary."""
        resultat = []
        for form in self.formulaires:
            for err in form.non_field_errors():
                resultat.append(("", err, ""))
            for champ in form:
                for err in champ.errors:
                    resultat.append((self._libelle(champ), err, champ.id_for_label))
        return resultat

    def contexte(self):
        """What every sectioned template shows: the page, its version, errors and conflict."""
        return {
            "page": self,
            "version": self.version,
            "erreurs": self.erreurs(),
            "conflit": self.conflit,
            "erreur": self.erreur,
        }
