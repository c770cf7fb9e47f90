"""Demo calls: this year's open call, last year's closed one with a submitted dossier, and the
fictitious example contract (loaded from its workbook) with this year's call open on it."""

import datetime
import zoneinfo
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from referentiel.classeur import exemple
from referentiel.classeur.chargement import importer_classeur
from referentiel.models import Action, Contrat

from ..commun.erreurs import Incomplet
from ..dossiers.services.brouillons import creer_dossier
from ..dossiers.services.depot import _tirer_numero, deposer_dossier, reference_du_depot
from ..dossiers.services.montants import actualiser_montant_demande
from ..dossiers.services.statuts import changer_statut
from ..models import (
    AppelAProjets,
    Dossier,
    DureeDemande,
    InformationsAnnuelles,
    LigneBudget,
    Membre,
    ObjetDemande,
    PremiereDemande,
    ReponseExigence,
    SeuilMinimis,
    Statut,
)
from ..structures.services import enregistrer_informations_annuelles

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
SIRET_STRUCTURE_DEMO = "81234567600017"


def _paris(annee, mois, jour, heure=0, minute=0):
    return datetime.datetime(annee, mois, jour, heure, minute, tzinfo=PARIS)


@transaction.atomic
def creer_appels_demo(*, maintenant=None):
    """Create (idempotently) the demo calls; return the lines to print."""
    maintenant = maintenant or timezone.now()
    contrat = Contrat.objects.par_defaut()
    if contrat is None:
        return ["Référentiel absent : chargez-le (manage.py charger_referentiel) avant les appels."]
    annee = timezone.localtime(maintenant).year
    ouvert, _ = AppelAProjets.objects.get_or_create(
        contrat=contrat,
        annee=annee,
        defaults={
            "titre": f"Appel à projets {annee} du contrat de ville",
            "presentation": (
                "Les associations et autres porteurs de projet proposent des actions en faveur "
                "des habitants des quartiers prioritaires, en réponse aux fiches actions du "
                "contrat de ville d'Alès Agglomération."
            ),
            "ouverture": maintenant - datetime.timedelta(days=15),
            "cloture": max(_paris(annee, 12, 31, 12), maintenant + datetime.timedelta(days=30)),
            "enveloppe_totale": 350000,
        },
    )
    clos, _ = AppelAProjets.objects.get_or_create(
        contrat=contrat,
        annee=annee - 1,
        defaults={
            "titre": f"Appel à projets {annee - 1} du contrat de ville",
            "presentation": "Appel clos.",
            "ouverture": _paris(annee - 1, 1, 15, 9),
            "cloture": _paris(annee - 1, 3, 31, 12),
            "enveloppe_totale": 320000,
        },
    )
    lignes = [f"Appels à projets : « {ouvert.titre} » (ouvert), « {clos.titre} » (clos)"]
    contrat_exemple = Contrat.objects.filter(code=exemple.CODE).first()
    if contrat_exemple is not None:
        appel_exemple = _appel_exemple(contrat_exemple, annee, maintenant)
        lignes.append(f"Appel à projets du contrat d'exemple : « {appel_exemple.titre} » (ouvert)")
    membre = (
        Membre.objects.filter(
            structure__siret=SIRET_STRUCTURE_DEMO, role=Membre.Role.RESPONSABLE
        )
        .select_related("structure", "utilisateur")
        .first()
    )
    if membre:
        for annee_informations in (annee - 1, annee):
            _informations_demo(membre, annee_informations)
    if membre and not Dossier.objects.filter(appel=clos, structure=membre.structure).exists():
        dossier = _dossier_depose(membre, clos)
        lignes.append(f"Dossier déposé de démonstration : {dossier.reference}")
    return lignes


def charger_contrat_exemple():
    """The fictitious example contract, loaded from fixtures/contrat_exemple.xlsx if absent.

    Return (contract, line to print).
    """
    contrat = Contrat.objects.filter(code=exemple.CODE).first()
    if contrat is not None:
        return contrat, f"Contrat d'exemple : {contrat.nom} (déjà chargé)"
    rapport = importer_classeur(exemple.FICHIER, exemple.CODE)
    return rapport.contrat, f"Contrat d'exemple chargé : {rapport.contrat.nom} ({rapport.resume()})"


def _appel_exemple(contrat, annee, maintenant):
    appel, _ = AppelAProjets.objects.get_or_create(
        contrat=contrat,
        annee=annee,
        defaults={
            "titre": f"Appel à projets {annee} — contrat d'exemple (fictif)",
            "presentation": (
                "Appel de démonstration du contrat d'exemple de la Communauté de communes du "
                "Val-Fictif, un territoire imaginaire : rien de ce qui y est déposé n'est réel."
            ),
            "ouverture": maintenant - datetime.timedelta(days=15),
            "cloture": max(_paris(annee, 12, 31, 12), maintenant + datetime.timedelta(days=30)),
            "enveloppe_totale": 50000,
        },
    )
    return appel


def _informations_demo(membre, annee):
    """The demo structure's yearly declaration (Cerfa n°12156*06), made once per year."""
    if InformationsAnnuelles.objects.filter(structure=membre.structure, annee=annee).exists():
        return
    enregistrer_informations_annuelles(
        structure=membre.structure, annee=annee, par=membre.utilisateur,
        champs={
            "commissaire_aux_comptes": False, "assujettie_impots_commerciaux": False,
            "affiliations": "Fédération des centres sociaux du Gard",
            "adherents": 140, "benevoles": 22, "volontaires": 2, "salaries": 5,
            "salaries_emplois_aides": 1, "etpt": Decimal("4.20"),
            "personnels_mis_a_disposition": 0, "cinq_plus_hauts_salaires": 121000,
        },
        agrements=[{"type": "Jeunesse et éducation populaire", "attribue_par": "SDJES du Gard",
                    "date": datetime.date(2018, 4, 12)}],
        lignes={code: {"montant": montant} for code, montant in {
            "606": 6000, "613": 9000, "641": 98000, "645": 37000, "864": 8000,
            "70": 18000, "74_etat_pv": 40000, "74_epci": 35000, "74_autres_ep": 30000,
            "756": 2800, "758": 24200, "870": 8000,
        }.items()},
    )


def _dossier_depose(membre, appel):
    """Last year's submitted dossier of the demo structure (to try renewal)."""
    depot = appel.cloture - datetime.timedelta(days=10)
    dossier = creer_dossier(
        structure=membre.structure, appel=appel, par=membre.utilisateur,
        maintenant=appel.ouverture + datetime.timedelta(days=1),
    )
    action = Action.objects.get(contrat_id=appel.contrat_id, code="1.1.1.a")
    Dossier.objects.filter(pk=dossier.pk).update(
        action_principale=action,
        intitule="Le camion des quartiers",
        resume="Un camion d'animation circule chaque mercredi dans les quartiers prioritaires.",
        contexte="Peu d'échanges entre les quartiers d'Alès.",
        objectifs="Faire se rencontrer les habitants de quartiers différents.",
        description="Jeux, ateliers de cuisine et goûters partagés, de mars à novembre.",
        date_debut=datetime.date(appel.annee, 3, 1),
        date_fin=datetime.date(appel.annee, 11, 30),
        lieux="Prés-Saint-Jean, Cévennes, Tamaris",
        part_beneficiaires_qpv=85,
        public_6_11=True,
        public_26_64=True,
        beneficiaires_femmes=60,
        beneficiaires_hommes=45,
        beneficiaires_filles=40,
        beneficiaires_garcons=38,
        salaries=2,
        etpt="1.20",
        benevoles=8,
        partenaires="Centre social, bailleur Logis Cévenols.",
        contact_prenom="Camille",
        contact_fonction="Coordinatrice",
        aide_numeraire=True,
        objet_demande=ObjetDemande.PROJET,
        duree_demande=DureeDemande.ANNUELLE,
        premiere_demande=PremiereDemande.PREMIERE,
        volontaires=1,
        duree="9 mois, de mars à novembre",
        moyens_materiels="Un camion aménagé, du matériel de jeux et de cuisine.",
        evaluation="Questionnaire aux habitants, feuilles de présence, bilan avec le centre "
        "social.",
        signataire_est_representant=True,
        declaration_minimis=SeuilMinimis.INFERIEUR,
        declaration_comptes_approuves=True,
        declaration_compte_propre=True,
        declaration_fait_a="Alès",
    )
    dossier.refresh_from_db()
    dossier.quartiers.set(appel.contrat.quartiers.filter(commune="Alès"))
    for exigence in action.objectif.exigences.all():
        ReponseExigence.objects.create(
            dossier=dossier, exigence=exigence, texte="Les habitants construisent le programme."
        )
    for code, montant in {"60": 3000, "64": 12000, "864": 2000, "74_etat_pv": 6000,
                          "74_epci": 5000, "75": 4000, "756": 1000, "758": 3000,
                          "870": 2000}.items():
        LigneBudget.objects.create(
            dossier=dossier, code=code, montant=montant,
            precision=appel.contrat.territoire.nom if code == "74_epci" else "",
        )
    actualiser_montant_demande(dossier)
    dossier.save(update_fields=["montant_demande"])
    # Submitted "at the time": drawn through the services, so the history and reference are real.
    dossier.declaration_signee_par = membre.utilisateur
    dossier.declaration_signataire = membre.utilisateur.get_full_name()
    dossier.declaration_signee_le = depot
    dossier.save()
    try:
        return deposer_dossier(dossier=dossier, par=membre.utilisateur, maintenant=depot)
    except Incomplet:
        # The demo structure has no documents yet: record the submission all the same.
        dossier.numero = _tirer_numero(appel)
        dossier.reference = reference_du_depot(appel, dossier.numero)
        dossier.depose_le = depot
        dossier.save()
        return changer_statut(dossier=dossier, vers=Statut.DEPOSE, par=membre.utilisateur)
