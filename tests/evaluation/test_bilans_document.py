"""The annual bilan as a document: who prepares it (comment, partners, logo), the logo checked,
and the PDF read back: cover, summary, comment, annexes."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader
from pytest_django.asserts import assertContains

from candidatures.commun.erreurs import ErreurMetier
from evaluation.bilans import rendus
from evaluation.bilans.agregats import Perimetre, agreger
from evaluation.bilans.services import document as services_document
from evaluation.models import DocumentBilanAnnuel
from tests.candidatures.factories import PNG_MINIMAL, AppelAProjetsFactory
from tests.evaluation.factories import UtilisateurFactory, jeu_bilans

pytestmark = pytest.mark.django_db


@pytest.fixture
def appel():
    return AppelAProjetsFactory(annee=2025)


def _url(appel):
    return reverse("bilans:document", args=[appel.pk])


def _png(nom="logo.png", contenu=PNG_MINIMAL):
    return SimpleUploadedFile(nom, contenu, content_type="image/png")


def test_le_comite_ecrit_le_commentaire_seulement(client, appel):
    client.force_login(UtilisateurFactory(comite=True))

    page = client.get(_url(appel))
    reponse = client.post(_url(appel), {"commentaire": "Une année dense.",
                                        "partenaires": "Ignoré"})

    assert page.status_code == 200
    assert "partenaires" not in page.context["form"].fields
    assert reponse.status_code == 302
    document = DocumentBilanAnnuel.objects.get(appel=appel)
    assert (document.commentaire, document.partenaires) == ("Une année dense.", "")


def test_l_administrateur_nomme_les_partenaires_et_depose_le_logo(client, appel):
    client.force_login(UtilisateurFactory(administrateur=True))

    reponse = client.post(_url(appel), {
        "commentaire": "Bilan présenté au comité de pilotage.",
        "partenaires": "État\n\n  Alès Agglomération \nCAF du Gard",
        "logo": _png(),
    })

    assert reponse.status_code == 302
    document = DocumentBilanAnnuel.objects.get(appel=appel)
    assert document.liste_partenaires == ["État", "Alès Agglomération", "CAF du Gard"]
    assert document.logo.name.endswith(".png")

    client.post(_url(appel), {"commentaire": "", "partenaires": "État", "supprimer_logo": "on"})
    document.refresh_from_db()
    assert not document.logo


def test_l_instructeur_n_y_a_pas_acces(client, appel):
    client.force_login(UtilisateurFactory(instructeur=True))

    assert client.get(_url(appel)).status_code == 404
    assert client.post(_url(appel), {"commentaire": "x"}).status_code == 404
    assert not DocumentBilanAnnuel.objects.exists()


def test_le_service_refuse_les_partenaires_au_comite(appel):
    with pytest.raises(ErreurMetier, match="administrateurs du contrat nomment"):
        services_document.enregistrer_document(
            appel=appel, par=UtilisateurFactory(comite=True), partenaires="État"
        )


@pytest.mark.parametrize(("fichier", "message"), [
    (_png("logo.gif"), "Le logo doit être une image PNG ou JPEG"),
    (_png("logo.png", b"%PDF-1.4 pas une image"), "ne se lit pas comme une image PNG"),
    (_png("logo.jpg"), "ne se lit pas comme une image JPEG"),
    (_png("logo.png", PNG_MINIMAL + b"0" * (1024 * 1024)), "la limite est de 1\xa0Mo"),
])
def test_logo_verifie_et_saisie_conservee(client, appel, fichier, message):
    """A bad logo: a French message beside the field, what was typed is shown again."""
    client.force_login(UtilisateurFactory(administrateur=True))

    reponse = client.post(_url(appel), {"commentaire": "Mon commentaire gardé",
                                        "partenaires": "État", "logo": fichier})

    assert reponse.status_code == 200
    assertContains(reponse, message)
    assertContains(reponse, "Mon commentaire gardé")
    assert not DocumentBilanAnnuel.objects.exists()


def test_commentaire_trop_long(client, appel):
    client.force_login(UtilisateurFactory(comite=True))

    reponse = client.post(_url(appel), {"commentaire": "x" * 3001})

    assertContains(reponse, "au plus 3000 caractères")


def _texte_pdf(contenu):
    lecteur = PdfReader(io.BytesIO(contenu))
    return [" ".join(page.extract_text().split()) for page in lecteur.pages]


def test_pdf_couverture_synthese_commentaire_et_annexes():
    """The cover names the contract, territory, year, partners; the summary gives the key
    figures, the rest and the change from last year; the annexes list every action, structure
    and QPV."""
    jeu = jeu_bilans()
    appel = jeu["appel_2025"]
    admin = UtilisateurFactory(administrateur=True)
    services_document.enregistrer_document(
        appel=appel, par=admin, commentaire="Année de montée en charge des actions jeunesse.",
        partenaires="Préfecture du Gard\nCAF du Gard", logo=_png(),
    )

    pages = _texte_pdf(rendus.bilan_pdf(agreger(Perimetre.pour_appel(appel))))

    couverture = pages[0]
    assert "Bilan annuel du contrat de ville 2025" in couverture
    assert appel.contrat.territoire.nom in couverture
    assert "Préfecture du Gard" in couverture and "CAF du Gard" in couverture
    synthese = next(p for p in pages if "Synthèse" in p and "Dossiers déposés" in p)
    assert "Année de montée en charge des actions jeunesse." in synthese
    assert "Dossiers déposés 6" in synthese
    assert "Ni retenus ni refusés 1" in synthese
    assert "Évolution depuis 2024" in synthese
    tout = " ".join(pages)
    assert "Cofinancements prévus aux budgets" in tout
    assert "(aucune)" not in tout
    assert "Nombre d'habitants mobilisés — F/H" in tout
    annexes = tout[tout.index("Annexe 1"):]
    for action in ("1.1.1.a", "1.6.1.a", "3.1.3.a", "2.3.1.a", "1.1.1.b", "1.3.3.a"):
        assert action in annexes
    for structure in ("Association Alpha", "Association Bêta", "Association Gamma"):
        assert structure in annexes
    assert "Alès" in annexes and "Aucun quartier renseigné" in annexes
