"""Structures (porteurs de projet): their members, documents, invitations and join requests."""

import uuid
from pathlib import PurePath

from django.db import models
from django.utils import timezone

from .comptes import Utilisateur


class ExisteParLigne(models.Exists):
    """An EXISTS probed row by row through an index. PostgreSQL otherwise turns it into a
    hashed subplan that reads the whole subquery's table before the first row, even for a page
    of 25 rows sorted on an index; ``OFFSET 0`` keeps it correlated (SQLite always is)."""

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="EXISTS(%(subquery)s OFFSET 0)", **extra_context
        )


class StructureQuerySet(models.QuerySet):
    def visibles_par(self, user):
        """Structures are portal-wide: a portal administrator sees every one; other staff see
        those with a submitted dossier in one of their contracts; anyone also sees the
        structures they belong to."""
        if not user.is_authenticated:
            return self.none()
        ids = user.contrats_ids()
        if ids is None:
            return self.all()
        condition = models.Q(pk__in=Membre.objects.filter(utilisateur=user).values("structure"))
        if ids:
            # A correlated EXISTS, probed per structure through the dossier's structure index:
            # a page of structures sorted by name reads a page of them, not every dossier.
            dossiers = self.model._meta.get_field("dossiers").related_model
            condition |= ExisteParLigne(dossiers.objects.filter(
                structure=models.OuterRef("pk"), depose_le__isnull=False,
                appel__contrat_id__in=ids,
            ))
        return self.filter(condition)


class Structure(models.Model):
    """A porteur de projet (association, commune, bailleur…): it owns the dossiers, not a person."""

    class Type(models.TextChoices):
        ASSOCIATION = "association", "association loi 1901"
        COLLECTIVITE = "collectivite", "collectivité territoriale"
        BAILLEUR = "bailleur", "bailleur social"
        ETABLISSEMENT_PUBLIC = "etablissement_public", "établissement public"
        ESS = "ess", "entreprise de l'économie sociale et solidaire"
        AUTRE = "autre", "autre"

    raison_sociale = models.CharField("raison sociale", max_length=255)
    sigle = models.CharField("sigle", max_length=50, blank=True)
    type = models.CharField("type de structure", max_length=24, choices=Type)
    siret = models.CharField("SIRET", max_length=14, unique=True)
    rna = models.CharField("numéro RNA", max_length=10, blank=True)
    rna_absent_motif = models.CharField(
        "motif de l'absence de numéro RNA", max_length=255, blank=True
    )
    objet = models.TextField("objet de la structure", blank=True)
    adresse = models.CharField("adresse", max_length=255)
    code_postal = models.CharField("code postal", max_length=5)
    commune = models.CharField("commune", max_length=120)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("adresse électronique de la structure", blank=True)
    site_web = models.URLField("site internet", blank=True)
    representant_nom = models.CharField("nom du représentant légal", max_length=150)
    representant_prenom = models.CharField("prénom du représentant légal", max_length=150)
    representant_fonction = models.CharField(
        "fonction du représentant légal", max_length=150
    )
    representant_telephone = models.CharField(
        "téléphone du représentant légal", max_length=20, blank=True
    )
    representant_email = models.EmailField(
        "adresse électronique du représentant légal", blank=True
    )
    contact_nom = models.CharField("personne chargée des dossiers", max_length=255, blank=True)
    contact_prenom = models.CharField(
        "prénom de la personne chargée des dossiers", max_length=150, blank=True
    )
    contact_fonction = models.CharField(
        "fonction de la personne chargée des dossiers", max_length=150, blank=True
    )
    contact_email = models.EmailField("adresse électronique de cette personne", blank=True)
    contact_telephone = models.CharField(
        "téléphone de cette personne", max_length=20, blank=True
    )
    iban = models.CharField("IBAN", max_length=34, blank=True)
    bic = models.CharField("BIC", max_length=11, blank=True)
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = "structure"
        verbose_name_plural = "structures"
        ordering = ["raison_sociale"]
        # The staff list pages through structures sorted by name: read in index order.
        indexes = [models.Index(fields=["raison_sociale", "id"], name="structure_par_nom")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(siret__regex=r"^[0-9]{14}$"), name="structure_siret_14_chiffres"
            ),
            models.CheckConstraint(
                condition=models.Q(rna="") | models.Q(rna__regex=r"^W[0-9]{9}$"),
                name="structure_rna_format",
            ),
            models.CheckConstraint(
                condition=~models.Q(type="association")
                | ~models.Q(rna="")
                | ~models.Q(rna_absent_motif=""),
                name="structure_association_rna_ou_motif",
            ),
            models.CheckConstraint(
                condition=models.Q(code_postal__regex=r"^[0-9]{5}$"),
                name="structure_code_postal_format",
            ),
        ]

    def __str__(self):
        return self.libelle(self.raison_sociale, self.sigle)

    @staticmethod
    def libelle(raison_sociale, sigle):
        """How a structure is named (``str``), from the columns alone."""
        return f"{raison_sociale} ({sigle})" if sigle else raison_sociale


class Membre(models.Model):
    """A user's membership of a structure, with its role within the structure."""

    class Role(models.TextChoices):
        RESPONSABLE = "responsable", "responsable"
        CONTRIBUTEUR = "contributeur", "contributeur"

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="membres")
    utilisateur = models.ForeignKey(
        Utilisateur, on_delete=models.CASCADE, related_name="adhesions"
    )
    role = models.CharField("rôle dans la structure", max_length=12, choices=Role)
    depuis = models.DateTimeField("membre depuis", auto_now_add=True)

    class Meta:
        verbose_name = "membre"
        verbose_name_plural = "membres"
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "utilisateur"], name="membre_unique_par_structure"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["responsable", "contributeur"]),
                name="membre_role_valide",
            ),
        ]

    def __str__(self):
        return f"{self.utilisateur} — {self.structure} ({self.get_role_display()})"


def chemin_document_structure(instance, nom):
    """Store under a random name: the original name is kept in the row, never on disk."""
    return f"structures/{instance.structure_id}/{uuid.uuid4().hex}{PurePath(nom).suffix.lower()}"


class DocumentStructureQuerySet(models.QuerySet):
    def actuels(self):
        return self.filter(est_actuel=True)

    def visibles_par(self, user):
        return self.filter(structure__in=Structure.objects.visibles_par(user))


class DocumentStructure(models.Model):
    """One version of a document the structure keeps once and every dossier reuses."""

    class Type(models.TextChoices):
        STATUTS = "statuts", "statuts"
        LISTE_DIRIGEANTS = "liste_dirigeants", "liste des dirigeants"
        RIB = "rib", "relevé d'identité bancaire (RIB)"
        RAPPORT_ACTIVITE = "rapport_activite", "dernier rapport d'activité"
        COMPTES_APPROUVES = "comptes_approuves", "derniers comptes approuvés"
        RAPPORT_CAC = "rapport_cac", "rapport du commissaire aux comptes"

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="documents")
    type = models.CharField("type de document", max_length=20, choices=Type)
    fichier = models.FileField("fichier", upload_to=chemin_document_structure, max_length=255)
    nom_original = models.CharField("nom du fichier", max_length=255)
    taille = models.PositiveBigIntegerField("taille (octets)")
    type_mime = models.CharField("type de contenu", max_length=100)
    date_document = models.DateField(
        "date du document",
        help_text="Date figurant sur le document (adoption des statuts, approbation des comptes…).",
    )
    est_actuel = models.BooleanField("version en vigueur", default=True)
    depose_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    depose_le = models.DateTimeField("déposé le", default=timezone.now)

    objects = DocumentStructureQuerySet.as_manager()

    class Meta:
        verbose_name = "document de structure"
        verbose_name_plural = "documents de structure"
        ordering = ["structure", "type", "-depose_le", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "type"],
                condition=models.Q(est_actuel=True),
                name="document_structure_une_version_en_vigueur",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    type__in=[
                        "statuts",
                        "liste_dirigeants",
                        "rib",
                        "rapport_activite",
                        "comptes_approuves",
                        "rapport_cac",
                    ]
                ),
                name="document_structure_type_valide",
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} — {self.structure} ({self.date_document:%d/%m/%Y})"


class Invitation(models.Model):
    """An e-mail invitation to join a structure; the link sent is signed and expires."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("adresse électronique invitée")
    role = models.CharField("rôle proposé", max_length=12, choices=Membre.Role)
    invite_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    envoyee_le = models.DateTimeField("envoyée le", default=timezone.now)
    acceptee_le = models.DateTimeField("acceptée le", null=True, blank=True)
    acceptee_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    annulee_le = models.DateTimeField("annulée le", null=True, blank=True)

    class Meta:
        verbose_name = "invitation"
        verbose_name_plural = "invitations"
        ordering = ["-envoyee_le"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "email"],
                condition=models.Q(acceptee_le__isnull=True, annulee_le__isnull=True),
                name="invitation_une_en_attente_par_adresse",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["responsable", "contributeur"]),
                name="invitation_role_valide",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.structure}"

    @property
    def en_attente(self):
        return self.acceptee_le is None and self.annulee_le is None


class DemandeAdhesion(models.Model):
    """A user's request to join a structure found by its SIRET; a responsable answers it."""

    class Statut(models.TextChoices):
        EN_ATTENTE = "en_attente", "en attente"
        ACCEPTEE = "acceptee", "acceptée"
        REFUSEE = "refusee", "refusée"

    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="demandes_adhesion"
    )
    utilisateur = models.ForeignKey(
        Utilisateur, on_delete=models.CASCADE, related_name="demandes_adhesion"
    )
    message = models.TextField("message aux responsables", blank=True)
    statut = models.CharField(
        "statut", max_length=10, choices=Statut, default=Statut.EN_ATTENTE
    )
    cree_le = models.DateTimeField("demandée le", default=timezone.now)
    traitee_le = models.DateTimeField("traitée le", null=True, blank=True)
    traitee_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "demande d'adhésion"
        verbose_name_plural = "demandes d'adhésion"
        ordering = ["-cree_le"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "utilisateur"],
                condition=models.Q(statut="en_attente"),
                name="demande_adhesion_une_en_attente",
            ),
            models.CheckConstraint(
                condition=models.Q(statut__in=["en_attente", "acceptee", "refusee"]),
                name="demande_adhesion_statut_valide",
            ),
        ]

    def __str__(self):
        return f"{self.utilisateur} → {self.structure} ({self.get_statut_display()})"
