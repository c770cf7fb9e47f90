"""Render an annual bilan to XLSX (openpyxl) and to PDF (WeasyPrint).

The workbook is written in write-only mode (memory stays flat however many raw rows): numbers
are stored as numbers, euros and percentages formatted, headers styled, the header row frozen
and filtered. The PDF is plain HTML and CSS, black and white, with SVG charts.
"""

import io
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

from candidatures.commun.formats import date_heure
from candidatures.commun.pdf import rendre_pdf
from candidatures.commun.tableurs import cellule_xlsx

from . import graphiques, presentation

logger = logging.getLogger(__name__)

FORMAT_EUROS = '#,##0\\ "€";-#,##0\\ "€"'
FORMAT_POURCENT = "0.0\\ %"
FORMAT_ENTIER = "#,##0"
TYPE_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- XLSX -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Colonne:
    libelle: str
    largeur: int = 12
    format: str = ""


COLONNES_CHIFFRES = [
    Colonne("Dossiers déposés", 11, "entier"),
    Colonne("Retenus", 10, "entier"),
    Colonne("Non retenus", 11, "entier"),
    Colonne("Montant demandé", 15, "euros"),
    Colonne("Montant proposé", 15, "euros"),
    Colonne("Montant accordé", 15, "euros"),
    Colonne("Actions réalisées (bilans comptés)", 14, "entier"),
    Colonne("Bénéficiaires femmes", 12, "entier"),
    Colonne("Bénéficiaires hommes", 12, "entier"),
    Colonne("Bénéficiaires filles", 12, "entier"),
    Colonne("Bénéficiaires garçons", 12, "entier"),
    Colonne("Bénéficiaires total", 12, "entier"),
    Colonne("Part femmes et filles", 12, "pourcentage"),
]


def valeurs_chiffres(c):
    return [
        c.deposes, c.retenus, c.refuses, c.montant_demande, c.montant_propose,
        c.montant_accorde, c.realisees, c.beneficiaires_femmes, c.beneficiaires_hommes,
        c.beneficiaires_filles, c.beneficiaires_garcons, c.beneficiaires_total, c.part_femmes,
    ]


def _styles(classeur):
    fin = Side(style="thin", color="808080")
    styles = [
        NamedStyle(
            name="entete", font=Font(bold=True, color="FFFFFF"),
            fill=PatternFill("solid", fgColor="1F3A5F"),
            alignment=Alignment(wrap_text=True, vertical="top"), border=Border(bottom=fin),
        ),
        NamedStyle(name="titre", font=Font(bold=True, size=14)),
        NamedStyle(name="libelle", font=Font(bold=True)),
        NamedStyle(name="euros", number_format=FORMAT_EUROS),
        NamedStyle(name="pourcentage", number_format=FORMAT_POURCENT),
        NamedStyle(name="entier", number_format=FORMAT_ENTIER),
    ]
    for style in styles:
        classeur.add_named_style(style)


@dataclass
class Tableau:
    """One sheet: its columns (label, width, number format) and its rows of plain values.

    ``formats_par_ligne``: each row ends with the format of its last cell (summary sheet).
    """

    titre: str
    colonnes: list
    lignes: object
    formats_par_ligne: bool = False


def _bilans_comptes(bilan):
    if bilan.inclure_deposes:
        return "bilans validés et bilans déposés non encore validés (inclus à la demande)"
    return "bilans validés uniquement"


def _synthese(bilan):
    appels = ", ".join(f"{a.titre} ({a.annee})" for a in bilan.appels) or "aucun appel"
    t = bilan.total
    lignes = [
        (f"Bilan annuel du contrat de ville — {bilan.periode}", None, "titre"),
        ("Contrat de ville", bilan.contrat, None),
        ("Appel(s) à projets", appels, None),
        ("Généré le", date_heure(bilan.genere_le), None),
        ("Bilans comptés", _bilans_comptes(bilan), None),
        ("Pilier", bilan.pilier or "Tous les piliers", None),
        ("Quartier prioritaire", bilan.quartier or "Tous les quartiers", None),
    ]
    if bilan.structure:
        lignes.append(("Structure", bilan.structure, None))
    lignes += [
        ("Dossiers déposés", t.deposes, "entier"),
        ("Dossiers retenus", t.retenus, "entier"),
        ("Dossiers non retenus", t.refuses, "entier"),
        ("Montant demandé au contrat de ville", t.montant_demande, "euros"),
        ("Montant proposé par l'instruction", t.montant_propose, "euros"),
        ("Montant accordé par le comité", t.montant_accorde, "euros"),
        ("Actions réalisées (bilans comptés)", t.realisees, "entier"),
        ("Bénéficiaires femmes", t.beneficiaires_femmes, "entier"),
        ("Bénéficiaires hommes", t.beneficiaires_hommes, "entier"),
        ("Bénéficiaires filles", t.beneficiaires_filles, "entier"),
        ("Bénéficiaires garçons", t.beneficiaires_garcons, "entier"),
        ("Bénéficiaires total", t.beneficiaires_total, "entier"),
        ("Part des femmes et des filles", t.part_femmes, "pourcentage"),
        ("Note", "Un dossier qui concerne plusieurs quartiers compte dans chacun d'eux : la "
                 "feuille « Quartiers » ne s'additionne pas.", None),
    ]
    return Tableau(
        "Synthèse", [Colonne("Rubrique", 40), Colonne("Valeur", 70)], lignes,
        formats_par_ligne=True,
    )


def _niveau(titre, lignes, parent):
    colonnes = [Colonne("Code", 10), Colonne("Intitulé", 50)]
    if parent:
        colonnes.append(Colonne(parent, 10))
    return Tableau(
        titre, colonnes + COLONNES_CHIFFRES,
        (
            [ligne.code, ligne.titre] + ([ligne.parent_code] if parent else [])
            + valeurs_chiffres(ligne.chiffres)
            for ligne in lignes
        ),
    )


def _valeurs(v):
    return [v.femmes, v.hommes, v.filles, v.garcons, v.valeur, v.total]


SOUS_COLONNES = ["femmes", "hommes", "filles", "garçons", "sans ventilation", "total"]


def _indicateurs(bilan):
    return Tableau(
        "Indicateurs",
        [Colonne("Pilier", 7), Colonne("Objectif", 9), Colonne("Indicateur", 50),
         Colonne("Ventilation", 14), Colonne("Bilans renseignés", 10, "entier")]
        + [Colonne(f"Prévu {s}", 10, "entier") for s in SOUS_COLONNES]
        + [Colonne(f"Réalisé {s}", 10, "entier") for s in SOUS_COLONNES]
        + [Colonne("Part femmes et filles (réalisé)", 12, "pourcentage"),
           Colonne("Taux de réalisation", 12, "pourcentage")],
        (
            [i.pilier_code, i.objectif_code, i.libelle, i.ventilation_libelle, i.bilans]
            + _valeurs(i.prevu) + _valeurs(i.realise)
            + [i.realise.part_femmes, i.taux_realisation]
            for i in bilan.indicateurs
        ),
    )


def _financeurs(bilan):
    def ligne(pilier, f):
        return [pilier, f.libelle, f.demande, f.prevu_bilans, f.realise_bilans, f.ecart]

    return Tableau(
        "Financeurs",
        [Colonne("Pilier", 8), Colonne("Ligne (compte 74)", 44),
         Colonne("Cofinancements prévus aux budgets", 16, "euros"),
         Colonne("Prévu (bilans comptés)", 16, "euros"),
         Colonne("Réalisé (bilans comptés)", 16, "euros"), Colonne("Écart", 14, "euros")],
        [ligne("Tous", f) for f in bilan.financeurs]
        + [ligne(p, f) for p, liste in bilan.financeurs_par_pilier.items() for f in liste],
    )


def _annees(bilan):
    return Tableau(
        "Années",
        [Colonne("Année", 8)] + COLONNES_CHIFFRES
        + [Colonne(f"Évolution {s}", 12, "pourcentage")
           for s in ("dossiers déposés", "retenus", "montant accordé", "bénéficiaires")],
        (
            [a.annee] + valeurs_chiffres(a.chiffres)
            + [a.evolution.get(c) for c in ("deposes", "retenus", "montant_accorde",
                                             "beneficiaires_total")]
            for a in bilan.annees
        ),
    )


COLONNES_BRUTES = [
    Colonne("Année", 7), Colonne("Référence", 15), Colonne("Structure", 30), Colonne("Pilier", 7),
    Colonne("Orientation", 10), Colonne("Objectif", 9), Colonne("Action", 10),
    Colonne("Quartiers", 24), Colonne("Statut", 14), Colonne("Indicateur", 45),
    Colonne("Ventilation", 10),
] + [Colonne(f"{quand} {s}", 10) for quand in ("Prévu", "Réalisé") for s in SOUS_COLONNES]


def _brutes(lignes):
    return Tableau(
        "Données brutes", COLONNES_BRUTES,
        (
            [lg.annee, lg.reference, lg.structure, lg.pilier, lg.orientation, lg.objectif,
             lg.action, lg.quartiers, lg.statut, lg.indicateur, lg.ventilation,
             *_valeurs(lg.prevu), *_valeurs(lg.realise)]
            for lg in lignes
        ),
    )


def tableaux(bilan, lignes_brutes):
    """The sheets of the workbook, in order, as plain rows."""
    return [
        _synthese(bilan),
        _niveau("Piliers", bilan.piliers, None),
        _niveau("Orientations", bilan.orientations, "Pilier"),
        _niveau("Objectifs", bilan.objectifs, "Orientation"),
        _niveau("Actions", bilan.actions, "Objectif"),
        _indicateurs(bilan),
        Tableau("Quartiers", [Colonne("Quartier prioritaire", 34)] + COLONNES_CHIFFRES,
                ([q.nom] + valeurs_chiffres(q.chiffres) for q in bilan.quartiers)),
        Tableau("Structures", [Colonne("Structure", 40), Colonne("SIRET", 16)]
                + COLONNES_CHIFFRES,
                ([s.nom, s.siret] + valeurs_chiffres(s.chiffres) for s in bilan.structures)),
        _financeurs(bilan),
        _annees(bilan),
        _brutes(lignes_brutes),
    ]


def _ecrire(classeur, tableau):
    """Write one sheet: widths and frozen header first (write-only), then rows, then filter."""
    feuille = classeur.create_sheet(title=tableau.titre[:31])
    colonnes = tableau.colonnes
    for i, colonne in enumerate(colonnes, start=1):
        feuille.column_dimensions[get_column_letter(i)].width = colonne.largeur
    feuille.freeze_panes = "A2"

    def cellule(valeur, style=None):
        # Text is written as text: a title typed « =1+1 » never becomes a formula.
        return cellule_xlsx(feuille, valeur, style or None)

    feuille.append([cellule(c.libelle, "entete") for c in colonnes])
    n = 1
    if tableau.formats_par_ligne:
        for libelle, valeur, style in tableau.lignes:
            if style == "titre":
                feuille.append([cellule(libelle, "titre")])
            else:
                feuille.append([
                    cellule(libelle, "libelle"),
                    cellule(valeur, style if valeur is not None else None),
                ])
            n += 1
    else:
        formats = [c.format for c in colonnes]
        for valeurs in tableau.lignes:
            feuille.append([
                cellule(v, f if v is not None else None)
                for v, f in zip(valeurs, formats, strict=True)
            ])
            n += 1
    feuille.auto_filter.ref = f"A1:{get_column_letter(len(colonnes))}{max(n, 2)}"


def classeur_xlsx(bilan, lignes_brutes, progression=None, feuilles=()):
    """The workbook: summary, one sheet per level, indicators, QPV, structures, ``feuilles``
    (more ``Tableau``), raw rows."""
    debut = time.perf_counter()
    classeur = Workbook(write_only=True)
    _styles(classeur)
    liste = tableaux(bilan, lignes_brutes)
    liste[-1:-1] = feuilles
    for tableau in liste[:-1]:
        _ecrire(classeur, tableau)
    if progression:
        progression(70)
    _ecrire(classeur, liste[-1])
    sortie = io.BytesIO()
    classeur.save(sortie)
    logger.info("Classeur du bilan écrit en %.2f s", time.perf_counter() - debut)
    return sortie.getvalue()


# --- PDF ------------------------------------------------------------------------------------------

GABARIT_PDF = "bilans/pdf/bilan.html"
FEUILLE_PDF = "css/bilans-pdf.css"


def _contexte_pdf(bilan, fiches):
    actions = [a for a in bilan.actions if a.chiffres.deposes]
    return {
        **presentation.contexte_document(bilan),
        "bilan": bilan,
        "actions": actions,
        "actions_au_dessus": sum(a.chiffres.accorde_au_dessus for a in actions),
        "graphique_sexe": graphiques.femmes_hommes_par_pilier(bilan, "pdf-sexe"),
        "graphique_montants": graphiques.montants_par_pilier(bilan, "pdf-montants"),
        "sections_piliers": [
            {
                "pilier": p,
                "orientations": bilan.sous_niveaux(bilan.orientations, p.code),
                "objectifs": [
                    o for o in bilan.objectifs
                    if o.pilier_code == p.code and o.chiffres.deposes
                ],
                "indicateurs": bilan.indicateurs_du_pilier(p.code),
                "graphique": graphiques.prevu_realise(
                    graphiques.principaux_indicateurs(bilan.indicateurs_du_pilier(p.code)),
                    f"pdf-indicateurs-{p.code}",
                    f"Pilier {p.code} : indicateurs prévus et réalisés (les "
                    f"{graphiques.INDICATEURS_DANS_LE_GRAPHIQUE} plus grands effectifs prévus)",
                ),
                "financeurs": [
                    f for f in bilan.financeurs_par_pilier.get(p.code, [])
                    if f.demande or f.prevu_bilans or f.realise_bilans
                ],
            }
            for p in bilan.piliers
        ],
        "financeurs": [
            f for f in bilan.financeurs if f.demande or f.prevu_bilans or f.realise_bilans
        ],
        # Every structure, in the annexes (no cap: the file is built in the background).
        "structures": bilan.structures,
        "fiches": fiches,
        "bilans_comptes": _bilans_comptes(bilan),
        "genere_le": date_heure(bilan.genere_le),
        "PORTAIL_NOM": settings.PORTAIL_NOM,
    }


def html_bilan(bilan, fiches=None):
    """The HTML the PDF is rendered from (kept separate to measure WeasyPrint alone)."""
    return render_to_string(GABARIT_PDF, _contexte_pdf(bilan, fiches))


def bilan_pdf(bilan, fiches=None):
    """The annual bilan (or a structure's bilan, with ``fiches``) as PDF bytes."""
    return rendre_pdf(
        GABARIT_PDF, _contexte_pdf(bilan, fiches), FEUILLE_PDF,
        journal=f"PDF du bilan {bilan.perimetre.cle()}",
    )
