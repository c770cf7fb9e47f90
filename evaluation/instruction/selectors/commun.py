"""Reads the instruction's pages and writes share: instructors, requested amount, instruction."""

from django.db.models import Q
from django.utils.choices import BaseChoiceIterator

from candidatures.dossiers.selectors import totaux_budget
from candidatures.models import Role, Structure, Utilisateur
from evaluation.models import AffectationPilier, Instruction
from referentiel import fragments
from referentiel.models import Contrat, Objectif, Orientation, Pilier, QuartierPrioritaire


def instructeurs(contrat_id):
    """Active users who may be assigned the contract's dossiers (role instructeur held on the
    contract, or on its whole territory), by name."""
    territoire = Contrat.objects.filter(pk=contrat_id).values("territoire_id")
    return (
        Utilisateur.objects.filter(
            Q(habilitations__contrat_id=contrat_id)
            | Q(habilitations__contrat__isnull=True, habilitations__territoire_id__in=territoire),
            habilitations__role=Role.INSTRUCTEUR,
            is_active=True,
        )
        .distinct()
        .order_by("nom", "prenom", "email")
    )


def listes_du_referentiel(contrat_id):
    """The queue's filters on the contract's tree and quartiers: field name → queryset."""
    return {
        "pilier": Pilier.objects.filter(contrat_id=contrat_id).order_by("ordre", "code"),
        "orientation": Orientation.objects.filter(contrat_id=contrat_id).order_by(
            "pilier__ordre", "ordre", "code"
        ),
        "objectif": Objectif.objects.filter(
            contrat_id=contrat_id, hors_appel_a_projets=False
        ).order_by("code"),
        "qpv": QuartierPrioritaire.objects.filter(contrats=contrat_id).order_by(
            "commune", "nom"
        ),
    }


def choix_du_referentiel(contrat_id):
    """The options of those filters, ``(pk, label)``, kept under the référentiel's version: a
    page of the queue does not read the tree again."""
    return fragments.garder(f"filtres:{contrat_id}", lambda: {
        nom: [(o.pk, str(o)) for o in queryset]
        for nom, queryset in listes_du_referentiel(contrat_id).items()
    })


class ChoixDuReferentiel(BaseChoiceIterator):
    """The options of one of those filters, read only when its list is drawn (an export builds
    the same form and draws nothing)."""

    def __init__(self, contrat_id, nom, vide):
        self.contrat_id, self.nom, self.vide = contrat_id, nom, vide

    def __iter__(self):
        yield ("", self.vide)
        yield from choix_du_referentiel(self.contrat_id)[self.nom]


def instructeur_par_defaut(dossier):
    """The instructor the pilier table names for the dossier's main action, if any."""
    if not dossier.action_principale_id:
        return None
    affectation = (
        AffectationPilier.objects.select_related("instructeur")
        .filter(pilier__orientations__objectifs__actions=dossier.action_principale_id)
        .first()
    )
    return affectation.instructeur if affectation else None


def montant_demande(dossier):
    """What the structure asks of the contrat de ville, from its budget lines."""
    return totaux_budget(dossier).montant_demande


def instruction_de(dossier):
    """The dossier's instruction, or None before it was assigned or taken."""
    return Instruction.objects.filter(dossier=dossier).select_related("instructeur").first()


class LigneDossier:
    """What every row of a dossier list shows, read as plain values (no model instances): the
    queue's and the programmation's rows add their own columns."""

    __slots__ = ("pk", "reference", "intitule", "structure", "action")

    def __init__(self, valeurs):
        self.pk = valeurs["pk"]
        self.reference = valeurs["reference"]
        self.intitule = valeurs["intitule"]
        self.structure = Structure.libelle(
            valeurs["structure__raison_sociale"], valeurs["structure__sigle"]
        )
        self.action = valeurs["action_principale__code"]
