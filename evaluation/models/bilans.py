"""Bilans of the retained actions (Cerfa n°15059): what was done, for whom, at what cost.

Also the bilan settings of a call, the reminders sent, and the annual bilan files built in the
background.
"""

import secrets
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from candidatures.commun.formats import euros
from candidatures.dossiers import budget as grille_budget
from candidatures.models import AppelDuDossier, AppelDuDossierQuerySet

from .exports import FichierGenere

SEUIL_ECART_DEFAUT = 15
CHAMPS_VALEUR = ("valeur", "valeur_femmes", "valeur_hommes", "valeur_filles", "valeur_garcons")
CHAMPS_BENEFICIAIRES = (
    "beneficiaires_femmes", "beneficiaires_hommes", "beneficiaires_filles", "beneficiaires_garcons",
)


def _positifs(prefixe, champs):
    return [
        models.CheckConstraint(
            condition=Q(**{f"{champ}__isnull": True}) | Q(**{f"{champ}__gte": 0}),
            name=f"{prefixe}_{champ}_positif",
        )
        for champ in champs
    ]


class ParametresBilan(models.Model):
    """Bilan settings of one call: above which gap the structure must explain a budget line."""

    appel = models.OneToOneField(
        "candidatures.AppelAProjets", on_delete=models.CASCADE, related_name="parametres_bilan",
        verbose_name="appel à projets",
    )
    seuil_ecart = models.PositiveSmallIntegerField(
        "écart à expliquer au-delà de (%)", default=SEUIL_ECART_DEFAUT,
        help_text=(
            "Une ligne du compte rendu financier dont l'écart entre prévision et réalisation "
            "dépasse ce pourcentage doit être expliquée."
        ),
    )

    class Meta:
        verbose_name = "paramètres des bilans"
        verbose_name_plural = "paramètres des bilans"
        constraints = [
            models.CheckConstraint(
                condition=Q(seuil_ecart__gte=1, seuil_ecart__lte=100),
                name="parametres_bilan_seuil_pourcentage",
            )
        ]

    def __str__(self):
        return f"Bilans de {self.appel} : écart à expliquer au-delà de {self.seuil_ecart} %"


class BilanQuerySet(AppelDuDossierQuerySet):
    def visibles_par(self, user):
        """Bilans of the dossiers the user sees: those of their structures, and for staff those
        of the contracts where they hold a role (``Dossier.objects.visibles_par``)."""
        from candidatures.models import Dossier

        return self.filter(dossier__in=Dossier.objects.visibles_par(user))


class Bilan(AppelDuDossier):
    """The bilan of a retained action (Cerfa n°15059): what was done, for whom, at what cost."""

    class Atteinte(models.TextChoices):
        ATTEINTS = "atteints", "atteints"
        PARTIELLEMENT = "partiellement", "partiellement atteints"
        NON_ATTEINTS = "non_atteints", "non atteints"

    dossier = models.OneToOneField(
        "candidatures.Dossier", on_delete=models.PROTECT, related_name="bilan"
    )
    realisation = models.TextField("ce qui a été réalisé", blank=True)
    date_debut = models.DateField("date de début effective", null=True, blank=True)
    date_fin = models.DateField("date de fin effective", null=True, blank=True)
    lieux = models.TextField("lieux de réalisation", blank=True)
    beneficiaires_femmes = models.IntegerField("bénéficiaires femmes", null=True, blank=True)
    beneficiaires_hommes = models.IntegerField("bénéficiaires hommes", null=True, blank=True)
    beneficiaires_filles = models.IntegerField("bénéficiaires filles", null=True, blank=True)
    beneficiaires_garcons = models.IntegerField(
        "bénéficiaires garçons", null=True, blank=True
    )
    profil_beneficiaires = models.TextField("profil des bénéficiaires", blank=True)
    objectifs_atteints = models.CharField(
        "objectifs", max_length=14, choices=Atteinte, blank=True
    )
    objectifs_commentaire = models.TextField("atteinte des objectifs : précisions", blank=True)
    difficultes = models.TextField("difficultés rencontrées", blank=True)
    perspectives = models.TextField("perspectives", blank=True)
    version = models.PositiveIntegerField("version", default=1)
    cree_le = models.DateTimeField("commencé le", default=timezone.now)
    modifie_le = models.DateTimeField("enregistré le", default=timezone.now)
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    depose_le = models.DateTimeField("déposé le", null=True, blank=True)
    depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    regle_charges_indirectes = models.TextField(
        "règle de répartition des charges indirectes affectées à l'action", blank=True
    )
    note_contributions_nature = models.TextField(
        "observations sur les contributions volontaires en nature", blank=True
    )
    fait_a = models.CharField("fait à", max_length=120, blank=True)
    signataire = models.CharField("signataire de l'attestation", max_length=255, blank=True)
    qualite_signataire = models.CharField("qualité du signataire", max_length=150, blank=True)
    valide_le = models.DateTimeField("validé le", null=True, blank=True)
    valide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    objects = BilanQuerySet.as_manager()

    BENEFICIAIRES = CHAMPS_BENEFICIAIRES

    class Meta:
        verbose_name = "bilan"
        verbose_name_plural = "bilans"
        ordering = ["-modifie_le"]
        # A call's bilans (annual figures, fingerprint) read from the index alone.
        indexes = [models.Index(fields=["appel", "dossier", "modifie_le", *CHAMPS_BENEFICIAIRES],
                                name="bilan_appel_dossier"),
                   # The bilans submitted and not validated (those waiting for validation
                   # among them), oldest first: a page of the list read in this order.
                   models.Index(fields=["depose_le", "id"], name="bilan_a_valider",
                                condition=models.Q(depose_le__isnull=False,
                                                   valide_le__isnull=True))]
        constraints = [
            *_positifs("bilan", CHAMPS_BENEFICIAIRES),
            models.CheckConstraint(
                condition=Q(objectifs_atteints__in=["", "atteints", "partiellement",
                                                    "non_atteints"]),
                name="bilan_objectifs_atteints_valide",
            ),
            models.CheckConstraint(
                condition=Q(date_debut__isnull=True)
                | Q(date_fin__isnull=True)
                | Q(date_fin__gte=models.F("date_debut")),
                name="bilan_dates_ordonnees",
            ),
        ]

    def __str__(self):
        return f"Bilan de {self.dossier}"

    @property
    def beneficiaires_total(self):
        valeurs = [getattr(self, c) for c in self.BENEFICIAIRES]
        if all(v is None for v in valeurs):
            return None
        return sum(v or 0 for v in valeurs)


class RealisationIndicateur(models.Model):
    """What was achieved for one indicator, in the breakdown it asks for (or a text answer)."""

    bilan = models.ForeignKey(Bilan, on_delete=models.CASCADE, related_name="realisations")
    indicateur = models.ForeignKey(
        "referentiel.Indicateur", on_delete=models.PROTECT, related_name="+"
    )
    valeur = models.IntegerField("valeur", null=True, blank=True)
    valeur_femmes = models.IntegerField("femmes", null=True, blank=True)
    valeur_hommes = models.IntegerField("hommes", null=True, blank=True)
    valeur_filles = models.IntegerField("filles", null=True, blank=True)
    valeur_garcons = models.IntegerField("garçons", null=True, blank=True)
    texte = models.TextField("réponse", blank=True)

    class Meta:
        verbose_name = "valeur réalisée"
        verbose_name_plural = "valeurs réalisées"
        constraints = [
            models.UniqueConstraint(
                fields=["bilan", "indicateur"], name="realisation_unique_par_indicateur"
            ),
            *_positifs("realisation", CHAMPS_VALEUR),
        ]

    def __str__(self):
        return f"{self.bilan} — indicateur {self.indicateur_id}"

    @property
    def total(self):
        valeurs = [getattr(self, c) for c in CHAMPS_VALEUR]
        if all(v is None for v in valeurs):
            return None
        return sum(v or 0 for v in valeurs)


class LigneCompteRendu(models.Model):
    """One line of the compte rendu financier: the forecast (from the budget) and what was spent."""

    bilan = models.ForeignKey(Bilan, on_delete=models.CASCADE, related_name="lignes")
    code = models.CharField(
        "ligne", max_length=16,
        choices=[(ligne.code, ligne.libelle) for ligne in grille_budget.LIGNES],
    )
    prevu = models.IntegerField("prévision (€)", default=0)
    realise = models.IntegerField("réalisation (€)", null=True, blank=True)
    explication = models.TextField("explication de l'écart", blank=True)

    class Meta:
        verbose_name = "ligne du compte rendu financier"
        verbose_name_plural = "lignes du compte rendu financier"
        constraints = [
            models.UniqueConstraint(fields=["bilan", "code"], name="ligne_compte_rendu_unique"),
            models.CheckConstraint(
                condition=Q(code__in=grille_budget.CODES), name="ligne_compte_rendu_code_connu"
            ),
            models.CheckConstraint(
                condition=Q(prevu__gte=0), name="ligne_compte_rendu_prevu_positif"
            ),
            *_positifs("ligne_compte_rendu", ("realise",)),
        ]

    def __str__(self):
        return f"{self.code} : {euros(self.prevu)} prévus, {euros(self.realise)} réalisés"


def chemin_piece_bilan(instance, nom):
    """Store under a random name outside the web root; the original name stays in the row."""
    return (
        f"bilans/{instance.bilan.dossier_id}/{secrets.token_hex(16)}"
        f"{PurePath(nom).suffix.lower()}"
    )


class PieceBilan(models.Model):
    """A document of the bilan: bilan moral, photographs, attendance sheets…"""

    class Type(models.TextChoices):
        BILAN_MORAL = "bilan_moral", "bilan moral de l'action"
        PHOTOGRAPHIES = "photographies", "photographies"
        FEUILLE_PRESENCE = "feuille_presence", "feuille de présence"
        COMPTE_RENDU_SIGNE = "compte_rendu_signe", "compte rendu financier signé"
        AUTRE = "autre", "autre document"

    bilan = models.ForeignKey(Bilan, on_delete=models.CASCADE, related_name="pieces")
    type = models.CharField("type de document", max_length=20, choices=Type, default=Type.AUTRE)
    titre = models.CharField("titre", max_length=255, blank=True)
    fichier = models.FileField("fichier", upload_to=chemin_piece_bilan, max_length=255)
    nom_original = models.CharField("nom du fichier", max_length=255)
    taille = models.PositiveBigIntegerField("taille (octets)")
    type_mime = models.CharField("type de contenu", max_length=100)
    ajoute_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ajoute_le = models.DateTimeField("ajouté le", default=timezone.now)

    class Meta:
        verbose_name = "document du bilan"
        verbose_name_plural = "documents du bilan"
        ordering = ["ajoute_le", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=["bilan_moral", "photographies", "feuille_presence",
                                      "compte_rendu_signe", "autre"]),
                name="piece_bilan_type_valide",
            )
        ]

    def __str__(self):
        return self.titre or self.nom_original


class DemandeCorrectionBilan(models.Model):
    """An instructor's request to correct a submitted bilan, naming what to fix."""

    bilan = models.ForeignKey(Bilan, on_delete=models.CASCADE, related_name="demandes_correction")
    message = models.TextField("ce qui est à corriger")
    demandee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    demandee_le = models.DateTimeField("demandée le", default=timezone.now)
    traitee_le = models.DateTimeField("traitée le", null=True, blank=True)

    class Meta:
        verbose_name = "demande de corrections du bilan"
        verbose_name_plural = "demandes de corrections des bilans"
        ordering = ["-demandee_le", "-pk"]

    def __str__(self):
        return f"Corrections du {self.bilan} demandées le {self.demandee_le:%d/%m/%Y}"


class RelanceBilan(models.Model):
    """A reminder sent about a bilan, one per dossier, step and due date: never sent twice."""

    dossier = models.ForeignKey(
        "candidatures.Dossier", on_delete=models.CASCADE, related_name="relances_bilan"
    )
    etape = models.CharField("étape", max_length=8)
    echeance = models.DateField("bilan attendu le")
    envoyee_le = models.DateTimeField("envoyée le", default=timezone.now)
    destinataires = models.TextField("destinataires", blank=True)

    class Meta:
        verbose_name = "relance de bilan"
        verbose_name_plural = "relances de bilans"
        ordering = ["-envoyee_le"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "etape", "echeance"], name="relance_bilan_unique"
            )
        ]

    def __str__(self):
        return f"Relance {self.etape} du bilan de {self.dossier}"


def chemin_generation(instance, nom):
    return f"bilans-generes/{instance.pk}{PurePath(nom).suffix.lower()}"


class GenerationBilan(FichierGenere):
    """A bilan file built (in the background when large) and kept until its data change."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel"

    format = models.CharField("format", max_length=4, choices=Format)
    contrat = models.ForeignKey(
        "referentiel.Contrat", on_delete=models.CASCADE, related_name="+"
    )
    annee_debut = models.PositiveSmallIntegerField("de l'année")
    annee_fin = models.PositiveSmallIntegerField("à l'année")
    pilier = models.ForeignKey(
        "referentiel.Pilier", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    quartier = models.ForeignKey(
        "referentiel.QuartierPrioritaire", on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )
    structure = models.ForeignKey(
        "candidatures.Structure", on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )
    inclure_deposes = models.BooleanField("bilans déposés non validés inclus", default=False)
    fichier = models.FileField("fichier", upload_to=chemin_generation, blank=True)

    class Meta:
        verbose_name = "génération de bilan"
        verbose_name_plural = "générations de bilans"
        ordering = ["-demandee_le"]
        indexes = [
            models.Index(fields=["format", "annee_debut", "annee_fin"], name="generation_perimetre")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progression__lte=100), name="generation_progression_pourcentage"
            ),
            models.CheckConstraint(
                condition=Q(etat__in=["en_attente", "en_cours", "terminee", "echec"]),
                name="generation_etat_valide",
            ),
            models.CheckConstraint(
                condition=Q(format__in=["pdf", "xlsx"]), name="generation_format_valide"
            ),
            models.CheckConstraint(
                condition=Q(annee_fin__gte=models.F("annee_debut")),
                name="generation_annees_ordonnees",
            ),
        ]

    def __str__(self):
        return f"Bilan {self.get_format_display()} {self.annee_debut}–{self.annee_fin}"
