"""The complete Cerfa n°12156*06: the structure's yearly declaration, what each dossier adds,
the detailed budget grid, the full déclaration sur l'honneur and the printed form."""

import io
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader
from pytest_django.asserts import assertContains, assertNotContains

from candidatures.commun.erreurs import SaisieInvalide
from candidatures.dossiers import budget
from candidatures.dossiers.cerfa import manques_cerfa
from candidatures.dossiers.pdf import rendre_dossier_pdf
from candidatures.dossiers.selectors import manques, totaux_budget
from candidatures.dossiers.services.brouillons import ajouter_piece, enregistrer_brouillon
from candidatures.models import (
    DocumentStructure,
    Dossier,
    InformationsAnnuelles,
    LigneBudget,
    Membre,
    PieceJointe,
    Section,
)
from candidatures.structures.services import enregistrer_informations_annuelles

from .factories import (
    PDF_MINIMAL,
    DossierFactory,
    MembreFactory,
    declarer_informations_annuelles,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def responsable():
    return MembreFactory()


@pytest.fixture
def complet(responsable):
    return DossierFactory(structure=responsable.structure, complet=responsable.utilisateur)


def _tous(manques_par_section):
    return [m for liste in manques_par_section.values() for m in liste]


# --- Budget grid ------------------------------------------------------------------------------


def test_les_details_dun_compte_en_font_le_montant(responsable):
    """Details of 64 and 75 typed in a draft set the line to their sum, counted once."""
    dossier = DossierFactory(structure=responsable.structure)
    lignes = {
        "64": {"montant": 999}, "641": {"montant": 6000}, "645": {"montant": 2000},
        "75": {"montant": 0}, "756": {"montant": 300}, "758": {"montant": 700},
        "74_etat_pv": {"montant": 7000},
    }

    enregistrer_brouillon(dossier=dossier, par=responsable.utilisateur, version=1, lignes=lignes)

    montants = dict(LigneBudget.objects.filter(dossier=dossier).values_list("code", "montant"))
    assert montants["64"] == 8000 and montants["75"] == 1000
    totaux = totaux_budget(dossier)
    assert totaux.charges == 8000
    assert totaux.produits == 8000


def test_la_ligne_69_et_les_financeurs_nommes_font_partie_de_la_grille():
    """Line 69 exists; region, department and intercommunality lines name their funder."""

    assert budget.PAR_CODE["69"].cote == budget.CHARGE
    for code in ("74_region", "74_departement", "74_epci"):
        assert budget.PAR_CODE[code].a_preciser
        assert "Alès" not in budget.PAR_CODE[code].libelle


def test_financeur_a_nommer_sur_le_nouveau_formulaire_seulement(complet):
    """A region line without the region's name blocks a new dossier, not a former one."""
    LigneBudget.objects.create(dossier=complet, code="74_region", montant=0)
    LigneBudget.objects.filter(dossier=complet, code="74_region").update(montant=500)
    LigneBudget.objects.filter(dossier=complet, code="60").update(montant=2500)

    assert "Budget, ligne « Région(s) » : précisez région(s)." in _tous(manques(complet))

    Dossier.objects.filter(pk=complet.pk).update(formulaire=1)
    complet.refresh_from_db()
    assert manques(complet) == {}


def test_compte_75_a_repartir(complet):
    """Account 75 without its split (756, 758, 750) is reported in the budget section."""
    LigneBudget.objects.filter(dossier=complet, code__in=["756", "758"]).delete()

    assert list(manques(complet)) == [Section.BUDGET]
    assert "Budget, compte 75 : répartissez-le" in manques(complet)[Section.BUDGET][0]


# --- Completeness and the former form --------------------------------------------------------


def test_dossier_de_lancien_formulaire_nest_pas_bloque(responsable):
    """A dossier started before the complete Cerfa is not held to its new requirements."""
    dossier = DossierFactory(structure=responsable.structure, complet=responsable.utilisateur)
    Dossier.objects.filter(pk=dossier.pk).update(
        formulaire=1, aide_numeraire=False, objet_demande="", duree="", evaluation="",
        declaration_fait_a="", declaration_minimis="", signataire_est_representant=None,
    )
    InformationsAnnuelles.objects.all().delete()
    dossier.refresh_from_db()

    assert manques(dossier) == {}


def test_nouveau_dossier_demande_les_parties_du_cerfa(complet):
    """Each new part left empty is reported in its section, in French."""
    Dossier.objects.filter(pk=complet.pk).update(
        aide_numeraire=False, objet_demande="", duree="", evaluation="", declaration_fait_a="",
        duree_demande="pluriannuelle", annees_demande="",
    )
    complet.refresh_from_db()

    resultat = manques(complet)

    assert "Objet de la demande : cochez une aide en numéraire et/ou en nature." in resultat[
        Section.IDENTITE]
    assert "La demande porte sur : à renseigner." in resultat[Section.IDENTITE]
    assert "Demande pluriannuelle : indiquez les années concernées." in resultat[Section.IDENTITE]
    assert "Durée du projet : à renseigner." in resultat[Section.PROJET]
    assert "Méthode d'évaluation prévue : à renseigner." in resultat[Section.PROJET]
    assert "Fait à : à renseigner." in resultat[Section.DECLARATION]


def test_informations_annuelles_manquantes_bloquent(complet):
    """Without the structure's declaration for the call's year, the dossier is incomplete."""
    InformationsAnnuelles.objects.filter(structure=complet.structure).delete()

    assert list(manques(complet)) == [Section.IDENTITE]
    assert f"Informations annuelles {complet.appel.annee}" in manques(complet)[Section.IDENTITE][0]


def test_budget_annuel_desequilibre_bloque(complet):
    """The structure's annual budget must be balanced (charges = produits, 86 = 87)."""
    informations = InformationsAnnuelles.objects.get(structure=complet.structure)
    informations.lignes_budget.filter(code="870").delete()

    assert manques(complet)[Section.IDENTITE] == [
        f"Informations annuelles {complet.appel.annee} de la structure — Budget annuel : le "
        "total 86 doit être égal au total 87."
    ]


def test_pouvoir_exige_quand_le_signataire_nest_pas_le_representant(complet, responsable):
    """A signatory who is not the legal representative must attach the power of attorney."""
    Dossier.objects.filter(pk=complet.pk).update(signataire_est_representant=False)
    complet.refresh_from_db()
    assert list(manques(complet)) == [Section.DECLARATION]

    ajouter_piece(
        dossier=complet, par=responsable.utilisateur, type=PieceJointe.Type.POUVOIR,
        fichier=SimpleUploadedFile("pouvoir.pdf", PDF_MINIMAL, content_type="application/pdf"),
    )

    assert manques(complet) == {}


def test_rapport_du_commissaire_aux_comptes_exige_sil_y_en_a_un(complet):
    """A structure with a commissaire aux comptes must deposit the auditor's report."""
    InformationsAnnuelles.objects.filter(structure=complet.structure).update(
        commissaire_aux_comptes=True
    )

    assert "rapport du commissaire aux comptes" in manques(complet)[Section.PIECES][0]

    DocumentStructure.objects.create(
        structure=complet.structure, type=DocumentStructure.Type.RAPPORT_CAC,
        fichier=SimpleUploadedFile("cac.pdf", PDF_MINIMAL), nom_original="cac.pdf",
        taille=len(PDF_MINIMAL), type_mime="application/pdf", date_document="2026-01-10",
    )
    assert manques(complet) == {}


# --- The dossier form ------------------------------------------------------------------------


def test_formulaire_verifie_les_annees_et_garde_le_reste(client, responsable):
    """Badly typed years of a multi-year request come back in French; the rest is saved."""
    dossier = DossierFactory(structure=responsable.structure)
    client.force_login(responsable.utilisateur)

    reponse = client.post(reverse("dossiers:modifier", args=[dossier.pk]), {
        "version": "1", "sections": "identite", "contact_prenom": "Inès",
        "aide_nature": "on", "duree_demande": "pluriannuelle", "annees_demande": "2026, 27",
    })

    assertContains(reponse, "Indiquez les années sur quatre chiffres")
    assertContains(reponse, 'value="2026, 27"')
    dossier.refresh_from_db()
    assert dossier.contact_prenom == "Inès" and dossier.aide_nature
    assert dossier.duree_demande == "pluriannuelle" and dossier.annees_demande == ""


def test_un_contributeur_ne_remplit_pas_la_declaration(client, responsable):
    """The declaration's statements are a responsable's: a contributor's post is ignored."""
    dossier = DossierFactory(structure=responsable.structure)
    contributeur = MembreFactory(structure=responsable.structure, role=Membre.Role.CONTRIBUTEUR)
    client.force_login(contributeur.utilisateur)

    client.post(reverse("dossiers:modifier", args=[dossier.pk]), {
        "version": "1", "sections": "declaration", "declaration_fait_a": "Nîmes",
        "declaration_compte_propre": "on",
    })

    dossier.refresh_from_db()
    assert dossier.declaration_fait_a == "" and not dossier.declaration_compte_propre


# --- The structure's yearly declaration -------------------------------------------------------


def test_service_informations_annuelles(responsable):
    """Saved once for a year: fields, agréments (replaced as a whole) and the annual budget."""
    structure = responsable.structure

    informations = enregistrer_informations_annuelles(
        structure=structure, annee=2026, par=responsable.utilisateur,
        champs={"salaries": 3, "salaries_emplois_aides": 1, "etpt": Decimal("2.5")},
        agrements=[{"type": "Jeunesse et éducation populaire", "attribue_par": "SDJES du Gard",
                    "date": "2019-05-02"}],
        lignes={"61": {"montant": 0}, "613": {"montant": 4000}, "70": {"montant": 4000}},
    )

    informations.refresh_from_db()
    assert informations.etpt == Decimal("2.50")
    assert [a.type for a in informations.agrements.all()] == ["Jeunesse et éducation populaire"]
    assert dict(informations.lignes_budget.values_list("code", "montant"))["61"] == 4000


@pytest.mark.parametrize(
    ("champs", "champ_en_erreur"),
    [
        ({"salaries": 2, "salaries_emplois_aides": 3}, "salaries_emplois_aides"),
        ({"etpt": Decimal("-1")}, "etpt"),
    ],
)
def test_service_refuse_les_valeurs_incoherentes(responsable, champs, champ_en_erreur):
    """More subsidised jobs than employees, or negative ETPT, are refused field by field."""

    with pytest.raises(SaisieInvalide) as erreur:
        enregistrer_informations_annuelles(
            structure=responsable.structure, annee=2026, par=responsable.utilisateur,
            champs=champs,
        )

    assert list(erreur.value.erreurs) == [champ_en_erreur]
    assert not InformationsAnnuelles.objects.exists()


def _url_informations(structure, annee=2026):
    return reverse("structures:informations", args=[structure.pk, annee])


def test_page_informations_enregistre_et_garde_la_saisie_refusee(client, responsable):
    """A responsable saves the page; a bad ETPT comes back in French, the rest is kept."""
    client.force_login(responsable.utilisateur)
    donnees = {
        "agrements-TOTAL_FORMS": "3", "agrements-INITIAL_FORMS": "0",
        "agrements-0-type": "Espace de vie sociale", "agrements-0-attribue_par": "CAF du Gard",
        "agrements-0-date": "2021-09-01",
        "commissaire_aux_comptes": "non", "assujettie_impots_commerciaux": "non",
        "adherents": "80", "benevoles": "12", "volontaires": "1", "salaries": "3",
        "etpt": "-2", "ligne_64": "50 000", "ligne_70": "50 000",
    }

    reponse = client.post(_url_informations(responsable.structure), donnees)

    assert reponse.status_code == 200
    assertContains(reponse, "Les ETPT sont un nombre positif ou nul.")
    assertContains(reponse, 'value="-2"')
    informations = InformationsAnnuelles.objects.get(structure=responsable.structure)
    assert informations.adherents == 80 and informations.etpt is None
    assert informations.agrements.get().attribue_par == "CAF du Gard"

    donnees["etpt"] = "2,75"
    reponse = client.post(_url_informations(responsable.structure), donnees)

    assert reponse.status_code == 302
    informations.refresh_from_db()
    assert informations.etpt == Decimal("2.75")


def test_page_informations_contributeur_lit_seulement(client, responsable):
    """A contributor reads the declaration; posting changes nothing."""
    declarer_informations_annuelles(responsable.structure, 2026)
    contributeur = MembreFactory(structure=responsable.structure, role=Membre.Role.CONTRIBUTEUR)
    client.force_login(contributeur.utilisateur)

    reponse = client.post(_url_informations(responsable.structure), {"adherents": "1"})

    assertContains(reponse, "Fédération des centres sociaux du Gard")
    assertNotContains(reponse, "Enregistrer les informations")
    assert InformationsAnnuelles.objects.get().adherents == 120


def test_page_informations_dune_autre_structure_introuvable(client, responsable):
    """A member of another structure gets a 404, as if the structure did not exist."""
    client.force_login(MembreFactory().utilisateur)

    reponse = client.get(_url_informations(responsable.structure))

    assert reponse.status_code == 404


def test_second_dossier_de_lannee_ne_redemande_rien(client, responsable, complet):
    """The second dossier of the year reuses the declaration and shows it read-only."""
    second = DossierFactory(
        structure=responsable.structure, appel=complet.appel, complet=responsable.utilisateur
    )
    client.force_login(responsable.utilisateur)

    reponse = client.get(reverse("dossiers:modifier", args=[second.pk]))

    assert InformationsAnnuelles.objects.count() == 1
    assert manques(second) == {}
    assertContains(reponse, "Fédération des centres sociaux du Gard")
    assertContains(
        reponse, f"Voir ou modifier les informations {second.appel.annee} de la structure"
    )


# --- Printed form -----------------------------------------------------------------------------


def _texte(pdf):
    texte = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"[\s\u202f\u00a0]+", " ", texte)


def test_pdf_suit_le_cerfa_et_porte_chaque_partie(complet):
    """The PDF follows the form's headings and carries every new label and value."""
    InformationsAnnuelles.objects.filter(structure=complet.structure).update(
        reconnue_utilite_publique_le="2010-03-04"
    )
    informations = InformationsAnnuelles.objects.get(structure=complet.structure)
    informations.agrements.create(
        type="Jeunesse et éducation populaire", attribue_par="SDJES du Gard",
        date="2019-05-02",
    )

    texte = _texte(rendre_dossier_pdf(complet))

    rubriques = [
        "Demande de subvention(s) — Cerfa n°12156*06", "1. Identification de la structure",
        f"2 à 5. Relations, moyens humains et budget de la structure ({complet.appel.annee})",
        "Relations avec l'administration", "Relations avec d'autres associations",
        "Moyens humains", "Budget prévisionnel annuel de la structure",
        "6. Projet — objet de la demande", "7. Budget du projet",
        "8. Déclaration sur l'honneur",
    ]
    positions = [texte.index(r) for r in rubriques]
    assert positions == sorted(positions)
    for attendu in [
        "aide en numéraire (argent)", "un projet ou une action", "annuelle ou ponctuelle",
        "première demande", "Claire Martin, coordinatrice", "04 66 00 00 01",
        "Jeunesse et éducation populaire — attribué par SDJES du Gard le 2 mai 2019",
        "décret publié le 4 mars 2010", "Fédération des centres sociaux du Gard",
        "Adhérents 120", "dont 1 en emplois aidés", "3,50", "98 000 €",
        "Durée du projet 9 mois", "1 volontaire(s) en service civique",
        "Un camion aménagé, du matériel de jeux.",
        "Questionnaire aux habitants et feuilles de présence.",
        "dont 756 Cotisations", "dont 758 Dons manuels – mécénat",
        "Intercommunalité(s) : EPCI (Alès Agglomération)",
        "sollicite une subvention de 7 500 € au titre de l'année ou de l'exercice "
        f"{complet.appel.annee}",
        "inférieur ou égal à 500 000 €", "instances statutaires : oui",
        "compte bancaire de la structure : oui", "Fait à Alès",
        "Document produit par le portail", "dossier non déposé",
    ]:
        assert attendu in texte, attendu


# --- Demo data --------------------------------------------------------------------------------


def test_la_demo_remplit_les_parties_du_cerfa(settings):
    """The demo structure declares its years; its dossier lacks none of the Cerfa's parts."""
    settings.PORTAIL_DEMO = True

    call_command("demo", stdout=StringIO())

    dossier = Dossier.objects.get(structure__siret="81234567600017")
    annee = dossier.appel.annee
    assert set(
        InformationsAnnuelles.objects.filter(structure=dossier.structure).values_list(
            "annee", flat=True
        )
    ) == {annee, annee + 1}
    assert _tous(manques_cerfa(dossier, set())) == []
    assert dossier.cerfa_complet
