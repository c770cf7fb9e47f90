"""Entry rules of the bilan: breakdown by sex, whole numbers ≥ 0, gaps to explain, lifecycle."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from candidatures.commun.erreurs import ConflitVersion, ErreurMetier, Incomplet, SaisieInvalide
from candidatures.models import HistoriqueStatut, Statut
from evaluation.bilans.selectors import compte_rendu, ecart, manques
from evaluation.bilans.services import depot as services_depot
from evaluation.bilans.services import relances as services_relances
from evaluation.bilans.services import saisie as services_saisie
from evaluation.models import ParametresBilan, RealisationIndicateur, RelanceBilan
from tests.candidatures.factories import PDF_MINIMAL
from tests.evaluation.factories import (
    DossierFactory,
    MembreFactory,
    dossier_retenu,
    indicateur,
    remplir_bilan,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def membre():
    return MembreFactory()


@pytest.fixture
def dossier(membre):
    return dossier_retenu(membre=membre)


@pytest.fixture
def bilan(dossier, membre):
    return services_saisie.ouvrir_bilan(dossier=dossier, par=membre.utilisateur)


# --- Opening ------------------------------------------------------------------------------------


def test_ouvrir_bilan_prerempli_le_compte_rendu_et_le_rend_attendu(dossier, membre):
    """The compte rendu copies the forecast budget; the action's bilan becomes due."""
    bilan = services_saisie.ouvrir_bilan(dossier=dossier, par=membre.utilisateur)

    dossier.refresh_from_db()
    assert dossier.statut == Statut.BILAN_A_REMETTRE
    assert {lg.code: (lg.prevu, lg.realise) for lg in bilan.lignes.all()} == {
        "60": (2000, None), "64": (8000, None), "ci": (500, None), "864": (1200, None),
        "74_etat_pv": (4000, None), "74_epci": (3500, None), "74_communes": (1000, None),
        "75": (2000, None), "870": (1200, None),
    }
    assert dossier.historique.filter(de=Statut.EN_COURS, vers=Statut.BILAN_A_REMETTRE).exists()


def test_ouvrir_bilan_deux_fois_rend_le_meme(dossier, membre, bilan):
    """Opening again returns the bilan already started."""
    assert services_saisie.ouvrir_bilan(dossier=dossier, par=membre.utilisateur) == bilan


def test_ouvrir_bilan_refuse_un_dossier_non_retenu(membre):
    """A dossier still in instruction has no bilan."""
    dossier = DossierFactory(structure=membre.structure, en_instruction=True)

    with pytest.raises(ErreurMetier, match="n'a pas de bilan à remettre"):
        services_saisie.ouvrir_bilan(dossier=dossier, par=membre.utilisateur)


# --- Indicator values ---------------------------------------------------------------------------


def test_valeurs_femmes_hommes_enregistrees_total_calcule(bilan, membre):
    """An F/H indicator stores both values in real columns; the total is computed."""
    habitants = indicateur("1.1.1", 6)

    services_saisie.enregistrer_bilan(
        bilan=bilan, par=membre.utilisateur, version=bilan.version,
        realisations={habitants.pk: {"valeur_femmes": 14, "valeur_hommes": 9}},
    )

    realisation = RealisationIndicateur.objects.get(bilan=bilan, indicateur=habitants)
    assert (realisation.valeur_femmes, realisation.valeur_hommes) == (14, 9)
    assert realisation.total == 23


def test_valeur_hors_ventilation_refusee(bilan, membre):
    """An F/H indicator refuses a value for girls: the breakdown is the indicator's."""
    habitants = indicateur("1.1.1", 6)

    with pytest.raises(SaisieInvalide) as erreur:
        services_saisie.enregistrer_bilan(
            bilan=bilan, par=membre.utilisateur, version=bilan.version,
            realisations={habitants.pk: {"valeur_femmes": 3, "valeur_filles": 2}},
        )

    assert list(erreur.value.erreurs) == [f"indicateur_{habitants.pk}_valeur_filles"]
    assert not RealisationIndicateur.objects.filter(bilan=bilan).exists()


def test_indicateur_sans_ventilation_refuse_les_valeurs_par_sexe(bilan, membre):
    """An indicator without breakdown takes one number, not F/H."""
    animations = indicateur("1.1.1", 1)

    with pytest.raises(SaisieInvalide):
        services_saisie.enregistrer_bilan(
            bilan=bilan, par=membre.utilisateur, version=bilan.version,
            realisations={animations.pk: {"valeur_femmes": 3}},
        )


@pytest.mark.parametrize("valeur", [-1, 2.5, "12", True])
def test_valeurs_entieres_positives_seulement(bilan, membre, valeur):
    """Negative, decimal, text or boolean values are refused."""
    habitants = indicateur("1.1.1", 6)

    with pytest.raises(SaisieInvalide) as erreur:
        services_saisie.enregistrer_bilan(
            bilan=bilan, par=membre.utilisateur, version=bilan.version,
            realisations={habitants.pk: {"valeur_femmes": valeur}},
        )

    assert "entier positif" in str(erreur.value)


def test_contrainte_base_valeur_negative(bilan):
    """The database itself refuses a negative value."""
    with pytest.raises(IntegrityError), transaction.atomic():
        RealisationIndicateur.objects.create(
            bilan=bilan, indicateur=indicateur("1.1.1", 6), valeur_femmes=-3
        )


def test_contrainte_base_beneficiaires_negatifs(bilan):
    """The database refuses a negative number of beneficiaries."""
    bilan.beneficiaires_hommes = -1

    with pytest.raises(IntegrityError), transaction.atomic():
        bilan.save()


def test_indicateur_qualitatif_prend_un_texte(bilan, membre):
    """A qualitative indicator takes a text answer, not a number."""
    satisfaction = indicateur("1.1.1", 4)

    services_saisie.enregistrer_bilan(
        bilan=bilan, par=membre.utilisateur, version=bilan.version,
        realisations={satisfaction.pk: {"texte": "Très bonne."}},
    )
    with pytest.raises(SaisieInvalide):
        services_saisie.enregistrer_bilan(
            bilan=bilan, par=membre.utilisateur, version=bilan.version + 1,
            realisations={satisfaction.pk: {"valeur": 3}},
        )

    assert RealisationIndicateur.objects.get(bilan=bilan, indicateur=satisfaction).texte == (
        "Très bonne."
    )


def test_indicateur_d_un_autre_objectif_refuse(bilan, membre):
    """Only the indicators of the action's objectives are reported."""
    with pytest.raises(SaisieInvalide):
        services_saisie.enregistrer_bilan(
            bilan=bilan, par=membre.utilisateur, version=bilan.version,
            realisations={indicateur("3.1.3", 1).pk: {"valeur_femmes": 1}},
        )


def test_beneficiaires_negatifs_refuses_par_le_service(bilan, membre):
    """The service refuses a negative number of beneficiaries before the database does."""
    with pytest.raises(SaisieInvalide) as erreur:
        services_saisie.enregistrer_bilan(
            bilan=bilan, par=membre.utilisateur, version=bilan.version,
            champs={"beneficiaires_femmes": -2},
        )

    assert list(erreur.value.erreurs) == ["beneficiaires_femmes"]


def test_conflit_de_version(bilan, membre):
    """Saving from a stale page is refused and writes nothing."""
    services_saisie.enregistrer_bilan(
        bilan=bilan, par=membre.utilisateur, version=bilan.version, champs={"lieux": "Alès"}
    )

    with pytest.raises(ConflitVersion):
        services_saisie.enregistrer_bilan(
            bilan=bilan, par=membre.utilisateur, version=1, champs={"lieux": "Anduze"}
        )

    bilan.refresh_from_db()
    assert (bilan.lieux, bilan.version) == ("Alès", 2)


# --- Compte rendu financier ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prevu", "realise", "euros", "a_expliquer"),
    [
        (1000, 1150, 150, False),
        (1000, 1151, 151, True),
        (1000, 850, -150, False),
        (1000, 849, -151, True),
        (0, 10, 10, True),
        (0, 0, 0, False),
        (1000, None, None, False),
    ],
)
def test_ecart_au_seuil_de_15_pour_cent(prevu, realise, euros, a_expliquer):
    """A gap strictly above 15 % (or any amount on a line not forecast) must be explained."""
    resultat = ecart(prevu, realise, 15)

    assert (resultat.euros, resultat.a_expliquer) == (euros, a_expliquer)


def test_ecart_en_pourcentage():
    """The gap is also given as a percentage of the forecast."""
    assert ecart(4000, 3000, 15).pourcent == -25.0
    assert ecart(0, 100, 15).pourcent is None


def test_seuil_configurable_par_appel(bilan, membre):
    """With a 30 % threshold for the call, a 25 % gap needs no explanation."""
    ParametresBilan.objects.create(appel=bilan.dossier.appel, seuil_ecart=30)
    services_saisie.enregistrer_bilan(
        bilan=bilan, par=membre.utilisateur, version=bilan.version,
        lignes={"74_etat_pv": {"realise": 3000}},
    )

    ligne = next(lg for lg in compte_rendu(bilan) if lg.definition.code == "74_etat_pv")

    assert (ligne.ecart.euros, ligne.ecart.pourcent, ligne.ecart.a_expliquer) == (
        -1000, -25.0, False
    )


def test_explication_exigee_pour_un_ecart_important(bilan, membre):
    """A line 25 % under its forecast blocks submission until it is explained."""
    remplir_bilan(bilan, membre.utilisateur)
    bilan.refresh_from_db()
    services_saisie.enregistrer_bilan(
        bilan=bilan, par=membre.utilisateur, version=bilan.version,
        lignes={"74_etat_pv": {"realise": 3000}, "75": {"realise": 3000}},
    )

    manquants = manques(bilan)

    assert manquants["financier"] == [
        "Ligne « État — politique de la ville (ANCT, programme 147) » : expliquez l'écart avec "
        "la prévision.",
        "Ligne « Autres produits de gestion courante » : "
        "expliquez l'écart avec la prévision.",
    ]
    bilan.refresh_from_db()
    services_saisie.enregistrer_bilan(
        bilan=bilan, par=membre.utilisateur, version=bilan.version,
        lignes={"74_etat_pv": {"explication": "Subvention réduite en cours d'année."},
                "75": {"explication": "Dons plus nombreux que prévu."}},
    )
    assert "financier" not in manques(bilan)


def test_ligne_non_prevue_creee_a_la_saisie(bilan, membre):
    """An actual amount on a line that was not forecast creates the line (forecast 0)."""
    services_saisie.enregistrer_bilan(
        bilan=bilan, par=membre.utilisateur, version=bilan.version,
        lignes={"61": {"realise": 300, "explication": "Location de salle imprévue."}},
    )

    ligne = bilan.lignes.get(code="61")
    assert (ligne.prevu, ligne.realise) == (0, 300)


def test_montant_negatif_refuse(bilan, membre):
    """An actual amount is a whole number of euros ≥ 0."""
    with pytest.raises(SaisieInvalide):
        services_saisie.enregistrer_bilan(
            bilan=bilan, par=membre.utilisateur, version=bilan.version,
            lignes={"64": {"realise": -5}},
        )


def test_produits_et_charges_realises_equilibres(bilan, membre):
    """The actual charges must equal the actual products, as in the Cerfa."""
    remplir_bilan(bilan, membre.utilisateur)
    bilan.refresh_from_db()
    services_saisie.enregistrer_bilan(
        bilan=bilan, par=membre.utilisateur, version=bilan.version,
        lignes={"64": {"realise": 8100}},
    )

    assert manques(bilan)["financier"] == [
        "Le total des charges réalisées (10\u00a0600\u00a0€) doit être égal au total des produits "
        "réalisés (10\u00a0500\u00a0€)."
    ]


# --- Documents ----------------------------------------------------------------------------------


def test_document_verifie_par_son_contenu(bilan, membre):
    """A « PDF » that is not one is refused; a real one is stored outside the web root."""
    faux = SimpleUploadedFile("bilan.pdf", b"<html>pas un pdf</html>")
    vrai = SimpleUploadedFile("bilan.pdf", PDF_MINIMAL)

    with pytest.raises(ErreurMetier, match="ne correspond pas"):
        services_saisie.ajouter_piece_bilan(bilan=bilan, par=membre.utilisateur, fichier=faux)
    piece = services_saisie.ajouter_piece_bilan(
        bilan=bilan, par=membre.utilisateur, fichier=vrai, type="bilan_moral"
    )

    assert piece.fichier.name.startswith(f"bilans/{bilan.dossier_id}/")
    assert piece.fichier.name.endswith(".pdf") and "bilan.pdf" not in piece.fichier.name
    assert piece.type_mime == "application/pdf"


def test_document_trop_gros_refuse(bilan, membre, settings):
    """The size limit of the portal applies to bilan documents."""
    settings.PORTAIL_DOCUMENT_TAILLE_MAX = 10

    with pytest.raises(ErreurMetier, match="la limite est de"):
        services_saisie.ajouter_piece_bilan(
            bilan=bilan, par=membre.utilisateur,
            fichier=SimpleUploadedFile("bilan.pdf", PDF_MINIMAL),
        )


# --- Lifecycle ----------------------------------------------------------------------------------


def test_depot_refuse_si_incomplet(bilan, membre):
    """An empty bilan cannot be submitted; its status does not move."""
    with pytest.raises(Incomplet) as erreur:
        services_depot.deposer_bilan(bilan=bilan, par=membre.utilisateur)

    bilan.dossier.refresh_from_db()
    assert bilan.dossier.statut == Statut.BILAN_A_REMETTRE
    assert set(erreur.value.manques) == {"qualitatif", "indicateurs", "financier", "documents"}


def test_cycle_complet_depot_corrections_validation(
    bilan, membre, instructeur, django_capture_on_commit_callbacks, executer_taches):
    """Submitted, returned with a message, submitted again, validated: the action is closed."""
    remplir_bilan(bilan, membre.utilisateur)

    with django_capture_on_commit_callbacks(execute=True):
        services_depot.deposer_bilan(bilan=bilan, par=membre.utilisateur, qualite="présidente")
        services_depot.demander_corrections_bilan(
            bilan=bilan, par=instructeur, message="Joignez les feuilles de présence."
        )
    bilan.refresh_from_db()
    assert bilan.dossier.statut == Statut.BILAN_A_CORRIGER
    demande = bilan.demandes_correction.get()
    assert demande.message == "Joignez les feuilles de présence."

    with django_capture_on_commit_callbacks(execute=True):
        services_depot.deposer_bilan(bilan=bilan, par=membre.utilisateur)
        services_depot.valider_bilan(bilan=bilan, par=instructeur)

    bilan.refresh_from_db()
    demande.refresh_from_db()
    assert bilan.dossier.statut == Statut.CLOTURE
    assert bilan.valide_par == instructeur
    assert demande.traitee_le is not None
    assert list(
        HistoriqueStatut.objects.filter(dossier=bilan.dossier).values_list("vers", flat=True)
    )[-5:] == [
        Statut.BILAN_A_REMETTRE, Statut.BILAN_DEPOSE, Statut.BILAN_A_CORRIGER,
        Statut.BILAN_DEPOSE, Statut.CLOTURE,
    ]
    executer_taches()
    sujets = [m.subject for m in mail.outbox]
    assert any("bilan à corriger" in s for s in sujets)
    assert any("bilan validé" in s for s in sujets)
    executer_taches()
    assert any("Joignez les feuilles de présence." in m.body for m in mail.outbox)


def test_plus_modifiable_une_fois_depose(bilan, membre):
    """A submitted bilan is read-only for the structure."""
    remplir_bilan(bilan, membre.utilisateur)
    services_depot.deposer_bilan(bilan=bilan, par=membre.utilisateur)
    bilan.refresh_from_db()

    with pytest.raises(ErreurMetier, match="n'est plus modifiable"):
        services_saisie.enregistrer_bilan(
            bilan=bilan, par=membre.utilisateur, version=bilan.version, champs={"lieux": "X"}
        )


def test_seul_un_instructeur_valide(bilan, membre):
    """The structure cannot validate its own bilan."""
    remplir_bilan(bilan, membre.utilisateur)
    services_depot.deposer_bilan(bilan=bilan, par=membre.utilisateur)

    with pytest.raises(ErreurMetier, match="Seuls les instructeurs"):
        services_depot.valider_bilan(bilan=bilan, par=membre.utilisateur)


def test_corrections_exigent_un_message(bilan, membre, instructeur):
    """Returning a bilan without saying what to fix is refused."""
    remplir_bilan(bilan, membre.utilisateur)
    services_depot.deposer_bilan(bilan=bilan, par=membre.utilisateur)

    with pytest.raises(SaisieInvalide):
        services_depot.demander_corrections_bilan(bilan=bilan, par=instructeur, message="  ")


def test_seul_un_membre_depose(bilan, membre):
    """Someone outside the structure cannot submit its bilan."""
    remplir_bilan(bilan, membre.utilisateur)

    with pytest.raises(ErreurMetier, match="Seul un membre de la structure"):
        services_depot.deposer_bilan(bilan=bilan, par=MembreFactory().utilisateur)


# --- Reminders ----------------------------------------------------------------------------------


def test_relances_idempotentes_avant_et_apres_l_echeance(
    membre, django_capture_on_commit_callbacks, executer_taches
):
    """J-30 sends one reminder and makes the bilan due; rerunning sends nothing; J+1 reminds."""
    echeance = datetime.date(2026, 6, 30)
    dossier = dossier_retenu(membre=membre, date_limite_bilan=echeance)

    with django_capture_on_commit_callbacks(execute=True):
        premieres = services_relances.relancer_bilans(aujourd_hui=datetime.date(2026, 6, 1))
        encore = services_relances.relancer_bilans(aujourd_hui=datetime.date(2026, 6, 2))
        retard = services_relances.relancer_bilans(aujourd_hui=datetime.date(2026, 7, 1))

    assert [r.etape for r in premieres] == ["j-30"]
    assert encore == []
    assert [r.etape for r in retard] == ["j+1"]
    assert RelanceBilan.objects.filter(dossier=dossier).count() == 2
    executer_taches()
    assert [m.subject for m in mail.outbox] == [
        f"[{settings.PORTAIL_NOM}] Dossier {dossier.reference} : bilan à remettre",
        f"[{settings.PORTAIL_NOM}] Dossier {dossier.reference} : bilan en retard",
    ]
    assert mail.outbox[0].to == [membre.utilisateur.email]
    dossier.refresh_from_db()
    assert dossier.statut == Statut.BILAN_A_REMETTRE


def test_pas_de_relance_deux_mois_avant(membre):
    """Nothing is sent two months ahead of the due date."""
    dossier_retenu(membre=membre, date_limite_bilan=datetime.date(2026, 6, 30))

    assert services_relances.relancer_bilans(aujourd_hui=datetime.date(2026, 4, 1)) == []
    assert mail.outbox == []


def test_pas_de_relance_pour_un_bilan_depose(bilan, membre):
    """A submitted bilan is not reminded, even past its due date."""
    remplir_bilan(bilan, membre.utilisateur)
    services_depot.deposer_bilan(bilan=bilan, par=membre.utilisateur)
    echeance = bilan.dossier.decision.date_limite_bilan

    relances = services_relances.relancer_bilans(aujourd_hui=echeance + datetime.timedelta(days=40))

    assert relances == []


def test_commande_relancer_bilans(membre, django_capture_on_commit_callbacks, executer_taches):
    """The daily command sends what is due and says how many."""
    from io import StringIO

    from django.core.management import call_command

    dossier_retenu(membre=membre, date_limite_bilan=datetime.date(2026, 6, 30))
    sortie = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("relancer_bilans", "--date", "2026-06-25", stdout=sortie)
        call_command("relancer_bilans", "--date", "2026-06-25", stdout=sortie)

    assert sortie.getvalue().splitlines() == ["1 relance envoyée.", "Aucune relance à envoyer."]
    executer_taches()
    assert len(mail.outbox) == 1
