"""Accounts (e-mail as login) and the portal roles they are given."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Cast, Lower
from django.utils import timezone


class Role(models.TextChoices):
    """Roles are Django groups created by a data migration; these are their names."""

    PORTEUR = "porteur", "porteur de projet"
    INSTRUCTEUR = "instructeur", "instructeur"
    COMITE = "comite", "comité de pilotage"
    ADMINISTRATEUR = "administrateur", "administrateur"


Role.PERSONNEL = (Role.INSTRUCTEUR, Role.COMITE, Role.ADMINISTRATEUR)


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
        return self.libelle(self.prenom, self.nom, self.email)

    @staticmethod
    def libelle(prenom, nom, email):
        """How a user is named (``str``), from the columns alone: full name, else e-mail."""
        return f"{prenom or ''} {nom or ''}".strip() or email

    def get_full_name(self):
        return f"{self.prenom} {self.nom}".strip()

    def get_short_name(self):
        return self.prenom or self.email

    # --- Roles -------------------------------------------------------------------------------
    # Porteur and portal-wide administrator are groups. Instructeur, comité and territory
    # administrator are habilitations: held on one contract, or on every contract of a territory.

    def _lire_roles(self):
        """The user's groups and habilitations, read by one query: a staff page asks both (the
        gate of the staff pages, then the page's own rights)."""
        aucun = Cast(models.Value(None), models.BigIntegerField())
        groupes = self.groups.order_by().values_list(
            models.Value("groupe"), "name", aucun, aucun
        )
        habilitations = self.habilitations.order_by().values_list(
            models.Value("habilitation"), "role", "territoire_id", "contrat_id"
        )
        self._roles, self._habilitations_cache = set(), []
        for nature, nom, territoire, contrat in groupes.union(habilitations, all=True):
            if nature == "groupe":
                self._roles.add(nom)
            else:
                self._habilitations_cache.append((nom, territoire, contrat))

    def _habilitations(self):
        if not hasattr(self, "_habilitations_cache"):
            self._lire_roles()
        return self._habilitations_cache

    def _groupes(self):
        if not hasattr(self, "_roles"):
            self._lire_roles()
        return self._roles

    def a_role(self, role):
        """Tell whether the user holds ``role`` anywhere (group or habilitation; cached)."""
        return role in self._groupes() or any(h[0] == role for h in self._habilitations())

    @property
    def est_administrateur_portail(self):
        """Portal-wide administrators (group or Django superuser): every contract, every account."""
        return self.is_superuser or Role.ADMINISTRATEUR in self._groupes()

    def contrats_ids(self, *roles):
        """Ids of the contracts where the user holds one of ``roles`` (None: every contract).

        A territory administrator holds every staff role on its scope, as administrators stand
        in for instructors and the comité.
        """
        if self.est_administrateur_portail:
            return None
        cle = frozenset(roles or Role.PERSONNEL) | {Role.ADMINISTRATEUR}
        caches = self.__dict__.setdefault("_contrats_caches", {})
        if cle not in caches:
            from referentiel.models import Contrat

            habs = [h for h in self._habilitations() if h[0] in cle]
            ids = {h[2] for h in habs if h[2]}
            if any(not h[2] for h in habs):
                # The contracts of every territory the user holds a role on, read once
                # whatever the roles asked.
                if "territoires" not in caches:
                    caches["territoires"] = list(
                        Contrat.objects.filter(
                            territoire_id__in={h[1] for h in self._habilitations() if not h[2]}
                        ).values_list("territoire_id", "pk")
                    )
                territoires = {h[1] for h in habs if not h[2]}
                ids |= {pk for territoire, pk in caches["territoires"] if territoire in territoires}
            caches[cle] = frozenset(ids)
        return caches[cle]

    def a_role_sur(self, contrat_id, *roles):
        """Whether the user holds one of ``roles`` (any staff role if none) on that contract."""
        ids = self.contrats_ids(*roles)
        return ids is None or contrat_id in ids

    def est_instructeur_de(self, contrat_id):
        return self.a_role_sur(contrat_id, Role.INSTRUCTEUR)

    def est_comite_de(self, contrat_id):
        return self.a_role_sur(contrat_id, Role.COMITE)

    def est_personnel_de(self, contrat_id):
        return self.a_role_sur(contrat_id)

    def est_administrateur_de(self, contrat_id):
        return self.a_role_sur(contrat_id, Role.ADMINISTRATEUR)

    @property
    def est_administrateur(self):
        """Administrators: portal-wide, or of a territory/contract (on their scope)."""
        return self.is_superuser or self.a_role(Role.ADMINISTRATEUR)

    @property
    def est_instructeur(self):
        """Instructors somewhere, and administrators who may stand in for them."""
        return self.est_administrateur or self.a_role(Role.INSTRUCTEUR)

    @property
    def est_comite(self):
        """Members of a comité de pilotage somewhere, and administrators."""
        return self.est_administrateur or self.a_role(Role.COMITE)

    @property
    def est_personnel(self):
        """Staff of some contract: instructeurs, comité de pilotage, administrateurs."""
        return self.est_administrateur or self.a_role(Role.INSTRUCTEUR) or self.a_role(Role.COMITE)

    def oublier_roles(self):
        """Forget the cached roles (after they changed)."""
        for cle in ("_roles", "_habilitations_cache", "_contrats_caches"):
            self.__dict__.pop(cle, None)


class Habilitation(models.Model):
    """A staff role held on one contract, or on every contract of a territory."""

    ROLES = [
        ("instructeur", "instructeur"),
        ("comite", "comité de pilotage"),
        ("administrateur", "administrateur du territoire"),
    ]

    utilisateur = models.ForeignKey(
        Utilisateur, on_delete=models.CASCADE, related_name="habilitations"
    )
    role = models.CharField("rôle", max_length=20, choices=ROLES)
    territoire = models.ForeignKey(
        "referentiel.Territoire", on_delete=models.CASCADE, related_name="habilitations"
    )
    contrat = models.ForeignKey(
        "referentiel.Contrat",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="habilitations",
        help_text="Vide : tous les contrats du territoire.",
    )
    accordee_le = models.DateTimeField("accordée le", default=timezone.now)

    class Meta:
        verbose_name = "habilitation"
        verbose_name_plural = "habilitations"
        ordering = ["territoire__nom", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["utilisateur", "role", "territoire"],
                condition=models.Q(contrat__isnull=True),
                name="habilitation_unique_territoire",
            ),
            models.UniqueConstraint(
                fields=["utilisateur", "role", "contrat"],
                condition=models.Q(contrat__isnull=False),
                name="habilitation_unique_contrat",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["instructeur", "comite", "administrateur"]),
                name="habilitation_role_valide",
            ),
        ]

    def __str__(self):
        portee = self.contrat or f"tous les contrats de {self.territoire}"
        return f"{self.get_role_display()} — {portee}"

    def save(self, *args, **kwargs):
        if self.contrat_id:
            from referentiel.models import Contrat

            self.territoire_id = Contrat.objects.values_list("territoire_id", flat=True).get(
                pk=self.contrat_id
            )
        super().save(*args, **kwargs)
