"""Accounts (e-mail as login) and the roles the portal relies on."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles are Django groups created by a data migration; these are their names."""

    PORTEUR = "porteur", _("porteur de projet")
    INSTRUCTEUR = "instructeur", _("instructeur")
    COMITE = "comite", _("comité de pilotage")
    ADMINISTRATEUR = "administrateur", _("administrateur")


class UtilisateurManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        # Created from the command line by someone who owns the address: no link to confirm.
        extra_fields.setdefault("email_confirme_le", timezone.now())
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class Utilisateur(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("adresse électronique"), unique=True)
    prenom = models.CharField(_("prénom"), max_length=150, blank=True)
    nom = models.CharField(_("nom"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("accès à l'administration technique"),
        default=False,
        help_text=_("Peut se connecter à l'interface d'administration de Django."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)
    email_confirme_le = models.DateTimeField(_("adresse confirmée le"), null=True, blank=True)

    objects = UtilisateurManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="utilisateur_email_insensible_casse"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.prenom} {self.nom}".strip()

    def get_short_name(self):
        return self.prenom or self.email

    def a_role(self, role):
        """Tell whether the user belongs to the group of ``role`` (cached per instance)."""
        if not hasattr(self, "_roles"):
            self._roles = set(self.groups.values_list("name", flat=True))
        return role in self._roles


class StructureQuerySet(models.QuerySet):
    def visibles_par(self, user):
        """Staff see every structure; anyone else only the structures they belong to."""
        from .permissions import est_personnel  # permissions imports the models

        if not user.is_authenticated:
            return self.none()
        if est_personnel(user):
            return self.all()
        return self.filter(membres__utilisateur=user)


class Structure(models.Model):
    """A porteur de projet (association, commune, bailleur…): it owns the dossiers, not a person."""

    class Type(models.TextChoices):
        ASSOCIATION = "association", _("association loi 1901")
        COLLECTIVITE = "collectivite", _("collectivité territoriale")
        BAILLEUR = "bailleur", _("bailleur social")
        ETABLISSEMENT_PUBLIC = "etablissement_public", _("établissement public")
        ESS = "ess", _("entreprise de l'économie sociale et solidaire")
        AUTRE = "autre", _("autre")

    raison_sociale = models.CharField(_("raison sociale"), max_length=255)
    sigle = models.CharField(_("sigle"), max_length=50, blank=True)
    type = models.CharField(_("type de structure"), max_length=24, choices=Type)
    siret = models.CharField(_("SIRET"), max_length=14, unique=True)
    rna = models.CharField(_("numéro RNA"), max_length=10, blank=True)
    rna_absent_motif = models.CharField(
        _("motif de l'absence de numéro RNA"), max_length=255, blank=True
    )
    objet = models.TextField(_("objet de la structure"), blank=True)
    adresse = models.CharField(_("adresse"), max_length=255)
    code_postal = models.CharField(_("code postal"), max_length=5)
    commune = models.CharField(_("commune"), max_length=120)
    telephone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("adresse électronique de la structure"), blank=True)
    site_web = models.URLField(_("site internet"), blank=True)
    representant_nom = models.CharField(_("nom du représentant légal"), max_length=150)
    representant_prenom = models.CharField(_("prénom du représentant légal"), max_length=150)
    representant_fonction = models.CharField(
        _("fonction du représentant légal"), max_length=150
    )
    contact_nom = models.CharField(_("personne chargée des dossiers"), max_length=255, blank=True)
    contact_email = models.EmailField(_("adresse électronique de cette personne"), blank=True)
    contact_telephone = models.CharField(
        _("téléphone de cette personne"), max_length=20, blank=True
    )
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    cree_le = models.DateTimeField(_("créée le"), auto_now_add=True)
    modifie_le = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        ordering = ["raison_sociale"]
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
        return f"{self.raison_sociale} ({self.sigle})" if self.sigle else self.raison_sociale


class Membre(models.Model):
    """A user's membership of a structure, with its role within the structure."""

    class Role(models.TextChoices):
        RESPONSABLE = "responsable", _("responsable")
        CONTRIBUTEUR = "contributeur", _("contributeur")

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="membres")
    utilisateur = models.ForeignKey(
        Utilisateur, on_delete=models.CASCADE, related_name="adhesions"
    )
    role = models.CharField(_("rôle dans la structure"), max_length=12, choices=Role)
    depuis = models.DateTimeField(_("membre depuis"), auto_now_add=True)

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
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


# --- Comptes et structures (issue 3) ---


def chemin_document_structure(instance, nom):
    """Store under a random name: the original name is kept in the row, never on disk."""
    import uuid
    from pathlib import PurePath

    return f"structures/{instance.structure_id}/{uuid.uuid4().hex}{PurePath(nom).suffix.lower()}"


class DocumentStructureQuerySet(models.QuerySet):
    def actuels(self):
        return self.filter(est_actuel=True)

    def visibles_par(self, user):
        return self.filter(structure__in=Structure.objects.visibles_par(user))


class DocumentStructure(models.Model):
    """One version of a document the structure keeps once and every dossier reuses."""

    class Type(models.TextChoices):
        STATUTS = "statuts", _("statuts")
        LISTE_DIRIGEANTS = "liste_dirigeants", _("liste des dirigeants")
        RIB = "rib", _("relevé d'identité bancaire (RIB)")
        RAPPORT_ACTIVITE = "rapport_activite", _("dernier rapport d'activité")
        COMPTES_APPROUVES = "comptes_approuves", _("derniers comptes approuvés")

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="documents")
    type = models.CharField(_("type de document"), max_length=20, choices=Type)
    fichier = models.FileField(_("fichier"), upload_to=chemin_document_structure, max_length=255)
    nom_original = models.CharField(_("nom du fichier"), max_length=255)
    taille = models.PositiveBigIntegerField(_("taille (octets)"))
    type_mime = models.CharField(_("type de contenu"), max_length=100)
    date_document = models.DateField(
        _("date du document"),
        help_text=_(
            "Date figurant sur le document (adoption des statuts, approbation des comptes…)."
        ),
    )
    est_actuel = models.BooleanField(_("version en vigueur"), default=True)
    depose_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    depose_le = models.DateTimeField(_("déposé le"), default=timezone.now)

    objects = DocumentStructureQuerySet.as_manager()

    class Meta:
        verbose_name = _("document de structure")
        verbose_name_plural = _("documents de structure")
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
    email = models.EmailField(_("adresse électronique invitée"))
    role = models.CharField(_("rôle proposé"), max_length=12, choices=Membre.Role)
    invite_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    envoyee_le = models.DateTimeField(_("envoyée le"), default=timezone.now)
    acceptee_le = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    acceptee_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    annulee_le = models.DateTimeField(_("annulée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
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
        EN_ATTENTE = "en_attente", _("en attente")
        ACCEPTEE = "acceptee", _("acceptée")
        REFUSEE = "refusee", _("refusée")

    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="demandes_adhesion"
    )
    utilisateur = models.ForeignKey(
        Utilisateur, on_delete=models.CASCADE, related_name="demandes_adhesion"
    )
    message = models.TextField(_("message aux responsables"), blank=True)
    statut = models.CharField(
        _("statut"), max_length=10, choices=Statut, default=Statut.EN_ATTENTE
    )
    cree_le = models.DateTimeField(_("demandée le"), default=timezone.now)
    traitee_le = models.DateTimeField(_("traitée le"), null=True, blank=True)
    traitee_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("demande d'adhésion")
        verbose_name_plural = _("demandes d'adhésion")
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


# --- Appels à projets et dossiers (issue 4) ---

from . import budget as grille_budget  # noqa: E402


class AppelAProjetsQuerySet(models.QuerySet):
    def ouverts(self, maintenant=None):
        maintenant = maintenant or timezone.now()
        return self.filter(ouverture__lte=maintenant, cloture__gt=maintenant)

    def courant(self, maintenant=None):
        """Return the open call, else the next one to open, else the last one closed (or None)."""
        maintenant = maintenant or timezone.now()
        return (
            self.ouverts(maintenant).order_by("cloture").first()
            or self.filter(ouverture__gt=maintenant).order_by("ouverture").first()
            or self.order_by("-cloture").first()
        )


class AppelAProjets(models.Model):
    """A yearly call for projects; its state (à venir, ouvert, clos) follows from its dates."""

    class Etat(models.TextChoices):
        A_VENIR = "a_venir", _("à venir")
        OUVERT = "ouvert", _("ouvert")
        CLOS = "clos", _("clos")

    contrat = models.ForeignKey(
        "referentiel.Contrat", on_delete=models.PROTECT, related_name="appels",
        verbose_name=_("contrat de ville"),
    )
    annee = models.PositiveSmallIntegerField(_("année"))
    titre = models.CharField(_("titre"), max_length=255)
    presentation = models.TextField(_("présentation"), blank=True)
    ouverture = models.DateTimeField(_("ouverture des dépôts"))
    cloture = models.DateTimeField(
        _("clôture des dépôts"),
        help_text=_("Heure de Paris. Plus aucun dépôt à partir de cet instant."),
    )
    enveloppe_totale = models.PositiveIntegerField(
        _("enveloppe indicative (€)"), null=True, blank=True
    )
    cree_le = models.DateTimeField(_("créé le"), auto_now_add=True)

    objects = AppelAProjetsQuerySet.as_manager()

    class Meta:
        verbose_name = _("appel à projets")
        verbose_name_plural = _("appels à projets")
        ordering = ["-annee"]
        constraints = [
            models.UniqueConstraint(fields=["contrat", "annee"], name="appel_un_par_an"),
            models.CheckConstraint(
                condition=models.Q(cloture__gt=models.F("ouverture")),
                name="appel_cloture_apres_ouverture",
            ),
        ]

    def __str__(self):
        return f"{self.titre} ({self.annee})"

    def etat(self, maintenant=None):
        maintenant = maintenant or timezone.now()
        if maintenant < self.ouverture:
            return self.Etat.A_VENIR
        if maintenant < self.cloture:
            return self.Etat.OUVERT
        return self.Etat.CLOS

    def est_ouvert(self, maintenant=None):
        return self.etat(maintenant) == self.Etat.OUVERT

    @property
    def etat_libelle(self):
        return self.Etat(self.etat()).label


class EnveloppePilier(models.Model):
    appel = models.ForeignKey(AppelAProjets, on_delete=models.CASCADE, related_name="enveloppes")
    pilier = models.ForeignKey("referentiel.Pilier", on_delete=models.PROTECT)
    montant = models.PositiveIntegerField(_("enveloppe indicative (€)"))

    class Meta:
        verbose_name = _("enveloppe par pilier")
        verbose_name_plural = _("enveloppes par pilier")
        constraints = [
            models.UniqueConstraint(fields=["appel", "pilier"], name="enveloppe_unique_par_pilier")
        ]

    def __str__(self):
        return f"{self.pilier} : {self.montant} €"


class DocumentAppel(models.Model):
    """A document of the call (règlement, notice…), public like the call."""

    appel = models.ForeignKey(AppelAProjets, on_delete=models.CASCADE, related_name="documents")
    titre = models.CharField(_("titre"), max_length=255)
    fichier = models.FileField(_("fichier"), upload_to="appels/%Y/")
    ordre = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("document de l'appel")
        verbose_name_plural = _("documents de l'appel")
        ordering = ["ordre", "pk"]

    def __str__(self):
        return self.titre


class CompteurReferences(models.Model):
    """One row per call, locked while a reference is drawn so that numbers never repeat."""

    appel = models.OneToOneField(
        AppelAProjets, on_delete=models.CASCADE, primary_key=True, related_name="compteur"
    )
    dernier_numero = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("compteur de références")
        verbose_name_plural = _("compteurs de références")

    def __str__(self):
        return f"{self.appel} : {self.dernier_numero}"


class Section(models.TextChoices):
    """The sections of the dossier form, in the order they are shown."""

    IDENTITE = "identite", _("Identité et fiche-action")
    PROJET = "projet", _("Projet")
    CAHIER = "cahier", _("Cahier des charges")
    INDICATEURS = "indicateurs", _("Indicateurs prévisionnels")
    BUDGET = "budget", _("Budget du projet")
    PIECES = "pieces", _("Pièces jointes")
    DECLARATION = "declaration", _("Déclaration sur l'honneur")


class Statut(models.TextChoices):
    BROUILLON = "brouillon", _("brouillon")
    DEPOSE = "depose", _("déposé")
    EN_INSTRUCTION = "en_instruction", _("en instruction")
    A_CORRIGER = "a_corriger", _("à corriger")
    INSTRUIT = "instruit", _("instruit")
    RETENU = "retenu", _("retenu")
    NON_RETENU = "non_retenu", _("non retenu")
    CLASSE_SANS_SUITE = "classe_sans_suite", _("classé sans suite")
    EN_COURS = "en_cours", _("en cours de réalisation")
    BILAN_A_REMETTRE = "bilan_a_remettre", _("bilan à remettre")
    BILAN_DEPOSE = "bilan_depose", _("bilan déposé")
    BILAN_A_CORRIGER = "bilan_a_corriger", _("bilan à corriger")
    CLOTURE = "cloture", _("clôturé")
    RETIRE = "retire", _("retiré")


# The whole lifecycle, read by `changer_statut`: a move not listed here is refused.
TRANSITIONS = {
    Statut.BROUILLON: {Statut.DEPOSE, Statut.RETIRE},
    Statut.DEPOSE: {Statut.EN_INSTRUCTION, Statut.RETIRE},
    Statut.EN_INSTRUCTION: {Statut.A_CORRIGER, Statut.INSTRUIT, Statut.RETIRE},
    Statut.A_CORRIGER: {Statut.DEPOSE, Statut.RETIRE},
    Statut.INSTRUIT: {
        Statut.RETENU, Statut.NON_RETENU, Statut.CLASSE_SANS_SUITE, Statut.RETIRE
    },
    Statut.RETENU: {Statut.EN_COURS},
    Statut.EN_COURS: {Statut.BILAN_A_REMETTRE},
    Statut.BILAN_A_REMETTRE: {Statut.BILAN_DEPOSE},
    Statut.BILAN_DEPOSE: {Statut.BILAN_A_CORRIGER, Statut.CLOTURE},
    Statut.BILAN_A_CORRIGER: {Statut.BILAN_DEPOSE},
    Statut.NON_RETENU: set(),
    Statut.CLASSE_SANS_SUITE: set(),
    Statut.CLOTURE: set(),
    Statut.RETIRE: set(),
}
STATUTS_AVANT_DECISION = {
    Statut.BROUILLON, Statut.DEPOSE, Statut.EN_INSTRUCTION, Statut.A_CORRIGER, Statut.INSTRUIT
}


class TrancheAge(models.TextChoices):
    """Age groups of the public; each is a boolean column of the dossier (``public_<value>``)."""

    T0_5 = "0_5", _("0-5 ans")
    T6_11 = "6_11", _("6-11 ans")
    T12_17 = "12_17", _("12-17 ans")
    T18_25 = "18_25", _("18-25 ans")
    T26_64 = "26_64", _("26-64 ans")
    T65 = "65_plus", _("65 ans et plus")


class DossierQuerySet(models.QuerySet):
    def visibles_par(self, user):
        """Dossiers of the user's structures; for staff roles, also every dossier ever submitted."""
        from .permissions import est_personnel  # permissions imports the models

        if not user.is_authenticated:
            return self.none()
        condition = models.Q(structure__in=Structure.objects.filter(membres__utilisateur=user))
        if est_personnel(user):
            condition |= models.Q(depose_le__isnull=False)
        return self.filter(condition)


class Dossier(models.Model):
    """A demande de subvention (Cerfa n°12156) of a structure, answering one call."""

    Statut = Statut

    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="dossiers")
    appel = models.ForeignKey(AppelAProjets, on_delete=models.PROTECT, related_name="dossiers")
    statut = models.CharField(
        _("statut"), max_length=20, choices=Statut, default=Statut.BROUILLON
    )
    numero = models.PositiveIntegerField(_("numéro dans l'appel"), null=True, blank=True)
    reference = models.CharField(_("référence"), max_length=20, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    renouvelle = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="renouvellements",
        verbose_name=_("renouvelle le dossier"),
    )
    cree_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cree_le = models.DateTimeField(_("créé le"), default=timezone.now)
    modifie_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    modifie_le = models.DateTimeField(_("enregistré le"), default=timezone.now)
    depose_le = models.DateTimeField(_("déposé le"), null=True, blank=True)
    documents_deposes = models.ManyToManyField(
        DocumentStructure, blank=True, related_name="dossiers",
        verbose_name=_("documents de la structure au dépôt"),
        help_text=_("Versions en vigueur au moment du dépôt, figées pour l'instruction."),
    )

    # Identité et fiche-action
    action_principale = models.ForeignKey(
        "referentiel.Action", on_delete=models.PROTECT, null=True, blank=True,
        related_name="dossiers_principaux", verbose_name=_("action principale"),
    )
    actions_secondaires = models.ManyToManyField(
        "referentiel.Action", blank=True, related_name="dossiers_secondaires",
        verbose_name=_("actions secondaires"),
    )
    contact_nom = models.CharField(_("personne chargée du dossier"), max_length=255, blank=True)
    contact_email = models.EmailField(
        _("adresse électronique de la personne chargée du dossier"), blank=True
    )
    contact_telephone = models.CharField(
        _("téléphone de la personne chargée du dossier"), max_length=20, blank=True
    )

    # Projet
    intitule = models.CharField(_("intitulé du projet"), max_length=255, blank=True)
    resume = models.TextField(_("résumé"), blank=True)
    contexte = models.TextField(_("contexte et besoins identifiés"), blank=True)
    objectifs = models.TextField(_("objectifs du projet"), blank=True)
    description = models.TextField(_("description du contenu"), blank=True)
    date_debut = models.DateField(_("date de début"), null=True, blank=True)
    date_fin = models.DateField(_("date de fin"), null=True, blank=True)
    justification_dates = models.TextField(
        _("justification des dates hors de l'année de l'appel"), blank=True
    )
    lieux = models.TextField(_("lieux de réalisation"), blank=True)
    quartiers = models.ManyToManyField(
        "referentiel.QuartierPrioritaire", blank=True, related_name="dossiers",
        verbose_name=_("quartiers prioritaires concernés"),
    )
    part_beneficiaires_qpv = models.PositiveSmallIntegerField(
        _("part estimée des bénéficiaires habitant un QPV (%)"), null=True, blank=True
    )
    public_0_5 = models.BooleanField(_("0-5 ans"), default=False)
    public_6_11 = models.BooleanField(_("6-11 ans"), default=False)
    public_12_17 = models.BooleanField(_("12-17 ans"), default=False)
    public_18_25 = models.BooleanField(_("18-25 ans"), default=False)
    public_26_64 = models.BooleanField(_("26-64 ans"), default=False)
    public_65_plus = models.BooleanField(_("65 ans et plus"), default=False)
    beneficiaires_femmes = models.PositiveIntegerField(_("femmes"), null=True, blank=True)
    beneficiaires_hommes = models.PositiveIntegerField(_("hommes"), null=True, blank=True)
    beneficiaires_filles = models.PositiveIntegerField(_("filles"), null=True, blank=True)
    beneficiaires_garcons = models.PositiveIntegerField(_("garçons"), null=True, blank=True)
    salaries = models.PositiveIntegerField(_("salariés mobilisés"), null=True, blank=True)
    etpt = models.DecimalField(
        _("équivalents temps plein travaillé (ETPT)"), max_digits=6, decimal_places=2,
        null=True, blank=True,
    )
    benevoles = models.PositiveIntegerField(_("bénévoles mobilisés"), null=True, blank=True)
    partenaires = models.TextField(_("partenaires du projet"), blank=True)

    # Déclaration sur l'honneur
    declaration_signee_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    declaration_signataire = models.CharField(_("signataire"), max_length=255, blank=True)
    declaration_qualite = models.CharField(_("qualité du signataire"), max_length=150, blank=True)
    declaration_signee_le = models.DateTimeField(_("signée le"), null=True, blank=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-cree_le"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~models.Q(reference=""),
                name="dossier_reference_unique",
            ),
            models.UniqueConstraint(fields=["appel", "numero"], name="dossier_numero_par_appel"),
            models.CheckConstraint(
                condition=models.Q(statut__in=Statut.values), name="dossier_statut_valide"
            ),
            models.CheckConstraint(
                condition=models.Q(part_beneficiaires_qpv__isnull=True)
                | models.Q(part_beneficiaires_qpv__lte=100),
                name="dossier_part_qpv_pourcentage",
            ),
            models.CheckConstraint(
                condition=models.Q(etpt__isnull=True) | models.Q(etpt__gte=0),
                name="dossier_etpt_positif",
            ),
        ]

    def __str__(self):
        return self.reference or self.intitule or f"Brouillon n°{self.pk}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("dossiers:detail", args=[self.pk])

    @property
    def est_brouillon(self):
        return self.statut == Statut.BROUILLON

    @property
    def est_signe(self):
        return self.declaration_signee_le is not None

    @property
    def publics(self):
        return [t for t in TrancheAge if getattr(self, f"public_{t.value}")]

    def objectifs_concernes(self):
        """Objectives of the main and secondary actions, main first, without repetition."""
        from referentiel.models import Objectif

        ids = []
        if self.action_principale_id:
            ids.append(self.action_principale.objectif_id)
        if self.pk:
            for oid in self.actions_secondaires.values_list("objectif_id", flat=True):
                if oid not in ids:
                    ids.append(oid)
        objectifs = {o.pk: o for o in Objectif.objects.filter(pk__in=ids)}
        return [objectifs[i] for i in ids if i in objectifs]

    def demande_ouverte(self):
        """The correction request answering which the dossier may be edited, if any."""
        if self.statut != Statut.A_CORRIGER:
            return None
        demandes = self.demandes_correction.filter(traitee_le__isnull=True)
        return demandes.order_by("-demandee_le").first()

    def sections_modifiables(self):
        if self.statut == Statut.BROUILLON:
            return list(Section.values)
        demande = self.demande_ouverte()
        return demande.sections if demande else []


class DemandeCorrection(models.Model):
    """A request to correct named sections of a submitted dossier."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="demandes_correction"
    )
    message = models.TextField(_("message"))
    sections_codes = models.CharField(
        _("sections à corriger"), max_length=120,
        help_text=_("Codes des sections ouvertes à la correction, séparés par des virgules."),
    )
    demandee_par = models.ForeignKey(Utilisateur, on_delete=models.SET_NULL, null=True)
    demandee_le = models.DateTimeField(_("demandée le"), default=timezone.now)
    traitee_le = models.DateTimeField(_("traitée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("demande de corrections")
        verbose_name_plural = _("demandes de corrections")
        ordering = ["-demandee_le"]

    def __str__(self):
        return f"Corrections demandées le {self.demandee_le:%d/%m/%Y}"

    @property
    def sections(self):
        return [s for s in self.sections_codes.split(",") if s]

    @property
    def sections_libelles(self):
        return [Section(s).label for s in self.sections]


class HistoriqueStatut(models.Model):
    """Who moved a dossier from which status to which, when and why."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="historique")
    de = models.CharField(_("de"), max_length=20, choices=Statut, blank=True)
    vers = models.CharField(_("vers"), max_length=20, choices=Statut)
    par = models.ForeignKey(Utilisateur, on_delete=models.SET_NULL, null=True, related_name="+")
    le = models.DateTimeField(_("le"), default=timezone.now)
    motif = models.TextField(_("motif"), blank=True)

    class Meta:
        verbose_name = _("changement de statut")
        verbose_name_plural = _("historique des statuts")
        ordering = ["le", "pk"]

    def __str__(self):
        return f"{self.get_de_display() or 'création'} → {self.get_vers_display()}"


class ReponseExigence(models.Model):
    """How the project meets one requirement of the cahier des charges."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="reponses")
    exigence = models.ForeignKey("referentiel.Exigence", on_delete=models.PROTECT, related_name="+")
    texte = models.TextField(_("réponse"), blank=True)

    class Meta:
        verbose_name = _("réponse au cahier des charges")
        verbose_name_plural = _("réponses au cahier des charges")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "exigence"], name="reponse_unique")
        ]

    def __str__(self):
        return f"{self.dossier} — {self.exigence_id}"


class PrevisionIndicateur(models.Model):
    """Forecast value of a numeric indicator, in the breakdown the indicator asks for."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="previsions")
    indicateur = models.ForeignKey(
        "referentiel.Indicateur", on_delete=models.PROTECT, related_name="+"
    )
    valeur = models.IntegerField(_("valeur"), null=True, blank=True)
    valeur_femmes = models.IntegerField(_("femmes"), null=True, blank=True)
    valeur_hommes = models.IntegerField(_("hommes"), null=True, blank=True)
    valeur_filles = models.IntegerField(_("filles"), null=True, blank=True)
    valeur_garcons = models.IntegerField(_("garçons"), null=True, blank=True)

    class Meta:
        verbose_name = _("valeur prévisionnelle")
        verbose_name_plural = _("valeurs prévisionnelles")
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


class LigneBudget(models.Model):
    """One line of the project budget (grid in ``candidatures/budget.py``), in whole euros."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="lignes_budget")
    code = models.CharField(_("ligne"), max_length=16, choices=[
        (ligne.code, ligne.libelle) for ligne in grille_budget.LIGNES
    ])
    montant = models.IntegerField(_("montant (€)"), default=0)
    precision = models.CharField(_("précision"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("ligne de budget")
        verbose_name_plural = _("lignes de budget")
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
        return f"{self.code} : {self.montant} €"


def chemin_piece(instance, nom):
    """Store under a random name: the original name is kept in the row, never on disk."""
    import os
    import secrets

    extension = os.path.splitext(nom)[1].lower()
    return f"dossiers/{instance.dossier_id}/{secrets.token_hex(16)}{extension}"


class PieceJointe(models.Model):
    """A document attached to one dossier (quote, plan, partnership letter…)."""

    class Type(models.TextChoices):
        DEVIS = "devis", _("devis")
        PLAN = "plan", _("plan")
        LETTRE_PARTENARIAT = "lettre_partenariat", _("lettre de partenariat")
        CALENDRIER = "calendrier", _("calendrier")
        AUTRE = "autre", _("autre document")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pieces")
    type = models.CharField(_("type de pièce"), max_length=20, choices=Type, default=Type.AUTRE)
    titre = models.CharField(_("titre"), max_length=255, blank=True)
    fichier = models.FileField(_("fichier"), upload_to=chemin_piece)
    nom_original = models.CharField(_("nom du fichier"), max_length=255)
    taille = models.PositiveIntegerField(_("taille (octets)"))
    ajoute_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ajoute_le = models.DateTimeField(_("ajouté le"), default=timezone.now)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["ajoute_le", "pk"]

    def __str__(self):
        return self.titre or self.nom_original


# --- Journal des modifications (issue 5) ---


class ModificationDossier(models.Model):
    """One value changed in a dossier: who, when, before, after.

    Every save is kept. Edits made before the first submission are the structure's drafting:
    its members see them, staff see the trail from the submission on.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="modifications")
    section = models.CharField(_("section"), max_length=20, choices=Section)
    champ = models.CharField(_("élément"), max_length=255)
    avant = models.TextField(_("avant"), blank=True)
    apres = models.TextField(_("après"), blank=True)
    par = models.ForeignKey(Utilisateur, on_delete=models.SET_NULL, null=True, related_name="+")
    le = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("modification du dossier")
        verbose_name_plural = _("modifications des dossiers")
        ordering = ["le", "pk"]

    def __str__(self):
        return f"{self.dossier} — {self.champ}"
