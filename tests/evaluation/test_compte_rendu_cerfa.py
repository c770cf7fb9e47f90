"""The compte rendu financier as the Cerfa n°15059*02 asks: identification, indirect charges,
contributions in kind, place of signature, and its printed form."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader
from pytest_django.asserts import assertContains

from candidatures.models import Dossier
from evaluation.bilans.selectors import manques
from evaluation.bilans.services import depot as services_depot
from evaluation.bilans.services import saisie as services_saisie
from tests.evaluation.factories import (
    MembreFactory,
    UtilisateurFactory,
    remplir_bilan,
)

pytestmark = pytest.mark.django_db


def test_les_champs_du_cerfa_senregistrent(bilan, membre):
    """The allocation rule, the note on contributions in kind and the place are saved."""

    services_saisie.enregistrer_bilan(
        bilan=bilan, par=membre.utilisateur, version=bilan.version,
        champs={"regle_charges_indirectes": "Au prorata des heures.",
                "note_contributions_nature": "Bénévolat au SMIC.", "fait_a": "Alès"},
    )

    bilan.refresh_from_db()
    assert bilan.regle_charges_indirectes == "Au prorata des heures."
    assert bilan.note_contributions_nature == "Bénévolat au SMIC."
    assert bilan.fait_a == "Alès"


def test_regle_et_lieu_exiges_sur_le_nouveau_formulaire(bilan, membre):
    """Indirect charges realised need their allocation rule, and the attestation its place;
    a dossier of the former form is not held to it."""
    remplir_bilan(bilan, membre.utilisateur)
    services_saisie.enregistrer_bilan(
        bilan=bilan, par=membre.utilisateur, version=bilan.version,
        champs={"regle_charges_indirectes": "", "fait_a": ""},
    )
    bilan.refresh_from_db()

    assert manques(bilan)["financier"] == [
        "Charges indirectes : indiquez la règle de répartition appliquée à l'action.",
        "Attestation : indiquez où elle est faite (« Fait à »).",
    ]

    Dossier.objects.filter(pk=bilan.dossier_id).update(formulaire=1)
    bilan.dossier.refresh_from_db()
    assert "financier" not in manques(bilan)


def _texte(contenu):
    texte = "".join(p.extract_text() for p in PdfReader(io.BytesIO(contenu)).pages)
    return re.sub(r"[\s\u202f\u00a0]+", " ", texte)


def test_pdf_du_compte_rendu_suit_le_cerfa(client, bilan, membre, settings, compte_rendu_pdf):
    """The PDF carries the form's parts in order, each label and value, and the dates."""
    remplir_bilan(bilan, membre.utilisateur)
    bilan.refresh_from_db()
    services_depot.deposer_bilan(bilan=bilan, par=membre.utilisateur, qualite="présidente")
    client.force_login(membre.utilisateur)

    texte = _texte(compte_rendu_pdf(bilan.dossier_id))
    rubriques = ["1. Identification", "2. Bilan qualitatif", "3. Tableau de synthèse",
                 "4. Données chiffrées", "5. Attestation"]
    positions = [texte.index(r) for r in rubriques]
    assert positions == sorted(positions)
    dossier = bilan.dossier
    for attendu in [
        "Cerfa n°15059*02", dossier.structure.siret, dossier.structure.rna,
        f"6 000 € par {settings.ATTRIBUANT_NOM}", "Douze ateliers au pied des immeubles.",
        "Au prorata du temps de personnel consacré à l'action.", "Fait à Alès, le",
        "64 Charges de personnel", "Document produit par le portail",
        "compte rendu déposé le",
    ]:
        assert attendu in texte, attendu


@pytest.mark.parametrize(
    ("qui", "statut"),
    [("porteur", 200), ("autre_porteur", 404), ("instructeur", 200), ("anonyme", 302)],
)
def test_pdf_du_compte_rendu_par_role(client, bilan, membre, qui, statut):
    """The structure and the contract's staff download it; nobody else learns it exists."""
    utilisateurs = {
        "porteur": membre.utilisateur,
        "autre_porteur": MembreFactory().utilisateur,
        "instructeur": UtilisateurFactory(instructeur=True),
        "anonyme": None,
    }
    if utilisateurs[qui] is not None:
        client.force_login(utilisateurs[qui])

    reponse = client.get(reverse("bilans:compte_rendu_pdf", args=[bilan.dossier_id]))

    assert reponse.status_code == statut


def test_page_de_saisie_montre_lidentification(client, bilan, membre, settings):
    """The entry page restates the structure, its identifiers and the subsidy awarded."""
    client.force_login(membre.utilisateur)

    reponse = client.get(reverse("bilans:saisie", args=[bilan.dossier_id]))

    assertContains(reponse, bilan.dossier.structure.siret)
    assertContains(reponse, f"par {settings.ATTRIBUANT_NOM}")
    assertContains(reponse, "Règle de répartition des charges indirectes")
