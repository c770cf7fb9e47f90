"""Bar charts of the annual bilans as server-rendered SVG: accessible, printable in black and white.

Each chart carries a title and a description, and comes with the table of its values (the page
shows it beside the chart). No colour carries meaning alone: the series differ by grey level and
outline, and every bar is labelled with its value.
"""

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

from candidatures.commun.formats import euros, nombre

# Fill and outline of each series: distinguishable in grey, readable when printed.
SERIES = [("#1f1f1f", "#000000"), ("#8c8c8c", "#000000"), ("#ffffff", "#000000")]
LARGEUR = 640
MARGE_GAUCHE = 190
MARGE_DROITE = 90
HAUTEUR_BARRE = 14
ECART_BARRES = 2
ECART_GROUPES = 12
# A chart stays readable (and within one printed page) with this many indicators; the tables
# list them all.
INDICATEURS_DANS_LE_GRAPHIQUE = 12


@dataclass
class Graphique:
    """An SVG chart and the table that says the same thing."""

    ident: str
    titre: str
    description: str
    series: list
    categories: list
    valeurs: list
    format: str = "nombre"
    colonnes: list = field(default_factory=list)

    def formater(self, valeur):
        return euros(valeur) if self.format == "euros" else nombre(valeur)

    @property
    def lignes_tableau(self):
        return [
            (categorie, [self.formater(v) for v in valeurs])
            for categorie, valeurs in zip(self.categories, self.valeurs, strict=True)
        ]

    @property
    def vide(self):
        return not any(v for valeurs in self.valeurs for v in valeurs)

    @property
    def svg(self):
        return mark_safe(_svg(self))


HAUTEUR_LIGNE = 12


def _lignes(texte, longueur=30):
    """The label in lines of at most ``longueur`` characters, cut between words, never lost."""
    lignes = []
    for mot in texte.split():
        while len(mot) > longueur:  # a single overlong word: split it, nothing dropped
            lignes.append(mot[:longueur])
            mot = mot[longueur:]
        if lignes and len(lignes[-1]) + 1 + len(mot) <= longueur:
            lignes[-1] += " " + mot
        else:
            lignes.append(mot)
    return lignes or [""]


def _hauteur_groupe(n_series, n_lignes):
    return max(n_series * (HAUTEUR_BARRE + ECART_BARRES), n_lignes * HAUTEUR_LIGNE) + ECART_GROUPES


def _svg(graphique):
    n_series = len(graphique.series)
    libelles = [_lignes(categorie) for categorie in graphique.categories]
    haut_legende = 24
    hauteur = haut_legende + sum(_hauteur_groupe(n_series, len(lg)) for lg in libelles) + 10
    maximum = max([v for valeurs in graphique.valeurs for v in valeurs] + [1])
    utile = LARGEUR - MARGE_GAUCHE - MARGE_DROITE
    ident = escape(graphique.ident)
    morceaux = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="graphique" role="img" '
        f'viewBox="0 0 {LARGEUR} {hauteur}" width="{LARGEUR}" height="{hauteur}" '
        f'aria-labelledby="{ident}-titre {ident}-desc" font-family="sans-serif" font-size="11">',
        f'<title id="{ident}-titre">{escape(graphique.titre)}</title>',
        f'<desc id="{ident}-desc">{escape(graphique.description)}</desc>',
    ]
    x = MARGE_GAUCHE
    for i, serie in enumerate(graphique.series):
        remplissage, trait = SERIES[i % len(SERIES)]
        morceaux.append(
            f'<rect x="{x}" y="4" width="12" height="12" fill="{remplissage}" stroke="{trait}"/>'
            f'<text x="{x + 16}" y="14" fill="#000000">{escape(serie)}</text>'
        )
        x += 24 + 7 * len(serie)
    y = haut_legende
    for lignes, valeurs in zip(libelles, graphique.valeurs, strict=True):
        hauteur_groupe = _hauteur_groupe(n_series, len(lignes))
        milieu = y + (hauteur_groupe - ECART_GROUPES) / 2 + 4
        premiere = milieu - (len(lignes) - 1) * HAUTEUR_LIGNE / 2
        morceaux.append(
            f'<text x="{MARGE_GAUCHE - 6}" y="{premiere:.1f}" text-anchor="end" fill="#000000">'
            + "".join(
                f'<tspan x="{MARGE_GAUCHE - 6}" dy="{0 if i == 0 else HAUTEUR_LIGNE}">'
                f"{escape(ligne)}</tspan>"
                for i, ligne in enumerate(lignes)
            )
            + "</text>"
        )
        for i, valeur in enumerate(valeurs):
            remplissage, trait = SERIES[i % len(SERIES)]
            largeur = max(utile * (valeur or 0) / maximum, 0)
            yb = y + i * (HAUTEUR_BARRE + ECART_BARRES)
            morceaux.append(
                f'<rect x="{MARGE_GAUCHE}" y="{yb}" width="{largeur:.1f}" '
                f'height="{HAUTEUR_BARRE}" fill="{remplissage}" stroke="{trait}" '
                f'stroke-width="0.8"/>'
                f'<text x="{MARGE_GAUCHE + largeur + 4:.1f}" y="{yb + HAUTEUR_BARRE - 3}" '
                f'fill="#000000">{escape(graphique.formater(valeur))}</text>'
            )
        y += hauteur_groupe
    morceaux.append(
        f'<line x1="{MARGE_GAUCHE}" y1="{haut_legende - 2}" x2="{MARGE_GAUCHE}" '
        f'y2="{hauteur - 8}" stroke="#000000" stroke-width="1"/>'
    )
    morceaux.append("</svg>")
    return "".join(morceaux)


def femmes_hommes_par_pilier(bilan, ident="graphique-sexe"):
    piliers = bilan.piliers
    valeurs = [
        [
            p.chiffres.beneficiaires_femmes + p.chiffres.beneficiaires_filles,
            p.chiffres.beneficiaires_hommes + p.chiffres.beneficiaires_garcons,
        ]
        for p in piliers
    ]
    return Graphique(
        ident=ident,
        titre="Bénéficiaires par sexe et par pilier",
        description=(
            "Barres horizontales : pour chaque pilier, le nombre de bénéficiaires femmes et "
            "filles puis hommes et garçons des actions dont le bilan est compté. "
            + "; ".join(
                f"{p.code}. {p.titre} : {nombre(f)} femmes et filles, {nombre(h)} hommes et "
                "garçons"
                for p, (f, h) in zip(piliers, valeurs, strict=True)
            )
            + "."
        ),
        series=["Femmes et filles", "Hommes et garçons"],
        categories=[f"{p.code}. {p.titre}" for p in piliers],
        valeurs=valeurs,
    )


def montants_par_pilier(bilan, ident="graphique-montants"):
    piliers = bilan.piliers
    return Graphique(
        ident=ident,
        titre="Montants demandés, proposés et accordés par pilier",
        description=(
            "Barres horizontales : pour chaque pilier, le montant demandé au contrat de ville, "
            "le montant proposé par l'instruction et le montant accordé par le comité. "
            + "; ".join(
                f"{p.code}. {p.titre} : {euros(p.chiffres.montant_demande)} demandés, "
                f"{euros(p.chiffres.montant_propose)} proposés, "
                f"{euros(p.chiffres.montant_accorde)} accordés"
                for p in piliers
            )
            + "."
        ),
        series=["Demandé", "Proposé", "Accordé"],
        categories=[f"{p.code}. {p.titre}" for p in piliers],
        valeurs=[
            [p.chiffres.montant_demande, p.chiffres.montant_propose, p.chiffres.montant_accorde]
            for p in piliers
        ],
        format="euros",
    )


def prevu_realise(indicateurs, ident="graphique-indicateurs", titre=None):
    return Graphique(
        ident=ident,
        titre=titre or "Indicateurs : prévu et réalisé",
        description=(
            "Barres horizontales : pour chaque indicateur chiffré, le total prévu par les "
            "dossiers et le total réalisé dans les bilans comptés. "
            + "; ".join(
                f"{i.libelle} (objectif {i.objectif_code}) : {nombre(i.prevu.total)} prévus, "
                f"{nombre(i.realise.total)} réalisés"
                for i in indicateurs
            )
            + "."
        ),
        series=["Prévu", "Réalisé"],
        categories=[f"{i.objectif_code} — {i.libelle}" for i in indicateurs],
        valeurs=[[i.prevu.total, i.realise.total] for i in indicateurs],
    )


def principaux_indicateurs(indicateurs):
    """The indicators with the largest forecast totals, kept in their table order."""
    retenus = sorted(indicateurs, key=lambda i: -i.prevu.total)[:INDICATEURS_DANS_LE_GRAPHIQUE]
    return [i for i in indicateurs if i in retenus]


def graphiques_du_bilan(bilan):
    """The dashboard's three charts."""
    return [
        femmes_hommes_par_pilier(bilan),
        montants_par_pilier(bilan),
        prevu_realise(
            principaux_indicateurs(bilan.indicateurs),
            titre=f"Indicateurs : prévu et réalisé (les {INDICATEURS_DANS_LE_GRAPHIQUE} plus "
            "grands effectifs prévus)",
        ),
    ]
