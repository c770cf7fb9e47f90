"""The example contract, entirely fictitious: the workbook fixtures/contrat_exemple.xlsx.

A small contract of the generation « Engagements Quartiers 2030 » for a made-up territory, to
show the workbook format and to give the demo a second contract. Regenerate the file with
``python -m referentiel.classeur.exemple`` (``--check``: only compare, content-wise).
No Django needed.
"""

import argparse
import datetime
import sys
from pathlib import Path

from .contenu import Classeur, Element
from .ecriture import contenu_des_feuilles, ecrire_classeur

FICHIER = Path(__file__).resolve().parents[2] / "fixtures" / "contrat_exemple.xlsx"
CODE = "exemple-val-fictif-2024"
TERRITOIRE = "val-fictif"

CONTRAT = {
    "code": CODE,
    "nom": "Contrat d'exemple — Communauté de communes du Val-Fictif (exemple fictif)",
    "territoire_code": TERRITOIRE,
    "territoire_nom": "Communauté de communes du Val-Fictif (exemple fictif)",
    "territoire_type": "EPCI",
    "territoire_siren": "",
    "generation_code": "engagements-quartiers-2030",
    "generation_nom": "Engagements Quartiers 2030",
    "generation_annee_debut": 2024,
    "generation_annee_fin": 2030,
    "annee_debut": 2024,
    "annee_fin": 2030,
    "source": "Exemple fictif du format de classeur (aucun document réel)",
}

PILIERS = [
    ("1", "Cohésion sociale"),
    ("2", "Cadre de vie et emploi"),
]
ORIENTATIONS = [
    ("1.1", "Réussite éducative et parentalité"),
    ("1.2", "Accès aux droits et à la santé"),
    ("2.1", "Insertion professionnelle"),
    ("2.2", "Tranquillité publique et cadre de vie"),
]
# code, titre, hors appel à projets
OBJECTIFS = [
    ("1.1.1", "Accompagner la scolarité des enfants et des adolescents", False),
    ("1.1.2", "Soutenir les parents dans leur rôle éducatif", False),
    ("1.2.1", "Faciliter l'accès aux droits et aux services publics", False),
    ("2.1.1", "Accompagner les habitants vers l'emploi", False),
    ("2.1.2", "Soutenir la création d'activité dans les quartiers", False),
    ("2.2.1", "Rénover les espaces publics des quartiers", True),
]
ACTIONS = [
    ("1.1.1.a", "Ateliers d'aide aux devoirs après la classe"),
    ("1.1.1.b", "Sorties culturelles et scientifiques pendant les vacances"),
    ("1.1.2.a", "Cafés des parents dans les écoles"),
    ("1.1.2.b", "Accompagnement des familles à l'entrée au collège"),
    ("1.2.1.a", "Permanences d'accès aux droits dans les quartiers"),
    ("1.2.1.b", "Accompagnement aux démarches en ligne"),
    ("1.2.1.c", "Actions de prévention santé avec les habitants"),
    ("2.1.1.a", "Chantiers d'insertion de proximité"),
    ("2.1.1.b", "Ateliers de préparation aux entretiens d'embauche"),
    ("2.1.1.c", "Mobilité : aide au permis de conduire"),
    ("2.1.2.a", "Accompagnement des porteurs de projet d'entreprise"),
    ("2.2.1.a", "Cf. objectif 2.1.1 pour les chantiers d'insertion sur les espaces publics"),
]
CAHIER = {
    "1.1.1": [
        "Les actions s'adressent en priorité aux enfants résidant dans un quartier prioritaire.",
        "L'action est construite avec les établissements scolaires du secteur.",
    ],
    "1.1.2": ["Les parents participent à la construction du programme."],
    "1.2.1": [
        "Les permanences se tiennent dans les quartiers, à des horaires adaptés.",
        "Le porteur travaille avec les services publics concernés.",
    ],
    "2.1.1": ["Le public est orienté par le service public de l'emploi ou un référent social."],
    "2.1.2": ["Le porteur présente un partenariat avec un réseau d'aide à la création."],
}
FINANCEMENTS = {
    "1.1.1": ["Prioriser les financements du programme de réussite éducative."],
    "2.1.1": ["Mobiliser en priorité les crédits de droit commun de l'emploi."],
}
# objectif → [(libellé, ventilation, nature)]
INDICATEURS = {
    "1.1.1": [
        ("Nombre d'enfants accompagnés", "FG", "nombre"),
        ("Nombre de séances organisées", "aucune", "nombre"),
    ],
    "1.1.2": [("Nombre de parents participants", "FH", "nombre")],
    "1.2.1": [
        ("Nombre de personnes reçues", "FH_FG", "nombre"),
        ("Principales démarches accompagnées", "aucune", "texte"),
    ],
    "2.1.1": [
        ("Nombre de personnes accompagnées", "FH", "nombre"),
        ("Nombre de sorties vers l'emploi ou la formation", "FH", "nombre"),
    ],
    "2.1.2": [("Nombre de projets accompagnés", "aucune", "nombre")],
    "2.2.1": [("Bilan de l'action, photographies, feuilles de présence", "aucune", "documents")],
}
# objectif, action, cible, texte
RENVOIS = [
    ("2.2.1", "2.2.1.a", "2.1.1", "Cf. objectif opérationnel 2.1.1"),
]
QPV = [
    {
        "code": "val-fictif-les-tilleuls",
        "nom": "Les Tilleuls",
        "commune": "Fictiville",
        "code_officiel": "",
        "secteurs": "Tilleuls nord, Tilleuls sud",
        "valide_du": datetime.date(2024, 1, 1),
        "valide_au": None,
    },
    {
        "code": "val-fictif-centre-bourg",
        "nom": "Centre-bourg",
        "commune": "Imaginac, Fictiville",
        "code_officiel": "",
        "secteurs": "",
        "valide_du": datetime.date(2024, 1, 1),
        "valide_au": None,
    },
]


def _rangs(codes):
    """Rank of each code within its parent, in the order given."""
    compteurs, rangs = {}, []
    for code in codes:
        parent = code.rsplit(".", 1)[0] if "." in code else None
        compteurs[parent] = compteurs.get(parent, 0) + 1
        rangs.append(compteurs[parent])
    return rangs


def classeur_exemple():
    """The example contract as a Classeur."""
    classeur = Classeur(contrat=dict(CONTRAT))
    feuilles = classeur.feuilles
    for cle, lignes in (("piliers", PILIERS), ("orientations", ORIENTATIONS)):
        feuilles[cle] = [
            Element({"code": code, "titre": titre, "ordre": rang})
            for (code, titre), rang in zip(lignes, _rangs(c for c, _ in lignes), strict=True)
        ]
    feuilles["objectifs"] = [
        Element({"code": code, "titre": titre, "hors_appel_a_projets": hors, "ordre": rang})
        for (code, titre, hors), rang in zip(
            OBJECTIFS, _rangs(c for c, _, _ in OBJECTIFS), strict=True
        )
    ]
    feuilles["actions"] = [
        Element({"code": code, "libelle": libelle, "ordre": rang})
        for (code, libelle), rang in zip(ACTIONS, _rangs(c for c, _ in ACTIONS), strict=True)
    ]
    for cle, textes in (("exigences", CAHIER), ("notes_financement", FINANCEMENTS)):
        feuilles[cle] = [
            Element({"objectif": objectif, "ordre": rang, "texte": texte})
            for objectif, liste in textes.items()
            for rang, texte in enumerate(liste, start=1)
        ]
    feuilles["indicateurs"] = [
        Element({
            "objectif": objectif, "ordre": rang, "libelle": libelle,
            "ventilation": ventilation, "nature": nature,
        })
        for objectif, liste in INDICATEURS.items()
        for rang, (libelle, ventilation, nature) in enumerate(liste, start=1)
    ]
    feuilles["renvois"] = [
        Element({"objectif": objectif, "ordre": rang, "action": action, "cible": cible,
                 "texte": texte})
        for rang, (objectif, action, cible, texte) in enumerate(RENVOIS, start=1)
    ]
    feuilles["quartiers"] = [Element(dict(q)) for q in QPV]
    return classeur


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m referentiel.classeur.exemple",
        description="Produit fixtures/contrat_exemple.xlsx, le classeur du contrat d'exemple.",
    )
    parser.add_argument("--sortie", type=Path, default=FICHIER, help="fichier à écrire")
    parser.add_argument(
        "--check", action="store_true",
        help="ne rien écrire ; sortir en erreur si le fichier n'a pas le contenu attendu",
    )
    args = parser.parse_args(argv)
    donnees = ecrire_classeur(classeur_exemple())
    if args.check:
        if not args.sortie.exists() or (
            contenu_des_feuilles(args.sortie.read_bytes()) != contenu_des_feuilles(donnees)
        ):
            print(f"{args.sortie} n'est pas à jour : relancer sans --check.", file=sys.stderr)
            return 1
        print(f"{args.sortie} est à jour.")
        return 0
    args.sortie.write_bytes(donnees)
    print(f"{args.sortie} écrit.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
