"""Services of dossiers: eligibility, drafts, lost updates, completeness, submission, renewal."""

import datetime
import zoneinfo
from unittest import mock

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from candidatures.commun.erreurs import ConflitVersion, ErreurMetier, Incomplet
from candidatures.dossiers.selectors import manques, totaux_budget
from candidatures.dossiers.services.brouillons import (
    ajouter_piece,
    creer_dossier,
    enregistrer_brouillon,
    signer_declaration,
)
from candidatures.dossiers.services.depot import (
    deposer_dossier,
    ouvrir_corrections,
    renouveler_dossier,
    retirer_dossier,
)
from candidatures.dossiers.services.eligibilite import action_eligible
from candidatures.dossiers.services.statuts import changer_statut
from candidatures.models import (
    TRANSITIONS,
    CompteurReferences,
    Dossier,
    HistoriqueStatut,
    LigneBudget,
    PrevisionIndicateur,
    Section,
    Statut,
)
from referentiel.models import Action, Contrat, Indicateur, QuartierPrioritaire

from .factories import (
    PDF_MINIMAL,
    AppelAProjetsFactory,
    DossierFactory,
    MembreFactory,
    StructureFactory,
)
from .test_cycle import PASSAGES_PERMIS

DEFAUT = Contrat.objects.par_defaut

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def responsable():
    return MembreFactory()


@pytest.fixture
def brouillon(responsable):
    return DossierFactory(structure=responsable.structure)


@pytest.fixture
def complet(responsable):
    return DossierFactory(structure=responsable.structure, complet=responsable.utilisateur)


# --- Eligibility of actions ----------------------------------------------------------------


def test_une_action_ordinaire_est_eligible():
    """An action of an objective inside the call is accepted, whatever the case typed."""

    action = action_eligible(" 1.1.1.A ", DEFAUT())

    assert action.code == "1.1.1.a"


def test_action_dun_objectif_hors_appel_refusee():
    """Actions of an objective marked "hors appel à projets" are refused with the reason."""
    code = Action.objects.filter(objectif__hors_appel_a_projets=True).first().code

    with pytest.raises(ErreurMetier, match="hors appel à projets"):
        action_eligible(code, DEFAUT())


def test_objectif_sans_action_refuse():
    """An objective without any action (2.3.7) cannot be chosen."""

    with pytest.raises(ErreurMetier, match="n'a aucune action"):
        action_eligible("2.3.7", DEFAUT())


def test_objectif_qui_renvoie_pointe_vers_les_actions_cibles():
    """1.6.5 only refers to 1.1.1 and 1.1.3: the message lists their actions."""

    with pytest.raises(ErreurMetier) as erreur:
        action_eligible("1.6.5", DEFAUT())

    assert "1.1.1.a" in str(erreur.value) and "1.1.3.a" in str(erreur.value)


def test_action_qui_renvoie_pointe_vers_lobjectif_cible():
    """Action 1.6.1.a is a "Cf. objectif opérationnel 1.1.3": its actions are proposed."""

    with pytest.raises(ErreurMetier, match="1.1.3.a, 1.1.3.b, 1.1.3.c"):
        action_eligible("1.6.1.a", DEFAUT())


def test_code_dobjectif_avec_actions_demande_une_action():
    """Typing an objective code asks for one of its actions."""

    with pytest.raises(ErreurMetier, match="1.1.1.a, 1.1.1.b"):
        action_eligible("1.1.1", DEFAUT())


def test_code_inconnu_refuse():
    """An unknown code is refused with the expected form of a code."""

    with pytest.raises(ErreurMetier, match="Aucune action"):
        action_eligible("9.9.9.z", DEFAUT())


# --- Status machine -----------------------------------------------------------------------


@pytest.mark.parametrize("de", list(Statut))
@pytest.mark.parametrize("vers", list(Statut))
def test_changer_statut_suit_la_table_des_transitions(de, vers, responsable):
    """Every listed move is applied and logged; every other move is refused in French."""
    dossier = DossierFactory(statut=de)
    par = responsable.utilisateur

    if (de, vers) in PASSAGES_PERMIS:
        changer_statut(dossier=dossier, vers=vers, par=par, motif="test")
        dossier.refresh_from_db()
        assert dossier.statut == vers
        ligne = dossier.historique.get()
        assert (ligne.de, ligne.vers, ligne.par, ligne.motif) == (de, vers, par, "test")
    else:
        with pytest.raises(ErreurMetier, match="ne peut pas passer"):
            changer_statut(dossier=dossier, vers=vers, par=par)
        dossier.refresh_from_db()
        assert dossier.statut == de
        assert not dossier.historique.exists()


def test_retrait_possible_avant_la_decision_seulement():
    """Withdrawal is listed from every status before the decision, and from none after."""

    avant = {s for s, suivants in TRANSITIONS.items() if Statut.RETIRE in suivants}

    assert avant == {
        Statut.BROUILLON, Statut.DEPOSE, Statut.EN_INSTRUCTION, Statut.A_CORRIGER, Statut.INSTRUIT
    }


# --- Drafts and lost updates ---------------------------------------------------------------


def test_creer_dossier_historise_la_creation(responsable):
    """A new draft starts with a creation row in its history and the structure's contact."""
    appel = AppelAProjetsFactory()

    dossier = creer_dossier(
        structure=responsable.structure, appel=appel, par=responsable.utilisateur
    )

    assert dossier.statut == Statut.BROUILLON
    assert dossier.contact_nom == responsable.structure.contact_nom
    assert dossier.historique.get().de == ""


def test_creer_dossier_refuse_sur_un_appel_clos(responsable):
    """No new draft on a closed call."""
    appel = AppelAProjetsFactory(clos=True)

    with pytest.raises(ErreurMetier, match="clos"):
        creer_dossier(
            structure=responsable.structure, appel=appel, par=responsable.utilisateur
        )


def test_enregistrer_brouillon_incremente_la_version(brouillon, responsable):
    """A save that changes something bumps the version and records who saved."""

    resultat = enregistrer_brouillon(
        dossier=brouillon, par=responsable.utilisateur, version=1,
        champs={"resume": "Un résumé", "quartiers": QuartierPrioritaire.objects.all()[:2]},
    )

    brouillon.refresh_from_db()
    assert resultat.modifie
    assert (brouillon.version, brouillon.resume) == (2, "Un résumé")
    assert brouillon.quartiers.count() == 2
    assert brouillon.modifie_par == responsable.utilisateur


def test_enregistrer_sans_changement_garde_la_version(brouillon, responsable):
    """An autosave with nothing new leaves the version alone."""

    enregistrer_brouillon(
        dossier=brouillon, par=responsable.utilisateur, version=1,
        champs={"intitule": brouillon.intitule},
    )

    brouillon.refresh_from_db()
    assert brouillon.version == 1


def test_deuxieme_enregistrement_sur_version_perimee_refuse(brouillon, responsable):
    """Two members saving from the same version: the second is refused, nothing overwritten."""
    collegue = MembreFactory(structure=brouillon.structure, contributeur=True).utilisateur
    enregistrer_brouillon(
        dossier=brouillon, par=collegue, version=1, champs={"resume": "Version du collègue"}
    )

    with pytest.raises(ConflitVersion) as conflit:
        enregistrer_brouillon(
            dossier=brouillon, par=responsable.utilisateur, version=1,
            champs={"resume": "Ma version"},
        )

    brouillon.refresh_from_db()
    assert brouillon.resume == "Version du collègue"
    assert str(collegue) in str(conflit.value)
    assert conflit.value.objet.version == 2


def test_lignes_budget_et_previsions_enregistrees(brouillon, responsable):
    """Budget lines and forecast values are rows with real columns."""
    brouillon.action_principale = Action.objects.get(code="1.1.1.a")
    brouillon.save()
    indicateur = Indicateur.objects.get(objectif__code="1.1.1", ventilation="FH")

    enregistrer_brouillon(
        dossier=brouillon, par=responsable.utilisateur, version=1,
        lignes={"60": {"montant": 1000}, "74_etat_pv": {"montant": 1000}},
        previsions={indicateur.pk: {"valeur_femmes": 12, "valeur_hommes": 10}},
    )

    assert LigneBudget.objects.get(dossier=brouillon, code="60").montant == 1000
    prevision = PrevisionIndicateur.objects.get(dossier=brouillon, indicateur=indicateur)
    assert (prevision.valeur_femmes, prevision.valeur_hommes, prevision.total) == (12, 10, 22)


def test_montant_negatif_refuse_par_la_base(brouillon):
    """The database refuses a negative amount or forecast value."""

    with pytest.raises(IntegrityError), transaction.atomic():
        LigneBudget.objects.create(dossier=brouillon, code="60", montant=-1)
    indicateur = Indicateur.objects.filter(nature="nombre").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        PrevisionIndicateur.objects.create(
            dossier=brouillon, indicateur=indicateur, valeur_femmes=-3
        )


def test_modifier_apres_signature_annule_la_declaration(complet, responsable):
    """The declaration vouches for the content: changing the content voids it."""

    resultat = enregistrer_brouillon(
        dossier=complet, par=responsable.utilisateur, version=complet.version,
        champs={"resume": "Nouveau résumé"},
    )

    complet.refresh_from_db()
    assert resultat.signature_annulee
    assert not complet.est_signe


def test_seul_un_responsable_signe_la_declaration(brouillon):
    """A contributeur cannot sign the déclaration sur l'honneur; a responsable can."""
    contributeur = MembreFactory(structure=brouillon.structure, contributeur=True).utilisateur
    responsable = MembreFactory(structure=brouillon.structure).utilisateur

    with pytest.raises(ErreurMetier, match="responsable"):
        signer_declaration(dossier=brouillon, par=contributeur)
    signe = signer_declaration(dossier=brouillon, par=responsable, qualite="président")

    assert signe.declaration_signataire == responsable.get_full_name()
    assert signe.declaration_signee_le is not None


# --- Completeness -----------------------------------------------------------------------------


def test_brouillon_vide_incomplet_dans_chaque_section(brouillon):
    """An empty draft lacks something in every section (indicators follow the action chosen)."""

    resultat = manques(brouillon)

    assert set(resultat) == set(Section) - {Section.INDICATEURS}


def test_dossier_complet_na_plus_rien_a_completer(complet):
    """The factory's complete dossier passes every check."""

    assert manques(complet) == {}


def test_exigence_sans_reponse_bloque(complet):
    """Every requirement of the cahier des charges needs an answer."""
    complet.reponses.first().delete()

    assert list(manques(complet)) == [Section.CAHIER]


def test_exigences_des_actions_secondaires_demandees(complet):
    """A secondary action of another objective adds that objective's requirements."""
    complet.actions_secondaires.add(Action.objects.get(code="1.1.3.a"))

    assert len(manques(complet)[Section.CAHIER]) == 5


def test_dates_hors_annee_sans_justification(complet):
    """Dates outside the call's year need a justification."""
    complet.date_fin = datetime.date(complet.appel.annee + 1, 2, 1)
    complet.save()

    assert "Justification" in manques(complet)[Section.PROJET][0]
    complet.justification_dates = "Le projet suit l'année scolaire."
    complet.save()
    assert manques(complet) == {}


def test_budget_desequilibre_refuse(complet):
    """Total charges must equal total produits."""
    LigneBudget.objects.filter(dossier=complet, code="60").update(montant=2001)

    assert "égal au total des produits" in manques(complet)[Section.BUDGET][0]


def test_contributions_en_nature_desequilibrees_refusees(complet):
    """86 must equal 87."""
    LigneBudget.objects.filter(dossier=complet, code="870").update(montant=1000)

    assert "(86 : 1\u00a0200\u00a0€)" in " ".join(manques(complet)[Section.BUDGET])


def test_totaux_et_montant_demande(complet):
    """The contrat de ville request is État politique de la ville + Alès Agglomération."""

    totaux = totaux_budget(complet)

    assert (totaux.charges, totaux.produits) == (10500, 10500)
    assert (totaux.contributions_emplois, totaux.contributions_ressources) == (1200, 1200)
    assert totaux.montant_demande == 7500
    assert str(totaux.part_demandee) == "71.4"


# --- Submission -------------------------------------------------------------------------------


def test_deposer_attribue_une_reference_et_envoie_le_recepisse(
    complet, responsable, django_capture_on_commit_callbacks, executer_taches
):
    """Submitting gives AAP-<year>-0001, logs the move; the worker e-mails the récépissé PDF."""

    with django_capture_on_commit_callbacks(execute=True):
        deposer_dossier(dossier=complet, par=responsable.utilisateur)

    complet.refresh_from_db()
    assert complet.statut == Statut.DEPOSE
    assert complet.reference == f"AAP-{complet.appel.annee}-0001"
    assert complet.historique.last().vers == Statut.DEPOSE
    assert mail.outbox == []  # the submission does not wait for the PDF
    executer_taches()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [responsable.utilisateur.email]
    nom, contenu, type_mime = mail.outbox[0].attachments[0]
    assert nom == f"recepisse-{complet.reference}.pdf" and contenu.startswith(b"%PDF")


def test_references_successives(responsable):
    """Two submissions on the same call get consecutive numbers."""
    appel = AppelAProjetsFactory()
    a = DossierFactory(structure=responsable.structure, appel=appel, complet=True)
    b = DossierFactory(structure=responsable.structure, appel=appel, complet=True)
    for d in (a, b):
        signer_declaration(dossier=d, par=responsable.utilisateur)

    deposer_dossier(dossier=a, par=responsable.utilisateur)
    deposer_dossier(dossier=b, par=responsable.utilisateur)

    assert [a.reference[-4:], b.reference[-4:]] == ["0001", "0002"]
    assert CompteurReferences.objects.get(appel=appel).dernier_numero == 2


def test_deposer_incomplet_refuse(brouillon, responsable):
    """An incomplete draft is not submitted and keeps no reference."""

    with pytest.raises(Incomplet) as erreur:
        deposer_dossier(dossier=brouillon, par=responsable.utilisateur)

    brouillon.refresh_from_db()
    assert brouillon.statut == Statut.BROUILLON and brouillon.reference == ""
    assert Section.BUDGET in erreur.value.manques


def _appel_clos_a(heure_paris):
    cloture = datetime.datetime(2031, 3, 31, *heure_paris, tzinfo=PARIS)
    return AppelAProjetsFactory(
        annee=2031, ouverture=cloture - datetime.timedelta(days=60), cloture=cloture
    )


def test_depot_accepte_jusqua_la_derniere_seconde_heure_de_paris(responsable):
    """Closing at 12:00 Paris time (10:00 UTC, summer time): 11:59:59 is still in time."""
    appel = _appel_clos_a((12, 0))
    dossier = DossierFactory(structure=responsable.structure, appel=appel, complet=True)
    signer_declaration(dossier=dossier, par=responsable.utilisateur)
    juste_avant = datetime.datetime(2031, 3, 31, 11, 59, 59, tzinfo=PARIS)

    deposer_dossier(dossier=dossier, par=responsable.utilisateur, maintenant=juste_avant)

    assert dossier.statut == Statut.DEPOSE


def test_depot_refuse_a_la_minute_de_cloture(responsable):
    """At 12:00:00 Paris time the call is closed, even if the server clock is in UTC."""
    appel = _appel_clos_a((12, 0))
    dossier = DossierFactory(structure=responsable.structure, appel=appel, complet=True)
    signer_declaration(dossier=dossier, par=responsable.utilisateur)
    a_la_minute = datetime.datetime(2031, 3, 31, 10, 0, tzinfo=datetime.UTC)

    with mock.patch("django.utils.timezone.now", return_value=a_la_minute), pytest.raises(
        ErreurMetier, match="31 mars 2031 à 12:00"
    ):
        deposer_dossier(dossier=dossier, par=responsable.utilisateur)

    dossier.refresh_from_db()
    assert dossier.statut == Statut.BROUILLON


def test_depot_refuse_avant_ouverture(responsable):
    """A call that has not opened yet refuses submissions."""
    dossier = DossierFactory(
        structure=responsable.structure, appel=AppelAProjetsFactory(a_venir=True), complet=True
    )
    signer_declaration(dossier=dossier, par=responsable.utilisateur)

    with pytest.raises(ErreurMetier, match="n'ouvre que"):
        deposer_dossier(dossier=dossier, par=responsable.utilisateur)


def test_deposer_deux_fois_refuse(complet, responsable):
    """A submitted dossier cannot be submitted again."""
    deposer_dossier(dossier=complet, par=responsable.utilisateur)

    with pytest.raises(ErreurMetier, match="il ne peut pas être déposé"):
        deposer_dossier(dossier=complet, par=responsable.utilisateur)


def test_dossier_depose_nest_plus_modifiable(complet, responsable):
    """Once submitted, the structure cannot change it."""
    deposer_dossier(dossier=complet, par=responsable.utilisateur)
    complet.refresh_from_db()

    with pytest.raises(ErreurMetier, match="plus modifiable"):
        enregistrer_brouillon(
            dossier=complet, par=responsable.utilisateur, version=complet.version,
            champs={"resume": "Trop tard"},
        )


# --- Withdrawal, corrections -------------------------------------------------------------


def test_retrait_avec_motif(complet, responsable):
    """A withdrawal records its reason in the history."""
    deposer_dossier(dossier=complet, par=responsable.utilisateur)

    retirer_dossier(dossier=complet, par=responsable.utilisateur, motif="Projet annulé")

    complet.refresh_from_db()
    assert complet.statut == Statut.RETIRE
    assert complet.historique.last().motif == "Projet annulé"


def test_retrait_sans_motif_refuse(brouillon, responsable):
    """The reason of a withdrawal is required."""

    with pytest.raises(ErreurMetier, match="motif"):
        retirer_dossier(dossier=brouillon, par=responsable.utilisateur, motif="  ")


def test_retrait_apres_decision_refuse(responsable):
    """A dossier already decided cannot be withdrawn."""
    dossier = DossierFactory(structure=responsable.structure, retenu=True)

    with pytest.raises(ErreurMetier, match="ne peut pas passer"):
        retirer_dossier(dossier=dossier, par=responsable.utilisateur, motif="Trop tard")


def test_corrections_ouvrent_les_seules_sections_nommees(complet, responsable):
    """A dossier "à corriger" reopens the named sections (and the declaration)."""
    instructeur = MembreFactory().utilisateur
    deposer_dossier(dossier=complet, par=responsable.utilisateur)
    changer_statut(dossier=complet, vers=Statut.EN_INSTRUCTION, par=instructeur)

    ouvrir_corrections(
        dossier=complet, sections=[Section.BUDGET], par=instructeur, message="Détaillez le 60."
    )

    complet.refresh_from_db()
    assert complet.sections_modifiables() == ["budget", "declaration"]
    enregistrer_brouillon(
        dossier=complet, par=responsable.utilisateur, version=complet.version,
        lignes={"60": {"montant": 2000, "precision": "fournitures"}},
    )
    complet.refresh_from_db()
    with pytest.raises(ErreurMetier, match="n'est pas ouverte"):
        enregistrer_brouillon(
            dossier=complet, par=responsable.utilisateur, version=complet.version,
            champs={"resume": "Autre"},
        )
    reference = complet.reference
    signer_declaration(dossier=complet, par=responsable.utilisateur)
    deposer_dossier(dossier=complet, par=responsable.utilisateur)
    complet.refresh_from_db()
    assert complet.statut == Statut.DEPOSE and complet.reference == reference
    assert complet.demandes_correction.get().traitee_le is not None


# --- Renewal ----------------------------------------------------------------------------------


def test_renouveler_copie_le_contenu_pas_la_decision(responsable):
    """Renewal copies texts, codes, QPV, publics, budget and answers — not status or values."""
    ancien = DossierFactory(
        structure=responsable.structure,
        appel=AppelAProjetsFactory(clos=True),
        retenu=True,
        complet=responsable.utilisateur,
    )
    ancien.actions_secondaires.add(Action.objects.get(code="1.1.1.b"))
    nouvel_appel = AppelAProjetsFactory()

    nouveau = renouveler_dossier(
        source=ancien, appel=nouvel_appel, par=responsable.utilisateur
    )

    assert (nouveau.statut, nouveau.reference, nouveau.appel) == ("brouillon", "", nouvel_appel)
    assert nouveau.intitule == ancien.intitule
    assert nouveau.action_principale == ancien.action_principale
    assert list(nouveau.actions_secondaires.values_list("code", flat=True)) == ["1.1.1.b"]
    assert nouveau.quartiers.count() == 1 and nouveau.public_26_64
    assert totaux_budget(nouveau) == totaux_budget(ancien)
    assert nouveau.reponses.count() == ancien.reponses.count()
    assert not nouveau.previsions.exists()
    assert not nouveau.est_signe and nouveau.date_debut is None
    assert nouveau.renouvelle == ancien
    assert "Renouvellement" in nouveau.historique.get().motif


def test_renouveler_sur_le_meme_appel_refuse(complet, responsable):
    """A dossier is renewed on another year's call."""

    with pytest.raises(ErreurMetier, match="autre année"):
        renouveler_dossier(
            source=complet, appel=complet.appel, par=responsable.utilisateur
        )


# --- Attachments ---------------------------------------------------------------------------


def test_piece_jointe_pdf_acceptee(brouillon, responsable):
    """A real PDF is stored under a random name outside the web root."""
    fichier = SimpleUploadedFile("devis.pdf", PDF_MINIMAL, content_type="application/pdf")

    piece = ajouter_piece(
        dossier=brouillon, par=responsable.utilisateur, fichier=fichier, type="devis"
    )

    assert piece.nom_original == "devis.pdf"
    assert piece.fichier.name.startswith(f"dossiers/{brouillon.pk}/")
    assert "devis" not in piece.fichier.name


def test_piece_jointe_deguisee_refusee(brouillon, responsable):
    """A file whose content does not match its extension is refused."""
    fichier = SimpleUploadedFile("devis.pdf", b"MZ\x90\x00 exe", content_type="application/pdf")

    with pytest.raises(ErreurMetier, match="ne correspond pas"):
        ajouter_piece(
            dossier=brouillon, par=responsable.utilisateur, fichier=fichier, type="devis"
        )


def test_piece_jointe_trop_lourde_refusee(brouillon, responsable, settings):
    """Files above the size limit are refused."""
    settings.PORTAIL_DOCUMENT_TAILLE_MAX = 10
    fichier = SimpleUploadedFile("devis.pdf", PDF_MINIMAL, content_type="application/pdf")

    with pytest.raises(ErreurMetier, match="limite"):
        ajouter_piece(
            dossier=brouillon, par=responsable.utilisateur, fichier=fichier, type="devis"
        )


def test_autre_structure_ne_voit_pas_le_dossier(complet):
    """The scoped queryset hides a structure's dossiers from other structures."""
    autre = MembreFactory(structure=StructureFactory()).utilisateur

    assert not Dossier.objects.visibles_par(autre).exists()
    assert HistoriqueStatut.objects.count() == 0


def test_documents_de_la_structure_figes_au_depot(complet, responsable):
    """The structure's current documents are referenced at submission; later versions are not."""
    deposer_dossier(dossier=complet, par=responsable.utilisateur)
    statuts = complet.structure.documents.get(type="statuts", est_actuel=True)
    statuts.est_actuel = False
    statuts.save()

    complet.refresh_from_db()

    assert statuts in complet.documents_deposes.all()
    assert complet.documents_deposes.count() == 3
