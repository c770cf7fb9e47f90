"""The rows a dossier holds: answers to the cahier des charges, forecast indicators, budget lines,
attachments.
"""

import os
import secrets

from django.db import models
from django.utils import timezone

from ..commun.formats import euros
from ..dossiers import budget as grille_budget
from .comptes import Utilisateur
from .dossiers import Dossier
from .historique import AppelDuDossier


class ReponseExigence(models.Model):
    """How the project meets one requirement of the cahier des charges."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="reponses")
    exigence = models.ForeignKey("referentiel.Exigence", on_delete=models.PROTECT, related_name="+")
    texte = models.TextField("réponse", blank=True)

    class Meta:
        verbose_name = "réponse au cahier des charges"
        verbose_name_plural = "réponses au cahier des charges"
        constraints = [
            models.UniqueConstraint(fields=["dossier", "exigence"], name="reponse_unique")
        ]

    def __str__(self):
        return f"{self.dossier} — {self.exigence_id}"


class PrevisionIndicateur(AppelDuDossier):
    """Forecast value of a numeric indicator, in the breakdown the indicator asks for.

    Carries the dossier's call (``AppelDuDossier``): the annual bilan reads a call's forecasts
    through an index that starts with the call.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="previsions")
    indicateur = models.ForeignKey(
        "referentiel.Indicateur", on_delete=models.PROTECT, related_name="+"
    )
    valeur = models.IntegerField("valeur", null=True, blank=True)
    valeur_femmes = models.IntegerField("femmes", null=True, blank=True)
    valeur_hommes = models.IntegerField("hommes", null=True, blank=True)
    valeur_filles = models.IntegerField("filles", null=True, blank=True)
    valeur_garcons = models.IntegerField("garçons", null=True, blank=True)

    class Meta:
        verbose_name = "valeur prévisionnelle"
        verbose_name_plural = "valeurs prévisionnelles"
        indexes = [
            # A call's forecasts summed per indicator from the index alone (annual bilan).
            models.Index(
                fields=["appel", "dossier", "indicateur", "valeur", "valeur_femmes",
                        "valeur_hommes", "valeur_filles", "valeur_garcons"],
                name="prevision_appel_dossier",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "indicateur"], name="prevision_unique"),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{champ}__isnull": True})
                    | models.Q(**{f"{champ}__gte": 0}),
                    name=f"prevision_{champ}_positive",
                )
                for champ in (
                    "valeur", "valeur_femmes", "valeur_hommes", "valeur_filles", "valeur_garcons"
                )
            ],
        ]

    def __str__(self):
        return f"{self.dossier} — {self.indicateur_id}"

    @property
    def total(self):
        valeurs = [
            self.valeur, self.valeur_femmes, self.valeur_hommes, self.valeur_filles,
            self.valeur_garcons,
        ]
        if all(v is None for v in valeurs):
            return None
        return sum(v or 0 for v in valeurs)


class LigneBudget(AppelDuDossier):
    """One line of the project budget (grid in ``dossiers/budget.py``), in whole euros.

    Carries the dossier's call (``AppelDuDossier``): the annual bilan reads a call's budget
    lines through an index that starts with the call.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="lignes_budget")
    code = models.CharField("ligne", max_length=16, choices=[
        (ligne.code, ligne.libelle) for ligne in grille_budget.TOUTES
    ])
    montant = models.IntegerField("montant (€)", default=0)
    precision = models.CharField("précision", max_length=255, blank=True)

    class Meta:
        verbose_name = "ligne de budget"
        verbose_name_plural = "lignes de budget"
        indexes = [
            # A call's requests and co-financing read from the index alone (annual bilan).
            models.Index(fields=["appel", "code", "dossier", "montant"],
                         name="ligne_budget_appel_code"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "code"], name="ligne_budget_unique"),
            models.CheckConstraint(
                condition=models.Q(montant__gte=0), name="ligne_budget_montant_positif"
            ),
            models.CheckConstraint(
                condition=models.Q(code__in=grille_budget.CODES), name="ligne_budget_code_connu"
            ),
        ]

    def __str__(self):
        return f"{self.code} : {euros(self.montant)}"


def chemin_piece(instance, nom):
    """Store under a random name: the original name is kept in the row, never on disk."""
    extension = os.path.splitext(nom)[1].lower()
    return f"dossiers/{instance.dossier_id}/{secrets.token_hex(16)}{extension}"


class PieceJointe(models.Model):
    """A document attached to one dossier (quote, plan, partnership letter…)."""

    class Type(models.TextChoices):
        DEVIS = "devis", "devis"
        PLAN = "plan", "plan"
        LETTRE_PARTENARIAT = "lettre_partenariat", "lettre de partenariat"
        CALENDRIER = "calendrier", "calendrier"
        POUVOIR = "pouvoir", "pouvoir du représentant légal au signataire"
        AUTRE = "autre", "autre document"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pieces")
    type = models.CharField("type de pièce", max_length=20, choices=Type, default=Type.AUTRE)
    titre = models.CharField("titre", max_length=255, blank=True)
    fichier = models.FileField("fichier", upload_to=chemin_piece)
    nom_original = models.CharField("nom du fichier", max_length=255)
    taille = models.PositiveIntegerField("taille (octets)")
    ajoute_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ajoute_le = models.DateTimeField("ajouté le", default=timezone.now)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["ajoute_le", "pk"]

    def __str__(self):
        return self.titre or self.nom_original
