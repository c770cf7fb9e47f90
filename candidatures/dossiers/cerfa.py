"""What the complete Cerfa n°12156*06 requires beyond the former form.

Only dossiers started on it (``Dossier.formulaire`` 2, every dossier created since the
migration ``0010_cerfa``) are held to it: dossiers started before keep the former rule, so no
draft nor submitted dossier is blocked retroactively.
"""

from django.utils.text import capfirst

from ..models import DocumentStructure, DureeDemande, PieceJointe, Section
from ..structures.selectors import informations_de_l_annee, manques_informations
from . import budget


def _requis(objet, champs, suffixe=""):
    return [
        f"{capfirst(objet._meta.get_field(c).verbose_name)}{suffixe} : à renseigner."
        for c in champs
        if getattr(objet, c) in (None, "")
    ]


def _manques_identite(dossier, informations):
    structure = dossier.structure
    m = _requis(dossier, ["contact_prenom", "contact_fonction"])
    m += _requis(
        structure, ["representant_telephone", "representant_email"], " (fiche de la structure)"
    )
    if not (dossier.aide_numeraire or dossier.aide_nature):
        m.append("Objet de la demande : cochez une aide en numéraire et/ou en nature.")
    m += _requis(dossier, ["objet_demande", "duree_demande", "premiere_demande"])
    if dossier.duree_demande == DureeDemande.PLURIANNUELLE and not dossier.annees_demande:
        m.append("Demande pluriannuelle : indiquez les années concernées.")
    annee = dossier.appel.annee
    if informations is None:
        m.append(
            f"Informations annuelles {annee} de la structure (relations, moyens humains, "
            "budget annuel) : à déclarer une fois pour tous les dossiers de l'année."
        )
    else:
        m += [
            f"Informations annuelles {annee} de la structure — {manque}"
            for manque in manques_informations(informations)
        ]
    return m


def _manques_budget(dossier):
    lignes = {lg.code: lg.montant for lg in dossier.lignes_budget.all()}
    m = []
    for code in budget.A_DETAILLER_DEPUIS_2:
        details = [s.code for s in budget.SOUS_LIGNES_DE[code]]
        if lignes.get(code) and not any(lignes.get(d) for d in details):
            libelles = ", ".join(f"{s.numero or ''} {s.libelle}".strip()
                                 for s in budget.SOUS_LIGNES_DE[code])
            m.append(f"Budget, compte {code} : répartissez-le entre {libelles}.")
    return m


def _manques_declaration(dossier):
    m = []
    if dossier.signataire_est_representant is None:
        m.append("Déclaration : indiquez si le signataire est le représentant légal.")
    elif dossier.signataire_est_representant is False and not dossier.pieces.filter(
        type=PieceJointe.Type.POUVOIR
    ).exists():
        m.append(
            "Déclaration : le signataire n'est pas le représentant légal ; joignez le pouvoir "
            "qu'il lui a donné (pièce jointe de type « pouvoir »)."
        )
    m += _requis(dossier, ["declaration_minimis", "declaration_fait_a"])
    if not dossier.declaration_comptes_approuves:
        m.append("Déclaration : certifiez l'approbation des budgets et comptes.")
    if not dossier.declaration_compte_propre:
        m.append("Déclaration : demandez le versement sur le compte de la structure.")
    return m


def _manques_pieces(informations, documents_presents):
    if (
        informations is not None
        and informations.commissaire_aux_comptes
        and DocumentStructure.Type.RAPPORT_CAC not in documents_presents
    ):
        return [
            "Document de la structure manquant : rapport du commissaire aux comptes (la "
            "structure en a un ; à déposer dans les documents de la structure)."
        ]
    return []


def manques_cerfa(dossier, documents_presents):
    """What the complete form still lacks, per section (empty for a former-form dossier)."""
    if not dossier.cerfa_complet:
        return {}
    informations = informations_de_l_annee(dossier.structure, dossier.appel.annee)
    return {
        Section.IDENTITE: _manques_identite(dossier, informations),
        Section.PROJET: _requis(dossier, ["duree", "moyens_materiels", "evaluation",
                                          "volontaires"]),
        Section.BUDGET: _manques_budget(dossier),
        Section.PIECES: _manques_pieces(informations, documents_presents),
        Section.DECLARATION: _manques_declaration(dossier),
    }
