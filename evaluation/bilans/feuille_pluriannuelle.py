"""The multi-year sheet of the bilan workbook: each year of the contract side by side.

One row per objective and measure (retained dossiers, amounts, counted bilans, then each numeric
indicator forecast and achieved), one column per year, then the total; the first rows are the
totals of every objective.
"""

from .rendus import Colonne, Tableau

TITRE = "Prévu et réalisé par année"


def _mesure(serie):
    return f"{serie.libelle} (€)" if serie.format == "euros" else serie.libelle


def _lignes(bilan):
    total = bilan.total
    for serie in total.series:
        yield ["", "", total.titre, "", _mesure(serie), *serie.valeurs, serie.total]
    for objectif in bilan.objectifs:
        debut = [objectif.pilier_code, objectif.code, objectif.titre]
        for serie in objectif.series:
            yield [*debut, "", _mesure(serie), *serie.valeurs, serie.total]
        for indicateur in objectif.indicateurs:
            for serie in (indicateur.prevu, indicateur.realise):
                yield [*debut, indicateur.libelle, serie.libelle, *serie.valeurs, serie.total]


def tableau(bilan):
    """The sheet of a ``BilanPluriannuel`` (amounts in euros, counts and values as integers)."""
    return Tableau(
        TITRE,
        [Colonne("Pilier", 7), Colonne("Objectif", 9), Colonne("Intitulé", 40),
         Colonne("Indicateur", 40), Colonne("Mesure", 22)]
        + [Colonne(str(annee), 12, "entier") for annee in bilan.annees]
        + [Colonne("Total", 14, "entier")],
        _lignes(bilan),
    )
