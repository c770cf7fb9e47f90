"""Eligibility of fiche-action codes: the action a dossier may be filed on, or why not."""

from referentiel.models import Action, Objectif

from ...commun.erreurs import ErreurMetier


def _actions_deposables(objectifs):
    return [
        a.code
        for a in Action.objects.filter(
            objectif__in=objectifs, objectif__hors_appel_a_projets=False, renvois__isnull=True
        ).order_by("objectif__code", "ordre", "code")
    ]


def _actions_des_renvois(renvois):
    objectifs = []
    for renvoi in renvois:
        if renvoi.cible_objectif_id:
            objectifs.append(renvoi.cible_objectif)
        else:
            objectifs.extend(renvoi.cible_orientation.objectifs.all())
    return _actions_deposables(objectifs)


def _cibles(renvois):
    return " et ".join(
        f"l'objectif opérationnel {r.cible_objectif.code}"
        if r.cible_objectif_id
        else f"l'orientation stratégique {r.cible_orientation.code}"
        for r in renvois
    )


def action_eligible(code, contrat):
    """Return the action of ``contrat`` a proposal may be filed on, or explain why ``code``
    cannot be used (a dossier targets the actions of its call's contract only)."""
    code = (code or "").strip().rstrip(".").lower()
    if len(code) > 20:
        # No code is that long; a huge one would also be a costly LIKE pattern on SQLite.
        raise ErreurMetier(
            f"Aucune action n'a le code « {code[:20]}… ». Un code d'action a la forme 1.1.1.a : "
            "consultez les fiches actions."
        )
    action = (
        Action.objects.select_related("objectif")
        .filter(contrat=contrat, code__iexact=code)
        .first()
    )
    if action is None:
        objectif = Objectif.objects.filter(contrat=contrat, code=code).first()
        if objectif is None:
            raise ErreurMetier(
                f"Aucune action n'a le code « {code[:20]} ». Un code d'action a la forme 1.1.1.a : "
                "consultez les fiches actions."
            )
        raise ErreurMetier(_pourquoi_pas_objectif(objectif))
    if action.objectif.hors_appel_a_projets:
        raise ErreurMetier(
            f"L'objectif {action.objectif.code} est hors appel à projets : aucune demande ne peut "
            f"être déposée sur l'action {action.code}."
        )
    renvois = list(action.renvois.select_related("cible_objectif", "cible_orientation"))
    if renvois:
        codes = ", ".join(_actions_des_renvois(renvois))
        raise ErreurMetier(
            f"L'action {action.code} renvoie à {_cibles(renvois)} : choisissez l'une de ses "
            f"actions ({codes})."
        )
    return action


def _pourquoi_pas_objectif(objectif):
    if objectif.hors_appel_a_projets:
        return (
            f"L'objectif {objectif.code} est hors appel à projets : aucune demande ne peut être "
            "déposée sur ses actions."
        )
    renvois = list(objectif.renvois.select_related("cible_objectif", "cible_orientation"))
    actions = _actions_deposables([objectif])
    if not actions and renvois:
        return (
            f"L'objectif {objectif.code} n'a pas d'action propre : il renvoie à "
            f"{_cibles(renvois)}. "
            f"Choisissez l'une de ces actions : {', '.join(_actions_des_renvois(renvois))}."
        )
    if not actions:
        return (
            f"L'objectif {objectif.code} n'a aucune action : aucune demande ne peut être déposée "
            "sur cet objectif."
        )
    return (
        f"« {objectif.code} » est un objectif opérationnel : choisissez l'une de ses actions "
        f"({', '.join(actions)})."
    )
