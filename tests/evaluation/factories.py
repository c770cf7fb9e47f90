"""factory_boy factories and helpers of the evaluation app (instruction, decisions, messages)."""

import datetime

import factory
from django.utils import timezone

from candidatures.dossiers.selectors import (
    champs_prevision,
    exigences_du_dossier,
    indicateurs_numeriques,
)
from candidatures.dossiers.services.brouillons import creer_dossier
from candidatures.dossiers.services.depot import deposer_dossier
from candidatures.models import PrevisionIndicateur, ReponseExigence
from evaluation.instruction.services import instruction as services_instruction
from evaluation.models import (
    Avis,
    Bilan,
    Decision,
    Instruction,
    LigneCompteRendu,
    Message,
    PieceBilan,
    RealisationIndicateur,
    VerdictExigence,
)
from referentiel.models import Action, Indicateur
from tests.candidatures.factories import PDF_MINIMAL as PDF_MINIMAL_BILAN
from tests.candidatures.factories import (
    AppelAProjetsFactory,
    DossierFactory,
    MembreFactory,
    UtilisateurFactory,
    completer_dossier,
)

__all__ = [
    "AppelAProjetsFactory", "DecisionFactory", "DossierFactory", "InstructionFactory",
    "MembreFactory", "MessageFactory", "UtilisateurFactory", "conclure", "dossier_depose",
    "dossier_instruit", "remplir_grille",
]

# The request of `tests.candidatures.factories.BUDGET_COMPLET`: 4 000 € (État) + 3 500 € (EPCI).
MONTANT_DEMANDE = 7500


def dossier_depose(*, membre=None, appel=None, action="1.1.1.a"):
    """A complete dossier submitted through candidatures' services, as a structure would."""
    membre = membre or MembreFactory()
    appel = appel or AppelAProjetsFactory()
    dossier = creer_dossier(
        structure=membre.structure, appel=appel, par=membre.utilisateur
    )
    completer_dossier(dossier, signataire=membre.utilisateur)
    if action != "1.1.1.a":
        dossier.action_principale = Action.objects.get(code=action)
        dossier.save()
        dossier.reponses.all().delete()
        dossier.previsions.all().delete()
        for exigence in dossier.action_principale.objectif.exigences.all():
            ReponseExigence.objects.create(dossier=dossier, exigence=exigence, texte="Oui.")
        for indicateur in indicateurs_numeriques(dossier):
            PrevisionIndicateur.objects.create(
                dossier=dossier, indicateur=indicateur,
                **{champ: 5 for champ in champs_prevision(indicateur)},
            )
    deposer_dossier(dossier=dossier, par=membre.utilisateur)
    dossier.refresh_from_db()
    return dossier


def remplir_grille(
    dossier, instructeur, *, verdict=VerdictExigence.Verdict.CONFORME, avis=Avis.FAVORABLE,
    montant=6000, synthese="Projet solide, partenariats réels.",
):
    """Give every requirement a verdict and write the avis, through the service."""
    instruction = Instruction.objects.get(dossier=dossier)
    exigences = exigences_du_dossier(dossier)
    return services_instruction.enregistrer_instruction(
        dossier=dossier,
        par=instructeur,
        version=instruction.version,
        champs={"avis": avis, "montant_propose": montant, "synthese": synthese},
        verdicts={e.pk: {"verdict": verdict, "commentaire": "Vu."} for e in exigences},
    )


def conclure(dossier, instructeur, **grille):
    """Take the dossier in, fill the checklist and conclude: it becomes « instruit »."""
    dossier.refresh_from_db()
    if dossier.statut == "depose":
        services_instruction.prendre_en_instruction(dossier=dossier, par=instructeur)
    remplir_grille(dossier, instructeur, **grille)
    services_instruction.conclure_instruction(dossier=dossier, par=instructeur)
    dossier.refresh_from_db()
    return dossier


def dossier_instruit(*, instructeur=None, **kwargs):
    """A submitted dossier taken through instruction to « instruit » with a favourable avis."""
    instructeur = instructeur or UtilisateurFactory(instructeur=True)
    return conclure(dossier_depose(**kwargs), instructeur)


class InstructionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instruction

    dossier = factory.SubFactory(DossierFactory, en_instruction=True)
    instructeur = factory.SubFactory(UtilisateurFactory, instructeur=True)
    montant_demande = MONTANT_DEMANDE
    commencee_le = factory.LazyFunction(timezone.now)


class DecisionFactory(factory.django.DjangoModelFactory):
    """A retained decision by default; trait ``refus`` for a motivated « non retenu »."""

    class Meta:
        model = Decision

    dossier = factory.SubFactory(DossierFactory, en_cours=True)
    nature = Decision.Nature.RETENU
    montant_demande = MONTANT_DEMANDE
    montant_accorde = 5000
    date_limite_bilan = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=300)
    )

    class Params:
        refus = factory.Trait(
            dossier=factory.SubFactory(DossierFactory, non_retenu=True),
            nature=Decision.Nature.NON_RETENU,
            montant_accorde=None,
            date_limite_bilan=None,
            motif="Public éloigné des quartiers prioritaires.",
        )


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    dossier = factory.SubFactory(DossierFactory, en_instruction=True)
    auteur = factory.SubFactory(UtilisateurFactory, instructeur=True)
    de_la_structure = False
    texte = "Pouvez-vous préciser le calendrier ?"


# --- Bilans ---


def indicateur(objectif, ordre):
    """An indicator of the real référentiel, by its objective code and rank."""
    return Indicateur.objects.get(objectif__code=objectif, ordre=ordre)


class BilanFactory(factory.django.DjangoModelFactory):
    """A filled qualitative bilan; its dossier is « bilan à remettre » unless given."""

    class Meta:
        model = Bilan

    dossier = factory.SubFactory(DossierFactory, bilan_a_remettre=True)
    realisation = "Douze ateliers d'animation au pied des immeubles."
    date_debut = datetime.date(2025, 3, 1)
    date_fin = datetime.date(2025, 11, 30)
    lieux = "Prés-Saint-Jean, Tamaris"
    beneficiaires_femmes = 0
    beneficiaires_hommes = 0
    profil_beneficiaires = "Familles des quartiers, beaucoup de jeunes mères."
    objectifs_atteints = Bilan.Atteinte.ATTEINTS
    difficultes = "Météo défavorable en novembre."
    perspectives = "Reconduire l'action en 2026."


class RealisationIndicateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RealisationIndicateur

    bilan = factory.SubFactory(BilanFactory)
    indicateur = factory.LazyFunction(lambda: indicateur("1.1.1", 6))


class PrevisionIndicateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrevisionIndicateur

    dossier = factory.SubFactory(DossierFactory, en_cours=True)
    indicateur = factory.LazyFunction(lambda: indicateur("1.1.1", 6))


class LigneCompteRenduFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LigneCompteRendu

    bilan = factory.SubFactory(BilanFactory)
    code = "64"
    prevu = 0


class PieceBilanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PieceBilan

    bilan = factory.SubFactory(BilanFactory)
    type = PieceBilan.Type.BILAN_MORAL
    fichier = factory.django.FileField(filename="bilan-moral.pdf", data=PDF_MINIMAL_BILAN)
    nom_original = "bilan-moral.pdf"
    taille = factory.LazyAttribute(lambda o: len(PDF_MINIMAL_BILAN))
    type_mime = "application/pdf"


def _dossier_du_jeu(appel, structure, action, quartiers, trait, budget_lignes, *,
                    propose=None, accorde=None, refus=False, intitule=""):
    from candidatures.dossiers.services.montants import actualiser_montant_demande
    from candidatures.models import LigneBudget
    from referentiel.models import QuartierPrioritaire

    dossier = DossierFactory(
        appel=appel, structure=structure, action_principale=Action.objects.get(code=action),
        intitule=intitule or f"Action {action}", **{trait: True},
    )
    dossier.quartiers.set(QuartierPrioritaire.objects.filter(code__in=quartiers))
    for code, montant in budget_lignes.items():
        LigneBudget.objects.create(dossier=dossier, code=code, montant=montant)
    actualiser_montant_demande(dossier)
    dossier.save(update_fields=["montant_demande"])
    demande = sum(m for c, m in budget_lignes.items() if c in ("74_etat_pv", "74_epci"))
    if propose is not None or refus:
        InstructionFactory(
            dossier=dossier, montant_demande=demande, montant_propose=propose,
            avis=Avis.DEFAVORABLE if refus else Avis.FAVORABLE,
        )
    if refus:
        DecisionFactory(dossier=dossier, refus=True, montant_demande=demande)
    elif accorde is not None:
        DecisionFactory(dossier=dossier, montant_demande=demande, montant_accorde=accorde)
    return dossier


def _bilan_du_jeu(dossier, beneficiaires, realisations, previsions, lignes):
    bilan = BilanFactory(dossier=dossier, **beneficiaires)
    for (objectif, ordre), valeurs in realisations.items():
        RealisationIndicateurFactory(bilan=bilan, indicateur=indicateur(objectif, ordre), **valeurs)
    for (objectif, ordre), valeurs in previsions.items():
        PrevisionIndicateurFactory(dossier=dossier, indicateur=indicateur(objectif, ordre),
                                   **valeurs)
    for code, (prevu, realise) in lignes.items():
        LigneCompteRenduFactory(bilan=bilan, code=code, prevu=prevu, realise=realise)
    return bilan


def jeu_bilans():
    """The hand-computed dataset of the bilan tests: two calls (2024, 2025), three structures.

    2025: D1 clôturé (1.1.1.a, Alès), D2 bilan déposé (1.6.1.a, Alès + Anduze), D3 clôturé
    (3.1.3.a, Trescol), D4 non retenu (2.3.1.a, Alès), D5 en instruction (1.1.1.b, no QPV),
    D6 en cours (1.3.3.a, Anduze), plus a draft that never counts. 2024: D7 clôturé (1.1.1.a).
    """
    from candidatures.models import Dossier
    from tests.candidatures.factories import StructureFactory

    appel_2024 = AppelAProjetsFactory(annee=2024, clos=True)
    appel_2025 = AppelAProjetsFactory(annee=2025, clos=True)
    s1 = StructureFactory(raison_sociale="Association Alpha")
    s2 = StructureFactory(raison_sociale="Association Bêta")
    s3 = StructureFactory(raison_sociale="Association Gamma")

    d1 = _dossier_du_jeu(
        appel_2025, s1, "1.1.1.a", ["ales"], "cloture",
        {"64": 8000, "74_etat_pv": 4000, "74_epci": 3000, "74_region": 1000},
        propose=6000, accorde=5000, intitule="Animations de rue",
    )
    _bilan_du_jeu(
        d1, {"beneficiaires_femmes": 30, "beneficiaires_hommes": 20},
        {("1.1.1", 6): {"valeur_femmes": 30, "valeur_hommes": 20},
         ("1.1.1", 1): {"valeur": 12}},
        {("1.1.1", 6): {"valeur_femmes": 25, "valeur_hommes": 25},
         ("1.1.1", 1): {"valeur": 10}},
        {"64": (8000, 7700), "74_etat_pv": (4000, 4000), "74_epci": (3000, 2500),
         "74_region": (1000, 1200)},
    )
    d2 = _dossier_du_jeu(
        appel_2025, s1, "1.6.1.a", ["ales", "anduze-centre-ville"], "bilan_depose",
        {"64": 3000, "74_etat_pv": 2000, "74_epci": 1000}, propose=3000, accorde=2500,
        intitule="Sport pour toutes et tous",
    )
    _bilan_du_jeu(
        d2, {"beneficiaires_femmes": 10, "beneficiaires_hommes": 5, "beneficiaires_filles": 8,
             "beneficiaires_garcons": 7},
        {("1.6.1", 1): {"valeur_femmes": 10, "valeur_hommes": 5, "valeur_filles": 8,
                        "valeur_garcons": 7}},
        {("1.6.1", 1): {"valeur_femmes": 10, "valeur_hommes": 10, "valeur_filles": 10,
                        "valeur_garcons": 10}},
        {"64": (3000, 2500), "74_etat_pv": (2000, 1500), "74_epci": (1000, 1000)},
    )
    d3 = _dossier_du_jeu(
        appel_2025, s2, "3.1.3.a", ["la-grand-combe-trescol-la-levade"], "cloture",
        {"64": 8000, "74_epci": 6000, "74_departement": 2000}, propose=5000, accorde=4000,
        intitule="Accompagnement vers l'emploi",
    )
    _bilan_du_jeu(
        d3, {"beneficiaires_femmes": 12, "beneficiaires_hommes": 18},
        {("3.1.3", 1): {"valeur_femmes": 12, "valeur_hommes": 18}},
        {("3.1.3", 1): {"valeur_femmes": 10, "valeur_hommes": 10}},
        {"64": (8000, 7000), "74_epci": (6000, 6000), "74_departement": (2000, 1000)},
    )
    d4 = _dossier_du_jeu(
        appel_2025, s2, "2.3.1.a", ["ales"], "non_retenu", {"64": 5000, "74_etat_pv": 5000},
        refus=True, intitule="Jardins partagés",
    )
    d5 = _dossier_du_jeu(
        appel_2025, s3, "1.1.1.b", [], "en_instruction", {"64": 1500, "74_epci": 1500},
        intitule="Fête de quartier",
    )
    d6 = _dossier_du_jeu(
        appel_2025, s3, "1.3.3.a", ["anduze-centre-ville"], "en_cours",
        {"64": 2500, "74_etat_pv": 2500}, propose=2500, accorde=2000,
        intitule="Soutien aux études",
    )
    PrevisionIndicateurFactory(dossier=d6, indicateur=indicateur("1.3.3", 1),
                               valeur_filles=5, valeur_garcons=5)
    brouillon = DossierFactory(appel=appel_2025, structure=s3,
                               action_principale=Action.objects.get(code="1.1.1.a"))
    d7 = _dossier_du_jeu(
        appel_2024, s1, "1.1.1.a", ["ales"], "cloture", {"64": 3000, "74_etat_pv": 3000},
        propose=3000, accorde=3000, intitule="Animations de rue 2024",
    )
    _bilan_du_jeu(
        d7, {"beneficiaires_femmes": 20, "beneficiaires_hommes": 20},
        {("1.1.1", 6): {"valeur_femmes": 18, "valeur_hommes": 22}},
        {("1.1.1", 6): {"valeur_femmes": 20, "valeur_hommes": 20}},
        {"64": (3000, 3000), "74_etat_pv": (3000, 3000)},
    )
    assert Dossier.objects.filter(pk=brouillon.pk, depose_le__isnull=True).exists()
    return {
        "appel_2024": appel_2024, "appel_2025": appel_2025, "structures": (s1, s2, s3),
        "dossiers": (d1, d2, d3, d4, d5, d6, d7),
    }


def dossier_retenu(*, membre=None, appel=None, accorde=6000, **decision):
    """A retained dossier « en cours de réalisation », filled like ``completer_dossier`` does."""
    membre = membre or MembreFactory()
    dossier = DossierFactory(
        structure=membre.structure, appel=appel or AppelAProjetsFactory(), en_cours=True,
        complet=True,
    )
    InstructionFactory(dossier=dossier, montant_demande=MONTANT_DEMANDE, montant_propose=accorde)
    DecisionFactory(
        dossier=dossier, montant_demande=MONTANT_DEMANDE, montant_accorde=accorde, **decision
    )
    return dossier


def remplir_bilan(bilan, par, *, femmes=14, hommes=9):
    """Fill every part of a bilan on action 1.1.1.a through the service, ready to submit."""
    from evaluation.bilans.selectors import champs_realisation, indicateurs_du_bilan
    from evaluation.bilans.services import saisie as services_bilans_saisie

    bilan.refresh_from_db()
    realisations = {}
    for ind in indicateurs_du_bilan(bilan.dossier):
        champs = champs_realisation(ind)
        if champs == ["texte"]:
            realisations[ind.pk] = {"texte": "Objectif tenu, voir le bilan moral."}
        elif champs == ["valeur_femmes", "valeur_hommes"]:
            realisations[ind.pk] = {"valeur_femmes": femmes, "valeur_hommes": hommes}
        elif champs:
            realisations[ind.pk] = {c: 3 for c in champs}
    services_bilans_saisie.enregistrer_bilan(
        bilan=bilan, par=par, version=bilan.version,
        champs={
            "realisation": "Douze ateliers au pied des immeubles.",
            "date_debut": datetime.date(2025, 3, 1),
            "date_fin": datetime.date(2025, 11, 30),
            "lieux": "Prés-Saint-Jean",
            "beneficiaires_femmes": femmes, "beneficiaires_hommes": hommes,
            "beneficiaires_filles": 6, "beneficiaires_garcons": 5,
            "profil_beneficiaires": "Familles.",
            "objectifs_atteints": Bilan.Atteinte.ATTEINTS,
            "difficultes": "Aucune.",
            "perspectives": "Reconduire.",
            "regle_charges_indirectes": "Au prorata du temps de personnel consacré à l'action.",
            "fait_a": "Alès",
        },
        realisations=realisations,
        lignes={lg.code: {"realise": lg.prevu} for lg in bilan.lignes.all()},
    )
    PieceBilanFactory(bilan=bilan)
    bilan.refresh_from_db()
    return bilan
