"""Reads of the référentiel: the whole tree, one objective, search, and the JSON export."""

import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from .models import Action, Contrat, Exigence, Indicateur, Objectif, Orientation, Pilier, Renvoi

ORDRE_OBJECTIFS = ("orientation__pilier__ordre", "orientation__ordre", "ordre")
ORDRE_ACTIONS = (
    "objectif__orientation__pilier__ordre",
    "objectif__orientation__ordre",
    "objectif__ordre",
    "ordre",
)
ORDRE_LIGNES = tuple(f"objectif__{c}" for c in ORDRE_OBJECTIFS) + ("ordre",)
CODE_RE = re.compile(r"^\d+(\.\d+){0,2}(\.[a-z])?\.?$", re.IGNORECASE)


def contrat_par_code(code=None):
    """The contract of that code, or the default one; raise Contrat.DoesNotExist if none."""
    if code is None:
        contrat = Contrat.objects.select_related("territoire", "generation").par_defaut()
        if contrat is None:
            raise Contrat.DoesNotExist
        return contrat
    return Contrat.objects.select_related("territoire", "generation").get(code=code)


def contrats_du_catalogue():
    """Every contract, with its territory and generation, for the list of contracts."""
    return Contrat.objects.select_related("territoire", "generation").order_by(
        "territoire__nom", "-annee_debut", "code"
    )


def piliers_avec_arbre(contrat):
    """Return the piliers with their whole tree prefetched (a fixed number of queries)."""
    return Pilier.objects.filter(contrat=contrat).select_related("contrat").prefetch_related(
        Prefetch(
            "orientations",
            queryset=Orientation.objects.select_related("contrat").order_by("ordre", "code"),
        ),
        Prefetch(
            "orientations__objectifs",
            queryset=Objectif.objects.select_related("contrat").order_by("ordre", "code"),
        ),
        Prefetch(
            "orientations__objectifs__actions",
            queryset=Action.objects.select_related("contrat").order_by("ordre"),
        ),
        Prefetch(
            "orientations__objectifs__renvois",
            queryset=Renvoi.objects.select_related(
                "cible_objectif__contrat", "cible_orientation__contrat", "action"
            ),
        ),
    ).order_by("ordre", "code")


def objectif_detaille(contrat, code):
    """Return one objective with everything its page shows, or raise Objectif.DoesNotExist."""
    return (
        Objectif.objects.filter(contrat=contrat)
        .select_related("orientation__pilier", "orientation__contrat", "contrat")
        .prefetch_related(
            "actions",
            "exigences",
            "notes_financement",
            "indicateurs",
            Prefetch(
                "renvois",
                queryset=Renvoi.objects.select_related(
                    "cible_objectif__contrat", "cible_orientation__contrat", "action"
                ),
            ),
            Prefetch(
                "renvois_entrants",
                queryset=Renvoi.objects.select_related("objectif__contrat", "action").order_by(
                    "objectif__code"
                ),
            ),
        )
        .get(code=code)
    )


# --- Search -------------------------------------------------------------------------------


def _plier_caractere(c):
    """Fold one character to lower case without accent, keeping one character per character."""
    base = unicodedata.normalize("NFKD", c)[0].lower()
    return base[0] if base else c


def plier(texte):
    """Fold a text for accent- and case-insensitive matching; the result has the same length."""
    return "".join(_plier_caractere(c) for c in texte)


def surligner(texte, termes):
    """Return ``texte`` escaped, with each occurrence of the folded ``termes`` wrapped in <mark>."""
    plie = plier(texte)
    zones = []
    for terme in termes:
        debut = plie.find(terme)
        while debut != -1:
            zones.append((debut, debut + len(terme)))
            debut = plie.find(terme, debut + len(terme))
    if not zones:
        return conditional_escape(texte)
    zones.sort()
    fusion = [list(zones[0])]
    for debut, fin in zones[1:]:
        if debut <= fusion[-1][1]:
            fusion[-1][1] = max(fusion[-1][1], fin)
        else:
            fusion.append([debut, fin])
    morceaux, curseur = [], 0
    for debut, fin in fusion:
        morceaux.append(conditional_escape(texte[curseur:debut]))
        morceaux.append(mark_safe(f"<mark>{conditional_escape(texte[debut:fin])}</mark>"))
        curseur = fin
    morceaux.append(conditional_escape(texte[curseur:]))
    return mark_safe("".join(str(m) for m in morceaux))


@dataclass
class Resultat:
    """One search hit: an orientation, objective, action, requirement or indicator."""

    type: str
    code: str
    texte: str
    url: str
    objectif_code: str = ""
    extrait: str = field(default="")


@dataclass
class Recherche:
    requete: str
    termes: list
    par_code: bool
    resultats: list

    @property
    def nombre(self):
        return len(self.resultats)


def termes_de(requete):
    return [t for t in plier(requete).split() if len(t) >= 2]


def rechercher(contrat, requete):
    """Search one contract's tree by code prefix (``1.3.2``) or by words (accents, case ignored)."""
    requete = (requete or "").strip()[:200]
    if not requete:
        return Recherche(requete, [], False, [])
    if CODE_RE.match(requete):
        code = requete.rstrip(".").lower()
        return Recherche(requete, [code], True, _par_code(contrat, code))
    termes = termes_de(requete)
    if not termes:
        return Recherche(requete, [], False, [])
    return Recherche(requete, termes, False, _par_mots(contrat, termes))


def _correspond_code(code_item, code):
    return code_item.lower() == code or code_item.lower().startswith(code + ".")


def _par_code(contrat, code):
    resultats = []
    for o in Orientation.objects.filter(contrat=contrat).select_related("contrat").order_by(
        "pilier__ordre", "ordre"
    ):
        if _correspond_code(o.code, code):
            resultats.append(Resultat("orientation", o.code, o.titre, o.get_absolute_url()))
    for o in Objectif.objects.filter(contrat=contrat).select_related("contrat").order_by(
        *ORDRE_OBJECTIFS
    ):
        if _correspond_code(o.code, code):
            resultats.append(Resultat("objectif", o.code, o.titre, o.get_absolute_url(), o.code))
    for a in Action.objects.filter(contrat=contrat).select_related("objectif", "contrat").order_by(
        *ORDRE_ACTIONS
    ):
        if _correspond_code(a.code, code):
            resultats.append(
                Resultat("action", a.code, a.libelle, a.get_absolute_url(), a.objectif.code)
            )
    return resultats


def _contient(texte, termes):
    plie = plier(texte)
    return all(t in plie for t in termes)


def _par_mots(contrat, termes):
    resultats = []
    for o in Orientation.objects.filter(contrat=contrat).select_related("contrat").order_by(
        "pilier__ordre", "ordre"
    ):
        if _contient(o.titre, termes):
            resultats.append(Resultat("orientation", o.code, o.titre, o.get_absolute_url()))
    objectifs = Objectif.objects.filter(contrat=contrat).select_related("contrat").order_by(
        *ORDRE_OBJECTIFS
    )
    for o in objectifs:
        if _contient(o.titre, termes):
            resultats.append(Resultat("objectif", o.code, o.titre, o.get_absolute_url(), o.code))
    for a in Action.objects.filter(contrat=contrat).select_related("objectif", "contrat").order_by(
        *ORDRE_ACTIONS
    ):
        if _contient(a.libelle, termes):
            resultats.append(
                Resultat("action", a.code, a.libelle, a.get_absolute_url(), a.objectif.code)
            )
    for e in Exigence.objects.filter(objectif__contrat=contrat).select_related(
        "objectif__contrat"
    ).order_by(*ORDRE_LIGNES):
        if _contient(e.texte, termes):
            resultats.append(
                Resultat(
                    "exigence",
                    e.objectif.code,
                    e.texte,
                    e.objectif.get_absolute_url() + "#cahier-des-charges",
                    e.objectif.code,
                )
            )
    for i in Indicateur.objects.filter(objectif__contrat=contrat).select_related(
        "objectif__contrat"
    ).order_by(*ORDRE_LIGNES):
        if _contient(i.libelle, termes):
            resultats.append(
                Resultat(
                    "indicateur",
                    i.objectif.code,
                    i.libelle,
                    i.objectif.get_absolute_url() + "#indicateurs",
                    i.objectif.code,
                )
            )
    return resultats


# --- JSON export ------------------------------------------------------------------------


def referentiel_en_dict(contrat=None):
    """Return a contract's tree (default: the default contract) in the documented JSON shape
    (see README, « Référentiel en JSON »)."""
    if contrat is None:
        contrat = Contrat.objects.select_related("territoire").par_defaut()
    piliers = Pilier.objects.filter(contrat=contrat).prefetch_related(
        Prefetch("orientations", queryset=Orientation.objects.order_by("ordre", "code")),
        Prefetch("orientations__objectifs", queryset=Objectif.objects.order_by("ordre", "code")),
        Prefetch("orientations__objectifs__actions", queryset=Action.objects.order_by("ordre")),
        "orientations__objectifs__exigences",
        "orientations__objectifs__notes_financement",
        "orientations__objectifs__indicateurs",
        Prefetch(
            "orientations__objectifs__renvois",
            queryset=Renvoi.objects.select_related("cible_objectif", "cible_orientation"),
        ),
    ).order_by("ordre", "code")
    return {
        "contrat": (
            {
                "code": contrat.code,
                "nom": contrat.nom,
                "territoire": contrat.territoire.nom,
                "periode": {"debut": contrat.annee_debut, "fin": contrat.annee_fin},
                "source": contrat.source,
            }
            if contrat
            else None
        ),
        "piliers": [
            {
                "code": p.code,
                "titre": p.titre,
                "orientations": [
                    {
                        "code": o.code,
                        "titre": o.titre,
                        "objectifs": [_objectif_en_dict(obj) for obj in o.objectifs.all()],
                    }
                    for o in p.orientations.all()
                ],
            }
            for p in piliers
        ],
    }


def _objectif_en_dict(obj):
    renvois = []
    for r in obj.renvois.all():
        if r.cible_code not in renvois:
            renvois.append(r.cible_code)
    return {
        "code": obj.code,
        "titre": obj.titre,
        "hors_appel_a_projets": obj.hors_appel_a_projets,
        "cahier_des_charges": [e.texte for e in obj.exigences.all()],
        "notes_financement": [n.texte for n in obj.notes_financement.all()],
        "indicateurs": [
            {"libelle": i.libelle, "ventilation": i.ventilation_json}
            for i in obj.indicateurs.all()
        ],
        "renvois": renvois,
        "actions": [{"code": a.code, "libelle": a.libelle} for a in obj.actions.all()],
    }
