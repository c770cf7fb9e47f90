"""Conventions of retained dossiers, their payments, and the yearly open-data publications."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from candidatures.commun.formats import date_longue, euros

from .exports import FichierGenere

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

    @property
    def pdf_pret(self):
        """The latest finished rendering of the convention's PDF, or None."""
        return (
            self.generations.filter(etat=FichierGenere.Etat.TERMINEE).exclude(fichier="")
            .order_by("-demandee_le").first()
        )


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


def _contraintes_generation(prefixe):
    return [
        models.CheckConstraint(
            condition=Q(progression__lte=100), name=f"{prefixe}_progression_pourcentage"
        ),
        models.CheckConstraint(
            condition=Q(etat__in=FichierGenere.Etat.values), name=f"{prefixe}_etat_valide"
        ),
    ]


def chemin_convention(instance, nom):
    return f"conventions/{instance.convention.dossier_id}/{secrets.token_hex(16)}.pdf"


class GenerationConvention(FichierGenere):
    """The PDF of a convention, rendered in the background from the recorded data."""

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="generations"
    )
    fichier = models.FileField(
        "convention (PDF)", upload_to=chemin_convention, max_length=255, blank=True
    )

    class Meta:
        verbose_name = "PDF de convention"
        verbose_name_plural = "PDF des conventions"
        ordering = ["-demandee_le"]
        constraints = _contraintes_generation("generation_convention")

    def __str__(self):
        return f"PDF de la convention {self.convention_id} ({self.get_etat_display()})"


def chemin_publication(instance, nom):
    publication = instance.publication
    return (
        f"donnees-ouvertes/{publication.contrat_id}/{publication.annee}-{uuid.uuid4().hex}.csv"
    )


class GenerationPublication(FichierGenere):
    """One build of a published year's SCDL file, kept under the fingerprint of its data."""

    publication = models.ForeignKey(
        PublicationDonnees, on_delete=models.CASCADE, related_name="generations"
    )
    fichier = models.FileField(
        "fichier publié", upload_to=chemin_publication, max_length=255, blank=True
    )
    lignes = models.PositiveIntegerField("subventions publiées", default=0)

    class Meta:
        verbose_name = "fichier de données ouvertes"
        verbose_name_plural = "fichiers de données ouvertes"
        ordering = ["-demandee_le"]
        constraints = _contraintes_generation("generation_publication")

    def __str__(self):
        return f"Fichier {self.publication} ({self.get_etat_display()})"
