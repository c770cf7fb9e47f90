"""Conventions of retained dossiers, their payments, and the yearly open-data publications."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from candidatures.commun.formats import date_longue, euros

# The décret 2017-779 obliges publication of the subsidies above this amount (euros).
SEUIL_PUBLICATION = 23000
PART_AVANCE_DEFAUT = 50

MODELE_CONVENTION_DEFAUT = """\
Convention n° {reference}

Entre {attribuant}, ci-après « l'attribuant », et {beneficiaire} (SIRET {siret}), ci-après \
« le bénéficiaire ».

Vu la décision du comité de pilotage du contrat de ville ({deliberation}).

Article 1 — Objet
Le bénéficiaire s'engage à réaliser l'action « {objet} » dans le cadre de l'{appel}.

Article 2 — Montant
L'attribuant accorde au bénéficiaire une subvention de {montant_accorde}.

Article 3 — Versement
{echeancier}

Article 4 — Obligations
Le bénéficiaire remet le bilan de l'action et le compte rendu financier (Cerfa n° 15059) avant \
le {date_limite_bilan}. Le solde n'est versé qu'après la validation du bilan ; les sommes \
versées au-delà des dépenses réalisées sont reversées à l'attribuant (titre de recette).

Fait le {date_convention}.
Signataires : {signataires}
"""


class ParametresConventions(models.Model):
    """What a call sets for its conventions: payment schedule, convention text, SCDL identifier."""

    appel = models.OneToOneField(
        "candidatures.AppelAProjets", on_delete=models.CASCADE,
        related_name="parametres_conventions",
    )
    part_avance = models.PositiveSmallIntegerField(
        "avance versée à la signature (%)", default=PART_AVANCE_DEFAUT,
        help_text="Part du montant accordé versée à la signature ; le solde suit la validation "
        "du bilan. 100 % : versement unique.",
    )
    modele = models.TextField("modèle de convention", default=MODELE_CONVENTION_DEFAUT)
    dispositif_aide = models.UUIDField(
        "identifiant du dispositif d'aide", null=True, blank=True,
        help_text="Identifiant (UUID) du dispositif dans le jeu de données « dispositifs "
        "d'aide » ; laissez vide s'il n'est pas publié.",
    )
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    modifie_le = models.DateTimeField("modifié le", default=timezone.now)

    class Meta:
        verbose_name = "paramètres des conventions d'un appel"
        verbose_name_plural = "paramètres des conventions des appels"
        constraints = [
            models.CheckConstraint(
                condition=Q(part_avance__gte=1, part_avance__lte=100),
                name="parametres_conventions_part_avance",
            ),
        ]

    def __str__(self):
        return f"Conventions de {self.appel}"


def chemin_convention(instance, nom):
    return f"conventions/{instance.dossier_id}/{secrets.token_hex(16)}.pdf"


class EtatFichier(models.TextChoices):
    AUCUN = "aucun", "pas encore demandé"
    EN_ATTENTE = "en_attente", "en préparation"
    TERMINE = "termine", "prêt"
    ECHEC = "echec", "échec"


class Convention(models.Model):
    """The convention (or notification) of a retained dossier, and what has been paid on it."""

    dossier = models.OneToOneField(
        "candidatures.Dossier", on_delete=models.PROTECT, related_name="convention"
    )
    reference = models.CharField("référence de la convention", max_length=60)
    date_signature = models.DateField("date de la convention")
    signataires = models.TextField("signataires")
    deliberation = models.CharField(
        "délibération", max_length=255,
        help_text="La délibération ou le relevé de décisions que la convention exécute.",
    )
    montant_accorde = models.PositiveIntegerField("montant accordé (€)")
    part_avance = models.PositiveSmallIntegerField("avance à la signature (%)")
    montant_verse = models.PositiveIntegerField("montant versé (€)", default=0)
    solde_verse = models.BooleanField("solde versé", default=False)
    sans_solde = models.BooleanField(
        "solde non dû", default=False,
        help_text="Bilan refusé ou action non réalisée : le solde n'est pas versé.",
    )
    motif_sans_solde = models.TextField("motif", blank=True)
    action_non_realisee = models.BooleanField("action non réalisée", default=False)
    publier = models.BooleanField(
        "publier en données ouvertes même sous le seuil légal", default=False
    )
    fichier = models.FileField(
        "convention (PDF)", upload_to=chemin_convention, max_length=255, blank=True
    )
    etat_fichier = models.CharField(
        "PDF", max_length=12, choices=EtatFichier, default=EtatFichier.AUCUN
    )
    fichier_genere_le = models.DateTimeField("PDF généré le", null=True, blank=True)
    enregistree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    enregistree_le = models.DateTimeField("enregistrée le", default=timezone.now)
    modifiee_le = models.DateTimeField("modifiée le", default=timezone.now)

    class Meta:
        verbose_name = "convention"
        verbose_name_plural = "conventions"
        ordering = ["-date_signature", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(montant_accorde__gt=0), name="convention_montant_positif"
            ),
            models.CheckConstraint(
                condition=Q(montant_verse__lte=F("montant_accorde")),
                name="convention_verse_max_accorde",
            ),
            models.CheckConstraint(
                condition=Q(part_avance__gte=1, part_avance__lte=100),
                name="convention_part_avance",
            ),
            models.CheckConstraint(
                condition=~Q(solde_verse=True, sans_solde=True),
                name="convention_solde_verse_ou_non_du",
            ),
            models.CheckConstraint(
                condition=Q(etat_fichier__in=EtatFichier.values),
                name="convention_etat_fichier_valide",
            ),
        ]

    def __str__(self):
        return f"Convention {self.reference}"

    @property
    def montant_avance(self):
        """The advance the schedule plans at signature, in whole euros."""
        return self.montant_accorde * self.part_avance // 100

    @property
    def montant_solde(self):
        return self.montant_accorde - self.montant_avance

    @property
    def reste_a_verser(self):
        if self.sans_solde or self.solde_verse:
            return 0
        return self.montant_accorde - self.montant_verse

    @property
    def versement_unique(self):
        return self.part_avance == 100


class NaturePaiement(models.TextChoices):
    AVANCE = "avance", "avance"
    ACOMPTE = "acompte", "acompte"
    SOLDE = "solde", "solde"


class Paiement(models.Model):
    """One payment made on a convention, entered by the staff."""

    Nature = NaturePaiement

    convention = models.ForeignKey(
        Convention, on_delete=models.PROTECT, related_name="paiements"
    )
    nature = models.CharField("nature", max_length=10, choices=NaturePaiement)
    date = models.DateField("date du paiement")
    montant = models.PositiveIntegerField("montant (€)")
    saisi_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    saisi_le = models.DateTimeField("saisi le", default=timezone.now)

    class Meta:
        verbose_name = "paiement"
        verbose_name_plural = "paiements"
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(montant__gt=0), name="paiement_montant_positif"),
            models.CheckConstraint(
                condition=Q(nature__in=NaturePaiement.values), name="paiement_nature_valide"
            ),
            models.UniqueConstraint(
                fields=["convention"], condition=Q(nature="solde"), name="paiement_un_seul_solde"
            ),
        ]

    def __str__(self):
        return f"{self.get_nature_display()} de {euros(self.montant)} le {date_longue(self.date)}"


def chemin_publication(instance, nom):
    return f"donnees-ouvertes/{instance.contrat_id}/{instance.annee}-{uuid.uuid4().hex}.csv"


class PublicationDonnees(models.Model):
    """A contract's granted subsidies of one year, published as SCDL « subventions » CSV."""

    contrat = models.ForeignKey(
        "referentiel.Contrat", on_delete=models.PROTECT, related_name="publications"
    )
    annee = models.PositiveSmallIntegerField("année")
    publiee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    publiee_le = models.DateTimeField("publiée le", default=timezone.now)
    fichier = models.FileField(
        "fichier publié", upload_to=chemin_publication, max_length=255, blank=True
    )
    empreinte = models.CharField("empreinte des données publiées", max_length=64, blank=True)
    lignes = models.PositiveIntegerField("subventions publiées", default=0)
    generee_le = models.DateTimeField("fichier généré le", null=True, blank=True)

    class Meta:
        verbose_name = "publication de données ouvertes"
        verbose_name_plural = "publications de données ouvertes"
        ordering = ["-annee", "contrat"]
        constraints = [
            models.UniqueConstraint(
                fields=["contrat", "annee"], name="publication_une_par_contrat_et_annee"
            ),
        ]

    def __str__(self):
        return f"Subventions {self.annee} de {self.contrat}"
