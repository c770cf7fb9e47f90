"""A second contrat de ville beside the default one, with a small tree, built through the ORM.

Its codes are those of the default contract (1, 1.1, 1.1.1, 1.1.1.a), as a successor contract
would reuse them: what is scoped by code only, and not by contract, shows up at once. Its
titles are unique words, so that a response can be searched for them.
"""

import datetime

from candidatures.dossiers.selectors import champs_prevision, indicateurs_numeriques
from candidatures.models import Habilitation, LigneBudget, PrevisionIndicateur, ReponseExigence
from referentiel.models import Action, Generation, Indicateur, Territoire
from tests.candidatures.factories import (
    BUDGET_COMPLET,
    PRECISIONS,
    deposer_documents_structure,
    remplir_parties_cerfa,
)
from tests.referentiel.factories import TITRES
from tests.referentiel.factories import creer_contrat as fabriquer_contrat


def creer_contrat(mot="Cévenol", territoire=None):
    """Territory (unless given: a successor contract on the same territory), generation,
    contract, one branch of tree and a QPV of its own. ``mot`` is in every title."""
    cle = mot.lower().replace("é", "e")
    territoire = territoire or Territoire.objects.create(
        code=f"territoire-{cle}", nom=f"Territoire {mot}"
    )
    generation = Generation.objects.create(
        code=f"generation-{cle}", nom=f"Génération {mot}", annee_debut=2024, annee_fin=2030
    )
    return fabriquer_contrat(
        f"contrat-{cle}", nom=f"Contrat de ville {mot}", territoire=territoire,
        generation=generation, ventilation=Indicateur.Ventilation.AUCUNE,
        titres={niveau: f"{niveau.capitalize()} {mot}" for niveau in TITRES},
        quartier={"code": f"qpv-{cle}", "nom": f"Quartier {mot}", "commune": f"Commune {mot}"},
    )


def habiliter(utilisateur, role, contrat):
    """Give ``utilisateur`` a staff role on ``contrat`` only."""
    Habilitation.objects.create(
        utilisateur=utilisateur, role=role, contrat=contrat, territoire=contrat.territoire
    )
    utilisateur.oublier_roles()
    return utilisateur


def completer_dans_son_contrat(dossier, signataire, intitule):
    """Fill a draft on the first action of its call's contract, ready to be submitted."""
    contrat = dossier.appel.contrat
    annee = dossier.appel.annee
    action = Action.objects.filter(contrat=contrat).order_by("code").first()
    for champ, valeur in {
        "action_principale": action, "contact_nom": "Claire Martin",
        "contact_email": "claire.martin@association.test", "intitule": intitule,
        "resume": "Un résumé.", "contexte": "Un contexte.", "objectifs": "Des objectifs.",
        "description": "Une description.", "date_debut": datetime.date(annee, 3, 1),
        "date_fin": datetime.date(annee, 11, 30), "lieux": "Les quartiers",
        "part_beneficiaires_qpv": 80, "public_26_64": True, "beneficiaires_femmes": 10,
        "beneficiaires_hommes": 10, "salaries": 1, "etpt": "1.00", "benevoles": 2,
        "partenaires": "Centre social.",
        "declaration_signee_par": signataire,
        "declaration_signataire": signataire.get_full_name(),
        "declaration_signee_le": datetime.datetime.now(datetime.UTC),
    }.items():
        setattr(dossier, champ, valeur)
    remplir_parties_cerfa(dossier)
    dossier.save()
    dossier.quartiers.set(contrat.quartiers.all())
    for exigence in action.objectif.exigences.all():
        ReponseExigence.objects.create(dossier=dossier, exigence=exigence, texte="Ainsi.")
    for indicateur in indicateurs_numeriques(dossier):
        PrevisionIndicateur.objects.create(
            dossier=dossier, indicateur=indicateur,
            **dict.fromkeys(champs_prevision(indicateur), 10),
        )
    for code, montant in BUDGET_COMPLET.items():
        LigneBudget.objects.create(
            dossier=dossier, code=code, montant=montant,
            precision=PRECISIONS.get(code, ""),
        )
    deposer_documents_structure(dossier.structure)
    return dossier
