"""Demo conventions for the default contract (Alès): what ``manage.py demo_conventions`` adds
once ``demo`` and ``generer_volume`` have filled its call, so that the conventions, schedules,
payments and payments dashboard pages are not empty. Dev only; idempotent.

Everything goes through the services, as a staff member would: one retained dossier gets its
convention and the advance; one whose bilan is validated gets its convention, the advance and
the balance.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from candidatures.models import Habilitation, Role, Statut, Utilisateur
from evaluation.models import Convention, Decision
from referentiel.models import Contrat

from . import services

# The schedule of the call's defaults (set per dossier): half at signature, the balance after
# the validated bilan.
PART_AVANCE = 50
SIGNATAIRES = "Le président d'Alès Agglomération ; la présidente de la structure"


def _retenues(contrat):
    return (
        Decision.objects.filter(
            nature=Decision.Nature.RETENU, dossier__appel__contrat=contrat,
            montant_accorde__gt=0,
        )
        .select_related("dossier__appel", "dossier__structure", "dossier__bilan")
        .order_by("-dossier__appel__annee", "dossier__numero")
    )


def _instructeur(contrat):
    """A staff member who may record conventions on the contract: its demo instructeur."""
    habilitation = (
        Habilitation.objects.filter(role=Role.INSTRUCTEUR)
        .filter(Q(contrat=contrat) | Q(contrat=None, territoire=contrat.territoire_id))
        .select_related("utilisateur").order_by("pk").first()
    )
    if habilitation is not None:
        return habilitation.utilisateur
    return Utilisateur.objects.filter(is_superuser=True).order_by("pk").first()


def _au_plus_tard(jour):
    return min(jour, timezone.localdate())


def _conventionner(decision, par):
    dossier = decision.dossier
    signature = _au_plus_tard(timezone.localdate(decision.decidee_le) + datetime.timedelta(30))
    convention = services.enregistrer_convention(
        dossier=dossier, par=par, reference=f"{dossier.reference}-C", date_signature=signature,
        signataires=SIGNATAIRES, deliberation=decision.reference, part_avance=PART_AVANCE,
        publier=True,
    )
    services.enregistrer_paiement(
        convention=convention, par=par, nature="avance",
        date=_au_plus_tard(signature + datetime.timedelta(15)),
        montant=convention.montant_avance,
    )
    return convention


@transaction.atomic
def creer_conventions_demo(contrat=None):
    """Record the demo conventions and payments on the default contract; lines to print."""
    contrat = contrat or Contrat.objects.select_related("territoire").par_defaut()
    if contrat is None:
        return ["Conventions de démonstration : aucun contrat chargé."]
    retenues = _retenues(contrat)
    existantes = Convention.objects.filter(dossier__appel__contrat=contrat)
    if existantes.exists():
        return [f"Conventions de démonstration : déjà enregistrées ({existantes.count()})."]
    par = _instructeur(contrat)
    en_cours = retenues.filter(dossier__statut=Statut.EN_COURS).first()
    soldee = retenues.filter(
        dossier__statut=Statut.CLOTURE, dossier__bilan__valide_le__isnull=False
    ).first()
    if par is None or en_cours is None or soldee is None:
        return ["Conventions de démonstration : aucun dossier retenu à conventionner "
                "(lancez generer_volume)."]
    lignes = ["Conventions de démonstration :"]
    convention = _conventionner(en_cours, par)
    lignes.append(f"  {en_cours.dossier.reference} : convention {convention.reference}, "
                  "avance versée")
    convention = _conventionner(soldee, par)
    valide_le = timezone.localdate(soldee.dossier.bilan.valide_le)
    services.enregistrer_paiement(
        convention=convention, par=par, nature="solde",
        date=_au_plus_tard(max(valide_le, convention.date_signature) + datetime.timedelta(10)),
        montant=convention.montant_solde,
    )
    lignes.append(f"  {soldee.dossier.reference} : convention {convention.reference}, bilan "
                  "validé, avance et solde versés")
    return lignes
