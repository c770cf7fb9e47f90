"""The parts of an annual bilan read apart from the dossiers: the contract's tree as empty rows,
the numeric indicators, the year-on-year change."""

from referentiel.models import Action, Indicateur, Objectif, Orientation, Pilier

from .resultats import LigneIndicateur, LigneNiveau, part, valeurs_de


def evolution(avant, apres):
    def variation(a, b):
        return None if not a else part(b - a, a)

    return {
        "deposes": variation(avant.deposes, apres.deposes),
        "retenus": variation(avant.retenus, apres.retenus),
        "montant_accorde": variation(avant.montant_accorde, apres.montant_accorde),
        "beneficiaires_total": variation(avant.beneficiaires_total, apres.beneficiaires_total),
    }


def arbre(perimetre):
    """The contract's tree, as ordered rows with empty figures, and the action → rows index.

    Plain values rather than model instances: this runs for every bilan and dashboard.
    """
    piliers = Pilier.objects.filter(contrat_id=perimetre.contrat_id)
    if perimetre.pilier_id:
        piliers = piliers.filter(pk=perimetre.pilier_id)
    piliers = list(piliers.order_by("ordre", "code").values_list("pk", "code", "titre"))
    ids = [p[0] for p in piliers]
    orientations = Orientation.objects.filter(pilier_id__in=ids).order_by(
        "pilier__ordre", "ordre", "code"
    ).values_list("pk", "code", "titre", "pilier_id")
    objectifs = Objectif.objects.filter(orientation__pilier_id__in=ids).order_by(
        "orientation__pilier__ordre", "orientation__ordre", "ordre", "code"
    ).values_list("pk", "code", "titre", "orientation_id")
    actions = Action.objects.filter(objectif__orientation__pilier_id__in=ids).order_by(
        "objectif__orientation__pilier__ordre", "objectif__orientation__ordre",
        "objectif__ordre", "ordre", "code",
    ).values_list("pk", "code", "libelle", "objectif_id")
    lignes = {"piliers": {}, "orientations": {}, "objectifs": {}, "actions": {}}
    for pk, code, titre in piliers:
        lignes["piliers"][pk] = LigneNiveau("pilier", code, titre, code, "")
    for pk, code, titre, parent in orientations:
        pilier = lignes["piliers"][parent]
        lignes["orientations"][pk] = LigneNiveau("orientation", code, titre, pilier.code,
                                                 pilier.code)
    parents = {}
    for pk, code, titre, parent in objectifs:
        orientation = lignes["orientations"][parent]
        lignes["objectifs"][pk] = LigneNiveau("objectif", code, titre, orientation.pilier_code,
                                              orientation.code)
        parents[pk] = parent
    par_code = {ligne.code: ligne for ligne in lignes["piliers"].values()}
    chemins = {}
    for pk, code, libelle, parent in actions:
        objectif = lignes["objectifs"][parent]
        orientation = lignes["orientations"][parents[parent]]
        ligne = LigneNiveau("action", code, libelle, objectif.pilier_code, objectif.code)
        lignes["actions"][pk] = ligne
        chemins[pk] = (ligne, objectif, orientation, par_code[objectif.pilier_code])
    return lignes, chemins


def indicateurs(lignes, realisations, previsions):
    """The indicators of the bilans, forecast and realised, in the order of the contract."""
    indicateurs = {}
    ids = {r["indicateur_id"] for r in realisations} | {p["indicateur_id"] for p in previsions}
    ventilations = dict(Indicateur.Ventilation.choices)
    for pk, pilier, objectif, ordre, libelle, ventilation in Indicateur.objects.filter(
        pk__in=ids, nature=Indicateur.Nature.NOMBRE
    ).values_list(
        "pk", "objectif__orientation__pilier__code", "objectif__code", "ordre", "libelle",
        "ventilation",
    ):
        indicateurs[pk] = LigneIndicateur(
            indicateur_id=pk, pilier_code=pilier, objectif_code=objectif, ordre=ordre,
            libelle=libelle, ventilation=ventilation,
            ventilation_libelle=str(ventilations[ventilation]),
        )
    for ligne in realisations:
        if ligne["indicateur_id"] in indicateurs:
            cible = indicateurs[ligne["indicateur_id"]]
            cible.bilans = ligne["bilans"]
            cible.realise = valeurs_de(ligne)
    for ligne in previsions:
        if ligne["indicateur_id"] in indicateurs:
            indicateurs[ligne["indicateur_id"]].prevu = valeurs_de(ligne)
    rang_objectif = {o.code: i for i, o in enumerate(lignes["objectifs"].values())}
    return sorted(
        indicateurs.values(), key=lambda i: (rang_objectif.get(i.objectif_code, 0), i.ordre)
    )

