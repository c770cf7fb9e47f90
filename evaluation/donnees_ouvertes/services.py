"""Publishing a year's granted subsidies: refused while the grantor's SIRET is a placeholder,
built in the background, rebuilt whenever the data it is made of change.

The file goes through ``evaluation.generations``: each build is kept under the fingerprint of
its data (``selectors.empreintes``). Whenever the public page, the file or a change to the
conventions finds a different fingerprint, a new build is asked for; the last complete file is
served until the new one is ready.
"""

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from candidatures.commun.erreurs import ErreurMetier
from candidatures.comptes.permissions import a_role_sur
from candidatures.models import Role
from evaluation import generations
from evaluation.models import GenerationPublication, PublicationDonnees

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
    actualiser([selectors.etat_publication(contrat.pk, annee)], par=par)
    return publication


def _demander(etat, empreinte, par):
    """Ask for a build of the publication from data of ``empreinte``; the file served now is
    left out of what ``demander`` may drop, so it stays until the new one is ready."""
    publication = etat.publication
    cible = GenerationPublication.objects.filter(publication=publication)
    if etat.servi is not None:
        cible = cible.exclude(pk=etat.servi.pk)
    return generations.demander(
        cible=cible,
        empreinte=empreinte,
        creer=lambda actuelle: GenerationPublication.objects.create(
            publication=publication, empreinte=actuelle, demandee_par=par
        ),
        tache=generer_publication,
    )


def actualiser(etats, par=None):
    """Start rebuilding the published files whose data changed since they were built.

    One query finds the fingerprints; nothing is written while the files are up to date.
    """
    if not scdl.attribuant_publiable():
        return
    etats = [e for e in etats if e is not None]
    actuelles = selectors.empreintes(e.publication for e in etats)
    for etat in etats:
        empreinte = actuelles[etat.publication.pk]
        abandon = timezone.now() - generations.ABANDON
        connues = {
            g.empreinte for g in etat.publication.generations.all()
            if g.est_terminee or (g.est_en_cours and g.demandee_le >= abandon)
        }
        if empreinte not in connues:
            _demander(etat, empreinte, par)
            etat.en_preparation = True


def actualiser_apres_changement(*, contrat_id, annee):
    """After a change to conventions or payments: rebuild that year's file if it is published."""
    actualiser([selectors.etat_publication(contrat_id, annee)])


def _fabriquer(generation, progression):
    publication = generation.publication
    decisions = list(selectors.subventions_a_publier(publication.contrat_id, publication.annee))
    progression(50)
    contenu = scdl.subventions_scdl(decisions)
    GenerationPublication.objects.filter(pk=generation.pk).update(lignes=len(decisions))
    return contenu


@task()
def generer_publication(generation_id):
    """Build one requested SCDL file of a published contract and year."""
    generations.construire(
        GenerationPublication, generation_id, _fabriquer,
        lambda generation: f"{generation.publication.annee}.csv",
    )
