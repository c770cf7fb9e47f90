"""The trail of edits made to a dossier, and the copies of a dossier it compares."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from candidatures.dossiers.journal import comparer, prendre_instantane
from candidatures.dossiers.services import brouillons as services_dossiers
from candidatures.models import ModificationDossier, Section
from evaluation.instruction.selectors.suivi import chronologie
from tests.candidatures.factories import PDF_MINIMAL, DossierFactory, MembreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def membre():
    return MembreFactory()


def _a_corriger(membre, sections):
    dossier = DossierFactory(structure=membre.structure, a_corriger=True, complet=True)
    dossier.demandes_correction.create(message="À revoir.", sections_codes=",".join(sections))
    return dossier


def test_les_modifications_d_un_brouillon_sont_journalisees(membre):
    """Members editing a draft together can see who changed what."""
    brouillon = DossierFactory(structure=membre.structure)

    services_dossiers.enregistrer_brouillon(
        dossier=brouillon, par=membre.utilisateur, version=brouillon.version,
        champs={"intitule": "Nouveau titre"},
    )

    trace = ModificationDossier.objects.get(dossier=brouillon)
    assert (trace.champ, trace.apres, trace.par) == (
        "Intitulé du projet", "Nouveau titre", membre.utilisateur,
    )


def test_le_personnel_ne_voit_pas_la_redaction_du_brouillon(membre):
    """Staff's timeline starts at the submission: drafting stays the structure's."""
    dossier = DossierFactory(structure=membre.structure, a_corriger=True, complet=True)
    ModificationDossier.objects.create(
        dossier=dossier, section="projet", champ="Brouillon", par=membre.utilisateur,
        le=dossier.depose_le - timedelta(days=1),
    )
    ModificationDossier.objects.create(
        dossier=dossier, section="projet", champ="Correction", par=membre.utilisateur,
        le=dossier.depose_le + timedelta(days=1),
    )

    evenements = chronologie(dossier, complete=True)

    champs = [m.champ for e in evenements for m in e.changements]
    assert champs == ["Correction"]


def test_une_correction_est_journalisee_champ_par_champ(membre):
    """Each value changed in a dossier under correction is kept: who, before, after."""
    dossier = _a_corriger(membre, [Section.PROJET, Section.BUDGET])

    services_dossiers.enregistrer_brouillon(
        dossier=dossier, par=membre.utilisateur, version=dossier.version,
        champs={"lieux": "Tamaris"}, lignes={"60": {"montant": 2500}},
    )

    traces = {m.champ: m for m in ModificationDossier.objects.filter(dossier=dossier)}
    assert set(traces) == {"Lieux de réalisation", "60 Achats"}
    assert (traces["Lieux de réalisation"].avant, traces["Lieux de réalisation"].apres) == (
        "Prés-Saint-Jean, Tamaris", "Tamaris",
    )
    assert traces["60 Achats"].apres == "2\u00a0500\u00a0€"
    assert traces["60 Achats"].par == membre.utilisateur
    assert traces["60 Achats"].section == "budget"


def test_ajout_et_retrait_de_piece_journalises(membre):
    """Adding then removing an attachment during corrections leaves two entries."""
    dossier = _a_corriger(membre, [Section.PIECES])

    piece = services_dossiers.ajouter_piece(
        dossier=dossier, par=membre.utilisateur, type="devis",
        fichier=SimpleUploadedFile("devis.pdf", PDF_MINIMAL),
    )
    services_dossiers.supprimer_piece(piece=piece, par=membre.utilisateur)

    assert list(
        ModificationDossier.objects.filter(dossier=dossier).values_list("avant", "apres")
    ) == [("", "devis.pdf"), ("devis.pdf", "")]


def test_copies_identiques_sans_ecart(membre):
    """Two copies of an unchanged dossier do not differ."""
    dossier = DossierFactory(structure=membre.structure, depose=True, complet=True)

    assert comparer(prendre_instantane(dossier), prendre_instantane(dossier)) == []


def test_comparer_budget_et_reponses():
    """The comparison lists budget lines and answers that changed, in page order."""
    avant = {
        "champs": {},
        "reponses": {"1": {"libelle": "Exigence 1.1.1 n°1", "valeur": "Ancien texte"}},
        "lignes": {"60": {"libelle": "60 Achats", "valeur": "2000 €"}},
    }
    apres = {
        "champs": {},
        "reponses": {"1": {"libelle": "Exigence 1.1.1 n°1", "valeur": "Nouveau texte"}},
        "lignes": {
            "60": {"libelle": "60 Achats", "valeur": "2500 €"},
            "61": {"libelle": "61 Services extérieurs", "valeur": "300 €"},
        },
    }

    ecarts = comparer(avant, apres)

    assert [(e.section, e.libelle, e.avant, e.apres) for e in ecarts] == [
        ("cahier", "Exigence 1.1.1 n°1", "Ancien texte", "Nouveau texte"),
        ("budget", "60 Achats", "2000 €", "2500 €"),
        ("budget", "61 Services extérieurs", "", "300 €"),
    ]
