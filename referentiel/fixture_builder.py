"""Build the référentiel fixture (fixtures/referentiel.json) from its hand-kept source.

The source, ``fixtures/referentiel_source.toml``, is the transcription of the contract's
"Cahier n°4 — Fiches actions" (June 2015); its header comment states the transcription
conventions. This module turns it into Django fixture rows keyed by natural keys only (no "pk"),
so that ``manage.py loaddata referentiel`` updates rows in place instead of duplicating them.

Run ``python -m referentiel.fixture_builder`` after editing the source (``--check`` only compares).
The module does not import Django: it is plain data work, testable without a database.
"""

import argparse
import datetime
import json
import re
import sys
import tomllib
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SOURCE = BASE_DIR / "fixtures" / "referentiel_source.toml"
FIXTURE = BASE_DIR / "fixtures" / "referentiel.json"

APP = "referentiel"

# Breakdown printed at the end of an indicator's label → Indicateur.ventilation.
VENTILATIONS = {"F/H": "FH", "F/G": "FG", "F/H et F/G": "FH_FG"}
VENTILATION_RE = re.compile(r"\s*\((F/H|F/G|F/H et F/G)\)$")
# The set of supporting documents asked for most actions: a "documents" indicator, not a number.
BILAN_MORAL = "Bilan moral de l'action, photographies, feuille de présence..."

CODE_PILIER = re.compile(r"^\d+$")
CODE_ORIENTATION = re.compile(r"^\d+\.\d+$")
CODE_OBJECTIF = re.compile(r"^\d+\.\d+\.\d+$")
CODE_ACTION = re.compile(r"^\d+\.\d+\.\d+\.[a-z]$")

CLES_CONTRAT = {
    "code", "nom", "territoire", "generation", "annee_debut", "annee_fin", "source", "par_defaut"
}
CLES_TERRITOIRE = {"code", "nom", "type", "siren"}
CLES_GENERATION = {"code", "nom", "annee_debut", "annee_fin"}
# Foreign keys to the tree: their natural key is (contract code, code).
CLES_ARBRE = ("pilier", "orientation", "objectif", "action", "cible_objectif", "cible_orientation")
CLES_QUARTIER = {"code", "nom", "commune", "code_officiel", "secteurs", "valide_du", "valide_au"}
CLES_OBJECTIF = {
    "code",
    "titre",
    "hors_appel_a_projets",
    "actions",
    "exigences",
    "notes_financement",
    "indicateurs",
    "renvois",
}
CLES_RENVOI = {"cible", "texte", "action"}


class SourceInvalide(ValueError):
    """The source cannot be turned into a consistent fixture; the message says where."""


def lire_source(chemin=SOURCE):
    """Return the parsed TOML source (a dict)."""
    with open(chemin, "rb") as fichier:
        return tomllib.load(fichier)


def analyser_indicateur(texte):
    """Split a printed indicator into (libellé, ventilation, nature).

    "Nombre de professionnels formés (F/H)" → ("Nombre de professionnels formés", "FH", "nombre").
    """
    _verifier_texte(texte, f"indicateur {texte!r}")
    ventilation = "aucune"
    libelle = texte
    correspondance = VENTILATION_RE.search(texte)
    if correspondance:
        ventilation = VENTILATIONS[correspondance.group(1)]
        libelle = texte[: correspondance.start()]
    if libelle == BILAN_MORAL:
        nature = "documents"
    elif libelle.startswith("Nombre"):
        nature = "nombre"
    else:
        nature = "texte"
    return libelle, ventilation, nature


def construire_fixture(source):
    """Return the fixture rows (dicts) for ``source``, parents before children.

    Rows carry natural keys only: foreign keys are lists such as ``["1.1.1"]`` and no row has a
    "pk", so loading the fixture again finds and updates the existing rows. Raise SourceInvalide
    when the source is inconsistent (unknown parent or target, duplicate code, stray key…).
    """
    contrat = source.get("contrat")
    for table in ("territoire", "generation", "contrat"):
        if not isinstance(source.get(table), dict):
            raise SourceInvalide(f"table [{table}] absente")
    territoire, generation = source["territoire"], source["generation"]
    _verifier_cles(territoire, CLES_TERRITOIRE, "[territoire]", requises={"code", "nom", "type"})
    _verifier_cles(generation, CLES_GENERATION, "[generation]", requises=CLES_GENERATION)
    if contrat.get("territoire") != territoire["code"]:
        raise SourceInvalide("[contrat] : territoire doit être le code de [territoire]")
    if contrat.get("generation") != generation["code"]:
        raise SourceInvalide("[contrat] : generation doit être le code de [generation]")
    quartiers = list(_lignes_quartiers(source, generation["code"]))
    lignes = [
        _ligne("territoire", **{"siren": "", **territoire}),
        _ligne("generation", **generation),
        *quartiers,
        _ligne_contrat(contrat, [q["fields"]["code"] for q in quartiers], generation["code"]),
    ]
    debut_arbre = len(lignes)

    piliers = _niveau(source, "piliers", CODE_PILIER, parents=None)
    for code, ordre, item in piliers:
        lignes.append(
            _ligne("pilier", contrat=[contrat["code"]], code=code, titre=item["titre"], ordre=ordre)
        )
    orientations = _niveau(source, "orientations", CODE_ORIENTATION, parents=piliers)
    for code, ordre, item in orientations:
        lignes.append(
            _ligne("orientation", pilier=[_parent(code)], code=code, titre=item["titre"],
                   ordre=ordre)
        )
    objectifs = _niveau(source, "objectifs", CODE_OBJECTIF, parents=orientations)
    lignes += [_ligne_objectif(code, ordre, item) for code, ordre, item in objectifs]

    actions_par_objectif = {}
    lignes += _lignes_actions(objectifs, actions_par_objectif)
    lignes += _lignes_textes(objectifs)
    lignes += _lignes_renvois(
        objectifs,
        codes_objectifs={code for code, _, _ in objectifs},
        codes_orientations={code for code, _, _ in orientations},
        actions_par_objectif=actions_par_objectif,
    )
    for ligne in lignes[debut_arbre:]:
        _cles_par_contrat(ligne, contrat["code"])
    return lignes


def _cles_par_contrat(ligne, code_contrat):
    """Tree codes are unique within their contract: every reference to one carries it."""
    champs = ligne["fields"]
    for cle in CLES_ARBRE:
        if champs.get(cle) is not None:
            champs[cle] = [code_contrat, *champs[cle]]
    if ligne["model"] in (f"{APP}.orientation", f"{APP}.objectif", f"{APP}.action"):
        champs["contrat"] = [code_contrat]


def _ligne_contrat(contrat, codes_quartiers, code_generation):
    _verifier_cles(
        contrat, CLES_CONTRAT, "[contrat]", requises=CLES_CONTRAT - {"source", "par_defaut"}
    )
    return _ligne(
        "contrat",
        code=contrat["code"],
        nom=contrat["nom"],
        territoire=[contrat["territoire"]],
        generation=[code_generation],
        annee_debut=contrat["annee_debut"],
        annee_fin=contrat["annee_fin"],
        source=contrat.get("source", ""),
        par_defaut=contrat.get("par_defaut", False),
        quartiers=[[code_generation, code] for code in codes_quartiers],
    )


def _lignes_quartiers(source, code_generation):
    codes_quartiers = set()
    for quartier in source.get("quartiers", []):
        lieu = f"quartier {quartier.get('code')!r}"
        _verifier_cles(
            quartier, CLES_QUARTIER, lieu, requises={"code", "nom", "commune", "valide_du"}
        )
        _nouveau_code(quartier["code"], codes_quartiers, lieu)
        yield _ligne(
            "quartierprioritaire",
            generation=[code_generation],
            code=quartier["code"],
            nom=quartier["nom"],
            commune=quartier["commune"],
            code_officiel=quartier.get("code_officiel", ""),
            secteurs=quartier.get("secteurs", ""),
            valide_du=_date(quartier["valide_du"], lieu),
            valide_au=_date(quartier.get("valide_au"), lieu),
        )


def _ligne_objectif(code, ordre, item):
    _verifier_cles(item, CLES_OBJECTIF, f"objectif {code}", requises={"code", "titre"})
    hors_appel = item.get("hors_appel_a_projets", False)
    if not isinstance(hors_appel, bool):
        raise SourceInvalide(f"objectif {code} : hors_appel_a_projets doit valoir true ou false")
    return _ligne(
        "objectif",
        orientation=[_parent(code)],
        code=code,
        titre=item["titre"],
        ordre=ordre,
        hors_appel_a_projets=hors_appel,
    )


def _lignes_actions(objectifs, actions_par_objectif):
    """The actions of every objective; fills ``actions_par_objectif`` (objective → codes)."""
    lignes, codes_actions = [], set()
    for code_objectif, _, item in objectifs:
        actions = item.get("actions", {})
        if not isinstance(actions, dict):
            raise SourceInvalide(
                f"objectif {code_objectif} : actions doit être une table code = libellé"
            )
        for ordre, (code, libelle) in enumerate(actions.items(), start=1):
            lieu = f"action {code}"
            if not CODE_ACTION.match(code) or _parent(code) != code_objectif:
                raise SourceInvalide(f"{lieu} : code invalide sous l'objectif {code_objectif}")
            _nouveau_code(code, codes_actions, lieu)
            _verifier_texte(libelle, lieu)
            actions_par_objectif.setdefault(code_objectif, set()).add(code)
            lignes.append(
                _ligne("action", objectif=[code_objectif], code=code, libelle=libelle, ordre=ordre)
            )
    return lignes


def _lignes_textes(objectifs):
    """Requirements, funding notes, then indicators of every objective, in that order."""
    lignes = []
    for modele, cle in (("exigence", "exigences"), ("notefinancement", "notes_financement")):
        for code_objectif, _, item in objectifs:
            for ordre, texte in enumerate(_liste(item, cle, code_objectif), start=1):
                _verifier_texte(texte, f"objectif {code_objectif}, {cle} n°{ordre}")
                lignes.append(_ligne(modele, objectif=[code_objectif], ordre=ordre, texte=texte))
    for code_objectif, _, item in objectifs:
        for ordre, texte in enumerate(_liste(item, "indicateurs", code_objectif), start=1):
            libelle, ventilation, nature = analyser_indicateur(texte)
            lignes.append(
                _ligne(
                    "indicateur",
                    objectif=[code_objectif],
                    ordre=ordre,
                    libelle=libelle,
                    ventilation=ventilation,
                    nature=nature,
                )
            )
    return lignes


def _lignes_renvois(objectifs, *, codes_objectifs, codes_orientations, actions_par_objectif):
    lignes = []
    for code_objectif, _, item in objectifs:
        for ordre, renvoi in enumerate(_liste(item, "renvois", code_objectif), start=1):
            lieu = f"objectif {code_objectif}, renvoi n°{ordre}"
            if not isinstance(renvoi, dict):
                raise SourceInvalide(f"{lieu} : table {{ cible = …, texte = … }} attendue")
            _verifier_cles(renvoi, CLES_RENVOI, lieu, requises={"cible", "texte"})
            cible = renvoi["cible"]
            if cible in codes_objectifs and CODE_OBJECTIF.match(cible):
                cible_objectif, cible_orientation = [cible], None
            elif cible in codes_orientations and CODE_ORIENTATION.match(cible):
                cible_objectif, cible_orientation = None, [cible]
            else:
                raise SourceInvalide(f"{lieu} : cible {cible!r} inconnue")
            if cible == code_objectif:
                raise SourceInvalide(f"{lieu} : un objectif ne peut pas renvoyer à lui-même")
            action = renvoi.get("action")
            if action is not None and action not in actions_par_objectif.get(code_objectif, ()):
                raise SourceInvalide(f"{lieu} : l'action {action!r} n'est pas de cet objectif")
            _verifier_texte(renvoi["texte"], lieu)
            lignes.append(
                _ligne(
                    "renvoi",
                    objectif=[code_objectif],
                    ordre=ordre,
                    action=[action] if action else None,
                    cible_objectif=cible_objectif,
                    cible_orientation=cible_orientation,
                    texte=renvoi["texte"],
                )
            )
    return lignes


def serialiser(lignes):
    """Return the fixture as the text written to disk (UTF-8 JSON, stable layout)."""
    return json.dumps(lignes, ensure_ascii=False, indent=1) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m referentiel.fixture_builder",
        description=(
            "Produit fixtures/referentiel.json à partir de fixtures/referentiel_source.toml."
        ),
    )
    parser.add_argument("--source", type=Path, default=SOURCE, help="source TOML à lire")
    parser.add_argument("--sortie", type=Path, default=FIXTURE, help="fixture JSON à écrire")
    parser.add_argument(
        "--check",
        action="store_true",
        help="ne rien écrire ; sortir en erreur si la fixture n'est pas à jour",
    )
    args = parser.parse_args(argv)

    try:
        contenu = serialiser(construire_fixture(lire_source(args.source)))
    except SourceInvalide as erreur:
        print(f"Source invalide : {erreur}", file=sys.stderr)
        return 2
    if args.check:
        actuel = args.sortie.read_text(encoding="utf-8") if args.sortie.exists() else None
        if actuel != contenu:
            print(f"{args.sortie} n'est pas à jour : relancer sans --check.", file=sys.stderr)
            return 1
        print(f"{args.sortie} est à jour.")
        return 0
    args.sortie.write_text(contenu, encoding="utf-8", newline="\n")
    print(f"{args.sortie} écrit ({len(json.loads(contenu))} lignes).")
    return 0


# --- helpers ---------------------------------------------------------------------------------


def _ligne(modele, **champs):
    return {"model": f"{APP}.{modele}", "fields": champs}


def _parent(code):
    return code.rsplit(".", 1)[0]


def _niveau(source, cle, motif, parents):
    """Return [(code, rank within parent, item)] for one level of the tree, checked."""
    codes_parents = None if parents is None else {code for code, _, _ in parents}
    vus, rangs, resultat = set(), {}, []
    for item in source.get(cle, []):
        code = item.get("code") if isinstance(item, dict) else None
        lieu = f"{cle} {code!r}"
        if not isinstance(code, str) or not motif.match(code):
            raise SourceInvalide(f"{lieu} : code absent ou mal formé")
        _nouveau_code(code, vus, lieu)
        if cle != "objectifs":
            _verifier_cles(item, {"code", "titre"}, lieu, requises={"code", "titre"})
        _verifier_texte(item.get("titre"), lieu)
        parent = None if codes_parents is None else _parent(code)
        if codes_parents is not None and parent not in codes_parents:
            raise SourceInvalide(f"{lieu} : parent {parent!r} inconnu")
        rangs[parent] = rangs.get(parent, 0) + 1
        resultat.append((code, rangs[parent], item))
    if not resultat:
        raise SourceInvalide(f"aucun élément dans {cle}")
    return resultat


def _liste(item, cle, code_objectif):
    valeur = item.get(cle, [])
    if not isinstance(valeur, list):
        raise SourceInvalide(f"objectif {code_objectif} : {cle} doit être une liste")
    return valeur


def _nouveau_code(code, vus, lieu):
    if code in vus:
        raise SourceInvalide(f"{lieu} : code en double")
    vus.add(code)


def _verifier_cles(item, permises, lieu, requises):
    inconnues = set(item) - permises
    if inconnues:
        raise SourceInvalide(f"{lieu} : clé(s) inconnue(s) {sorted(inconnues)}")
    manquantes = requises - set(item)
    if manquantes:
        raise SourceInvalide(f"{lieu} : clé(s) manquante(s) {sorted(manquantes)}")


def _verifier_texte(texte, lieu):
    """A text must be non-empty, trimmed, on one line, without doubled spaces."""
    if not isinstance(texte, str) or not texte.strip():
        raise SourceInvalide(f"{lieu} : texte vide")
    if texte != texte.strip() or "  " in texte or "\n" in texte:
        raise SourceInvalide(f"{lieu} : espaces superflus ou saut de ligne dans {texte!r}")


def _date(valeur, lieu):
    if valeur is None:
        return None
    if not isinstance(valeur, datetime.date) or isinstance(valeur, datetime.datetime):
        raise SourceInvalide(f"{lieu} : date attendue (AAAA-MM-JJ), pas {valeur!r}")
    return valeur.isoformat()


if __name__ == "__main__":
    sys.exit(main())
