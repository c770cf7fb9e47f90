"""SCDL « subventions » that means what it says, and the yearly public file.

The dataset below is written out with the values the file must carry: the convention's date
(not the decision's), the payment date or period, 1.00 for a single beneficiary, the call's
dispositif d'aide identifier or nothing.
"""

import csv
import datetime
import io
import uuid

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from candidatures.commun.erreurs import ErreurMetier
from evaluation.conventions import services as services_conventions
from evaluation.donnees_ouvertes import selectors
from evaluation.donnees_ouvertes import services as services_publication
from evaluation.donnees_ouvertes.scdl import COLONNES_SCDL, subventions_scdl
from evaluation.donnees_ouvertes.selectors import subventions_a_publier
from evaluation.models import Decision, GenerationPublication, PublicationDonnees
from tests.candidatures.factories import siret_valide

from . import scdl_schema
from .factories import (
    AppelAProjetsFactory,
    BilanFactory,
    DecisionFactory,
    DossierFactory,
    InstructionFactory,
    MembreFactory,
    UtilisateurFactory,
)

pytestmark = pytest.mark.django_db

SIRET_AGGLO = siret_valide(4242)  # a test value, not the real one
DISPOSITIF = uuid.UUID("65d5b6c7-102c-4440-ac3b-768f708edc0a")


def _subvention(appel, *, accorde, rna, intitule, versement="echelonne"):
    motif = "" if rna else "Association récente, numéro RNA en cours d'attribution."
    membre = MembreFactory(structure__rna=rna, structure__rna_absent_motif=motif)
    dossier = DossierFactory(structure=membre.structure, appel=appel, en_cours=True, complet=True)
    dossier.intitule = intitule
    dossier.save(update_fields=["intitule"])
    InstructionFactory(dossier=dossier, montant_demande=40000, montant_propose=accorde)
    DecisionFactory(
        dossier=dossier, montant_demande=40000, montant_accorde=accorde, versement=versement,
        reference_deliberation="COPIL-2026-04",
        decidee_le=timezone.make_aware(datetime.datetime(2026, 2, 10, 18, 30)),
    )
    return dossier


def _conventionner(dossier, par, date, part, publier=False):
    return services_conventions.enregistrer_convention(
        dossier=dossier, par=par, reference=f"CONV-{dossier.pk}", date_signature=date,
        signataires="Le président ; la présidente", deliberation="COPIL-2026-04",
        part_avance=part, publier=publier,
    )


def _payer(convention, par, nature, date, montant):
    services_conventions.enregistrer_paiement(
        convention=convention, par=par, nature=nature, date=date, montant=montant
    )


@pytest.fixture
def jeu():
    """Three subsidies of 2026 with conventions and payments, one without a convention."""
    appel = AppelAProjetsFactory(annee=2026)
    instructeur = UtilisateurFactory(instructeur=True)
    echelonnee = _subvention(appel, accorde=30000, rna="W301000001", intitule="Jardins partagés")
    unique = _subvention(appel, accorde=24000, rna="", intitule="Soutien scolaire",
                         versement="unique")
    petite = _subvention(appel, accorde=5000, rna="W301000003", intitule="Fête de quartier")
    sans_convention = _subvention(appel, accorde=26000, rna="W301000004", intitule="Café")

    c1 = _conventionner(echelonnee, instructeur, datetime.date(2026, 3, 15), 50)
    _payer(c1, instructeur, "avance", datetime.date(2026, 4, 2), 15000)
    BilanFactory(dossier=echelonnee, depose_le=timezone.now(), valide_le=timezone.now())
    _payer(c1, instructeur, "solde", datetime.date(2026, 10, 20), 15000)
    c2 = _conventionner(unique, instructeur, datetime.date(2026, 3, 20), 100)
    _payer(c2, instructeur, "avance", datetime.date(2026, 5, 10), 24000)
    _conventionner(petite, instructeur, datetime.date(2026, 3, 25), 50)
    return {
        "appel": appel, "instructeur": instructeur, "echelonnee": echelonnee,
        "unique": unique, "petite": petite, "sans_convention": sans_convention,
    }


def _lignes(contenu):
    entete, *lignes = list(csv.reader(io.StringIO(contenu.decode("utf-8"))))
    return {ligne[COLONNES_SCDL.index("objet")].split(" (")[0]: dict(zip(entete, ligne,
                                                                         strict=True))
            for ligne in lignes}


def _decisions(appel):
    return Decision.objects.filter(dossier__appel=appel, nature="retenu")


@override_settings(ATTRIBUANT_SIRET=SIRET_AGGLO)
def test_les_quatre_sens_sur_un_jeu_ecrit(jeu):
    """Convention date, payment date or period, 1.00, dispositif: the values the test states."""
    lignes = _lignes(subventions_scdl(_decisions(jeu["appel"])))

    jardins, scolaire = lignes["Jardins partagés"], lignes["Soutien scolaire"]
    assert jardins["dateConvention"] == "2026-03-15"  # decided on 2026-02-10
    assert jardins["conditionsVersement"] == "échelonné"
    assert jardins["datesPeriodeVersement"] == "2026-04-02/2026-10-20"
    assert jardins["pourcentageSubvention"] == "1.00"
    assert jardins["rnaBeneficiaire"] == "W301000001"
    assert jardins["montant"] == "30000.00"
    assert jardins["dispositifAide"] == ""
    assert scolaire["dateConvention"] == "2026-03-20"
    assert scolaire["conditionsVersement"] == "unique"
    assert scolaire["datesPeriodeVersement"] == "2026-05-10"
    assert scolaire["pourcentageSubvention"] == "1.00"
    assert scolaire["rnaBeneficiaire"] == ""
    assert "Café" not in lignes  # no convention yet: no dateConvention, no row


@override_settings(ATTRIBUANT_SIRET=SIRET_AGGLO)
def test_echelonne_sans_solde_verse_periode_jusqu_au_bilan(jeu):
    """Advance not paid yet: from the convention's date to the bilan's due date."""
    lignes = _lignes(subventions_scdl(_decisions(jeu["appel"])))

    fin = jeu["petite"].decision.date_limite_bilan.isoformat()
    assert lignes["Fête de quartier"]["datesPeriodeVersement"] == f"2026-03-25/{fin}"


@override_settings(ATTRIBUANT_SIRET=SIRET_AGGLO)
def test_dispositif_d_aide_quand_l_administrateur_le_renseigne(jeu):
    services_conventions.parametrer_conventions(
        appel=jeu["appel"], par=UtilisateurFactory(administrateur=True), part_avance=50,
        modele_texte="{objet}", dispositif_aide=DISPOSITIF,
    )

    lignes = _lignes(subventions_scdl(_decisions(jeu["appel"])))

    assert {ligne["dispositifAide"] for ligne in lignes.values()} == {str(DISPOSITIF)}


@override_settings(ATTRIBUANT_SIRET=SIRET_AGGLO)
def test_le_fichier_respecte_le_schema(jeu):
    """Every row valid against the shipped schema v2.1.1."""
    contenu = subventions_scdl(_decisions(jeu["appel"]))

    assert scdl_schema.problemes(contenu) == []
    assert len(_lignes(contenu)) == 3


def test_le_validateur_trouve_les_fautes():
    """The validator is not vacuous: an empty required field, a bad pattern, a percentage."""
    entete = ",".join(COLONNES_SCDL)
    ligne = ("Alès Agglomération,123,,D1,Asso,,W12,Objet,12.5,aide en numéraire,unique,"
             "2026-13,,peut-être,1.5,pas-un-uuid")

    trouves = scdl_schema.problemes(f"{entete}\r\n{ligne}\r\n".encode())

    noms = " ".join(trouves)
    for champ in ("idAttribuant", "dateConvention", "rnaBeneficiaire",
                  "datesPeriodeVersement", "notificationUE", "pourcentageSubvention",
                  "dispositifAide"):
        assert champ in noms


def test_publication_refusee_avec_le_siret_provisoire(jeu):
    """The placeholder SIRET can never be published."""
    administrateur = UtilisateurFactory(administrateur=True)

    with pytest.raises(ErreurMetier, match="SIRET"):
        services_publication.publier_annee(
            contrat=jeu["appel"].contrat, annee=2026, par=administrateur
        )

    assert not PublicationDonnees.objects.exists()


def test_seuls_les_administrateurs_publient(jeu):
    with pytest.raises(ErreurMetier):
        services_publication.publier_annee(
            contrat=jeu["appel"].contrat, annee=2026, par=jeu["instructeur"]
        )


@override_settings(ATTRIBUANT_SIRET=SIRET_AGGLO)
def test_page_publique_et_fichier_de_l_annee(
    client, jeu, executer_taches, django_capture_on_commit_callbacks
):
    """Published in the background; public: above 23 000 € and those chosen, nothing else."""
    administrateur = UtilisateurFactory(administrateur=True)
    with django_capture_on_commit_callbacks(execute=True):
        services_publication.publier_annee(
            contrat=jeu["appel"].contrat, annee=2026, par=administrateur
        )
    executer_taches()

    page = client.get(reverse("donnees_ouvertes:index"))
    publication = PublicationDonnees.objects.get()
    fichier = client.get(reverse("donnees_ouvertes:fichier", args=[publication.pk]))

    assert page.status_code == 200 and "Subventions 2026 (CSV)" in page.content.decode()
    contenu = b"".join(fichier.streaming_content)
    assert scdl_schema.problemes(contenu) == []
    assert set(_lignes(contenu)) == {"Jardins partagés", "Soutien scolaire"}


@override_settings(ATTRIBUANT_SIRET=SIRET_AGGLO)
def test_fichier_public_regenere_quand_les_donnees_changent(
    jeu, executer_taches, django_capture_on_commit_callbacks
):
    """A subsidy chosen for publication later appears in the public file without a new click."""
    with django_capture_on_commit_callbacks(execute=True):
        services_publication.publier_annee(
            contrat=jeu["appel"].contrat, annee=2026, par=UtilisateurFactory(administrateur=True)
        )
    executer_taches()
    petite = jeu["petite"]

    with django_capture_on_commit_callbacks(execute=True):
        _conventionner(petite, jeu["instructeur"], datetime.date(2026, 3, 25), 50, publier=True)
    executer_taches()

    servi = selectors.etat_publication(jeu["appel"].contrat_id, 2026).servi
    with servi.fichier.open("rb") as f:
        assert "Fête de quartier" in _lignes(f.read())
    assert servi.lignes == 3


def _telecharger(client, publication):
    reponse = client.get(reverse("donnees_ouvertes:fichier", args=[publication.pk]))
    assert reponse.status_code == 200
    return _lignes(b"".join(reponse.streaming_content))


@override_settings(ATTRIBUANT_SIRET=SIRET_AGGLO)
def test_fichier_public_suit_ses_donnees_sans_nouvelle_publication(
    client, jeu, executer_taches, django_capture_on_commit_callbacks
):
    """A structure renamed: the public page asks for a new file by itself (no « Publier de
    nouveau »), serves the previous one until the task has run, then the new name."""
    with django_capture_on_commit_callbacks(execute=True):
        services_publication.publier_annee(
            contrat=jeu["appel"].contrat, annee=2026, par=UtilisateurFactory(administrateur=True)
        )
    executer_taches()
    publication = PublicationDonnees.objects.get()
    structure = jeu["echelonnee"].structure
    ancien_nom = structure.raison_sociale
    assert _telecharger(client, publication)["Jardins partagés"]["nomBeneficiaire"] == ancien_nom
    structure.raison_sociale = "Les Jardiniers du Faubourg"
    structure.save()

    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(reverse("donnees_ouvertes:index"))
    assert "Mise à jour en préparation" in page.content.decode()
    meanwhile = _telecharger(client, publication)
    assert meanwhile["Jardins partagés"]["nomBeneficiaire"] == ancien_nom
    assert GenerationPublication.objects.filter(publication=publication).count() == 2

    executer_taches()

    apres = _telecharger(client, publication)
    assert apres["Jardins partagés"]["nomBeneficiaire"] == "Les Jardiniers du Faubourg"
    assert scdl_schema.problemes(
        GenerationPublication.objects.filter(etat="terminee").first().fichier.read()
    ) == []
    page = client.get(reverse("donnees_ouvertes:index")).content.decode()
    assert "Mise à jour en préparation" not in page


@override_settings(ATTRIBUANT_SIRET=SIRET_AGGLO)
@pytest.mark.parametrize("changement", ["siret", "rna", "decision", "dispositif"])
def test_chaque_donnee_du_fichier_change_son_empreinte(jeu, changement):
    """Whatever a row is made of changes the fingerprint: SIRET, RNA, the decision's
    reference, the call's dispositif identifier."""
    publication = PublicationDonnees.objects.create(contrat=jeu["appel"].contrat, annee=2026)
    avant = selectors.empreintes([publication])[publication.pk]
    dossier = jeu["echelonnee"]
    if changement == "siret":
        dossier.structure.siret = siret_valide(777)
        dossier.structure.save()
    elif changement == "rna":
        dossier.structure.rna = "W301009999"
        dossier.structure.save()
    elif changement == "decision":
        Decision.objects.filter(dossier=dossier).update(reference_deliberation="COPIL-2026-05")
    else:
        services_conventions.parametrer_conventions(
            appel=jeu["appel"], par=UtilisateurFactory(administrateur=True), part_avance=50,
            modele_texte="{objet}", dispositif_aide=DISPOSITIF,
        )

    assert selectors.empreintes([publication])[publication.pk] != avant


def test_selection_legale_du_decret(jeu):
    """Strictly above 23 000 €, or chosen: the 5 000 € subsidy stays out until chosen."""
    decisions = subventions_a_publier(jeu["appel"].contrat_id, 2026)

    assert {d.dossier.intitule for d in decisions} == {"Jardins partagés", "Soutien scolaire"}


@override_settings(
    ATTRIBUANT_SIRET=SIRET_AGGLO, EXPORTS_SEUIL_ARRIERE_PLAN=1,
    TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}},
)
def test_export_scdl_du_personnel_en_arriere_plan_au_dela_du_seuil(client, jeu):
    """Above the threshold the staff's SCDL export is built in the background like the other
    exports of the call; the file keeps the same meanings, and a new payment gives a new file."""
    from evaluation.instruction import taches
    from evaluation.models import GenerationExport

    client.force_login(jeu["instructeur"])
    adresse = reverse("evaluation:export_scdl", args=[jeu["appel"].pk])

    reponse = client.get(adresse)

    generation = GenerationExport.objects.get(nature=GenerationExport.Nature.SCDL)
    assert reponse.url == reverse("evaluation:export", args=[generation.pk])
    taches.generer_export.call(generation_id=str(generation.pk))
    generation.refresh_from_db()
    lignes = _lignes(generation.fichier.read())
    assert set(lignes) == {"Jardins partagés", "Soutien scolaire", "Fête de quartier"}
    assert lignes["Soutien scolaire"]["datesPeriodeVersement"] == "2026-05-10"
    assert client.get(adresse).url == reponse.url  # unchanged data: the same file

    convention = jeu["petite"].convention
    _payer(convention, jeu["instructeur"], "avance", datetime.date(2026, 4, 9), 2500)

    assert client.get(adresse).url != reponse.url


@override_settings(ATTRIBUANT_SIRET=SIRET_AGGLO)
def test_page_publique_en_nombre_de_requetes_constant(
    client, jeu, executer_taches, django_capture_on_commit_callbacks
):
    """Up-to-date files: one query for the fingerprints of every year, nothing written."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    administrateur = UtilisateurFactory(administrateur=True)
    contrat = jeu["appel"].contrat
    requetes = []
    for annees in ([2026], [2026, 2025, 2024]):
        for annee in annees:
            with django_capture_on_commit_callbacks(execute=True):
                services_publication.publier_annee(contrat=contrat, annee=annee,
                                                   par=administrateur)
        executer_taches()
        with CaptureQueriesContext(connection) as capture:
            page = client.get(reverse("donnees_ouvertes:index"))
        assert page.content.decode().count("(CSV)") == len(annees)
        requetes.append(len(capture))
        assert not any(q["sql"].startswith(("INSERT", "UPDATE")) for q in capture.captured_queries)

    assert requetes[0] == requetes[1]
