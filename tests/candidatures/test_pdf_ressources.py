"""PDFs read nothing but the portal's static files: no network, no other file on disk."""

import http.server
import io
import threading

import pytest
from django.conf import settings
from pypdf import PdfReader

from candidatures.commun.pdf import (
    RessourceRefusee,
    dossiers_statiques,
    pdf_depuis_html,
    verifier_ressource,
)
from candidatures.dossiers.pdf import rendre_dossier_pdf
from candidatures.models import Dossier

from .factories import DossierFactory, MembreFactory


@pytest.fixture
def serveur():
    """A local HTTP server counting the requests it receives."""
    appels = []

    class Gestionnaire(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            appels.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/svg+xml")
            self.end_headers()
            self.wfile.write(b'<svg xmlns="http://www.w3.org/2000/svg"><text>FUITE</text></svg>')

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Gestionnaire)
    fil = threading.Thread(target=httpd.serve_forever, daemon=True)
    fil.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", appels
    httpd.shutdown()


def _texte(pdf):
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1/",
        "https://exemple.test/image.png",
        "ftp://exemple.test/x",
        f"file://{settings.BASE_DIR}/static/../manage.py",
        f"file://{settings.BASE_DIR}/contrat_ville/settings/base.py",
    ],
)
def test_le_fournisseur_refuse_tout_sauf_les_fichiers_statiques(url):
    with pytest.raises(RessourceRefusee):
        verifier_ressource(url, dossiers_statiques())


def test_le_fournisseur_sert_les_fichiers_statiques_et_data():
    racines = dossiers_statiques()

    verifier_ressource(f"file://{settings.BASE_DIR}/static/css/dossier-pdf.css", racines)
    verifier_ressource("data:image/png;base64,iVBORw0KGgo=", racines)


def test_un_pdf_ne_lit_ni_le_reseau_ni_un_autre_fichier(serveur, tmp_path):
    """Markup asking for a remote image, a local file or a remote stylesheet gets nothing."""
    adresse, appels = serveur
    secret = tmp_path / "secret.svg"
    secret.write_text('<svg xmlns="http://www.w3.org/2000/svg"><text>SECRET</text></svg>')
    html = (
        f'<link rel="stylesheet" href="{adresse}/feuille.css">'
        f'<p>Texte</p><img src="{adresse}/image.svg"><img src="file://{secret}">'
        f'<div style="background: url({adresse}/fond.svg)">fond</div>'
    )

    texte = _texte(pdf_depuis_html(html, "css/dossier-pdf.css"))

    assert appels == []
    assert "Texte" in texte and "SECRET" not in texte and "FUITE" not in texte


@pytest.mark.django_db
def test_les_champs_saisis_ne_font_rien_charger_au_pdf(serveur):
    """Every text a porteur types is printed as text in the PDF, never fetched."""
    adresse, appels = serveur
    charge = (
        f'<img src="{adresse}/a.svg"><link rel="stylesheet" href="{adresse}/b.css">'
        f'<iframe src="file:///etc/passwd"></iframe>'
    )
    membre = MembreFactory()
    dossier = DossierFactory(structure=membre.structure, complet=membre.utilisateur, depose=True)
    champs_texte = [
        f.name for f in Dossier._meta.get_fields()
        if getattr(f, "get_internal_type", lambda: "")() in ("CharField", "TextField")
        and f.name not in ("statut", "reference") and not f.choices
    ]
    Dossier.objects.filter(pk=dossier.pk).update(
        **{nom: charge[: Dossier._meta.get_field(nom).max_length or None] for nom in champs_texte}
    )
    dossier.refresh_from_db()

    texte = _texte(rendre_dossier_pdf(dossier, recepisse=True))

    assert appels == []
    assert "<img src=" in texte
