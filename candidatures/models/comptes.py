"""Accounts (e-mail as login) and the portal roles they are given."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Role(models.TextChoices):
    """Roles are Django groups created by a data migration; these are their names."""

    PORTEUR = "porteur", "porteur de projet"
    INSTRUCTEUR = "instructeur", "instructeur"
    COMITE = "comite", "comité de pilotage"
    ADMINISTRATEUR = "administrateur", "administrateur"


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
    email = models.EmailField("adresse électronique", unique=True)
    prenom = models.CharField("prénom", max_length=150, blank=True)
    nom = models.CharField("nom", max_length=150, blank=True)
    is_staff = models.BooleanField(
        "accès à l'administration technique",
        default=False,
        help_text="Peut se connecter à l'interface d'administration de Django.",
    )
    is_active = models.BooleanField("actif", default=True)
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)
    email_confirme_le = models.DateTimeField("adresse confirmée le", null=True, blank=True)

    objects = UtilisateurManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
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

    @property
    def est_administrateur(self):
        """Administrators (role or Django superuser) may do everything."""
        return self.is_superuser or self.a_role(Role.ADMINISTRATEUR)

    @property
    def est_instructeur(self):
        """Instructors, and administrators who may stand in for them."""
        return self.est_administrateur or self.a_role(Role.INSTRUCTEUR)

    @property
    def est_comite(self):
        """Members of the comité de pilotage, and administrators."""
        return self.est_administrateur or self.a_role(Role.COMITE)

    @property
    def est_personnel(self):
        """Staff of the contrat de ville: instructeurs, comité de pilotage, administrateurs."""
        return self.est_administrateur or self.a_role(Role.INSTRUCTEUR) or self.a_role(Role.COMITE)
