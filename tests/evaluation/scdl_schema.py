"""A small validator of CSV files against the shipped SCDL « subventions » table schema.

It reads ``evaluation/donnees_ouvertes/schemas/subventions-2.1.1.json`` and checks what the
schema states: column names and order, required values, patterns, allowed values, lengths,
number bounds, dates and booleans. It returns the problems as French sentences; none means
the file is valid.
"""

import csv
import datetime
import io
import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import evaluation

SCHEMA = Path(evaluation.__file__).parent / "donnees_ouvertes/schemas/subventions-2.1.1.json"


def charger_schema():
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def _nombre(valeur):
    if not re.fullmatch(r"-?\d+(\.\d+)?", valeur):
        return None
    try:
        return Decimal(valeur)
    except InvalidOperation:
        return None


def _probleme_de_type(champ, valeur):
    genre = champ["type"]
    if genre == "date":
        try:
            datetime.datetime.strptime(valeur, champ.get("format", "%Y-%m-%d"))
        except ValueError:
            return "n'est pas une date AAAA-MM-JJ"
    elif genre == "number":
        if _nombre(valeur) is None:
            return "n'est pas un nombre à point décimal"
    elif genre == "boolean":
        if valeur not in champ.get("trueValues", []) + champ.get("falseValues", []):
            return "n'est pas une valeur booléenne autorisée"
    return None


def _probleme_de_contrainte(champ, valeur):
    contraintes = champ.get("constraints", {})
    if "pattern" in contraintes and not re.fullmatch(contraintes["pattern"], valeur):
        return f"ne respecte pas le motif {contraintes['pattern']}"
    if "enum" in contraintes and valeur not in contraintes["enum"]:
        return "n'est pas une valeur autorisée"
    if "maxLength" in contraintes and len(valeur) > contraintes["maxLength"]:
        return f"dépasse {contraintes['maxLength']} caractères"
    if champ["type"] == "number":
        nombre = _nombre(valeur)
        if "minimum" in contraintes and nombre < Decimal(str(contraintes["minimum"])):
            return f"est inférieur à {contraintes['minimum']}"
        if "maximum" in contraintes and nombre > Decimal(str(contraintes["maximum"])):
            return f"est supérieur à {contraintes['maximum']}"
    return None


def problemes(contenu, schema=None):
    """Every way the CSV bytes ``contenu`` break the schema, as French sentences."""
    schema = schema or charger_schema()
    champs = schema["fields"]
    manquantes = set(schema.get("missingValues", [""]))
    entete, *lignes = list(csv.reader(io.StringIO(contenu.decode("utf-8"))))
    attendu = [c["name"] for c in champs]
    if entete != attendu:
        return [f"colonnes {entete} au lieu de {attendu}"]
    trouves = []
    for numero, ligne in enumerate(lignes, start=2):
        if len(ligne) != len(champs):
            trouves.append(f"ligne {numero} : {len(ligne)} cellules au lieu de {len(champs)}")
            continue
        for champ, valeur in zip(champs, ligne, strict=True):
            if valeur in manquantes:
                if champ.get("constraints", {}).get("required"):
                    trouves.append(f"ligne {numero} : {champ['name']} obligatoire et vide")
                continue
            probleme = _probleme_de_type(champ, valeur) or _probleme_de_contrainte(champ, valeur)
            if probleme:
                trouves.append(f"ligne {numero} : {champ['name']} « {valeur} » {probleme}")
    return trouves
