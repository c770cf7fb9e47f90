"""Copies of what a dossier says, their comparison, and the trail of its edits."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.text import capfirst

from ..commun.formats import euros
from ..models import Dossier, ModificationDossier, Section
from . import budget
from .champs import CHAMPS_PREVISION, SECTION_DU_CHAMP

LIBELLES_PREVISION = {
    "valeur": "valeur",
    "valeur_femmes": "femmes",
    "valeur_hommes": "hommes",
    "valeur_filles": "filles",
    "valeur_garcons": "garçons",
}


def _texte(valeur):
    """The value as a person reads it, so that a copy needs no model to be shown."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, Decimal):
        return format(valeur.normalize(), "f").replace(".", ",")
    if hasattr(valeur, "isoformat"):
        return date_format(valeur, "j F Y")
    return str(valeur)


def prendre_instantane(dossier):
    """Return a JSON-ready copy of everything the structure may edit in ``dossier``."""
    dossier = Dossier.objects.select_related("action_principale").get(pk=dossier.pk)
    champs = {}
    for field in Dossier._meta.get_fields():
        nom = field.name
        if nom not in SECTION_DU_CHAMP:
            continue
        if nom == "action_principale":
            valeur = dossier.action_principale.code if dossier.action_principale else ""
        elif nom == "actions_secondaires":
            valeur = ", ".join(sorted(dossier.actions_secondaires.values_list("code", flat=True)))
        elif nom == "quartiers":
            valeur = ", ".join(sorted(str(q) for q in dossier.quartiers.all()))
        else:
            valeur = _texte(getattr(dossier, nom))
        champs[nom] = {
            "section": SECTION_DU_CHAMP[nom],
            "libelle": capfirst(str(field.verbose_name)),
            "valeur": valeur,
        }
    reponses = {
        str(r.exigence_id): {
            "libelle": f"Exigence {r.exigence.objectif.code} n°{r.exigence.ordre}",
            "valeur": r.texte,
        }
        for r in dossier.reponses.select_related("exigence__objectif")
    }
    previsions = {}
    for p in dossier.previsions.select_related("indicateur"):
        for champ in CHAMPS_PREVISION:
            valeur = getattr(p, champ)
            if valeur is not None:
                previsions[f"{p.indicateur_id}:{champ}"] = {
                    "libelle": f"« {p.indicateur.libelle[:80]} » ({LIBELLES_PREVISION[champ]})",
                    "valeur": _texte(valeur),
                }
    lignes = {}
    for ligne in dossier.lignes_budget.all():
        definition = budget.PAR_CODE[ligne.code]
        lignes[ligne.code] = {
            "libelle": f"{definition.numero} {definition.libelle}".strip(),
            "valeur": euros(ligne.montant) + (f" ({ligne.precision})" if ligne.precision else ""),
        }
    pieces = {
        str(p.pk): {"libelle": p.titre or p.nom_original, "valeur": p.nom_original}
        for p in dossier.pieces.all()
    }
    return {
        "champs": champs,
        "reponses": reponses,
        "previsions": previsions,
        "lignes": lignes,
        "pieces": pieces,
    }


@dataclass(frozen=True)
class Ecart:
    """One value that differs between two copies of a dossier."""

    section: str
    libelle: str
    avant: str
    apres: str

    @property
    def section_libelle(self):
        return Section(self.section).label


GROUPES = (
    ("reponses", Section.CAHIER),
    ("previsions", Section.INDICATEURS),
    ("lignes", Section.BUDGET),
    ("pieces", Section.PIECES),
)


def comparer(avant, apres):
    """List the values that changed from ``avant`` to ``apres``, field by field, in page order."""
    ecarts = []
    champs_avant, champs_apres = avant.get("champs", {}), apres.get("champs", {})
    for nom in [*champs_avant, *(n for n in champs_apres if n not in champs_avant)]:
        a, b = champs_avant.get(nom), champs_apres.get(nom)
        valeur_a, valeur_b = (a or {}).get("valeur", ""), (b or {}).get("valeur", "")
        if valeur_a != valeur_b:
            ref = b or a
            ecarts.append(Ecart(ref["section"], ref["libelle"], valeur_a, valeur_b))
    for cle, section in GROUPES:
        groupe_a, groupe_b = avant.get(cle, {}), apres.get(cle, {})
        for nom in [*groupe_a, *(n for n in groupe_b if n not in groupe_a)]:
            a, b = groupe_a.get(nom), groupe_b.get(nom)
            valeur_a, valeur_b = (a or {}).get("valeur", ""), (b or {}).get("valeur", "")
            if valeur_a != valeur_b:
                ecarts.append(Ecart(section, (b or a)["libelle"], valeur_a, valeur_b))
    ordre = {s.value: i for i, s in enumerate(Section)}
    return sorted(ecarts, key=lambda e: ordre.get(e.section, 99))


def journaliser_modifications(*, dossier, avant, par, le):
    """Record each value a save changed in the dossier (``avant``: its copy before the save)."""
    ecarts = comparer(avant, prendre_instantane(dossier))
    return ModificationDossier.objects.bulk_create(
        ModificationDossier(
            dossier=dossier, section=e.section, champ=e.libelle[:255], avant=e.avant,
            apres=e.apres, par=par, le=le,
        )
        for e in ecarts
    )
