"""Reading one cell: from what a spreadsheet holds to a model value, or a French complaint.

Each reader takes the raw cell value (str, int, float, bool, datetime or None) and returns the
value, or raises ``ValeurInvalide`` with a message completing « Feuille X, ligne N, colonne C : ».
"""

import datetime

from .format import (
    ANNEE_MAX,
    ANNEE_MIN,
    CODE_SLUG,
    NATURES,
    SIREN,
    TYPES_TERRITOIRE,
    VENTILATIONS,
    plier,
)


class ValeurInvalide(ValueError):
    pass


def vide(valeur):
    return valeur is None or (isinstance(valeur, str) and not valeur.strip())


def _nombre_entier(valeur):
    """An int from an int, an integral float or a string of digits; None otherwise."""
    if isinstance(valeur, bool):
        return None
    if isinstance(valeur, int):
        return valeur
    if isinstance(valeur, float) and valeur.is_integer():
        return int(valeur)
    if isinstance(valeur, str) and valeur.strip().isdigit():
        return int(valeur.strip())
    return None


def _affiche(valeur):
    if isinstance(valeur, datetime.datetime):
        return valeur.strftime("%d/%m/%Y")
    return str(valeur).strip()


def texte(valeur, *, obligatoire=True, longueur_max=None):
    if vide(valeur):
        if obligatoire:
            raise ValeurInvalide("la cellule est vide.")
        return ""
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)
    resultat = _affiche(valeur)
    if longueur_max and len(resultat) > longueur_max:
        raise ValeurInvalide(
            f"le texte compte {len(resultat)} caractères ({longueur_max} au plus)."
        )
    return resultat


def code(valeur, *, obligatoire=True, longueur_max=None):
    """A code, as text: a number typed in a cell is taken only if it is whole (« 2 »)."""
    if vide(valeur):
        if obligatoire:
            raise ValeurInvalide("le code est vide.")
        return ""
    if isinstance(valeur, float) and not valeur.is_integer():
        raise ValeurInvalide(
            f"le code {valeur} est saisi comme un nombre : saisissez-le comme du texte "
            "(cellule au format Texte), sinon 1.10 devient 1.1."
        )
    resultat = texte(valeur)
    if " " in resultat:
        raise ValeurInvalide(f"le code « {resultat} » contient une espace.")
    if longueur_max and len(resultat) > longueur_max:
        raise ValeurInvalide(
            f"le code « {resultat} » compte {len(resultat)} caractères ({longueur_max} au plus)."
        )
    return resultat


def rang(valeur):
    nombre = _nombre_entier(valeur)
    if vide(valeur):
        raise ValeurInvalide("le rang est vide.")
    if nombre is None or not 1 <= nombre <= 32767:
        raise ValeurInvalide(
            f"le rang doit être un nombre entier à partir de 1, pas « {_affiche(valeur)} »."
        )
    return nombre


OUI_NON = {"oui": True, "o": True, "x": True, "non": False, "n": False, "": False}


def oui_non(valeur):
    if isinstance(valeur, bool):
        return valeur
    if vide(valeur):
        return False
    cle = plier(valeur)
    if cle not in OUI_NON:
        raise ValeurInvalide(f"« {_affiche(valeur)} » : répondez « oui » ou « non ».")
    return OUI_NON[cle]


_VENTILATIONS_PLIEES = {plier(k).replace(" ", ""): v for k, v in VENTILATIONS.items()}
_VENTILATIONS_PLIEES["f/h+f/g"] = "FH_FG"


def ventilation(valeur):
    if vide(valeur):
        return "aucune"
    cle = plier(valeur).replace(" ", "")
    if cle not in _VENTILATIONS_PLIEES:
        raise ValeurInvalide(
            f"« {_affiche(valeur)} » n'est pas une ventilation connue : « F/H », « F/G », "
            "« F/H et F/G » ou « aucune »."
        )
    return _VENTILATIONS_PLIEES[cle]


def nature(valeur):
    if vide(valeur):
        raise ValeurInvalide("la nature est vide : « nombre », « texte » ou « documents ».")
    cle = plier(valeur)
    if cle not in NATURES:
        raise ValeurInvalide(
            f"« {_affiche(valeur)} » n'est pas une nature connue : « nombre », « texte » ou "
            "« documents »."
        )
    return cle


def date(valeur, *, obligatoire=True):
    if vide(valeur):
        if obligatoire:
            raise ValeurInvalide("la date est vide.")
        return None
    if isinstance(valeur, datetime.datetime):
        return valeur.date()
    if isinstance(valeur, datetime.date):
        return valeur
    if isinstance(valeur, str):
        for forme in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return datetime.datetime.strptime(valeur.strip(), forme).date()
            except ValueError:
                continue
    raise ValeurInvalide(f"« {_affiche(valeur)} » n'est pas une date (JJ/MM/AAAA).")


def annee(valeur):
    nombre = _nombre_entier(valeur)
    if vide(valeur):
        raise ValeurInvalide("l'année est vide.")
    if nombre is None or not ANNEE_MIN <= nombre <= ANNEE_MAX:
        raise ValeurInvalide(f"« {_affiche(valeur)} » n'est pas une année (AAAA).")
    return nombre


def slug(valeur, *, obligatoire=True, longueur_max=None):
    resultat = code(valeur, obligatoire=obligatoire, longueur_max=longueur_max)
    if resultat and not CODE_SLUG.match(resultat):
        raise ValeurInvalide(
            f"le code « {resultat} » ne doit contenir que des lettres sans accent, des chiffres "
            "et des tirets."
        )
    return resultat


def type_territoire(valeur):
    if vide(valeur):
        raise ValeurInvalide("le type est vide : « EPCI », « commune » ou « autre ».")
    for permis in TYPES_TERRITOIRE:
        if plier(valeur) == plier(permis):
            return permis
    raise ValeurInvalide(
        f"« {_affiche(valeur)} » n'est pas un type de territoire : « EPCI », « commune » ou "
        "« autre »."
    )


def siren(valeur):
    if vide(valeur):
        return ""
    nombre = _nombre_entier(valeur)
    resultat = f"{nombre:09d}" if isinstance(valeur, int | float) and nombre is not None else (
        str(valeur).replace(" ", "").strip()
    )
    if not SIREN.match(resultat):
        raise ValeurInvalide(f"« {_affiche(valeur)} » n'est pas un SIREN (9 chiffres).")
    return resultat


def lire(type_, valeur, *, obligatoire=True, longueur_max=None):
    """Read ``valeur`` as a cell of that type (see format.Colonne and format.Champ)."""
    if type_ in ("texte", "code", "slug"):
        lecteur = {"texte": texte, "code": code, "slug": slug}[type_]
        return lecteur(valeur, obligatoire=obligatoire, longueur_max=longueur_max)
    if type_ == "date":
        return date(valeur, obligatoire=obligatoire)
    lecteurs = {
        "rang": rang, "oui_non": oui_non, "ventilation": ventilation, "nature": nature,
        "annee": annee, "type_territoire": type_territoire, "siren": siren,
    }
    return lecteurs[type_](valeur)
