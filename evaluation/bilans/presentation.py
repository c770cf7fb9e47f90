"""What makes the bilan PDF a document for a steering committee: the cover (contract, territory,
period, partners, logo), the one-page summary with last year beside it, the comité's comment,
the labels a reader understands."""

import base64
import dataclasses

from candidatures.commun.formats import euros, nombre, pourcentage
from evaluation.models import DocumentBilanAnnuel
from referentiel.models import Contrat

from .agregats import bilan_annuel, part

TYPES_LOGO = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def _logo(document):
    """The logo as a data: URI (the PDF reads no file but the static ones)."""
    if document is None or not document.logo:
        return ""
    extension = "." + document.logo.name.rsplit(".", 1)[-1].lower()
    try:
        with document.logo.open("rb") as fichier:
            contenu = fichier.read()
    except OSError:
        return ""
    type_ = TYPES_LOGO.get(extension, "image/png")
    return f"data:{type_};base64,{base64.b64encode(contenu).decode()}"


def _annee_precedente(bilan):
    """The totals of the year before a one-year bilan (kept figures), or None."""
    p = bilan.perimetre
    if p.annee_debut != p.annee_fin:
        annees = bilan.annees
        return (annees[-2].annee, annees[-2].chiffres) if len(annees) > 1 else None
    precedent = dataclasses.replace(p, annee_debut=p.annee_debut - 1, annee_fin=p.annee_fin - 1)
    if not precedent.appels().exists():
        return None
    return precedent.annee_debut, bilan_annuel(precedent).total


def _chiffres_cles(total, precedent):
    """(label, value, last year's value, change) for the summary page."""
    mesures = [
        ("Dossiers déposés", "deposes", nombre),
        ("Dossiers retenus", "retenus", nombre),
        ("Dossiers non retenus", "refuses", nombre),
        ("Ni retenus ni refusés", "autres", nombre),
        ("Montant demandé", "montant_demande", euros),
        ("Montant proposé", "montant_propose", euros),
        ("Montant accordé", "montant_accorde", euros),
        ("Actions réalisées", "realisees", nombre),
        ("Bénéficiaires", "beneficiaires_total", nombre),
        ("Part des femmes et des filles", "part_femmes", pourcentage),
    ]
    lignes = []
    for libelle, nom, format_ in mesures:
        valeur = getattr(total, nom)
        avant = getattr(precedent, nom) if precedent is not None else None
        variation = (
            part(valeur - avant, avant) if avant and nom != "part_femmes" and valeur is not None
            else None
        )
        lignes.append((
            libelle, format_(valeur) or "—", "—" if avant is None else format_(avant) or "—",
            "—" if variation is None else ("+" if variation > 0 else "") + pourcentage(variation),
        ))
    # Beneficiaries by sex, as a pair (no change computed on a pair).
    for position, libelle, noms in (
        (9, "Femmes / hommes", ("beneficiaires_femmes", "beneficiaires_hommes")),
        (10, "Filles / garçons", ("beneficiaires_filles", "beneficiaires_garcons")),
    ):
        def paire(chiffres, noms=noms):
            return " / ".join(nombre(getattr(chiffres, n)) for n in noms)

        lignes.insert(position, (
            libelle, paire(total), "—" if precedent is None else paire(precedent), "—"
        ))
    return lignes


def contexte_document(bilan):
    """Cover, comment and summary of ``bilan``'s PDF."""
    document = (
        DocumentBilanAnnuel.objects.filter(appel__in=[a.pk for a in bilan.appels])
        .order_by("-appel__annee").first()
    )
    contrat = Contrat.objects.select_related("territoire").get(pk=bilan.perimetre.contrat_id)
    precedent = _annee_precedente(bilan)
    return {
        "territoire": contrat.territoire.nom,
        "partenaires": document.liste_partenaires if document else [],
        # The comité's comment is about the contract's year, not about one structure.
        "commentaire": document.commentaire if document and not bilan.structure else "",
        "logo": _logo(document),
        "annee_precedente": precedent[0] if precedent else None,
        "chiffres_cles": _chiffres_cles(bilan.total, precedent[1] if precedent else None),
    }

