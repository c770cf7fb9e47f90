"""Submission, withdrawal, requests for corrections and renewal of a dossier."""

from django.db import transaction
from django.db.models import Case, F, When
from django.utils import timezone

from referentiel.models import Action, Contrat

from ...commun.erreurs import ErreurMetier, Incomplet
from ...commun.formats import date_heure
from ...models import (
    AppelAProjets,
    CompteurReferences,
    DemandeCorrection,
    Dossier,
    LigneBudget,
    PremiereDemande,
    ReponseExigence,
    Section,
    Statut,
    TrancheAge,
)
from ...models.declarations import figer
from ...structures.selectors import informations_de_l_annee
from .. import selectors
from .brouillons import _historiser_creation
from .fichiers_pdf import demander_recepisse
from .montants import actualiser_montant_demande
from .statuts import changer_statut, verrouiller_dossier


def reference_du_depot(appel, numero):
    """« AAP-2026-0012 »: the year and number in the call. References are unique on the whole
    portal, so the calls of every contract but the first one loaded also carry their contract
    (« AAP-2026-C3-0012 »)."""
    premier = Contrat.objects.order_by("pk").values_list("pk", flat=True).first()
    contrat = "" if appel.contrat_id == premier else f"C{appel.contrat_id}-"
    return f"AAP-{appel.annee}-{contrat}{numero:04d}"


def _tirer_numero(appel):
    CompteurReferences.objects.get_or_create(appel=appel)
    compteur = CompteurReferences.objects.select_for_update().get(pk=appel.pk)
    compteur.dernier_numero = F("dernier_numero") + 1
    compteur.save(update_fields=["dernier_numero"])
    compteur.refresh_from_db()
    return compteur.dernier_numero


@transaction.atomic
def deposer_dossier(*, dossier, par, maintenant=None):
    """Submit a complete draft while the call is open (or a corrected dossier at any time)."""
    maintenant = maintenant or timezone.now()
    verrouille = verrouiller_dossier(dossier, "appel")
    if verrouille.statut not in (Statut.BROUILLON, Statut.A_CORRIGER):
        raise ErreurMetier(
            f"Ce dossier est « {verrouille.get_statut_display()} » : il ne peut pas être déposé."
        )
    appel = verrouille.appel
    if verrouille.statut == Statut.BROUILLON and not appel.est_ouvert(maintenant):
        raise ErreurMetier(_message_appel_non_ouvert(appel, maintenant))
    manques = selectors.manques(verrouille)
    if manques:
        raise Incomplet(_message_incomplet(manques), manques)
    if not verrouille.reference:
        verrouille.numero = _tirer_numero(appel)
        verrouille.reference = reference_du_depot(appel, verrouille.numero)
        verrouille.depose_le = maintenant
        verrouille.save(update_fields=["numero", "reference", "depose_le"])
    else:
        verrouille.demandes_correction.filter(traitee_le__isnull=True).update(traitee_le=maintenant)
    # The structure's documents are referenced as they are now: later versions do not change
    # what was submitted.
    actuels, _manquants = selectors.documents_structure(verrouille.structure)
    verrouille.documents_deposes.set(actuels)
    # So is the structure's yearly declaration: a later edit does not change the dossier.
    verrouille.informations_deposees = _figer_informations(verrouille)
    verrouille.save(update_fields=["informations_deposees"])
    changer_statut(dossier=verrouille, vers=Statut.DEPOSE, par=par)
    # The récépissé is rendered, kept and e-mailed by the worker once this is committed: the
    # submission does not wait for it.
    demander_recepisse(verrouille)
    return verrouille


def _figer_informations(dossier):
    informations = informations_de_l_annee(dossier.structure, dossier.appel.annee)
    if informations is None:
        return None
    return figer(informations, informations.agrements.all(), informations.lignes_budget.all())


def _message_incomplet(manques):
    nombre = sum(len(v) for v in manques.values())
    return (
        f"Le dossier ne peut pas être déposé : {nombre} élément{'s' if nombre > 1 else ''} "
        f"à compléter ({', '.join(str(Section(s).label) for s in manques)})."
    )


def _message_appel_non_ouvert(appel, maintenant):
    if maintenant < appel.ouverture:
        return f"L'appel à projets n'ouvre que le {date_heure(appel.ouverture)} (heure de Paris)."
    return (
        f"L'appel à projets est clos depuis le {date_heure(appel.cloture)} (heure de Paris) : "
        "le dépôt n'est plus possible."
    )


@transaction.atomic
def retirer_dossier(*, dossier, par, motif):
    """Withdraw a dossier before the decision; the reason is required."""
    motif = (motif or "").strip()
    if not motif:
        raise ErreurMetier("Indiquez le motif du retrait.")
    return changer_statut(dossier=dossier, vers=Statut.RETIRE, par=par, motif=motif)


@transaction.atomic
def ouvrir_corrections(*, dossier, sections, par, message):
    """Ask the structure to correct the named sections; they become editable again.

    The declaration is always reopened: a corrected dossier is signed again.
    """
    sections = [Section(s) for s in sections]
    if not sections:
        raise ErreurMetier("Indiquez au moins une section à corriger.")
    if Section.DECLARATION not in sections:
        sections.append(Section.DECLARATION)
    if not (message or "").strip():
        raise ErreurMetier("Expliquez ce qui doit être corrigé.")
    verrouille = changer_statut(
        dossier=dossier, vers=Statut.A_CORRIGER, par=par, motif=message.strip()
    )
    return DemandeCorrection.objects.create(
        dossier=verrouille,
        message=message.strip(),
        sections_codes=",".join(s.value for s in sections),
        demandee_par=par,
    )


CHAMPS_RENOUVELES = (
    "contact_nom", "contact_email", "contact_telephone", "intitule", "resume",
    "contexte", "objectifs", "description", "lieux", "part_beneficiaires_qpv",
    *(f"public_{t.value}" for t in TrancheAge),
    "beneficiaires_femmes", "beneficiaires_hommes", "beneficiaires_filles",
    "beneficiaires_garcons", "salaries", "etpt", "benevoles", "partenaires",
    "contact_prenom", "contact_fonction", "aide_numeraire", "aide_nature", "objet_demande",
    "volontaires", "duree", "moyens_materiels", "evaluation",
)


def appel_de_renouvellement(source, maintenant=None):
    """The open call a dossier is renewed on: of its own contract first, else of a successor
    contract on the same territory; never a call of another territory (or None)."""
    contrat = source.appel.contrat
    return (
        AppelAProjets.objects.ouverts(maintenant)
        .exclude(pk=source.appel_id)
        .filter(contrat__territoire_id=contrat.territoire_id)
        .annotate(autre_contrat=Case(When(contrat_id=contrat.pk, then=0), default=1))
        .order_by("autre_contrat", "cloture")
        .first()
    )


def _dans_le_contrat(source, contrat):
    """What of ``source``'s tree the new contract has: the same action codes, its own QPV."""
    if contrat.pk == source.appel.contrat_id:
        return (
            source.action_principale, list(source.actions_secondaires.all()),
            list(source.quartiers.all()), list(source.reponses.all()),
        )
    codes = [a.code for a in source.actions_secondaires.all()]
    principale = source.action_principale
    actions = {
        a.code: a for a in Action.objects.filter(
            contrat=contrat, code__in=[*codes, *([principale.code] if principale else [])]
        )
    }
    return (
        actions.get(principale.code) if principale else None,
        [actions[code] for code in codes if code in actions],
        list(source.quartiers.filter(contrats=contrat)),
        [],  # another contract's requirements: the porteur answers its cahier des charges anew
    )


@transaction.atomic
def renouveler_dossier(*, source, appel, par, maintenant=None):
    """Start a draft on ``appel`` from a previous year's dossier, copying its content only.

    On a successor contract of the same territory, the actions keep their codes where the new
    tree has them, and only the QPV of the new contract are kept."""
    maintenant = maintenant or timezone.now()
    if appel.pk == source.appel_id:
        raise ErreurMetier("Un dossier se renouvelle sur l'appel à projets d'une autre année.")
    if appel.contrat.territoire_id != source.appel.contrat.territoire_id:
        raise ErreurMetier("Un dossier se renouvelle sur un appel à projets du même territoire.")
    if not appel.est_ouvert(maintenant):
        raise ErreurMetier(_message_appel_non_ouvert(appel, maintenant))
    principale, secondaires, quartiers, reponses = _dans_le_contrat(source, appel.contrat)
    dossier = Dossier.objects.create(
        structure=source.structure,
        appel=appel,
        renouvelle=source,
        premiere_demande=PremiereDemande.RENOUVELLEMENT,
        cree_par=par,
        cree_le=maintenant,
        modifie_par=par,
        modifie_le=maintenant,
        **{champ: getattr(source, champ) for champ in CHAMPS_RENOUVELES},
        action_principale=principale,
    )
    dossier.actions_secondaires.set(secondaires)
    dossier.quartiers.set(quartiers)
    ReponseExigence.objects.bulk_create(
        ReponseExigence(dossier=dossier, exigence_id=r.exigence_id, texte=r.texte)
        for r in reponses
    )
    LigneBudget.objects.bulk_create(
        LigneBudget(dossier=dossier, code=lg.code, montant=lg.montant, precision=lg.precision)
        for lg in source.lignes_budget.all()
    )
    actualiser_montant_demande(dossier)
    dossier.save(update_fields=["montant_demande"])
    _historiser_creation(dossier, par, f"Renouvellement du dossier {source}")
    return dossier
