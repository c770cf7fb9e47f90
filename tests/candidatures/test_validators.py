"""Checks of SIRET, RNA, IBAN, BIC and uploaded documents, with real-world numbers."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from candidatures.commun.validators import (
    taille_lisible,
    valider_bic,
    valider_code_postal,
    valider_document,
    valider_iban,
    valider_rna,
    valider_siret,
)

from .factories import JPEG_MINIMAL, PDF_MINIMAL, PNG_MINIMAL

PDF = PDF_MINIMAL
PNG = PNG_MINIMAL
JPEG = JPEG_MINIMAL
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32


def _zip(membres):
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as archive:
        for nom, contenu in membres.items():
            archive.writestr(nom, contenu)
    return tampon.getvalue()


DOCX = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
ODT = _zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<office/>"})
ZIP_QUELCONQUE = _zip({"photo.txt": "bonjour"})


@pytest.mark.parametrize(
    "siret",
    [
        "73282932000074",  # a well-known valid SIRET
        "732 829 320 00074",  # as printed on the Sirene notice
        "35600000000048",  # La Poste head office (Luhn)
        "35600000049837",  # a La Poste establishment: sum of digits multiple of 5, not Luhn
    ],
)
def test_siret_valide(siret):
    """Valid SIRET numbers, La Poste included, are accepted."""
    valider_siret(siret)


@pytest.mark.parametrize(
    ("siret", "code"),
    [
        ("73282932000075", "siret_cle"),  # last digit changed: Luhn fails
        ("35600000049838", "siret_cle"),  # La Poste, sum of digits not a multiple of 5
        ("7328293200007", "siret_format"),  # 13 digits
        ("7328293200007A", "siret_format"),
        ("", "siret_format"),
    ],
)
def test_siret_invalide(siret, code):
    """A wrong key or length is refused with a French message."""
    with pytest.raises(ValidationError) as erreur:
        valider_siret(siret)

    assert erreur.value.code == code
    assert "SIRET" in erreur.value.messages[0]


@pytest.mark.parametrize("rna", ["W301002345", "w301002345", "W 301 002 345"])
def test_rna_valide(rna):
    """RNA numbers: W and 9 digits, case and spaces forgiven."""
    valider_rna(rna)


@pytest.mark.parametrize("rna", ["301002345", "W30100234", "W3010023456", "X301002345"])
def test_rna_invalide(rna):
    """Anything else than W + 9 digits is refused."""
    with pytest.raises(ValidationError, match="W suivie de 9 chiffres"):
        valider_rna(rna)


@pytest.mark.parametrize(
    "iban",
    [
        "FR7630006000011234567890189",
        "FR76 3000 6000 0112 3456 7890 189",
        "DE89370400440532013000",
    ],
)
def test_iban_valide(iban):
    """IBANs with a correct mod-97 key are accepted, spaces or not."""
    valider_iban(iban)


@pytest.mark.parametrize(
    "iban", ["FR7630006000011234567890188", "FR763000600001123456789018", "FR00", "0123"]
)
def test_iban_invalide(iban):
    """One digit changed, a missing digit or garbage: refused."""
    with pytest.raises(ValidationError, match="IBAN n'est pas valide"):
        valider_iban(iban)


def test_bic():
    """A BIC has 8 or 11 characters."""
    valider_bic("AGRIFRPP")
    valider_bic("CEPAFRPP131")

    with pytest.raises(ValidationError):
        valider_bic("AGRI")


def test_code_postal():
    """A French postcode has 5 digits."""
    valider_code_postal("30100")

    with pytest.raises(ValidationError):
        valider_code_postal("3010")


@pytest.mark.parametrize(
    ("nom", "contenu"),
    [
        ("statuts.pdf", PDF),
        ("Statuts signés.PDF", PDF),
        ("rib.png", PNG),
        ("rib.jpg", JPEG),
        ("rib.jpeg", JPEG),
        ("liste.docx", DOCX),
        ("comptes.xlsx", DOCX),
        ("rapport.odt", ODT),
        ("rapport.doc", OLE),
        ("comptes.xls", OLE),
    ],
)
def test_document_accepte(nom, contenu):
    """PDF, images and office documents whose content matches their extension are accepted."""
    valider_document(SimpleUploadedFile(nom, contenu))


@pytest.mark.parametrize(
    ("nom", "contenu", "code"),
    [
        ("statuts.pdf", b"Ceci est du texte, pas un PDF.", "document_contenu"),
        ("statuts.pdf", PNG, "document_contenu"),
        ("statuts.pdf", b"%PDF-1.4\n<html><body>Pas un PDF</body></html>", "document_contenu"),
        ("statuts.pdf", PDF[: len(PDF) // 3], "document_contenu"),
        ("rib.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "document_contenu"),
        ("rib.jpg", b"\xff\xd8\xff\xe0<html></html>", "document_contenu"),
        ("liste.docx", ZIP_QUELCONQUE, "document_contenu"),
        ("liste.docx", b"PK\x03\x04 tronque", "document_contenu"),
        ("programme.exe", b"MZ\x90\x00", "document_extension"),
        ("page.html", b"<html></html>", "document_extension"),
        ("sans_extension", PDF, "document_extension"),
        ("vide.pdf", b"", "document_vide"),
    ],
)
def test_document_refuse(nom, contenu, code):
    """A file is judged by its content, not by its name alone."""
    with pytest.raises(ValidationError) as erreur:
        valider_document(SimpleUploadedFile(nom, contenu))

    assert erreur.value.code == code


def test_document_trop_gros(settings):
    """A file above the size limit is refused, the limit in the message."""
    settings.PORTAIL_DOCUMENT_TAILLE_MAX = 1024

    with pytest.raises(ValidationError) as erreur:
        valider_document(SimpleUploadedFile("statuts.pdf", PDF + b"0" * 2048))

    assert erreur.value.code == "document_taille"
    assert "la limite est de 1\xa0Ko" in erreur.value.messages[0]


def test_taille_lisible():
    """Sizes are written the French way."""
    assert taille_lisible(850) == "850\xa0octets"
    assert taille_lisible(2560) == "2,5\xa0Ko"
    assert taille_lisible(10 * 1024 * 1024) == "10\xa0Mo"
