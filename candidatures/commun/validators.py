"""Checks of French identifiers (SIRET, RNA, IBAN, BIC) and of uploaded documents."""

import io
import re
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as ErreurStdnum
from stdnum.fr import siret as stdnum_siret

RNA = re.compile(r"^W[0-9]{9}$")
CODE_POSTAL = re.compile(r"^[0-9]{5}$")
TELEPHONE = re.compile(r"^\+?[0-9 .\-()]{10,20}$")

TAILLE_MAX_DEFAUT = 10 * 1024 * 1024


def normaliser_siret(valeur):
    """Remove the spaces and dots people type inside a SIRET."""
    return re.sub(r"[\s.]", "", valeur or "")


def valider_siret(valeur):
    """SIRET: 14 digits, Luhn checksum (La Poste establishments: sum of digits multiple of 5)."""
    siret = normaliser_siret(valeur)
    if not re.fullmatch(r"[0-9]{14}", siret):
        raise ValidationError(
            "Le SIRET comporte exactement 14 chiffres (vous en avez saisi %(n)s).",
            code="siret_format",
            params={"n": sum(c.isdigit() for c in siret)},
        )
    try:
        stdnum_siret.validate(siret)
    except ErreurStdnum:
        raise ValidationError(
            ("Ce SIRET n'existe pas : sa clé de contrôle est fausse. Vérifiez les 14 chiffres "
              "sur l'avis de situation au répertoire Sirene."),
            code="siret_cle",
        ) from None


def normaliser_rna(valeur):
    """Upper-case the RNA number and drop the spaces."""
    return re.sub(r"\s", "", valeur or "").upper()


def valider_rna(valeur):
    """RNA: the letter W followed by 9 digits."""
    if not RNA.fullmatch(normaliser_rna(valeur)):
        raise ValidationError(
            ("Le numéro RNA commence par la lettre W suivie de 9 chiffres (par exemple "
              "W301234567)."),
            code="rna_format",
        )


def normaliser_iban(valeur):
    """Upper-case the IBAN and drop the spaces."""
    return re.sub(r"\s", "", valeur or "").upper()


def valider_iban(valeur):
    """IBAN: ISO 13616 structure and mod-97 check."""
    try:
        stdnum_iban.validate(normaliser_iban(valeur))
    except ErreurStdnum:
        raise ValidationError(
            ("Cet IBAN n'est pas valide : vérifiez-le sur votre relevé d'identité bancaire "
              "(un IBAN français compte 27 caractères et commence par FR)."),
            code="iban",
        ) from None


def valider_bic(valeur):
    """BIC: 8 or 11 characters (bank, country, place, branch)."""
    try:
        stdnum_bic.validate(normaliser_iban(valeur))
    except ErreurStdnum:
        raise ValidationError(
            "Ce BIC n'est pas valide : il compte 8 ou 11 caractères (par exemple BNPAFRPPXXX).",
            code="bic",
        ) from None


def valider_code_postal(valeur):
    """French postcode: 5 digits."""
    if not CODE_POSTAL.fullmatch(valeur or ""):
        raise ValidationError(
            "Le code postal comporte 5 chiffres (par exemple 30100).", code="code_postal"
        )


def valider_telephone(valeur):
    """A phone number people can type: digits, spaces, dots, dashes, a leading +."""
    if not TELEPHONE.fullmatch(valeur or ""):
        raise ValidationError(
            "Saisissez un numéro de téléphone de 10 chiffres (par exemple 04 66 12 34 56).",
            code="telephone",
        )


# --- Documents ---------------------------------------------------------------------------------

def valider_debut_de_nom(valeur):
    """A name or title must not start like a spreadsheet formula (it is exported)."""
    if valeur and valeur.lstrip()[:1] in ("=", "+", "@"):
        raise ValidationError(
            "Ce texte ne peut pas commencer par « = », « + » ou « @ » : retirez ce premier "
            "caractère.",
            code="debut_de_formule",
        )


SIGNATURE_PDF = b"%PDF-"
SIGNATURE_PNG = b"\x89PNG\r\n\x1a\n"
SIGNATURE_JPEG = b"\xff\xd8\xff"
SIGNATURE_ZIP = b"PK\x03\x04"
SIGNATURE_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Extension → family of content it must hold.
EXTENSIONS_ACCEPTEES = {
    ".pdf": "pdf",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".docx": "ooxml",
    ".xlsx": "ooxml",
    ".odt": "odf",
    ".ods": "odf",
    ".doc": "ole",
    ".xls": "ole",
}
TYPES_MIME = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
}
FORMATS_LISIBLES = (
    "PDF, PNG, JPEG, Word (.docx, .doc), Excel (.xlsx, .xls), OpenDocument (.odt, .ods)"
)


def taille_lisible(octets):
    """A size as French people write it: 850 octets, 2,5 Ko, 10 Mo."""
    for unite, facteur in (("Mo", 1024 * 1024), ("Ko", 1024)):
        if octets >= facteur:
            return f"{octets / facteur:.1f}".removesuffix(".0").replace(".", ",") + f"\xa0{unite}"
    return f"{octets}\xa0octets"


def taille_max_document():
    return getattr(settings, "PORTAIL_DOCUMENT_TAILLE_MAX", TAILLE_MAX_DEFAUT)


def _famille_du_contenu(fichier):
    """Tell what the first bytes (and, for a ZIP, the members) say the file really is."""
    fichier.seek(0)
    entete = fichier.read(8)
    fichier.seek(0)
    if entete.startswith(SIGNATURE_PDF):
        return "pdf"
    if entete.startswith(SIGNATURE_PNG):
        return "png"
    if entete.startswith(SIGNATURE_JPEG):
        return "jpeg"
    if entete.startswith(SIGNATURE_OLE):
        return "ole"
    if entete.startswith(SIGNATURE_ZIP):
        try:
            with zipfile.ZipFile(io.BytesIO(fichier.read())) as archive:
                noms = set(archive.namelist())
                if "[Content_Types].xml" in noms:
                    return "ooxml"
                if "mimetype" in noms and archive.read("mimetype").startswith(
                    b"application/vnd.oasis.opendocument"
                ):
                    return "odf"
        except zipfile.BadZipFile:
            return None
        finally:
            fichier.seek(0)
    return None


def extension_de(nom):
    return Path(nom or "").suffix.lower()


def valider_document(fichier):
    """Accept only PDF, images and office documents of at most the size limit, by their content."""
    extension = extension_de(fichier.name)
    if extension not in EXTENSIONS_ACCEPTEES:
        raise ValidationError(
            "Ce type de fichier n'est pas accepté. Formats acceptés : %(formats)s.",
            code="document_extension",
            params={"formats": FORMATS_LISIBLES},
        )
    if fichier.size > taille_max_document():
        raise ValidationError(
            ("Le fichier pèse %(taille)s : la limite est de %(max)s. Réduisez-le (PDF compressé, "
              "numérisation en 150 ppp) puis déposez-le à nouveau."),
            code="document_taille",
            params={
                "taille": taille_lisible(fichier.size),
                "max": taille_lisible(taille_max_document()),
            },
        )
    if fichier.size == 0:
        raise ValidationError("Le fichier est vide.", code="document_vide")
    famille = _famille_du_contenu(fichier)
    if famille != EXTENSIONS_ACCEPTEES[extension] or not _se_lit(fichier, famille):
        raise ValidationError(
            ("Le contenu du fichier ne correspond pas à son extension « %(ext)s » : il est "
              "peut-être endommagé ou d'un autre format. Enregistrez-le à nouveau (en PDF de "
              "préférence)."),
            code="document_contenu",
            params={"ext": extension},
        )


# An image of more pixels than this is refused rather than decoded (decompression bombs).
PIXELS_MAX = 50_000_000


def _se_lit(fichier, famille):
    """A PDF must parse as a PDF with at least one page, an image must decode as an image."""
    if famille not in ("pdf", "png", "jpeg"):
        return True
    fichier.seek(0)
    try:
        if famille == "pdf":
            from pypdf import PdfReader

            return len(PdfReader(fichier, strict=False).pages) > 0
        from PIL import Image

        with Image.open(fichier) as image:
            if image.width * image.height > PIXELS_MAX:
                return False
            image.verify()
        return True
    except Exception:  # noqa: BLE001 — any parser error means the file cannot be read
        return False
    finally:
        fichier.seek(0)
