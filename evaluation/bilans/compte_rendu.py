"""The compte rendu financier (Cerfa n°15059*02) of a bilan: its PDF and the fingerprint of the
data it is made from (a kept file is served again until they change)."""

import hashlib

from django.conf import settings
from django.utils import timezone

from candidatures.commun.pdf import rendre_pdf
from candidatures.dossiers import budget

from . import selectors


def empreinte(bilan):
    """What the PDF shows changes this: the bilan (each save bumps ``modifie_le``), its
    submission and validation, the dossier's version and decision, the structure's identity,
    the call's gap threshold."""
    dossier = bilan.dossier
    structure = dossier.structure
    decision = getattr(dossier, "decision", None)
    parties = [
        bilan.pk, bilan.version, bilan.modifie_le, bilan.depose_le, bilan.valide_le,
        dossier.version, dossier.intitule,
        decision.montant_accorde if decision else None, decision.decidee_le if decision else None,
        structure.raison_sociale, structure.siret, structure.rna,
        selectors.seuil_ecart(dossier.appel_id),
    ]
    return hashlib.sha256("|".join(str(p) for p in parties).encode()).hexdigest()


def rendre_compte_rendu(bilan):
    """The PDF bytes of the compte rendu financier, two pages or so."""
    dossier = bilan.dossier
    lignes = selectors.compte_rendu(bilan)
    prevus, realises = selectors.totaux_compte_rendu(lignes)

    def du_cote(*cotes):
        return [lg for lg in lignes if lg.definition.cote in cotes]

    return rendre_pdf(
        "bilans/pdf/compte_rendu.html",
        {
            "dossier": dossier,
            "bilan": bilan,
            "tableaux": [
                ("Charges", du_cote(budget.CHARGE, budget.CONTRIBUTION_EMPLOI),
                 prevus.total_charges, realises.total_charges),
                ("Produits", du_cote(budget.PRODUIT, budget.CONTRIBUTION_RESSOURCE),
                 prevus.total_produits, realises.total_produits),
            ],
            "ecarts_expliques": [lg for lg in lignes if lg.explication],
            "attribuant": settings.ATTRIBUANT_NOM,
            "genere_le": timezone.now(),
            "PORTAIL_NOM": settings.PORTAIL_NOM,
        },
        "css/dossier-pdf.css",
        journal=f"compte rendu financier du dossier {dossier.pk}",
    )


def nom_du_fichier(dossier):
    return f"compte-rendu-financier-{dossier.reference or dossier.pk}.pdf"
