"""What still refers to référentiel rows that an import would remove: dossiers, bilans, calls…

The référentiel knows nothing of the apps built on it: the references are found from the
models' relations (every foreign key or many-to-many field of another app pointing at the
model), one query per relation for all the rows at once.
"""

from collections import defaultdict

APPLICATION = "referentiel"
EXEMPLES = 3


def _relations_externes(modele):
    for relation in modele._meta.related_objects:
        if relation.related_model._meta.app_label != APPLICATION:
            yield relation


def references_externes(modele, objets):
    """{pk: [« 2 dossiers (action principale) : AAP-2025-0001, AAP-2025-0002 », …]} for those of
    ``objets`` something outside the référentiel refers to."""
    if not objets:
        return {}
    pks = [o.pk for o in objets]
    resultat = defaultdict(list)
    for relation in _relations_externes(modele):
        referent = relation.related_model
        nom_champ = relation.field.name
        paires = (
            referent._base_manager.filter(**{f"{nom_champ}__in": pks})
            .values_list(nom_champ, "pk")
            .distinct()
        )
        par_cible = defaultdict(list)
        for cible, pk in paires:
            par_cible[cible].append(pk)
        if not par_cible:
            continue
        a_nommer = {pk for liste in par_cible.values() for pk in sorted(liste)[:EXEMPLES]}
        noms = {o.pk: str(o) for o in referent._base_manager.filter(pk__in=a_nommer)}
        for cible, liste in par_cible.items():
            nombre = len(liste)
            quoi = (referent._meta.verbose_name_plural if nombre > 1
                    else referent._meta.verbose_name)
            exemples = ", ".join(noms[pk] for pk in sorted(liste)[:EXEMPLES])
            suite = "…" if nombre > EXEMPLES else ""
            resultat[cible].append(
                f"{nombre} {quoi} ({relation.field.verbose_name}) : {exemples}{suite}"
            )
    return dict(resultat)
