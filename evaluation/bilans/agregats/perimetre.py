"""The scope of a bilan (which dossiers it covers) and the fingerprint of its data."""

import hashlib
from dataclasses import dataclass

from django.db.models import Count, Max, Subquery, Value

from candidatures.dossiers import budget
from candidatures.models import AppelAProjets, Dossier, HistoriqueStatut, Statut
from referentiel.models import Contrat

from ...models import Bilan, DocumentBilanAnnuel, Modification

# Changing what the files hold changes this: every kept file is then built again.
VERSION_FORMAT = "3"

CODES_FINANCEURS = [ligne.code for ligne in budget.LIGNES if ligne.numero == "74"]
CODES_CONTRAT_VILLE = set(budget.CODES_CONTRAT_VILLE)


def statuts_comptes(inclure_deposes):
    """Dossiers whose bilan counts: validated (clôturé), plus submitted ones if asked."""
    if inclure_deposes:
        return [Statut.CLOTURE, Statut.BILAN_DEPOSE]
    return [Statut.CLOTURE]


# --- Scope ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Perimetre:
    """Which dossiers a bilan covers: the calls of a range of years, optionally narrowed."""

    contrat_id: int
    annee_debut: int
    annee_fin: int
    pilier_id: int | None = None
    quartier_id: int | None = None
    structure_id: int | None = None
    inclure_deposes: bool = False

    @classmethod
    def pour_appel(cls, appel, **options):
        return cls(contrat_id=appel.contrat_id, annee_debut=appel.annee, annee_fin=appel.annee,
                   **options)

    def dossiers(self, appels=None):
        """Submitted dossiers in the scope (a draft never counts).

        Given the scope's ``appels`` (already read), filtered by their ids: the index of the
        submitted dossiers by call then answers without a join.
        """
        if appels is not None:
            dossiers = Dossier.objects.filter(
                appel_id__in=[a.pk for a in appels], depose_le__isnull=False
            )
        else:
            dossiers = Dossier.objects.filter(
                appel__contrat_id=self.contrat_id,
                appel__annee__gte=self.annee_debut,
                appel__annee__lte=self.annee_fin,
                depose_le__isnull=False,
            )
        if self.pilier_id:
            dossiers = dossiers.filter(action_principale__objectif__orientation__pilier_id=(
                self.pilier_id
            ))
        if self.quartier_id:
            # A subquery rather than a join: grouping by QPV later must see every QPV.
            dossiers = dossiers.filter(
                pk__in=Dossier.quartiers.through.objects.filter(
                    quartierprioritaire_id=self.quartier_id
                ).values("dossier_id")
            )
        if self.structure_id:
            dossiers = dossiers.filter(structure_id=self.structure_id)
        return dossiers

    def appels(self):
        """The calls of the scope's years, oldest first."""
        return AppelAProjets.objects.filter(
            contrat_id=self.contrat_id, annee__gte=self.annee_debut, annee__lte=self.annee_fin
        ).order_by("annee")

    def dossiers_comptes(self):
        """Submitted dossiers of the scope whose bilan counts."""
        return self.dossiers().filter(statut__in=statuts_comptes(self.inclure_deposes))

    def cle(self):
        """A stable text naming the scope (part of the file's key)."""
        return (
            f"c{self.contrat_id}-a{self.annee_debut}-{self.annee_fin}-p{self.pilier_id or ''}"
            f"-q{self.quartier_id or ''}-s{self.structure_id or ''}-d{int(self.inclure_deposes)}"
        )


def _scalaire(lignes, agregat):
    """One aggregate of ``lignes`` as a scalar subquery (no GROUP BY: over every row)."""
    return Subquery(
        lignes.order_by().annotate(_tout=Value(1)).values("_tout").annotate(v=agregat)
        .values("v")[:1]
    )


def empreinte(perimetre):
    """A hash of what the figures depend on: it changes whenever a dossier of the scope does,
    or what the PDF adds to them (partners, logo, comment). One query."""
    return empreinte_et(perimetre)[0]


def empreinte_et(perimetre, **autres):
    """The fingerprint, and the ``autres`` expressions read by the same query."""
    dossiers = perimetre.dossiers()
    ids = dossiers.values("pk")
    # The rows of a dossier carry its call: filtered by the scope's calls too, they are read
    # through their index that starts with the call, not in full.
    appels = perimetre.appels().values("pk")
    tables = {
        "dossiers": (dossiers, "modifie_le"),
        "statuts": (HistoriqueStatut.objects.filter(appel__in=appels, dossier__in=ids), "le"),
        "bilans": (Bilan.objects.filter(appel__in=appels, dossier__in=ids), "modifie_le"),
        "modifications": (
            Modification.objects.filter(appel__in=appels, dossier__in=ids), "le"
        ),
        "documents": (DocumentBilanAnnuel.objects.filter(appel__in=appels), "modifie_le"),
    }
    sous_requetes = {}
    for nom, (lignes, date) in tables.items():
        sous_requetes[f"{nom}_n"] = _scalaire(lignes, Count("*"))
        sous_requetes[f"{nom}_m"] = _scalaire(lignes, Max(date))
    valeurs = (
        Contrat.objects.filter(pk=perimetre.contrat_id).annotate(**sous_requetes, **autres)
        .values_list(*sous_requetes, *autres).first()
    ) or (None,) * (len(sous_requetes) + len(autres))
    elements = [VERSION_FORMAT, perimetre.cle(), valeurs[: len(sous_requetes)]]
    return (
        hashlib.sha256(repr(elements).encode()).hexdigest(),
        *valeurs[len(sous_requetes):],
    )
