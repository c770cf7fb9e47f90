"""Instruction against the cahier des charges, corrections, messages and the comité's decisions."""

import secrets
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from candidatures.models import AppelDuDossier


class AffectationPilier(models.Model):
    """Default instructor of a pilier, applied when one of its dossiers enters instruction."""

    pilier = models.OneToOneField(
        "referentiel.Pilier", on_delete=models.CASCADE, related_name="affectation",
        verbose_name="pilier",
    )
    instructeur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name="instructeur",
    )

    class Meta:
        verbose_name = "instructeur par défaut d'un pilier"
        verbose_name_plural = "instructeurs par défaut des piliers"
        ordering = ["pilier__ordre", "pilier__code"]

    def __str__(self):
        return f"{self.pilier} → {self.instructeur}"


class Avis(models.TextChoices):
    FAVORABLE = "favorable", "favorable"
    FAVORABLE_RESERVES = "favorable_reserves", "favorable avec réserves"
    DEFAVORABLE = "defavorable", "défavorable"


class Instruction(AppelDuDossier):
    """The instructor's work on one dossier: assignment, avis, proposed amount, synthesis."""

    dossier = models.OneToOneField(
        "candidatures.Dossier", on_delete=models.CASCADE, related_name="instruction"
    )
    instructeur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="instructions", verbose_name="instructeur",
    )
    avis = models.CharField("avis", max_length=20, choices=Avis, blank=True)
    # Copied from the budget (contrat de ville lines) by every service that writes the
    # instruction, so that the database itself can refuse a proposal above the request.
    montant_demande = models.PositiveIntegerField("montant demandé (€)", default=0)
    montant_propose = models.PositiveIntegerField("montant proposé (€)", null=True, blank=True)
    synthese = models.TextField("synthèse pour le comité", blank=True)
    annotations = models.TextField(
        "annotations internes", blank=True,
        help_text="Jamais visibles de la structure.",
    )
    version = models.PositiveIntegerField("version", default=1)
    commencee_le = models.DateTimeField("instruction commencée le", null=True, blank=True)
    conclue_le = models.DateTimeField("instruction conclue le", null=True, blank=True)
    conclue_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    modifiee_le = models.DateTimeField("enregistrée le", null=True, blank=True)
    modifiee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "instruction"
        verbose_name_plural = "instructions"
        # The annual bilan reads a call's proposals from the index alone.
        indexes = [models.Index(fields=["appel", "dossier", "montant_propose"],
                                name="instruction_appel_dossier")]
        constraints = [
            models.CheckConstraint(
                condition=Q(avis__in=["", *Avis.values]), name="instruction_avis_valide"
            ),
            models.CheckConstraint(
                condition=Q(montant_propose__isnull=True)
                | Q(montant_propose__lte=models.F("montant_demande")),
                name="instruction_montant_propose_max_demande",
            ),
            models.CheckConstraint(
                condition=~Q(avis="defavorable")
                | Q(montant_propose__isnull=True)
                | Q(montant_propose=0),
                name="instruction_defavorable_sans_montant",
            ),
        ]

    def __str__(self):
        return f"Instruction de {self.dossier}"


class Verdict(models.TextChoices):
    CONFORME = "conforme", "conforme"
    PARTIEL = "partiellement_conforme", "partiellement conforme"
    NON_CONFORME = "non_conforme", "non conforme"
    SANS_OBJET = "sans_objet", "sans objet"


class VerdictExigence(models.Model):
    """The instructor's verdict on one requirement of the cahier des charges, with a comment."""

    Verdict = Verdict

    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="verdicts")
    exigence = models.ForeignKey(
        "referentiel.Exigence", on_delete=models.PROTECT, related_name="+"
    )
    verdict = models.CharField("verdict", max_length=24, choices=Verdict, blank=True)
    commentaire = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "verdict sur une exigence"
        verbose_name_plural = "verdicts sur les exigences"
        constraints = [
            models.UniqueConstraint(
                fields=["instruction", "exigence"], name="verdict_unique_par_exigence"
            ),
            models.CheckConstraint(
                condition=Q(verdict__in=["", *Verdict.values]), name="verdict_valeur_valide"
            ),
        ]

    def __str__(self):
        return f"{self.instruction.dossier} — exigence {self.exigence_id} : {self.verdict or '—'}"


class SuiviCorrection(models.Model):
    """What instruction adds to a correction request: a deadline and the dossier as it was."""

    demande = models.OneToOneField(
        "candidatures.DemandeCorrection", on_delete=models.CASCADE, related_name="suivi"
    )
    echeance = models.DateField("à corriger avant le", null=True, blank=True)
    # A frozen copy shown against the corrected dossier; never queried, only compared.
    avant = models.JSONField("dossier au moment de la demande")

    class Meta:
        verbose_name = "suivi d'une demande de corrections"
        verbose_name_plural = "suivis des demandes de corrections"

    def __str__(self):
        return f"Suivi de {self.demande}"


class Message(models.Model):
    """One message of the thread between the structure and the instructors about a dossier."""

    dossier = models.ForeignKey(
        "candidatures.Dossier", on_delete=models.CASCADE, related_name="messages"
    )
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    de_la_structure = models.BooleanField("écrit par la structure")
    texte = models.TextField("message")
    envoye_le = models.DateTimeField("envoyé le", default=timezone.now)

    class Meta:
        verbose_name = "message"
        verbose_name_plural = "messages"
        ordering = ["envoye_le", "pk"]
        indexes = [models.Index(fields=["dossier", "envoye_le"], name="message_dossier_date")]

    def __str__(self):
        return f"Message de {self.auteur} sur {self.dossier}"


def chemin_piece_message(instance, nom):
    """Store under a random name outside the web root; the original name stays in the row."""
    return (
        f"messages/{instance.message.dossier_id}/{secrets.token_hex(16)}"
        f"{PurePath(nom).suffix.lower()}"
    )


class PieceMessage(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="pieces")
    fichier = models.FileField("fichier", upload_to=chemin_piece_message, max_length=255)
    nom_original = models.CharField("nom du fichier", max_length=255)
    taille = models.PositiveBigIntegerField("taille (octets)")
    type_mime = models.CharField("type de contenu", max_length=100)

    class Meta:
        verbose_name = "pièce jointe d'un message"
        verbose_name_plural = "pièces jointes des messages"
        ordering = ["pk"]

    def __str__(self):
        return self.nom_original


class Lecture(models.Model):
    """When a user last read a dossier's thread: later messages are shown as unread."""

    dossier = models.ForeignKey(
        "candidatures.Dossier", on_delete=models.CASCADE, related_name="lectures"
    )
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    lu_le = models.DateTimeField("lu le")

    class Meta:
        verbose_name = "lecture des messages"
        verbose_name_plural = "lectures des messages"
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "utilisateur"], name="lecture_unique_par_utilisateur"
            )
        ]

    def __str__(self):
        return f"{self.utilisateur} a lu {self.dossier} le {self.lu_le:%d/%m/%Y %H:%M}"


def chemin_lettre(instance, nom):
    return f"decisions/{instance.dossier_id}/{secrets.token_hex(16)}.pdf"


class NatureDecision(models.TextChoices):
    # Same values as the dossier statuses they lead to.
    RETENU = "retenu", "retenu"
    NON_RETENU = "non_retenu", "non retenu"
    CLASSE_SANS_SUITE = "classe_sans_suite", "classé sans suite"


class Versement(models.TextChoices):
    UNIQUE = "unique", "unique"
    ECHELONNE = "echelonne", "échelonné"


class Decision(AppelDuDossier):
    """The comité's decision on an instructed dossier; its letter is generated once and kept."""

    Nature = NatureDecision
    Versement = Versement

    dossier = models.OneToOneField(
        "candidatures.Dossier", on_delete=models.PROTECT, related_name="decision"
    )
    nature = models.CharField("décision", max_length=20, choices=NatureDecision)
    montant_demande = models.PositiveIntegerField("montant demandé (€)")
    montant_accorde = models.PositiveIntegerField("montant accordé (€)", null=True, blank=True)
    conditions = models.TextField("conditions", blank=True)
    motif = models.TextField("motif", blank=True)
    versement = models.CharField(
        "versement", max_length=10, choices=Versement, default=Versement.UNIQUE
    )
    date_limite_bilan = models.DateField("bilan à remettre avant le", null=True, blank=True)
    reference_deliberation = models.CharField(
        "référence de la délibération", max_length=60, blank=True,
        help_text="Numéro de la délibération ou du relevé de décisions du comité, s'il existe.",
    )
    decidee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decidee_le = models.DateTimeField("décidée le", default=timezone.now)
    lettre = models.FileField(
        "lettre de notification", upload_to=chemin_lettre, max_length=255, blank=True
    )
    lettre_generee_le = models.DateTimeField("lettre générée le", null=True, blank=True)

    class Meta:
        verbose_name = "décision"
        verbose_name_plural = "décisions"
        ordering = ["-decidee_le"]
        indexes = [models.Index(fields=["appel", "dossier", "montant_accorde"],
                                name="decision_appel_dossier")]
        constraints = [
            models.CheckConstraint(
                condition=Q(nature__in=NatureDecision.values), name="decision_nature_valide"
            ),
            models.CheckConstraint(
                condition=Q(versement__in=Versement.values), name="decision_versement_valide"
            ),
            models.CheckConstraint(
                condition=~Q(nature="retenu")
                | Q(
                    montant_accorde__isnull=False,
                    montant_accorde__gt=0,
                    date_limite_bilan__isnull=False,
                ),
                name="decision_retenu_montant_et_bilan",
            ),
            models.CheckConstraint(
                condition=Q(nature="retenu") | Q(montant_accorde__isnull=True),
                name="decision_refus_sans_montant",
            ),
            models.CheckConstraint(
                condition=Q(montant_accorde__isnull=True)
                | Q(montant_accorde__lte=models.F("montant_demande")),
                name="decision_montant_max_demande",
            ),
            models.CheckConstraint(
                condition=Q(nature="retenu") | ~Q(motif=""),
                name="decision_refus_motive",
            ),
        ]

    def __str__(self):
        return f"{self.dossier} : {self.get_nature_display()}"

    @property
    def reference(self):
        """The reference printed on the letter and published in open data."""
        return self.reference_deliberation or f"{self.dossier.reference}-D"

    @property
    def est_retenu(self):
        return self.nature == self.Nature.RETENU


class Modification(AppelDuDossier):
    """One changed value of an instruction, an assignment or a decision (staff-only trail)."""

    class Objet(models.TextChoices):
        AFFECTATION = "affectation", "affectation"
        INSTRUCTION = "instruction", "instruction"
        VERDICT = "verdict", "grille du cahier des charges"
        DECISION = "decision", "décision"

    dossier = models.ForeignKey(
        "candidatures.Dossier", on_delete=models.CASCADE, related_name="modifications_instruction"
    )
    objet = models.CharField("objet", max_length=12, choices=Objet)
    champ = models.CharField("champ", max_length=255)
    avant = models.TextField("avant", blank=True)
    apres = models.TextField("après", blank=True)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    le = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "modification"
        verbose_name_plural = "journal des modifications"
        ordering = ["le", "pk"]
        indexes = [models.Index(fields=["appel", "dossier", "le"],
                                name="modification_appel_dossier")]
        constraints = [
            models.CheckConstraint(
                condition=Q(objet__in=["affectation", "instruction", "verdict", "decision"]),
                name="modification_objet_valide",
            )
        ]

    def __str__(self):
        return f"{self.champ} : {self.avant!r} → {self.apres!r}"
