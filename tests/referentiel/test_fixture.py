"""The référentiel fixture, loaded into the database, against the printed contract (Cahier n°4).

Expected values are copied from the printed document, not from the fixture's source, so that a
transcription slip in fixtures/referentiel_source.toml shows up here.
"""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Count

from referentiel.models import (
    Action,
    Contrat,
    Exigence,
    Indicateur,
    NoteFinancement,
    Objectif,
    Orientation,
    Pilier,
    QuartierPrioritaire,
    Renvoi,
)

pytestmark = pytest.mark.django_db

MODELES = (
    Contrat,
    QuartierPrioritaire,
    Pilier,
    Orientation,
    Objectif,
    Action,
    Exigence,
    NoteFinancement,
    Indicateur,
    Renvoi,
)

# Announced in the "Tableau récapitulatif": "→ n objectifs opérationnels → m actions".
ANNONCES = {
    "1.1": (4, 15),
    "1.2": (6, 18),
    "1.3": (10, 37),
    "1.4": (4, 17),
    "1.5": (2, 7),
    "1.6": (5, 15),
    "2.1": (4, 11),
    "2.2": (6, 8),
    "2.3": (9, 17),
    "3.1": (8, 18),
    "3.2": (3, 1),
    "3.3": (6, 10),
    "4.1": (4, 12),
    "4.2": (4, 13),
}

BILAN = "Bilan moral de l'action, photographies, feuille de présence..."


@pytest.fixture
def referentiel():
    """The référentiel as `manage.py loaddata referentiel` leaves it."""
    call_command("loaddata", "referentiel", verbosity=0)


def _textes(modele, code):
    return list(
        modele.objects.filter(objectif__code=code).order_by("ordre").values_list("texte", flat=True)
    )


def _instantane():
    """Every row of the référentiel as {model: {natural key: pk}}."""
    return {
        modele.__name__: {obj.natural_key(): obj.pk for obj in modele.objects.all()}
        for modele in MODELES
    }


# --- Tree -------------------------------------------------------------------------------------


def test_nombres_annonces_par_orientation(referentiel):
    """Each orientation has the numbers of objectives and actions the summary table announces."""

    orientations = Orientation.objects.annotate(
        nb_objectifs=Count("objectifs", distinct=True),
        nb_actions=Count("objectifs__actions", distinct=True),
    )

    obtenu = {o.code: (o.nb_objectifs, o.nb_actions) for o in orientations}
    assert obtenu == ANNONCES


def test_piliers_et_orientations(referentiel):
    """Four piliers and fourteen orientations, with the accented titles printed in the document."""

    piliers = dict(Pilier.objects.order_by("ordre").values_list("code", "titre"))
    orientations = dict(
        Orientation.objects.order_by("pilier__ordre", "ordre").values_list("code", "titre")
    )

    assert piliers == {
        "1": "Cohésion sociale",
        "2": "Habitat et cadre de vie",
        "3": "Emploi et développement économique",
        "4": "Valeurs de la République et citoyenneté",
    }
    assert orientations == {
        "1.1": "Favoriser les échanges entre les quartiers au sein de l'agglomération",
        "1.2": "Développer la solidarité et créer du lien",
        "1.3": "Favoriser la réussite éducative",
        "1.4": "Favoriser l'accès à la prévention, aux soins et aux droits en matière de santé "
        "sur le territoire",
        "1.5": "Renforcer la prévention de la délinquance",
        "1.6": "Favoriser l'accès à la culture et au sport",
        "2.1": "Compléter l'offre d'équipement des quartiers",
        "2.2": "Améliorer la qualité du cadre de vie",
        "2.3": "Agir sur l'habitat",
        "3.1": "Accompagner les habitants dans l'accès à l'emploi et à la formation",
        "3.2": "Permettre aux habitants d'acquérir des compétences",
        "3.3": "Dynamiser le tissu économique local",
        "4.1": "Rendre lisible l'action publique",
        "4.2": "Valoriser et accompagner les initiatives citoyennes",
    }


def test_rangs_suivent_l_ordre_imprime(referentiel):
    """Ranks start at 1 and follow the printed order: 1.3.10 is the tenth objective of 1.3."""

    objectifs = list(
        Objectif.objects.filter(orientation__code="1.3")
        .order_by("ordre")
        .values_list("code", "ordre")
    )
    actions = list(
        Action.objects.filter(objectif__code="1.4.2").order_by("ordre").values_list("code", "ordre")
    )

    assert objectifs == [(f"1.3.{n}", n) for n in range(1, 11)]
    assert actions == [(f"1.4.2.{lettre}", n) for n, lettre in enumerate("abcdefg", start=1)]


def test_titres_d_objectifs(referentiel):
    """Objective titles in sentence case, without the "HORS APPEL A PROJET" marker."""

    titres = dict(Objectif.objects.values_list("code", "titre"))

    assert titres["1.1.1"] == "Accompagner les animations inter-quartiers"
    assert titres["1.4.1"] == (
        "Faciliter l'accès aux droits et aux soins de 1er recours des personnes en situation "
        "d'exclusion sociale et/ou économique"
    )
    assert titres["1.5.2"] == (
        "Renforcer les partenariats entre les acteurs pour développer une action plus forte sur "
        "la prévention de la délinquance"
    )
    assert titres["2.3.7"] == "Etendre le centre ville"
    assert titres["3.2.3"] == (
        "Mettre en place des partenariats de formation et de qualification entre les entreprises "
        "/ organismes de formation et les jeunes et les habitants du quartier"
    )
    assert not [code for code, titre in titres.items() if "appel" in titre.lower()]


def test_objectifs_hors_appel_a_projets(referentiel):
    """The objectives marked "HORS APPEL A PROJET" in the fiches, and only those, are flagged."""

    hors = set(Objectif.objects.filter(hors_appel_a_projets=True).values_list("code", flat=True))

    assert hors == {"1.5.2", "3.1.1", "3.1.2", "3.2.1", "3.2.2", "3.2.3"}


def test_objectifs_sans_action_conserves(referentiel):
    """Objectives with no action at all are kept, each with its cross-reference or funding note."""

    sans_action = set(
        Objectif.objects.annotate(nb=Count("actions")).filter(nb=0).values_list("code", flat=True)
    )

    assert sans_action == {"1.3.10", "1.5.2", "1.6.5", "2.2.6", "2.3.7", "2.3.9", "3.2.2", "3.2.3"}
    assert _textes(NoteFinancement, "2.3.7") == ["Dispositif NPNRU"]
    assert _textes(NoteFinancement, "1.5.2") == ["Dispositif CLSPD / STSPD"]
    assert not Objectif.objects.get(code="3.2.2").renvois.exists()


# --- Actions ----------------------------------------------------------------------------------


def test_actions_absentes_du_recapitulatif(referentiel):
    """The two actions only the detailed fiches list exist, with their printed labels."""

    libelles = dict(Action.objects.values_list("code", "libelle"))

    assert libelles["2.2.1.a"] == "Inviter les habitants à participer au diagnostic"
    assert libelles["2.3.1.a"] == (
        "Renforcer les liens entre locataires et propriétaires afin de permettre une meilleure "
        "compréhension mutuelle"
    )


def test_libelles_d_actions(referentiel):
    """Action labels as printed; notes and mentions in the action cells are not actions."""

    libelles = dict(Action.objects.values_list("code", "libelle"))

    assert libelles["1.1.1.a"] == "Mettre en place des actions mobiles"
    assert libelles["1.3.2.f"] == "Valoriser les parcours des élèves QPV ayant « réussi »"
    assert libelles["1.6.1.a"] == "Cf. objectif opérationnel 1.1.3"
    assert libelles["2.2.3.a"] == "Identifier les zones non sécurisées"
    assert libelles["3.3.6.c"] == (
        "Mettre en place des actions de communication autour des savoir-faire locaux et "
        "artistiques (ex : poterie d'Anduze)"
    )
    assert (
        libelles["4.2.4.c"]
        == "Créer une campagne d'affichage réalisée par les habitants, les associations"
    )
    assert libelles["3.1.1.a"].startswith(
        "Dans le cadre de la création de la commission thématique Dév Eco et Emploi : apporter de "
        "la lisibilité au fonctionnement global du circuit institutionnel de l'emploi et aux "
        "actions de chaque partenaire institutionnel et y associer les associations et les "
        "conseils citoyens. Commissions existantes : SPEP (DIRECCTE) ; SPEP technique (DIRECCTE) ;"
    )
    assert libelles["3.1.1.a"].endswith("Comité technique d'animation de l'IAE (Pôle Emploi)")
    assert not [
        code
        for code, libelle in libelles.items()
        if "DISPOSITIF" in libelle or "STSPD" in libelle or "suggestions de besoins" in libelle
    ]


# --- Cahier des charges -----------------------------------------------------------------------

EXIGENCES = {
    "1.1.1": [
        "L'opérateur propose des actions impliquant les habitants, en veillant à la mixité du "
        "public",
        "L'opérateur travaille en réseau avec les acteurs et les structures existantes sur les QPV",
    ],
    "1.1.3": [
        "L'opérateur propose des évènements fédérateurs, participatifs, innovants,...",
        "L'opérateur propose d'associer les habitants des quartiers à l'élaboration des évènements",
        "L'opérateur propose un accompagnement au montage de projet",
        "L'opérateur met à disposition des compétences techniques lors des manifestations",
        "L'opérateur travaille en réseau avec les acteurs et les structures existantes sur les QPV",
    ],
    "1.1.4": [],
    "1.3.1": ["Les objectifs doivent coïncider avec le projet éducatif territorial"],
    "1.3.2": [
        "L'opérateur propose des alternatives individualisées permettant le maintien du lien "
        "scolaire en cas d'exclusion ou de décrochage",
        "Ces actions doivent-être travaillées avec les familles",
        "L'opérateur s'assure du lien entre les établissements scolaires, les associations de "
        "quartiers et les éducateurs socio-éducatifs",
    ],
    "1.4.1": [
        "Développer le travail avec les publics à partir de leurs besoins, de leur intérêt sur "
        "une thématique",
        "S'appuyer sur la participation et les rôles de relais",
        "Créer du lien et travailler en réseau",
        "Mobiliser les outils développés par les institutions (panier de service, PFIDASS...)",
        "Le projet est en lien avec le réseau d'acteurs et avec la coordination (ingénierie de "
        "l'ASV et du CLS) afin de garantir la cohérence et la qualité de l'action",
        "Le projet garantit la participation des habitants et la prise en compte de leurs savoirs "
        "faire- santé communautaire",
        "Faciliter le repérage et l'accompagnement des personnes qui n'accèdent pas ou renoncent "
        "aux soins",
    ],
    "1.4.2": [
        "Développer le travail avec les publics à partir de leurs besoins, de leur intérêt sur "
        "une thématique",
        "S'appuyer sur la participation et les rôles de relais",
        "Créer du lien et travailler en réseau",
        "Le projet est en lien avec le réseau d'acteurs et avec la coordination (ingénierie de "
        "l'ASV et du CLS) afin de garantir la cohérence et la qualité de l'action",
        "Le projet garantit la participation des habitants et la prise en compte de leurs savoirs "
        "faire- santé communautaire",
        "La construction des outils est conduite avec les institutions qui portent des politiques "
        "publiques en santé mentale",
    ],
    "1.5.1": [
        "L'opérateur met en place des actions de proximité à destination des jeunes et des "
        "habitants des QPV",
        "L'opérateur met en place des rencontres, actions à destination des écoles, conseils "
        "citoyens, ...",
        "L'opérateur oriente les victimes vers les acteurs assurant leur prise en charge",
        "L'opérateur travaille en partenariat avec les acteurs oeuvrant dans cette thématique et "
        "en étroite relation du CLSPD",
    ],
    "2.2.2": [
        "Les bailleurs formalisent une convention d'utilisation d'abattement de la TFPB qui "
        "permettra de formaliser les actions et modes de suivi de la démarche de gestion urbaine "
        "de proximité (GUP)",
        "Cette GUP pourra notamment se traduire par la participation à la disposition des espaces "
        "publics et voiries en cohérence avec le bâti",
    ],
    "2.2.5": [
        "L'opérateur assure la participation des habitants pour un calendrier de réalisation "
        "d'amélioration",
        "Il informe régulièrement les habitants des opérations de renouvellement urbains sur leur "
        "quartier",
        "L'opérateur assure la participation active des jeunes pour le cadre de vie extérieur",
        "Il s'appuie sur les conseils citoyens",
    ],
    "3.1.1": [],
    "3.1.3": [
        "Les actions engagées dans le cadre de cet objectif opérationnel devront obligatoirement "
        "être complémentaires et validées par les opérateurs institutionnels (Pôle emploi, "
        "Mission locale et/ou MDE)",
        "Pour les immersions en entreprises par des organismes non prescripteurs, obligation de "
        "rencontrer Pôle emploi ou la Mission locale",
        "L'opérateur vise l'autonomie des demandeurs d'emplois",
        "L'opérateur facilite les liens avec les entreprises",
    ],
    "3.1.8": [
        "Le travail en complémentarité et transparence avec les équipes dédiées entreprises à "
        "Pôle emploi est indispensable",
        "L'opérateur recense les acteurs et dispositifs sur le territoire",
        "Il propose un accompagnement et un suivi dans l'emploi",
        "Impulser les groupements d'employeurs",
    ],
    "3.2.1": [
        "Pôle emploi, la Mission locale et les autres acteurs organisant des informations "
        "pourraient pointer l'ensemble des actions qu'ils mènent sur la formation et la "
        "qualification des publics prioritaires",
    ],
    "3.3.4": [],
    "4.2.4": [
        "L'opérateur associe les habitants et veillera à la bonne appropriation par les habitants "
        "dans le cadre de ces actions",
        "L'opérateur veille à sensibiliser les habitants au développement durable",
        "Il promeut le civisme",
    ],
}


def test_exigences_du_cahier_des_charges(referentiel):
    """Requirements are one per item, in printed order, across page breaks and lost bullets."""

    obtenu = {code: _textes(Exigence, code) for code in EXIGENCES}

    assert obtenu == EXIGENCES


def test_notes_de_financement(referentiel):
    """Every funding note, kept apart from the requirements (the VVV note whole, across pages)."""

    notes = {}
    for note in NoteFinancement.objects.select_related("objectif").order_by(
        "objectif__code", "ordre"
    ):
        notes.setdefault(note.objectif.code, []).append(note.texte)

    prioriser = ["Prioriser les financements PRE / PEL"]
    npnru = ["Dispositif NPNRU"]
    assert notes == {
        "1.1.4": [
            "Dispositifs de formation de la Région, sous réserve d'éligibilité des dossiers aux "
            "programmes régionaux"
        ],
        "1.2.6": [
            "Dispositifs régionaux de lutte contre l'illettrisme, sous réserve d'éligibilité des "
            "dossiers aux programmes régionaux"
        ],
        "1.3.1": [
            "Prioriser les financements PRE / PEL / PEDT (pour les actions présentant un fort "
            "intérêt éducatif et une adéquation avec le public visé, le territoire et les "
            "intentions du porteur de projet)"
        ],
        "1.3.2": [
            "Autres crédits spécifiques : CLAS / dispositif régional de lutte contre le décrochage "
            "scolaire, sous réserve d'éligibilité des dossiers aux programmes régionaux"
        ],
        "1.3.5": prioriser,
        "1.3.6": [
            "Autres crédits spécifiques : VVV (soutenir un projet de loisirs éducatifs spécifiques "
            "(séjour avec hébergement hors du quartier de préférence) destinés aux enfants et aux "
            "jeunes résidants dans les QPV. Projets portés par des associations ou des "
            "collectivités territoriales dans lesquels les mineurs sont associés à la préparation "
            "et à l'organisation du séjour. Demande de subvention en début d'année civile auprès "
            "de la direction départementale de la cohésion sociale. Co-financement possible DDCS "
            "(CGET) – CAF – Conseil Départemental)"
        ],
        "1.3.7": prioriser,
        "1.5.1": ["Prioriser les financements FIPD"],
        "1.5.2": ["Dispositif CLSPD / STSPD"],
        "2.1.1": npnru,
        "2.1.2": npnru,
        "2.1.4": npnru,
        "2.2.3": npnru,
        "2.3.4": npnru,
        "2.3.6": npnru,
        "2.3.7": npnru,
        "4.2.1": [
            "Dispositifs régionaux de lutte contre illettrisme, sous réserve de l'éligibilité des "
            "dossiers aux programmes régionaux"
        ],
    }


# --- Indicators -------------------------------------------------------------------------------

INDICATEURS = {
    "1.1.1": [
        ("Nombre d'animations par quartier et inter-quartier", "aucune", "nombre"),
        ("Nombre d'associations intervenant sur un même projet", "aucune", "nombre"),
        ("Réalisation de l'animation", "aucune", "texte"),
        ("Satisfaction des habitants", "aucune", "texte"),
        (
            "Evaluer la qualité des animations et les liens tissés qui en découlent par le biais "
            "des conseils citoyens",
            "aucune",
            "texte",
        ),
        ("Nombre d'habitants mobilisés", "FH", "nombre"),
        ("Typologie des participants (vérification de la mixité)", "aucune", "texte"),
        ("Typologie des porteurs de l'animation", "aucune", "texte"),
        (BILAN, "aucune", "documents"),
    ],
    "1.1.4": [
        ("Nombre de jours de formation", "aucune", "nombre"),
        ("Nombre de professionnels formés", "FH", "nombre"),
        ("Nombre de réunions entre les différents acteurs", "aucune", "nombre"),
        ("Nombre d'actions communes", "aucune", "nombre"),
        (
            "Augmentation de la qualité et de la fréquence d'accompagnement des jeunes et "
            "personnes en difficulté",
            "aucune",
            "texte",
        ),
        (BILAN, "aucune", "documents"),
    ],
    "1.3.3": [
        (
            "Nombre de jeunes issus des QPV inscrits dans une formation du cycle supérieur",
            "FG",
            "nombre",
        ),
        ("Nombre de diplômés de l'enseignement supérieur issus des QPV", "FG", "nombre"),
        ("Type d'accompagnement", "aucune", "texte"),
        ("Nombre de jeunes accompagnés et typologie", "FG", "nombre"),
        (BILAN, "aucune", "documents"),
    ],
    "1.3.10": [],
    "1.4.2": [
        ("Nombre de jeunes concernés par l'action", "FG", "nombre"),
        (
            "Nombre d'associations sensibilisées à la question de la souffrance psychique",
            "aucune",
            "nombre",
        ),
        ("Nombre de personnes participant aux actions", "FH_FG", "nombre"),
        (
            "Nombre de personnes ayant sollicité un professionnel en matière de santé",
            "FH",
            "nombre",
        ),
        (BILAN, "aucune", "documents"),
        (
            "Nombre de rencontres entre habitants et professionnels de la santé mentale",
            "aucune",
            "nombre",
        ),
    ],
    "1.5.1": [
        (
            "Nombre d'actions de sensibilisation à la lutte contre la délinquance et la prise en "
            "charge des victimes organisées",
            "aucune",
            "nombre",
        ),
        ("Nombre de participants aux actions et typologie", "FH", "nombre"),
        ("Nombre de victimes prises en charge", "FH", "nombre"),
        ("Amélioration des représentations des métiers liés à la sécurité", "aucune", "texte"),
    ],
    "1.6.1": [
        ("Nombre de participants aux actions sportives et typologie", "FH_FG", "nombre"),
        ("Taux d'occupation des installations sportives", "aucune", "texte"),
        (BILAN, "aucune", "documents"),
    ],
    "2.1.3": [
        ("Taux de personnes sans véhicules, sans permis", "FH", "texte"),
        ("Nombre et type d'actions mises en place", "aucune", "nombre"),
        ("Evolution de la mobilité des habitants des QPV", "aucune", "texte"),
    ],
    "2.2.2": [],
    "2.3.3": [
        ("Bilan d'OPAH", "aucune", "texte"),
        ("Bilan PIG « habiter mieux »", "aucune", "texte"),
        ("Mise en place d'un observatoire du parc privé", "aucune", "texte"),
        ("Bilan PLHI", "aucune", "texte"),
        ("Suivi CAF sur logement décents", "aucune", "texte"),
    ],
    "3.1.1": [
        ("Nombre d'entreprises impliquées dans le projet", "aucune", "nombre"),
        ("Nombre d'organismes de formation et d'orientation", "aucune", "nombre"),
        ("Nombre de personne participantes / salariés", "FH", "nombre"),
        ("Nombre de mise en relation", "aucune", "nombre"),
        ("Nombre de décisions / plans d'actions issus de réunions", "aucune", "nombre"),
        (
            "Evaluation qualitative et quantitative en fonction des plans d'actions sur un même "
            "modèle (éléments chiffrés)",
            "aucune",
            "texte",
        ),
    ],
    "3.1.5": [],
    "3.3.5": [("Nombre d'employeurs rencontrés, sensibilisés, intéressés...", "aucune", "nombre")],
    "4.1.4": [
        ("Nombre et type d'actions et type", "aucune", "nombre"),
        ("Nombre de participants et typologie", "FH", "nombre"),
        (BILAN, "aucune", "documents"),
    ],
}


def test_indicateurs(referentiel):
    """Indicators one per row, breakdown out of the label, nature from the label."""

    obtenu = {
        code: list(
            Indicateur.objects.filter(objectif__code=code)
            .order_by("ordre")
            .values_list("libelle", "ventilation", "nature")
        )
        for code in INDICATEURS
    }

    assert obtenu == INDICATEURS


def test_aucun_libelle_d_indicateur_ne_garde_sa_ventilation(referentiel):
    """No label keeps its breakdown bracket; only the "Bilan moral…" rows are documents."""

    libelles = list(Indicateur.objects.values_list("libelle", "nature"))

    assert not [lib for lib, _ in libelles if lib.endswith(("(F/H)", "(F/G)", "(F/H et F/G)"))]
    assert {nat for lib, nat in libelles if lib.startswith("Bilan moral")} == {"documents"}
    assert {lib for lib, nat in libelles if nat == "documents"} == {BILAN}


# --- Cross-references -------------------------------------------------------------------------


def test_renvois(referentiel):
    """Every printed cross-reference, one row per target, action-level when it replaces a label."""

    renvois = [
        (r.objectif.code, r.ordre, r.action.code if r.action else None, r.cible_code, r.texte)
        for r in Renvoi.objects.select_related(
            "objectif", "action", "cible_objectif", "cible_orientation"
        ).order_by("objectif__code", "ordre")
    ]

    assert renvois == [
        ("1.3.10", 1, None, "1.4", "Cf. orientation stratégique 1.4"),
        ("1.6.1", 1, "1.6.1.a", "1.1.3", "Cf. objectif opérationnel 1.1.3"),
        ("1.6.5", 1, None, "1.1.1", "Cf. objectifs opérationnels 1.1.1 et 1.1.3"),
        ("1.6.5", 2, None, "1.1.3", "Cf. objectifs opérationnels 1.1.1 et 1.1.3"),
        (
            "2.2.3",
            1,
            None,
            "4.2.4",
            "Pour actions d'entretien et d'embellissement : cf. objectif opérationnel 4.2.4",
        ),
        ("2.2.6", 1, None, "2.1.2", "Cf. objectifs opérationnels 2.1.2 et 2.1.3"),
        ("2.2.6", 2, None, "2.1.3", "Cf. objectifs opérationnels 2.1.2 et 2.1.3"),
        ("2.3.9", 1, None, "2.2.2", "Cf. objectif opérationnels 2.2.2 et 2.2.6"),
        ("2.3.9", 2, None, "2.2.6", "Cf. objectif opérationnels 2.2.2 et 2.2.6"),
        ("3.2.3", 1, None, "3.1.1", "Cf. objectif opérationnel 3.1.1"),
    ]
    assert Renvoi.objects.get(objectif__code="1.3.10").cible_orientation.code == "1.4"


# --- Contract and QPV -------------------------------------------------------------------------


def test_contrat_et_quartiers_prioritaires(referentiel):
    """The contract row and the four 2015 QPV, dated, without unverified official codes."""

    contrat = Contrat.objects.get(code="ales-agglomeration-2015")
    quartiers = list(
        QuartierPrioritaire.objects.order_by("commune", "nom").values_list(
            "commune", "nom", "code_officiel", "valide_du", "valide_au"
        )
    )

    assert (contrat.nom, contrat.territoire.nom, contrat.annee_debut, contrat.annee_fin) == (
        "Contrat de ville d'Alès Agglomération",
        "Alès Agglomération",
        2015,
        2020,
    )
    assert (contrat.territoire.type, contrat.territoire.siren) == ("EPCI", "")
    assert (contrat.generation.nom, contrat.generation.annee_fin) == (
        "Contrat de ville 2015–2023", 2023
    )
    assert contrat.par_defaut and Contrat.objects.par_defaut() == contrat
    assert set(contrat.quartiers.all()) == set(QuartierPrioritaire.objects.all())
    assert {q.generation_id for q in contrat.quartiers.all()} == {contrat.generation_id}
    assert contrat.source == "Cahier n°4 — Fiches actions (juin 2015)"
    assert [(commune, nom) for commune, nom, *_ in quartiers] == [
        ("Alès", "Alès"),
        ("Anduze", "Centre-ville"),
        ("La Grand-Combe", "Centre-ville"),
        ("La Grand-Combe", "Trescol – La Levade"),
    ]
    assert {(code, str(du), str(au)) for _, _, code, du, au in quartiers} == {
        ("", "2015-01-01", "2023-12-31")
    }
    assert "Prés-Saint-Jean" in QuartierPrioritaire.objects.get(code="ales").secteurs


# --- Loading ----------------------------------------------------------------------------------


def test_chargement_deux_fois_identique():
    """Loading the fixture twice keeps the same rows with the same primary keys (in place)."""

    call_command("loaddata", "referentiel", verbosity=0)
    avant = _instantane()

    call_command("loaddata", "referentiel", verbosity=0)
    apres = _instantane()

    assert apres == avant
    assert {nom: len(lignes) for nom, lignes in apres.items()} == {
        "Contrat": 1,
        "QuartierPrioritaire": 4,
        "Pilier": 4,
        "Orientation": 14,
        "Objectif": 75,
        "Action": 199,
        "Exigence": 133,
        "NoteFinancement": 17,
        "Indicateur": 232,
        "Renvoi": 10,
    }


def test_toutes_les_lignes_passent_la_validation_des_modeles(referentiel):
    """Every loaded row passes full_clean (lengths, choices, one target per renvoi…)."""

    erreurs = []

    for modele in MODELES:
        for obj in modele.objects.all():
            try:
                obj.full_clean()
            except ValidationError as erreur:
                erreurs.append((modele.__name__, obj.natural_key(), erreur))

    assert erreurs == []
