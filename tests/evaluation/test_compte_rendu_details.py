"""The details of accounts 60–64 and 75 (613 locations, 641 rémunérations, 645 charges
sociales…) in the compte rendu financier: forecast from the budget, actual typed, the line is
their sum (server side), shown in the page and the PDF, counted once in every total."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader
from pytest_django.asserts import assertContains

from candidatures.commun.erreurs import SaisieInvalide
from candidatures.models import LigneBudget
from evaluation.bilans.selectors import compte_rendu, manques, totaux_compte_rendu
from evaluation.bilans.services import saisie as services_saisie
from evaluation.models import DetailCompteRendu
from tests.evaluation.factories import dossier_retenu, remplir_bilan

pytestmark = pytest.mark.django_db


@pytest.fixture
def bilan(membre):
    dossier = dossier_retenu(membre=membre)
    # The budget detailed its personnel costs: 64 = 641 + 645.
    LigneBudget.objects.create(dossier=dossier, code="641", montant=6000)
    LigneBudget.objects.create(dossier=dossier, code="645", montant=2000)
    return services_saisie.ouvrir_bilan(dossier=dossier, par=membre.utilisateur)


def _ligne(bilan, code):
    return next(lg for lg in compte_rendu(bilan) if lg.definition.code == code)


def test_les_details_prevus_viennent_du_budget(bilan):
    """Each detail follows its line, with the budget's forecast."""
    codes = [lg.definition.code for lg in compte_rendu(bilan)]

    assert codes.index("64") < codes.index("641") < codes.index("645") < codes.index("65")
    assert _ligne(bilan, "641").prevu == 6000 and _ligne(bilan, "645").prevu == 2000
    assert _ligne(bilan, "641").realise is None


def test_la_ligne_est_la_somme_de_ses_details(bilan, membre):
    """Typed details set their line (whatever was typed on it); totals count them once."""
    services_saisie.enregistrer_bilan(
        bilan=bilan, par=membre.utilisateur, version=bilan.version,
        lignes={"64": {"realise": 1}, "641": {"realise": 6500}, "645": {"realise": 2100},
                "60": {"realise": 2000}},
    )
    bilan.refresh_from_db()

    assert bilan.lignes.get(code="64").realise == 8600
    assert dict(bilan.details.values_list("code", "realise")) == {"641": 6500, "645": 2100}
    _prevus, realises = totaux_compte_rendu(compte_rendu(bilan))
    assert realises.charges == 2000 + 8600
    # A detail never needs its own explanation: its line does.
    assert not any("641" in m or "Rémunération" in m for m in manques(bilan)["financier"])


@pytest.mark.parametrize(
    ("saisie", "message"),
    [
        ({"641": {"realise": -5}}, "Saisissez un montant en euros entiers, positif ou nul."),
        ({"641": {"realise": 5, "explication": "x"}}, "Seul le montant réalisé d'un détail"),
    ],
)
def test_un_detail_invalide_est_refuse(bilan, membre, saisie, message):
    """A negative detail, or an explanation on a detail, is refused and nothing is saved."""
    with pytest.raises(SaisieInvalide) as erreur:
        services_saisie.enregistrer_bilan(
            bilan=bilan, par=membre.utilisateur, version=bilan.version, lignes=saisie
        )

    assert message in erreur.value.erreurs["ligne_641"]
    assert not DetailCompteRendu.objects.exists()


def test_la_page_enregistre_les_details_sans_javascript(client, bilan, membre):
    """Posted without JavaScript, the page saves the details and shows the line's sum."""
    client.force_login(membre.utilisateur)
    url = reverse("bilans:saisie", args=[bilan.dossier_id])
    reponse = client.get(url)
    assertContains(reponse, 'name="realise_613"')
    donnees = {"version": reponse.context["version"], "enregistrer": "financier",
               "realise_641": "6 400", "realise_645": "1 900", "realise_64": ""}

    client.post(url, donnees)

    assert bilan.lignes.get(code="64").realise == 8300
    page = client.get(url).context["page"]
    assert page.compte_rendu["realise_64"].value() == 8300


def _texte(contenu):
    texte = "".join(p.extract_text() for p in PdfReader(io.BytesIO(contenu)).pages)
    return re.sub(r"[\s\u202f\u00a0]+", " ", texte)


def test_le_pdf_montre_les_details(client, bilan, membre, compte_rendu_pdf):
    """The compte rendu PDF lists each detail under its line, forecast and actual."""
    remplir_bilan(bilan, membre.utilisateur)
    services_saisie.enregistrer_bilan(
        bilan=bilan, par=membre.utilisateur, version=bilan.version,
        lignes={"641": {"realise": 6500}, "645": {"realise": 1500}},
    )
    client.force_login(membre.utilisateur)

    texte = _texte(compte_rendu_pdf(bilan.dossier_id))

    assert "64 Charges de personnel 8 000 € 8 000 €" in texte
    assert "dont 641 Rémunération des personnels 6 000 € 6 500 € 500 €" in texte
    assert "dont 645 Charges sociales 2 000 € 1 500 € -500 €" in texte
