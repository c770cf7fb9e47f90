"""A dossier's history: each change of status, and each value edited (the edit trail)."""

from django.db import models
from django.utils import timezone

from .comptes import Utilisateur
from .cycle import Statut
from .dossiers import Dossier, Section


class HistoriqueStatut(models.Model):
    """Who moved a dossier from which status to which, when and why."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="historique")
    de = models.CharField("de", max_length=20, choices=Statut, blank=True)
    vers = models.CharField("vers", max_length=20, choices=Statut)
    par = models.ForeignKey(Utilisateur, on_delete=models.SET_NULL, null=True, related_name="+")
    le = models.DateTimeField("le", default=timezone.now)
    motif = models.TextField("motif", blank=True)

    class Meta:
        verbose_name = "changement de statut"
        verbose_name_plural = "historique des statuts"
        ordering = ["le", "pk"]

    def __str__(self):
        return f"{self.get_de_display() or 'création'} → {self.get_vers_display()}"


class ModificationDossier(models.Model):
    """One value changed in a dossier: who, when, before, after.

    Every save is kept. Edits made before the first submission are the structure's drafting:
    its members see them, staff see the trail from the submission on.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="modifications")
    section = models.CharField("section", max_length=20, choices=Section)
    champ = models.CharField("élément", max_length=255)
    avant = models.TextField("avant", blank=True)
    apres = models.TextField("après", blank=True)
    par = models.ForeignKey(Utilisateur, on_delete=models.SET_NULL, null=True, related_name="+")
    le = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "modification du dossier"
        verbose_name_plural = "modifications des dossiers"
        ordering = ["le", "pk"]

    def __str__(self):
        return f"{self.dossier} — {self.champ}"
