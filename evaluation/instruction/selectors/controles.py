"""Automatic checks of a submitted dossier, and the structure's dossiers of other calls."""

from dataclasses import dataclass, field

from django.utils import timezone

from candidatures.commun.erreurs import ErreurMetier
from candidatures.commun.formats import euros
from candidatures.dossiers.selectors import totaux_budget
from candidatures.dossiers.services.eligibilite import action_eligible
from candidatures.models import DocumentStructure, Dossier, HistoriqueStatut, Statut
from candidatures.structures.selectors import (
    DOCUMENTS_STRUCTURE_REQUIS,
    VALIDITE_DOCUMENTS_MOIS,
    est_perime,
)

# Above this share of the project's charges, the request to the contrat de ville is flagged
# for the instructor's attention (an alert, not a rule of the call).
PART_DEMANDEE_ALERTE = 80


@dataclass
class Controle:
    """One automatic check, shown with the same weight as the instructor's verdicts."""

    libelle: str
    etat: str  # "ok", "alerte" or "ko"
    detail: str = ""
    elements: list = field(default_factory=list)

    @property
    def etat_libelle(self):
        return {"ok": "conforme", "alerte": "à vérifier", "ko": "non conforme"}[self.etat]


def premier_depot(dossier):
    """When the dossier was first submitted (a resubmission after corrections does not count)."""
    return (
        HistoriqueStatut.objects.filter(dossier=dossier, vers=Statut.DEPOSE)
        .order_by("le")
        .values_list("le", flat=True)
        .first()
        or dossier.depose_le
    )


def _controle_delai(dossier):
    appel = dossier.appel
    premier_depot_le = premier_depot(dossier)
    quand = timezone.localtime(premier_depot_le).strftime("%d/%m/%Y à %H:%M")
    cloture = timezone.localtime(appel.cloture).strftime("%d/%m/%Y à %H:%M")
    libelle = "Délai de l'appel respecté"
    if premier_depot_le and premier_depot_le <= appel.cloture:
        return Controle(libelle, "ok", f"Déposé le {quand} (clôture le {cloture}).")
    return Controle(libelle, "ko", f"Déposé le {quand}, après la clôture du {cloture}.")


def _controle_action(dossier):
    libelle = "Action éligible à l'appel à projets"
    if not dossier.action_principale_id:
        return Controle(libelle, "ko", "Aucune fiche-action n'est choisie.")
    codes = [dossier.action_principale.code, *(a.code for a in dossier.actions_secondaires.all())]
    refus = []
    for code in codes:
        try:
            action_eligible(code, dossier.appel.contrat)
        except ErreurMetier as erreur:
            refus.append(str(erreur))
    if refus:
        return Controle(libelle, "ko", " ".join(refus))
    return Controle(libelle, "ok", f"Action{'s' if len(codes) > 1 else ''} {', '.join(codes)}.")


def _controle_budget(totaux):
    libelle = "Budget équilibré"
    if totaux.valide:
        return Controle(
            libelle, "ok", f"Charges = produits = {euros(totaux.charges)} ; contributions en "
            f"nature équilibrées ({euros(totaux.contributions_emplois)})."
        )
    return Controle(
        libelle, "ko", f"Charges {euros(totaux.charges)}, produits {euros(totaux.produits)} ; "
        f"contributions en nature {euros(totaux.contributions_emplois)} / "
        f"{euros(totaux.contributions_ressources)}."
    )


def _controle_part(totaux):
    libelle = "Part demandée au contrat de ville"
    part = totaux.part_demandee
    if part is None:
        return Controle(libelle, "ko", "Le budget ne compte aucune charge.")
    texte = (
        f"{euros(totaux.montant_demande)} demandés, soit {str(part).replace('.', ',')} % des "
        "charges."
    )
    if not totaux.montant_demande:
        return Controle(libelle, "ko", "Aucun montant n'est demandé au contrat de ville.")
    if part > PART_DEMANDEE_ALERTE:
        return Controle(libelle, "alerte", f"{texte} Au-delà de {PART_DEMANDEE_ALERTE} %.")
    return Controle(libelle, "ok", texte)


def _controle_public(dossier):
    libelle = "Quartiers prioritaires et public renseignés"
    quartiers = [str(q) for q in dossier.quartiers.all()]
    manques = []
    if not quartiers:
        manques.append("aucun quartier prioritaire")
    if dossier.part_beneficiaires_qpv is None:
        manques.append("part des bénéficiaires habitant un QPV non renseignée")
    if not dossier.publics:
        manques.append("aucune tranche d'âge")
    if manques:
        return Controle(libelle, "ko", "Manque : " + ", ".join(manques) + ".")
    return Controle(
        libelle, "ok", f"{', '.join(quartiers)} ; {dossier.part_beneficiaires_qpv} % des "
        f"bénéficiaires en QPV ; {', '.join(str(t.label) for t in dossier.publics)}."
    )


def _controle_documents(dossier, reference):
    libelle = "Documents de la structure présents et à jour"
    actuels = {
        d.type: d for d in DocumentStructure.objects.filter(structure=dossier.structure).actuels()
    }
    elements, etat = [], "ok"
    for type_ in DocumentStructure.Type:
        document = actuels.get(type_)
        if document is None and type_ == DocumentStructure.Type.RAPPORT_CAC:
            # Only structures with a commissaire aux comptes have one; the dossier's
            # completeness already requires it from them.
            continue
        if document is None:
            if type_ in DOCUMENTS_STRUCTURE_REQUIS:
                etat = "ko"
                elements.append(f"{type_.label} : manquant.")
            else:
                etat = "alerte" if etat == "ok" else etat
                elements.append(f"{type_.label} : non déposé.")
            continue
        date = document.date_document.strftime("%d/%m/%Y")
        if est_perime(document, reference):
            etat = "alerte" if etat == "ok" else etat
            elements.append(
                f"{type_.label} : daté du {date}, plus de {VALIDITE_DOCUMENTS_MOIS[type_]} mois, "
                "périmé."
            )
        else:
            elements.append(f"{type_.label} : daté du {date}.")
    return Controle(libelle, etat, elements=elements)


def controles_automatiques(dossier):
    """Checks the portal makes by itself: deadline, eligibility, budget, public, documents."""
    totaux = totaux_budget(dossier)
    reference = timezone.localdate(dossier.depose_le) if dossier.depose_le else timezone.localdate()
    return [
        _controle_delai(dossier),
        _controle_action(dossier),
        _controle_budget(totaux),
        _controle_part(totaux),
        _controle_public(dossier),
        _controle_documents(dossier, reference),
    ]


def dossiers_precedents(dossier, user):
    """The structure's dossiers of other calls the user may see as staff (those of the
    contracts where they hold a role), with their decision and bilan, newest first."""
    return (
        Dossier.objects.pour_le_personnel(user)
        .filter(structure=dossier.structure)
        .exclude(pk=dossier.pk)
        .select_related("appel", "action_principale", "decision", "bilan")
        .order_by("-appel__annee", "-depose_le")
    )

