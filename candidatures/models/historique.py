"""A dossier's history: each change of status, and each value edited (the edit trail)."""

from django.db import models
from django.utils import timezone

from .appels import AppelAProjets
from .comptes import Utilisateur
from .cycle import Statut
from .dossiers import Dossier, Section


class AppelDuDossierQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.remplir_appel()
        return super().bulk_create(objs, *args, **kwargs)


class AppelDuDossier(models.Model):
    """A row of one dossier that also carries the dossier's call.

    The figures of one call (annual bilan, fingerprint) are then read through an index that
    starts with the call, whatever the other contracts hold. ``save`` and ``bulk_create`` copy
    the call from the dossier; triggers make the database refuse a call that differs from the
    dossier's and follow a dossier moved to another call (``dossiers/contrainte_appel.py``).
    """

    appel = models.ForeignKey(
        AppelAProjets, on_delete=models.DO_NOTHING, related_name="+", editable=False,
        db_index=False,  # each table has an index that starts with the call
    )

    objects = AppelDuDossierQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.remplir_appel()
        super().save(*args, **kwargs)

    def remplir_appel(self):
        if self.appel_id is None and self.dossier_id is not None:
            self.appel_id = self.dossier.appel_id


class HistoriqueStatut(AppelDuDossier):
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
        indexes = [
            # The fingerprint of a call's bilans: count and latest change, from the index alone.
            models.Index(fields=["appel", "dossier", "le"], name="historique_appel_dossier"),
        ]

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
