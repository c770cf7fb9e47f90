"""Two contracts side by side, for the isolation tests: A (the default contract) and B (its
successor on the same territory), each with a call and dossiers at every stage.

Everything of B carries the word « Cévenol » (titles, names) or a reference of B's call year,
so that a response can be searched for B's data. A's staff hold their roles on A only.
"""

import datetime

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from candidatures.dossiers.services.brouillons import creer_dossier
from candidatures.dossiers.services.depot import deposer_dossier
from candidatures.models import (
    DemandeAdhesion,
    DocumentStructure,
    EnveloppePilier,
    Membre,
    PieceJointe,
    Role,
)
from candidatures.structures import services as services_structures
from evaluation.conventions import services as services_conventions
from evaluation.instruction.pdf import generer_lettre
from evaluation.instruction.services import corrections as services_corrections
from evaluation.instruction.services import decisions as services_decisions
from evaluation.instruction.services import instruction as services_instruction
from evaluation.instruction.services import messages as services_messages
from evaluation.models import (
    AffectationPilier,
    Bilan,
    GenerationBilan,
    GenerationConvention,
    GenerationExport,
)
from referentiel.models import Contrat, Pilier
from tests.candidatures.factories import (
    PDF_MINIMAL,
    AppelAProjetsFactory,
    DossierFactory,
    MembreFactory,
    StructureFactory,
    UtilisateurFactory,
)
from tests.contrat_temoin import completer_dans_son_contrat, creer_contrat, habiliter
from tests.evaluation.factories import (
    BilanFactory,
    DecisionFactory,
    InstructionFactory,
    PieceBilanFactory,
    conclure,
    dossier_depose,
    remplir_grille,
)

MOT = "Cévenol"
ROLES_A = ("instructeur_a", "comite_a", "administrateur_a")


def _personne(nom, role=None, contrat=None):
    utilisateur = UtilisateurFactory(nom=nom)
    return habiliter(utilisateur, role, contrat) if role else utilisateur


def _deposer_b(membre, appel, intitule):
    dossier = creer_dossier(structure=membre.structure, appel=appel, par=membre.utilisateur)
    completer_dans_son_contrat(dossier, membre.utilisateur, intitule)
    deposer_dossier(dossier=dossier, par=membre.utilisateur)
    dossier.refresh_from_db()
    return dossier


def _generation(contrat, annee, structure=None):
    return GenerationBilan.objects.create(
        format=GenerationBilan.Format.PDF, contrat=contrat, annee_debut=annee, annee_fin=annee,
        structure=structure, empreinte="0" * 64, etat=GenerationBilan.Etat.TERMINEE,
        progression=100, fichier=ContentFile(PDF_MINIMAL, name="bilan.pdf"),
        taille=len(PDF_MINIMAL),
    )


def _cote_a(m):
    """A's call and dossiers, one of them of the structure that applies in both contracts."""
    contrat_a = Contrat.objects.par_defaut()
    m["contrat_a"] = contrat_a
    m["instructeur_a"] = _personne("Instructrice Alésienne", Role.INSTRUCTEUR, contrat_a)
    m["comite_a"] = _personne("Comité Alésien", Role.COMITE, contrat_a)
    m["administrateur_a"] = _personne("Administratrice Alésienne", Role.ADMINISTRATEUR, contrat_a)
    m["appel_a"] = AppelAProjetsFactory(contrat=contrat_a)
    m["membre_commun"] = MembreFactory(
        structure=StructureFactory(raison_sociale="Association des deux rives")
    )
    m["a_depose"] = dossier_depose(appel=m["appel_a"])
    m["a_commun"] = conclure(
        dossier_depose(membre=m["membre_commun"], appel=m["appel_a"]), m["instructeur_a"]
    )
    EnveloppePilier.objects.create(
        appel=m["appel_a"], pilier=Pilier.objects.get(contrat=contrat_a, code="1"), montant=1000
    )


def _cote_b(m):
    """B's call, staff, structure and dossiers at every stage, with their side objects."""
    contrat_b = creer_contrat(MOT, territoire=m["contrat_a"].territoire)
    m["contrat_b"] = contrat_b
    m["pilier_b"] = Pilier.objects.get(contrat=contrat_b)
    m["instructeur_b"] = _personne(f"Instructeur {MOT}", Role.INSTRUCTEUR, contrat_b)
    m["comite_b"] = _personne(f"Comité {MOT}", Role.COMITE, contrat_b)
    m["administrateur_b"] = _personne(f"Administrateur {MOT}", Role.ADMINISTRATEUR, contrat_b)
    appel = m["appel_b"] = AppelAProjetsFactory(contrat=contrat_b, titre=f"Appel {MOT}")
    membre = m["membre_b"] = MembreFactory(
        structure=StructureFactory(raison_sociale=f"Association {MOT}e"),
        utilisateur=UtilisateurFactory(nom=f"Porteuse {MOT}e", porteur=True),
    )
    m["contributeur_b"] = MembreFactory(structure=membre.structure, contributeur=True)
    m["demande_b"] = DemandeAdhesion.objects.create(
        structure=membre.structure, utilisateur=UtilisateurFactory()
    )
    m["invitation_b"] = services_structures.inviter_membre(
        structure=membre.structure, email="invitee.cevenole@exemple.test",
        role=Membre.Role.CONTRIBUTEUR, par=membre.utilisateur,
    )
    instructeur, comite = m["instructeur_b"], m["comite_b"]

    m["b_depose"] = _deposer_b(membre, appel, f"Projet {MOT} déposé")
    m["piece_b"] = PieceJointe.objects.create(
        dossier=m["b_depose"], fichier=ContentFile(PDF_MINIMAL, name="devis.pdf"),
        nom_original="devis-cevenol.pdf", taille=len(PDF_MINIMAL),
    )
    m["document_b"] = DocumentStructure.objects.filter(structure=membre.structure).first()
    m["b_en_instruction"] = _deposer_b(membre, appel, f"Projet {MOT} en instruction")
    services_instruction.prendre_en_instruction(dossier=m["b_en_instruction"], par=instructeur)
    services_messages.envoyer_message(
        dossier=m["b_en_instruction"], auteur=membre.utilisateur, texte=f"Question {MOT}",
        fichiers=[SimpleUploadedFile("calendrier.pdf", PDF_MINIMAL)],
    )
    services_messages.envoyer_message(
        dossier=m["b_en_instruction"], auteur=instructeur, texte=f"Réponse {MOT}"
    )
    m["piece_message_b"] = m["b_en_instruction"].messages.get(pieces__isnull=False).pieces.get()
    m["b_pret"] = _deposer_b(membre, appel, f"Projet {MOT} prêt à conclure")
    services_instruction.prendre_en_instruction(dossier=m["b_pret"], par=instructeur)
    remplir_grille(m["b_pret"], instructeur)
    a_corriger = _deposer_b(membre, appel, f"Projet {MOT} à corriger")
    services_instruction.prendre_en_instruction(dossier=a_corriger, par=instructeur)
    services_corrections.demander_corrections(
        dossier=a_corriger, par=instructeur, sections=["projet"], message=f"Précisez {MOT}"
    )
    m["b_instruit"] = conclure(_deposer_b(membre, appel, f"Projet {MOT} instruit"), instructeur)
    m["b_decide"] = conclure(_deposer_b(membre, appel, f"Projet {MOT} retenu"), instructeur)
    decision = services_decisions.decider(
        dossier=m["b_decide"], par=comite, nature="retenu", montant_accorde=4000,
        date_limite_bilan=timezone.localdate() + datetime.timedelta(days=200),
    )
    generer_lettre(decision=decision)
    _convention_b(m, instructeur)
    m["b_commun"] = _deposer_b(m["membre_commun"], appel, f"Projet {MOT} des deux rives")
    _bilans_b(m, membre, appel)
    m["b_brouillon"] = creer_dossier(
        structure=membre.structure, appel=appel, par=membre.utilisateur
    )
    EnveloppePilier.objects.create(appel=appel, pilier=m["pilier_b"], montant=50000)
    AffectationPilier.objects.create(pilier=m["pilier_b"], instructeur=instructeur)
    m["generation_b"] = _generation(contrat_b, appel.annee)
    m["generation_structure_b"] = _generation(contrat_b, appel.annee, membre.structure)
    m["export_b"] = GenerationExport.objects.create(
        nature=GenerationExport.Nature.FILE_CSV, appel=appel, empreinte="0" * 64,
        etat=GenerationExport.Etat.TERMINEE, progression=100,
        fichier=ContentFile(f"Projet {MOT}".encode(), name="export.csv"),
    )


def _convention_b(m, instructeur):
    """B's retained dossier gets its convention (with its PDF) and an advance."""
    convention = services_conventions.enregistrer_convention(
        dossier=m["b_decide"], par=instructeur, reference=f"CONV-{MOT}",
        date_signature=timezone.localdate() - datetime.timedelta(days=2),
        signataires=f"Présidente {MOT}e", deliberation=f"COPIL {MOT}", part_avance=50,
    )
    generation = convention.generations.get()
    generation.fichier.save("convention.pdf", ContentFile(PDF_MINIMAL), save=False)
    generation.etat = GenerationConvention.Etat.TERMINEE
    generation.save()
    services_conventions.enregistrer_paiement(
        convention=convention, par=instructeur, nature="avance",
        date=convention.date_signature, montant=2000,
    )


def _bilans_b(m, membre, appel):
    """A submitted bilan (with a document) and one being typed, built by factories."""
    for cle, trait, numero in (("b_bilan", "bilan_depose", 90), ("b_a_remettre",
                                                                 "bilan_a_remettre", 91)):
        dossier = DossierFactory(
            structure=membre.structure, appel=appel, numero=numero,
            reference=f"AAP-{appel.annee}-{numero:04d}", intitule=f"Projet {MOT} n°{numero}",
            **{trait: True},
        )
        InstructionFactory(dossier=dossier, instructeur=m["instructeur_b"])
        DecisionFactory(dossier=dossier)
        bilan = BilanFactory(dossier=dossier, realisation=f"Réalisation {MOT}")
        if trait == "bilan_depose":
            Bilan.objects.filter(pk=bilan.pk).update(depose_le=timezone.now())
            m["piece_bilan_b"] = PieceBilanFactory(bilan=bilan)
        m[cle] = dossier


def construire():
    """The whole world; a dict of its objects by name."""
    m = {}
    _cote_a(m)
    _cote_b(m)
    for valeur in m.values():
        if hasattr(valeur, "statut") and hasattr(valeur, "refresh_from_db"):
            valeur.refresh_from_db()
    return m


def marqueurs_de_b(m):
    """What no response to A's staff may contain: B's word and B's dossier references."""
    references = {
        d.reference for cle, d in m.items()
        if cle.startswith("b_") and getattr(d, "reference", "")
    }
    return [MOT, *sorted(references)]
