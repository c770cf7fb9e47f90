"""Publishing a year's granted subsidies: refused while the grantor's SIRET is a placeholder,
built in the background, rebuilt when the published data change."""

import hashlib
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from candidatures.commun.erreurs import ErreurMetier
from candidatures.comptes.permissions import a_role_sur
from candidatures.models import Role
from evaluation.models import PublicationDonnees

from . import scdl, selectors


@transaction.atomic
def publier_annee(*, contrat, annee, par):
    """Publish (or publish again) the contract's subsidies of ``annee`` as open data."""
    if not a_role_sur(par, contrat.pk, Role.ADMINISTRATEUR):
        raise ErreurMetier("Seuls les administrateurs du contrat publient ses données ouvertes.")
    if not scdl.attribuant_publiable():
        raise ErreurMetier(
            "Publication impossible : le SIRET de l'attribuant est encore provisoire. "
            "Demandez à l'exploitant du portail de renseigner ATTRIBUANT_SIRET."
        )
    publication, _cree = PublicationDonnees.objects.select_for_update().get_or_create(
        contrat=contrat, annee=annee, defaults={"publiee_par": par}
    )
    publication.publiee_par = par
    publication.publiee_le = timezone.now()
    publication.save(update_fields=["publiee_par", "publiee_le"])
    transaction.on_commit(
        partial(generer_publication.enqueue, publication_id=publication.pk)
    )
    return publication


def actualiser_apres_changement(*, contrat_id, annee):
    """After a change to conventions or payments: rebuild that year's file if it is published."""
    publication = PublicationDonnees.objects.filter(contrat_id=contrat_id, annee=annee).first()
    if publication is not None:
        generer_publication.enqueue(publication_id=publication.pk)


@task()
def generer_publication(publication_id):
    """Build the published SCDL file of one contract and year; keep it if nothing changed."""
    publication = PublicationDonnees.objects.filter(pk=publication_id).first()
    if publication is None or not scdl.attribuant_publiable():
        return
    decisions = list(selectors.subventions_a_publier(publication.contrat_id, publication.annee))
    contenu = scdl.subventions_scdl(decisions)
    empreinte = hashlib.sha256(contenu).hexdigest()
    if publication.fichier and publication.empreinte == empreinte:
        return
    ancien = publication.fichier.name
    publication.fichier.save(f"{publication.annee}.csv", ContentFile(contenu), save=False)
    PublicationDonnees.objects.filter(pk=publication_id).update(
        fichier=publication.fichier.name, empreinte=empreinte, lignes=len(decisions),
        generee_le=timezone.now(),
    )
    if ancien:
        publication.fichier.storage.delete(ancien)
