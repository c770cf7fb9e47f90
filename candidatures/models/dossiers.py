"""Dossiers (demandes de subvention): sections, the dossier itself, correction requests."""

from django.db import models
from django.urls import reverse
from django.utils import timezone

from referentiel.models import Objectif

from .appels import AppelAProjets
from .comptes import Utilisateur
from .cycle import STATUTS_BILAN, Statut
from .structures import DocumentStructure, Structure


class Section(models.TextChoices):
    """The sections of the dossier form, in the order they are shown."""

    IDENTITE = "identite", "Identité et fiche-action"
    PROJET = "projet", "Projet"
    CAHIER = "cahier", "Cahier des charges"
    INDICATEURS = "indicateurs", "Indicateurs prévisionnels"
    BUDGET = "budget", "Budget du projet"
    PIECES = "pieces", "Pièces jointes"
    DECLARATION = "declaration", "Déclaration sur l'honneur"


class TrancheAge(models.TextChoices):
    """Age groups of the public; each is a boolean column of the dossier (``public_<value>``)."""

    T0_5 = "0_5", "0-5 ans"
    T6_11 = "6_11", "6-11 ans"
    T12_17 = "12_17", "12-17 ans"
    T18_25 = "18_25", "18-25 ans"
    T26_64 = "26_64", "26-64 ans"
    T65 = "65_plus", "65 ans et plus"


# Version of the form a dossier was started on: 1 before the complete Cerfa n°12156*06 (its
# dossiers are not held to the new requirements), 2 from then on.
FORMULAIRE_CERFA_COMPLET = 2


class ObjetDemande(models.TextChoices):
    FONCTIONNEMENT = "fonctionnement", "le fonctionnement global de la structure"
    PROJET = "projet", "un projet ou une action"


class DureeDemande(models.TextChoices):
    ANNUELLE = "annuelle", "annuelle ou ponctuelle"
    PLURIANNUELLE = "pluriannuelle", "pluriannuelle"


class PremiereDemande(models.TextChoices):
    PREMIERE = "premiere", "première demande"
    RENOUVELLEMENT = "renouvellement", "renouvellement d'une demande"


class SeuilMinimis(models.TextChoices):
    INFERIEUR = "inferieur", "inférieur ou égal à 500 000 €"
    SUPERIEUR = "superieur", "supérieur à 500 000 €"


class DossierQuerySet(models.QuerySet):
    def de_ses_structures(self, user):
        """Dossiers of the structures the user belongs to (drafts included)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(structure__in=Structure.objects.filter(membres__utilisateur=user))

    def pour_le_personnel(self, user, *roles):
        """Submitted dossiers of the contracts where the user holds one of ``roles`` (any staff
        role if none): every submitted dossier for a portal-wide administrator, none for a
        user without staff role. Drafts never reach the staff."""
        if not user.is_authenticated:
            return self.none()
        ids = user.contrats_ids(*roles)
        soumis = self.filter(depose_le__isnull=False)
        return soumis if ids is None else soumis.filter(appel__contrat_id__in=ids)

    def visibles_par(self, user):
        """Dossiers of the user's structures; for staff, also the submitted dossiers of the
        contracts where they hold a role."""
        if not user.is_authenticated:
            return self.none()
        condition = models.Q(structure__in=Structure.objects.filter(membres__utilisateur=user))
        ids = user.contrats_ids()
        if ids is None:
            condition |= models.Q(depose_le__isnull=False)
        elif ids:
            condition |= models.Q(depose_le__isnull=False, appel__contrat_id__in=ids)
        return self.filter(condition)


class Dossier(models.Model):
    """A demande de subvention (Cerfa n°12156) of a structure, answering one call."""

    Statut = Statut

    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="dossiers")
    appel = models.ForeignKey(AppelAProjets, on_delete=models.PROTECT, related_name="dossiers")
    statut = models.CharField(
        "statut", max_length=20, choices=Statut, default=Statut.BROUILLON
    )
    numero = models.PositiveIntegerField("numéro dans l'appel", null=True, blank=True)
    reference = models.CharField("référence", max_length=20, blank=True)
    version = models.PositiveIntegerField("version", default=1)
    renouvelle = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="renouvellements",
        verbose_name="renouvelle le dossier",
    )
    cree_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cree_le = models.DateTimeField("créé le", default=timezone.now)
    modifie_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    modifie_le = models.DateTimeField("enregistré le", default=timezone.now)
    depose_le = models.DateTimeField("déposé le", null=True, blank=True)
    # The sum of the budget lines asked of the contrat de ville, kept by the service that saves
    # the budget: the queue sorts on it without summing every dossier's lines.
    montant_demande = models.PositiveIntegerField(
        "montant demandé au contrat de ville (€)", default=0, editable=False
    )
    formulaire = models.PositiveSmallIntegerField(
        "version du formulaire", default=FORMULAIRE_CERFA_COMPLET,
        help_text="1 : dossier commencé avant le Cerfa complet, qui ne lui est pas opposable.",
    )
    documents_deposes = models.ManyToManyField(
        DocumentStructure, blank=True, related_name="dossiers",
        verbose_name="documents de la structure au dépôt",
        help_text="Versions en vigueur au moment du dépôt, figées pour l'instruction.",
    )
    # The structure's yearly declaration as it was on submission (``declarations.figer``);
    # null for a draft, or when the structure had declared nothing for the call's year.
    informations_deposees = models.JSONField(
        "informations annuelles de la structure au dépôt", null=True, blank=True,
        editable=False,
    )

    # Identité et fiche-action
    action_principale = models.ForeignKey(
        "referentiel.Action", on_delete=models.PROTECT, null=True, blank=True,
        related_name="dossiers_principaux", verbose_name="action principale",
    )
    actions_secondaires = models.ManyToManyField(
        "referentiel.Action", blank=True, related_name="dossiers_secondaires",
        verbose_name="actions secondaires",
    )
    contact_nom = models.CharField("personne chargée du dossier", max_length=255, blank=True)
    contact_email = models.EmailField(
        "adresse électronique de la personne chargée du dossier", blank=True
    )
    contact_telephone = models.CharField(
        "téléphone de la personne chargée du dossier", max_length=20, blank=True
    )
    contact_prenom = models.CharField(
        "prénom de la personne chargée du dossier", max_length=150, blank=True
    )
    contact_fonction = models.CharField(
        "fonction de la personne chargée du dossier", max_length=150, blank=True
    )
    # Objet de la demande (page de garde du Cerfa)
    aide_numeraire = models.BooleanField("aide en numéraire (argent)", default=False)
    aide_nature = models.BooleanField("aide en nature", default=False)
    objet_demande = models.CharField(
        "la demande porte sur", max_length=16, choices=ObjetDemande, blank=True
    )
    duree_demande = models.CharField(
        "durée de la demande", max_length=16, choices=DureeDemande, blank=True
    )
    annees_demande = models.CharField(
        "années de la demande pluriannuelle", max_length=60, blank=True
    )
    premiere_demande = models.CharField(
        "première demande ou renouvellement", max_length=16, choices=PremiereDemande, blank=True
    )

    # Projet
    intitule = models.CharField("intitulé du projet", max_length=255, blank=True)
    resume = models.TextField("résumé", blank=True)
    contexte = models.TextField("contexte et besoins identifiés", blank=True)
    objectifs = models.TextField("objectifs du projet", blank=True)
    description = models.TextField("description du contenu", blank=True)
    date_debut = models.DateField("date de début", null=True, blank=True)
    date_fin = models.DateField("date de fin", null=True, blank=True)
    justification_dates = models.TextField(
        "justification des dates hors de l'année de l'appel", blank=True
    )
    lieux = models.TextField("lieux de réalisation", blank=True)
    quartiers = models.ManyToManyField(
        "referentiel.QuartierPrioritaire", blank=True, related_name="dossiers",
        verbose_name="quartiers prioritaires concernés",
    )
    part_beneficiaires_qpv = models.PositiveSmallIntegerField(
        "part estimée des bénéficiaires habitant un QPV (%)", null=True, blank=True
    )
    public_0_5 = models.BooleanField("0-5 ans", default=False)
    public_6_11 = models.BooleanField("6-11 ans", default=False)
    public_12_17 = models.BooleanField("12-17 ans", default=False)
    public_18_25 = models.BooleanField("18-25 ans", default=False)
    public_26_64 = models.BooleanField("26-64 ans", default=False)
    public_65_plus = models.BooleanField("65 ans et plus", default=False)
    beneficiaires_femmes = models.PositiveIntegerField("femmes", null=True, blank=True)
    beneficiaires_hommes = models.PositiveIntegerField("hommes", null=True, blank=True)
    beneficiaires_filles = models.PositiveIntegerField("filles", null=True, blank=True)
    beneficiaires_garcons = models.PositiveIntegerField("garçons", null=True, blank=True)
    salaries = models.PositiveIntegerField("salariés mobilisés", null=True, blank=True)
    etpt = models.DecimalField(
        "équivalents temps plein travaillé (ETPT)", max_digits=6, decimal_places=2,
        null=True, blank=True,
    )
    benevoles = models.PositiveIntegerField("bénévoles mobilisés", null=True, blank=True)
    volontaires = models.PositiveIntegerField(
        "volontaires (service civique) mobilisés", null=True, blank=True
    )
    partenaires = models.TextField("partenaires du projet", blank=True)
    duree = models.CharField("durée du projet", max_length=100, blank=True)
    moyens_materiels = models.TextField("moyens matériels et financiers mobilisés", blank=True)
    evaluation = models.TextField("méthode d'évaluation prévue", blank=True)

    # Déclaration sur l'honneur
    declaration_signee_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    declaration_signataire = models.CharField("signataire", max_length=255, blank=True)
    declaration_qualite = models.CharField("qualité du signataire", max_length=150, blank=True)
    declaration_signee_le = models.DateTimeField("signée le", null=True, blank=True)
    signataire_est_representant = models.BooleanField(
        "le signataire est le représentant légal", null=True, blank=True
    )
    declaration_minimis = models.CharField(
        "aides publiques perçues sur les trois derniers exercices (de minimis / SIEG)",
        max_length=10, choices=SeuilMinimis, blank=True,
    )
    declaration_comptes_approuves = models.BooleanField(
        "budgets et comptes approuvés par les instances statutaires", default=False
    )
    declaration_compte_propre = models.BooleanField(
        "versement sur le compte bancaire de la structure", default=False
    )
    declaration_fait_a = models.CharField("fait à", max_length=120, blank=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = "dossier"
        verbose_name_plural = "dossiers"
        ordering = ["-cree_le"]
        indexes = [
            # A call's submitted dossiers read from the index alone (queue counts, structures,
            # annual aggregation), without visiting rows spread among other contracts' dossiers.
            # Key columns rather than INCLUDE, which SQLite lacks.
            models.Index(
                fields=["appel", "statut", "action_principale", "structure", "id"],
                condition=models.Q(depose_le__isnull=False),
                name="dossier_soumis_appel_statut",
            ),
            models.Index(
                fields=["appel", "montant_demande", "numero"],
                condition=models.Q(depose_le__isnull=False),
                name="dossier_soumis_montant",
            ),
        ]
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
            models.CheckConstraint(
                condition=models.Q(formulaire__in=[1, FORMULAIRE_CERFA_COMPLET]),
                name="dossier_formulaire_connu",
            ),
        ]

    def __str__(self):
        return self.reference or self.intitule or f"Brouillon n°{self.pk}"

    def get_absolute_url(self):
        return reverse("dossiers:detail", args=[self.pk])

    @property
    def est_brouillon(self):
        return self.statut == Statut.BROUILLON

    @property
    def phase_bilan(self):
        """Whether the dossier is at a stage that has a bilan (retained and started)."""
        return self.statut in STATUTS_BILAN

    @property
    def cerfa_complet(self):
        """Whether the dossier is held to the complete Cerfa n°12156*06."""
        return self.formulaire >= FORMULAIRE_CERFA_COMPLET

    @property
    def est_signe(self):
        return self.declaration_signee_le is not None

    @property
    def publics(self):
        return [t for t in TrancheAge if getattr(self, f"public_{t.value}")]

    def objectifs_concernes(self):
        """Objectives of the main and secondary actions, main first, without repetition."""
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
    message = models.TextField("message")
    sections_codes = models.CharField(
        "sections à corriger", max_length=120,
        help_text="Codes des sections ouvertes à la correction, séparés par des virgules.",
    )
    demandee_par = models.ForeignKey(Utilisateur, on_delete=models.SET_NULL, null=True)
    demandee_le = models.DateTimeField("demandée le", default=timezone.now)
    traitee_le = models.DateTimeField("traitée le", null=True, blank=True)

    class Meta:
        verbose_name = "demande de corrections"
        verbose_name_plural = "demandes de corrections"
        ordering = ["-demandee_le"]

    def __str__(self):
        return f"Corrections demandées le {self.demandee_le:%d/%m/%Y}"

    @property
    def sections(self):
        return [s for s in self.sections_codes.split(",") if s]

    @property
    def sections_libelles(self):
        return [Section(s).label for s in self.sections]
