"""factory_boy factories of the candidatures app (accounts, structures, calls, dossiers)."""

import datetime
import io
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter
from stdnum import luhn

from candidatures.dossiers.selectors import champs_prevision, indicateurs_numeriques
from candidatures.dossiers.services.montants import actualiser_montant_demande
from candidatures.models import (
    AppelAProjets,
    DocumentStructure,
    Dossier,
    Habilitation,
    InformationsAnnuelles,
    LigneBudget,
    LigneBudgetStructure,
    Membre,
    PrevisionIndicateur,
    ReponseExigence,
    Role,
    Statut,
    Structure,
    Utilisateur,
)
from referentiel.models import Action, Contrat

MOT_DE_PASSE = "mot-de-passe-de-test-42"


def siret_valide(n):
    """A SIRET that passes the Luhn checks of both its SIREN and itself, distinct for each ``n``."""
    siren = f"{n:08d}" + luhn.calc_check_digit(f"{n:08d}")
    debut = siren + "0001"
    return debut + luhn.calc_check_digit(debut)


class UtilisateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Utilisateur
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.test")
    # Fixed, distinct names: a random "Claude" once matched another test's search for "claude".
    prenom = "Personne"
    nom = factory.Sequence(lambda n: f"n°{n:05d}")
    email_confirme_le = factory.LazyFunction(timezone.now)
    password = factory.django.Password(MOT_DE_PASSE)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """Porteur and administrateur are portal-wide groups; instructeur and comité are held
        on a territory: ``roles__territoire`` (default: the default contract's), or on one
        contract with ``roles__contrat``."""
        contrat = kwargs.get("contrat")
        territoire = kwargs.get("territoire")
        if contrat is None and territoire is None:
            defaut = Contrat.objects.par_defaut()
            territoire = defaut.territoire if defaut else None
        for role in [*(extracted or []), *kwargs.get("trait", [])]:
            if role in (Role.PORTEUR, Role.ADMINISTRATEUR):
                self.groups.add(Group.objects.get_or_create(name=role)[0])
            else:
                Habilitation.objects.create(
                    utilisateur=self, role=role, contrat=contrat,
                    territoire=territoire or contrat.territoire,
                )

    class Params:
        porteur = factory.Trait(roles__trait=[Role.PORTEUR])
        instructeur = factory.Trait(roles__trait=[Role.INSTRUCTEUR])
        comite = factory.Trait(roles__trait=[Role.COMITE])
        administrateur = factory.Trait(roles__trait=[Role.ADMINISTRATEUR], is_staff=True)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    # Fixed width: the name of structure n°1 is never a substring of n°12's (searches, filters).
    raison_sociale = factory.Sequence(lambda n: f"Association des habitants n°{n:05d}")
    type = Structure.Type.ASSOCIATION
    siret = factory.Sequence(lambda n: siret_valide(100000 + n))
    rna = factory.Sequence(lambda n: f"W30{n:07d}")
    objet = "Animation de la vie des quartiers."
    adresse = "12 rue d'Avéjan"
    code_postal = "30100"
    commune = "Alès"
    representant_nom = "Martin"
    representant_prenom = "Claire"
    representant_fonction = "présidente"
    representant_telephone = "04 66 00 00 01"
    representant_email = factory.Sequence(lambda n: f"presidence{n}@association.test")
    contact_prenom = "Claire"
    contact_fonction = "coordinatrice"
    contact_nom = "Claire Martin"
    contact_email = factory.Sequence(lambda n: f"contact{n}@association.test")


class MembreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membre

    structure = factory.SubFactory(StructureFactory)
    utilisateur = factory.SubFactory(UtilisateurFactory, porteur=True)
    role = Membre.Role.RESPONSABLE

    class Params:
        contributeur = factory.Trait(role=Membre.Role.CONTRIBUTEUR)



def _pdf_minimal():
    """A real one-page PDF: uploads are checked by parsing them."""
    tampon = io.BytesIO()
    redacteur = PdfWriter()
    redacteur.add_blank_page(width=72, height=72)
    redacteur.write(tampon)
    return tampon.getvalue()


def _image_minimale(format_):
    tampon = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(tampon, format_)
    return tampon.getvalue()


PDF_MINIMAL = _pdf_minimal()
PNG_MINIMAL = _image_minimale("PNG")
JPEG_MINIMAL = _image_minimale("JPEG")


class AppelAProjetsFactory(factory.django.DjangoModelFactory):
    """An open call by default; traits ``a_venir`` and ``clos`` move its dates."""

    class Meta:
        model = AppelAProjets

    contrat = factory.LazyFunction(lambda: Contrat.objects.par_defaut())
    # The year in Paris, as the portal counts it (not UTC: they differ on 31 December evening).
    annee = factory.Sequence(lambda n: timezone.localdate().year + n)
    titre = factory.LazyAttribute(lambda o: f"Appel à projets {o.annee} du contrat de ville")
    presentation = "Les associations proposent des actions pour les quartiers prioritaires."
    ouverture = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=30))
    cloture = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))
    enveloppe_totale = 250000

    class Params:
        a_venir = factory.Trait(
            ouverture=factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=10)),
            cloture=factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=60)),
        )
        clos = factory.Trait(
            ouverture=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=400)),
            cloture=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=300)),
        )


def deposer_documents_structure(structure):
    """Give the structure the documents every dossier refers to."""
    for type_ in (
        DocumentStructure.Type.STATUTS,
        DocumentStructure.Type.LISTE_DIRIGEANTS,
        DocumentStructure.Type.RIB,
    ):
        if not DocumentStructure.objects.filter(
            structure=structure, type=type_, est_actuel=True
        ).exists():
            DocumentStructure.objects.create(
                structure=structure,
                type=type_,
                fichier=ContentFile(PDF_MINIMAL, name=f"{type_}.pdf"),
                nom_original=f"{type_}.pdf",
                taille=len(PDF_MINIMAL),
                type_mime="application/pdf",
                date_document=datetime.date(2024, 6, 1),
            )


BUDGET_COMPLET = {
    "60": 2000, "64": 8000, "ci": 500, "864": 1200,
    "74_etat_pv": 4000, "74_epci": 3500, "74_communes": 1000, "75": 2000, "756": 500,
    "758": 1500, "870": 1200,
}
BUDGET_ANNUEL = {
    "60": 10000, "61": 6000, "64": 60000, "864": 5000,
    "74_etat_pv": 20000, "74_epci": 16000, "70": 40000, "870": 5000,
}
PRECISIONS = {
    "74_communes": "Alès", "74_epci": "Alès Agglomération", "74_region": "Région Occitanie",
}


def declarer_informations_annuelles(structure, annee, **champs):
    """The structure's complete yearly declaration for ``annee`` (Cerfa n°12156*06)."""
    valeurs = {
        "commissaire_aux_comptes": False, "assujettie_impots_commerciaux": False,
        "affiliations": "Fédération des centres sociaux du Gard", "adherents": 120,
        "benevoles": 15, "volontaires": 2, "salaries": 4, "salaries_emplois_aides": 1,
        "etpt": Decimal("3.50"), "personnels_mis_a_disposition": 0,
        "cinq_plus_hauts_salaires": 98000, **champs,
    }
    informations, _cree = InformationsAnnuelles.objects.update_or_create(
        structure=structure, annee=annee, defaults=valeurs
    )
    for code, montant in BUDGET_ANNUEL.items():
        LigneBudgetStructure.objects.update_or_create(
            informations=informations, code=code, defaults={"montant": montant}
        )
    return informations


# What the complete Cerfa n°12156*06 adds to a dossier (cover, project, declaration).
PARTIES_CERFA = {
    "contact_prenom": "Claire", "contact_fonction": "coordinatrice", "aide_numeraire": True,
    "objet_demande": "projet", "duree_demande": "annuelle", "premiere_demande": "premiere",
    "volontaires": 1, "duree": "9 mois",
    "moyens_materiels": "Un camion aménagé, du matériel de jeux.",
    "evaluation": "Questionnaire aux habitants et feuilles de présence.",
    "signataire_est_representant": True, "declaration_minimis": "inferieur",
    "declaration_comptes_approuves": True, "declaration_compte_propre": True,
    "declaration_fait_a": "Alès",
}


def remplir_parties_cerfa(dossier):
    """Set the fields the complete Cerfa n°12156*06 adds, and declare the structure's year
    (the caller saves the dossier; its budget lines come from ``BUDGET_COMPLET``)."""
    for champ, valeur in PARTIES_CERFA.items():
        setattr(dossier, champ, valeur)
    declarer_informations_annuelles(dossier.structure, dossier.appel.annee)


def completer_dossier(dossier, signataire=None):
    """Fill every section of a draft on action 1.1.1.a (of its call's contract) so that it may
    be submitted."""
    annee = dossier.appel.annee
    contrat = dossier.appel.contrat
    dossier.action_principale = Action.objects.get(contrat=contrat, code="1.1.1.a")
    dossier.contact_nom = "Claire Martin"
    dossier.contact_email = "claire.martin@association.test"
    remplir_parties_cerfa(dossier)
    dossier.intitule = "Animations mobiles inter-quartiers"
    dossier.resume = "Un camion d'animation circule dans les quartiers."
    dossier.contexte = "Peu d'échanges entre quartiers."
    dossier.objectifs = "Créer des liens entre habitants."
    dossier.description = "Ateliers, jeux, goûters partagés."
    dossier.date_debut = datetime.date(annee, 3, 1)
    dossier.date_fin = datetime.date(annee, 11, 30)
    dossier.lieux = "Prés-Saint-Jean, Tamaris"
    dossier.part_beneficiaires_qpv = 80
    dossier.public_6_11 = True
    dossier.public_26_64 = True
    dossier.beneficiaires_femmes = 40
    dossier.beneficiaires_hommes = 35
    dossier.beneficiaires_filles = 30
    dossier.beneficiaires_garcons = 28
    dossier.salaries = 2
    dossier.etpt = "1.50"
    dossier.benevoles = 6
    dossier.partenaires = "Centre social, bailleur."
    dossier.save()
    dossier.quartiers.set(contrat.quartiers.filter(code="ales") or contrat.quartiers.all()[:1])
    for exigence in dossier.action_principale.objectif.exigences.all():
        ReponseExigence.objects.update_or_create(
            dossier=dossier, exigence=exigence, defaults={"texte": "Nous le faisons ainsi."}
        )
    for indicateur in indicateurs_numeriques(dossier):
        PrevisionIndicateur.objects.update_or_create(
            dossier=dossier,
            indicateur=indicateur,
            defaults={champ: 10 for champ in champs_prevision(indicateur)},
        )
    for code, montant in BUDGET_COMPLET.items():
        LigneBudget.objects.update_or_create(
            dossier=dossier,
            code=code,
            defaults={"montant": montant, "precision": PRECISIONS.get(code, "")},
        )
    actualiser_montant_demande(dossier)
    dossier.save(update_fields=["montant_demande"])
    deposer_documents_structure(dossier.structure)
    if signataire is not None:
        dossier.declaration_signee_par = signataire
        dossier.declaration_signataire = signataire.get_full_name()
        dossier.declaration_signee_le = timezone.now()
        dossier.save()
    return dossier


def _depose(**extra):
    return factory.Trait(
        numero=factory.Sequence(lambda n: n + 1),
        reference=factory.LazyAttribute(lambda o: f"AAP-{o.appel.annee}-{o.numero:04d}"),
        depose_le=factory.LazyFunction(timezone.now),
        **extra,
    )


class DossierFactory(factory.django.DjangoModelFactory):
    """A draft by default; one trait per status (``DossierFactory(en_instruction=True)``)."""

    class Meta:
        model = Dossier
        skip_postgeneration_save = True

    structure = factory.SubFactory(StructureFactory)
    appel = factory.SubFactory(AppelAProjetsFactory)
    intitule = factory.Sequence(lambda n: f"Projet n°{n:05d}")  # fixed width, like the names

    class Params:
        depose = _depose(statut=Statut.DEPOSE)
        en_instruction = _depose(statut=Statut.EN_INSTRUCTION)
        a_corriger = _depose(statut=Statut.A_CORRIGER)
        instruit = _depose(statut=Statut.INSTRUIT)
        retenu = _depose(statut=Statut.RETENU)
        non_retenu = _depose(statut=Statut.NON_RETENU)
        classe_sans_suite = _depose(statut=Statut.CLASSE_SANS_SUITE)
        en_cours = _depose(statut=Statut.EN_COURS)
        bilan_a_remettre = _depose(statut=Statut.BILAN_A_REMETTRE)
        bilan_depose = _depose(statut=Statut.BILAN_DEPOSE)
        bilan_a_corriger = _depose(statut=Statut.BILAN_A_CORRIGER)
        cloture = _depose(statut=Statut.CLOTURE)
        retire = factory.Trait(statut=Statut.RETIRE)

    @factory.post_generation
    def complet(self, create, extracted, **kwargs):
        if extracted:
            completer_dossier(self, signataire=extracted if extracted is not True else None)
