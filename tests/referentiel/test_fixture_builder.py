"""The fixture builder: source TOML → fixtures/referentiel.json (no database needed)."""

import json
import tomllib

import pytest

from referentiel.fixture_builder import (
    FIXTURE,
    SOURCE,
    SourceInvalide,
    analyser_indicateur,
    construire_fixture,
    lire_source,
    main,
    serialiser,
)

PETITE_SOURCE = """
[territoire]
code = "essai"
nom = "Essai"
type = "commune"

[generation]
code = "essais-2015"
nom = "Essais 2015–2023"
annee_debut = 2015
annee_fin = 2023

[contrat]
code = "essai-2015"
nom = "Contrat d'essai"
territoire = "essai"
generation = "essais-2015"
annee_debut = 2015
annee_fin = 2020
source = "Cahier d'essai"

[[quartiers]]
code = "centre"
nom = "Centre-ville"
commune = "Essai"
valide_du = 2015-01-01
valide_au = 2023-12-31

[[piliers]]
code = "1"
titre = "Cohésion sociale"

[[orientations]]
code = "1.1"
titre = "Favoriser les échanges"

[[objectifs]]
code = "1.1.1"
titre = "Accompagner les animations"
exigences = ["L'opérateur propose des actions", "L'opérateur travaille en réseau"]
notes_financement = ["Dispositif NPNRU"]
indicateurs = [
  "Nombre d'habitants mobilisés (F/H)",
  "Satisfaction des habitants",
  "Bilan moral de l'action, photographies, feuille de présence...",
]
renvois = [
  { action = "1.1.1.b", cible = "1.1.2", texte = "Cf. objectif opérationnel 1.1.2" },
]

[objectifs.actions]
"1.1.1.a" = "Mettre en place des actions mobiles"
"1.1.1.b" = "Cf. objectif opérationnel 1.1.2"

[[objectifs]]
code = "1.1.2"
titre = "Améliorer l'image des quartiers"
hors_appel_a_projets = true
renvois = [
  { cible = "1.1", texte = "Cf. orientation stratégique 1.1" },
]
"""

FK_MODELES = {
    "territoire": "referentiel.territoire",
    "generation": "referentiel.generation",
    "contrat": "referentiel.contrat",
    "pilier": "referentiel.pilier",
    "orientation": "referentiel.orientation",
    "objectif": "referentiel.objectif",
    "action": "referentiel.action",
    "cible_objectif": "referentiel.objectif",
    "cible_orientation": "referentiel.orientation",
}


def test_json_committe_correspond_a_la_source():
    """The committed fixtures/referentiel.json is exactly what the builder makes of the source."""

    attendu = serialiser(construire_fixture(lire_source(SOURCE)))

    assert FIXTURE.read_text(encoding="utf-8") == attendu


def test_petite_source_donne_les_lignes_attendues():
    """A small source yields natural-key rows, ranks from 1, parents before children."""

    source = tomllib.loads(PETITE_SOURCE)

    lignes = construire_fixture(source)

    assert lignes == [
        {
            "model": "referentiel.territoire",
            "fields": {"siren": "", "code": "essai", "nom": "Essai", "type": "commune"},
        },
        {
            "model": "referentiel.generation",
            "fields": {
                "code": "essais-2015",
                "nom": "Essais 2015–2023",
                "annee_debut": 2015,
                "annee_fin": 2023,
            },
        },
        {
            "model": "referentiel.quartierprioritaire",
            "fields": {
                "generation": ["essais-2015"],
                "code": "centre",
                "nom": "Centre-ville",
                "commune": "Essai",
                "code_officiel": "",
                "secteurs": "",
                "valide_du": "2015-01-01",
                "valide_au": "2023-12-31",
            },
        },
        {
            "model": "referentiel.contrat",
            "fields": {
                "code": "essai-2015",
                "nom": "Contrat d'essai",
                "territoire": ["essai"],
                "generation": ["essais-2015"],
                "annee_debut": 2015,
                "annee_fin": 2020,
                "source": "Cahier d'essai",
                "par_defaut": False,
                "quartiers": [["essais-2015", "centre"]],
            },
        },
        {
            "model": "referentiel.pilier",
            "fields": {
                "contrat": ["essai-2015"],
                "code": "1",
                "titre": "Cohésion sociale",
                "ordre": 1,
            },
        },
        {
            "model": "referentiel.orientation",
            "fields": {
                "contrat": ["essai-2015"],
                "pilier": ["essai-2015", "1"],
                "code": "1.1",
                "titre": "Favoriser les échanges",
                "ordre": 1,
            },
        },
        {
            "model": "referentiel.objectif",
            "fields": {
                "contrat": ["essai-2015"],
                "orientation": ["essai-2015", "1.1"],
                "code": "1.1.1",
                "titre": "Accompagner les animations",
                "ordre": 1,
                "hors_appel_a_projets": False,
            },
        },
        {
            "model": "referentiel.objectif",
            "fields": {
                "contrat": ["essai-2015"],
                "orientation": ["essai-2015", "1.1"],
                "code": "1.1.2",
                "titre": "Améliorer l'image des quartiers",
                "ordre": 2,
                "hors_appel_a_projets": True,
            },
        },
        {
            "model": "referentiel.action",
            "fields": {
                "contrat": ["essai-2015"],
                "objectif": ["essai-2015", "1.1.1"],
                "code": "1.1.1.a",
                "libelle": "Mettre en place des actions mobiles",
                "ordre": 1,
            },
        },
        {
            "model": "referentiel.action",
            "fields": {
                "contrat": ["essai-2015"],
                "objectif": ["essai-2015", "1.1.1"],
                "code": "1.1.1.b",
                "libelle": "Cf. objectif opérationnel 1.1.2",
                "ordre": 2,
            },
        },
        {
            "model": "referentiel.exigence",
            "fields": {
                "objectif": ["essai-2015", "1.1.1"],
                "ordre": 1,
                "texte": "L'opérateur propose des actions",
            },
        },
        {
            "model": "referentiel.exigence",
            "fields": {
                "objectif": ["essai-2015", "1.1.1"],
                "ordre": 2,
                "texte": "L'opérateur travaille en réseau",
            },
        },
        {
            "model": "referentiel.notefinancement",
            "fields": {
                "objectif": ["essai-2015", "1.1.1"], "ordre": 1, "texte": "Dispositif NPNRU"
            },
        },
        {
            "model": "referentiel.indicateur",
            "fields": {
                "objectif": ["essai-2015", "1.1.1"],
                "ordre": 1,
                "libelle": "Nombre d'habitants mobilisés",
                "ventilation": "FH",
                "nature": "nombre",
            },
        },
        {
            "model": "referentiel.indicateur",
            "fields": {
                "objectif": ["essai-2015", "1.1.1"],
                "ordre": 2,
                "libelle": "Satisfaction des habitants",
                "ventilation": "aucune",
                "nature": "texte",
            },
        },
        {
            "model": "referentiel.indicateur",
            "fields": {
                "objectif": ["essai-2015", "1.1.1"],
                "ordre": 3,
                "libelle": "Bilan moral de l'action, photographies, feuille de présence...",
                "ventilation": "aucune",
                "nature": "documents",
            },
        },
        {
            "model": "referentiel.renvoi",
            "fields": {
                "objectif": ["essai-2015", "1.1.1"],
                "ordre": 1,
                "action": ["essai-2015", "1.1.1.b"],
                "cible_objectif": ["essai-2015", "1.1.2"],
                "cible_orientation": None,
                "texte": "Cf. objectif opérationnel 1.1.2",
            },
        },
        {
            "model": "referentiel.renvoi",
            "fields": {
                "objectif": ["essai-2015", "1.1.2"],
                "ordre": 1,
                "action": None,
                "cible_objectif": None,
                "cible_orientation": ["essai-2015", "1.1"],
                "texte": "Cf. orientation stratégique 1.1",
            },
        },
    ]


@pytest.mark.parametrize(
    ("imprime", "attendu"),
    [
        (
            "Nombre de professionnels formés (F/H)",
            ("Nombre de professionnels formés", "FH", "nombre"),
        ),
        (
            "Nombre de jeunes accompagnés et typologie (F/G)",
            ("Nombre de jeunes accompagnés et typologie", "FG", "nombre"),
        ),
        (
            "Nombre de personnes participant aux actions (F/H et F/G)",
            ("Nombre de personnes participant aux actions", "FH_FG", "nombre"),
        ),
        (
            "Taux de personnes sans véhicules, sans permis (F/H)",
            ("Taux de personnes sans véhicules, sans permis", "FH", "texte"),
        ),
        (
            "Typologie des participants (vérification de la mixité)",
            ("Typologie des participants (vérification de la mixité)", "aucune", "texte"),
        ),
        (
            "Nombre de signalements (non décence, insalubrité, péril)",
            ("Nombre de signalements (non décence, insalubrité, péril)", "aucune", "nombre"),
        ),
        (
            "Bilan moral de l'action, photographies, feuille de présence...",
            (
                "Bilan moral de l'action, photographies, feuille de présence...",
                "aucune",
                "documents",
            ),
        ),
    ],
)
def test_analyser_indicateur(imprime, attendu):
    """The trailing breakdown bracket becomes the ventilation; the opening word, the nature."""

    resultat = analyser_indicateur(imprime)

    assert resultat == attendu


def _source_modifiee(chemin, valeur):
    """Return the small source with one value replaced (chemin: keys/indexes from the root)."""
    source = tomllib.loads(PETITE_SOURCE)
    cible = source
    for cle in chemin[:-1]:
        cible = cible[cle]
    cible[chemin[-1]] = valeur
    return source


@pytest.mark.parametrize(
    ("chemin", "valeur", "message"),
    [
        (("orientations", 0, "code"), "2.1", "parent '2' inconnu"),
        (("objectifs", 1, "code"), "1.1.1", "code en double"),
        (("objectifs", 0, "actions"), {"1.1.2.a": "Mal rangée"}, "code invalide"),
        (("objectifs", 0, "exigence"), ["faute de frappe"], "clé(s) inconnue(s)"),
        (("objectifs", 0, "exigences"), ["  espace en tête"], "espaces superflus"),
        (("objectifs", 0, "indicateurs"), [""], "texte vide"),
        (("objectifs", 1, "renvois", 0, "cible"), "9.9.9", "cible '9.9.9' inconnue"),
        (("objectifs", 1, "renvois", 0, "action"), "1.1.1.a", "n'est pas de cet objectif"),
        (("objectifs", 1, "hors_appel_a_projets"), "oui", "true ou false"),
        (("quartiers", 0, "valide_du"), "2015", "date attendue"),
    ],
)
def test_source_incoherente_refusee(chemin, valeur, message):
    """An inconsistent source is refused with a message naming the faulty item."""

    source = _source_modifiee(chemin, valeur)

    with pytest.raises(SourceInvalide) as erreur:
        construire_fixture(source)

    assert message in str(erreur.value)


def test_fixture_range_les_parents_avant_les_enfants():
    """Every natural key a row points to belongs to a row that comes earlier in the file."""

    lignes = json.loads(FIXTURE.read_text(encoding="utf-8"))

    vus = set()
    for ligne in lignes:
        assert set(ligne) == {"model", "fields"}
        for champ, modele in FK_MODELES.items():
            if ligne["fields"].get(champ) is not None:
                assert (modele, tuple(ligne["fields"][champ])) in vus, (ligne, champ)
        champs = ligne["fields"]
        if "code" in champs:
            # Tree rows are keyed by (contract, code); QPV by (generation, code).
            portee = champs.get("contrat") or champs.get("generation") or []
            if ligne["model"] == "referentiel.pilier" or "pilier" in champs or (
                "orientation" in champs or "objectif" in champs or "generation" in champs
            ) and ligne["model"] != "referentiel.contrat":
                vus.add((ligne["model"], (*portee, champs["code"])))
            else:
                vus.add((ligne["model"], (champs["code"],)))


def test_main_ecrit_puis_verifie_la_fixture(tmp_path, capsys):
    """main() writes the fixture; --check then passes, and fails once the file is stale."""

    source = tmp_path / "source.toml"
    source.write_text(PETITE_SOURCE, encoding="utf-8")
    sortie = tmp_path / "referentiel.json"
    options = ["--source", str(source), "--sortie", str(sortie)]

    ecrit = main(options)
    a_jour = main([*options, "--check"])
    sortie.write_text("[]\n", encoding="utf-8")
    perime = main([*options, "--check"])

    assert (ecrit, a_jour, perime) == (0, 0, 1)
    assert "n'est pas à jour" in capsys.readouterr().err


def test_main_signale_une_source_invalide(tmp_path, capsys):
    """main() exits with status 2 and a readable message when the source is inconsistent."""

    source = tmp_path / "source.toml"
    source.write_text(PETITE_SOURCE.replace('code = "1.1"', 'code = "2.1"'), encoding="utf-8")
    sortie = tmp_path / "referentiel.json"

    statut = main(["--source", str(source), "--sortie", str(sortie)])

    assert statut == 2
    assert not sortie.exists()
    assert "Source invalide" in capsys.readouterr().err
