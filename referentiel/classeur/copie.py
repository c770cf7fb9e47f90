"""Copying a contract: a new generation starts from the tree of the previous one, then is edited.

The copy goes through the same path as an import (the source read as a workbook, loaded under
the new code), so a copy is exactly what exporting the source and importing it would give.
"""

from ..models import Contrat, Generation, Territoire
from .chargement import charger_classeur
from .erreurs import ClasseurInvalide, Erreur
from .extraction import classeur_du_contrat


def _par_code(modele, valeur, quoi):
    if valeur is None or isinstance(valeur, modele):
        return valeur
    try:
        return modele.objects.get(code=valeur)
    except modele.DoesNotExist:
        raise ClasseurInvalide([Erreur(f"{quoi} « {valeur} » n'existe pas.")]) from None


def copier_contrat(
    source, code, nom, *, generation=None, territoire=None, annee_debut=None, annee_fin=None
):
    """Create the contract ``code`` with the tree, lines and QPV of ``source``; return it.

    ``generation`` and ``territoire`` (rows or codes) default to the source's. In another
    generation the QPV are not copied: each generation has its own list (fill in the QPV sheet
    of the new contract). Years default to the generation's when it changes, else the source's.
    """
    if Contrat.objects.filter(code=code).exists():
        raise ClasseurInvalide(
            [Erreur(f"le contrat « {code} » existe déjà : choisissez un autre code.")]
        )
    generation = _par_code(Generation, generation, "la génération") or source.generation
    territoire = _par_code(Territoire, territoire, "le territoire") or source.territoire
    meme_generation = generation.pk == source.generation_id
    classeur = classeur_du_contrat(source)
    classeur.contrat.update(
        code=code,
        nom=nom,
        territoire_code=territoire.code,
        territoire_nom=territoire.nom,
        territoire_type=territoire.type,
        territoire_siren=territoire.siren,
        generation_code=generation.code,
        generation_nom=generation.nom,
        generation_annee_debut=generation.annee_debut,
        generation_annee_fin=generation.annee_fin,
        annee_debut=annee_debut or (source.annee_debut if meme_generation
                                    else generation.annee_debut),
        annee_fin=annee_fin or (source.annee_fin if meme_generation else generation.annee_fin),
        source=source.source if meme_generation else f"Copie de « {source.nom} »",
    )
    if classeur.contrat["annee_fin"] < classeur.contrat["annee_debut"]:
        raise ClasseurInvalide([Erreur("l'année de fin précède l'année de début.")])
    if not meme_generation:
        classeur.feuilles["quartiers"] = []
    return charger_classeur(classeur, code, nom=nom).contrat
