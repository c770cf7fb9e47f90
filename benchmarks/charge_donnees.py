"""Load test, database side: the simulated accounts before the run, what was stored after it.

Runs in the load test's own process once ``django.setup()`` was called on the load-test
database (development settings: only the ORM is used here, never the web stack).
"""

from charge_mesures import EtatDossier
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from stdnum import luhn

from candidatures.dossiers.services.brouillons import creer_dossier
from candidatures.models import (
    AppelAProjets,
    Dossier,
    Habilitation,
    LigneBudget,
    Membre,
    ModificationDossier,
    Role,
    Statut,
    Structure,
    Utilisateur,
)
from evaluation.models import Instruction
from referentiel.models import Action, Contrat

DOMAINE = "charge.test"
# The SIRETs of the simulated structures start here (generer_volume starts at 70 000 000).
PREMIER_SIREN = 90_000_000


def _siret(n):
    siren = f"{n:08d}" + luhn.calc_check_digit(f"{n:08d}")
    debut = siren + "0001"
    return debut + luhn.calc_check_digit(debut)


def _compte(email, prenom, nom, mot_de_passe_chiffre):
    return Utilisateur.objects.create(
        email=email, prenom=prenom, nom=nom, password=mot_de_passe_chiffre,
        email_confirme_le=timezone.now(),
    )


@transaction.atomic
def preparer(*, porteurs, instructeurs, comite, mot_de_passe, annee_volume):
    """Create the simulated accounts; return what the clients need, JSON-ready.

    Each porteur is the responsable of a structure with one draft on the open call, except the
    last one, who joins the first porteur's structure to edit the same draft (the pair whose
    saves collide). Instructeurs and the comité member hold a habilitation on the default
    contract's territory. The dossiers awaiting instruction on the volume call are shared out
    among the instructeurs, so that each concludes its own.
    """
    contrat = Contrat.objects.par_defaut()
    appel = AppelAProjets.objects.ouverts().filter(contrat=contrat).order_by("cloture").first()
    appel_volume = AppelAProjets.objects.get(contrat=contrat, annee=annee_volume)
    # One hash for every account: hashing 50 passwords would take longer than the whole setup.
    chiffre = make_password(mot_de_passe)
    groupe_porteur = Group.objects.get(name=Role.PORTEUR)

    comptes_porteurs = []
    for i in range(1, porteurs + 1):
        user = _compte(f"porteur{i:02d}@{DOMAINE}", "Porteur", f"n°{i}", chiffre)
        user.groups.add(groupe_porteur)
        binome = i == porteurs and porteurs > 1
        if binome:
            # The pair: same structure, same draft as porteur n°1.
            premier = comptes_porteurs[0]
            Membre.objects.create(
                structure_id=premier["structure"], utilisateur=user,
                role=Membre.Role.CONTRIBUTEUR,
            )
            comptes_porteurs.append({**premier, "email": user.email, "binome": True})
            comptes_porteurs[0]["binome"] = True
            continue
        structure = Structure.objects.create(
            raison_sociale=f"Association de charge n°{i}", type=Structure.Type.ASSOCIATION,
            siret=_siret(PREMIER_SIREN + i), rna=f"W39{i:07d}",
            adresse="1 place de l'Hôtel de ville", code_postal="30100", commune="Alès",
            representant_nom="Essai", representant_prenom="Charge",
            representant_fonction="présidente",
            contact_nom=f"Porteur n°{i}", contact_email=user.email,
        )
        Membre.objects.create(structure=structure, utilisateur=user, role=Membre.Role.RESPONSABLE)
        dossier = creer_dossier(structure=structure, appel=appel, par=user)
        comptes_porteurs.append({
            "email": user.email, "structure": structure.pk, "dossier": dossier.pk,
            "binome": False,
        })

    a_instruire = list(
        Dossier.objects.filter(
            appel=appel_volume, statut__in=[Statut.DEPOSE, Statut.EN_INSTRUCTION]
        ).order_by("pk").values_list("pk", flat=True)
    )
    comptes_instructeurs = []
    for i in range(1, instructeurs + 1):
        user = _compte(f"instructeur{i:02d}@{DOMAINE}", "Instructeur", f"n°{i}", chiffre)
        Habilitation.objects.create(
            utilisateur=user, role="instructeur", territoire=contrat.territoire
        )
        comptes_instructeurs.append({
            "email": user.email, "dossiers": a_instruire[i - 1::instructeurs],
        })
    comptes_comite = []
    for i in range(1, comite + 1):
        user = _compte(f"comite{i:02d}@{DOMAINE}", "Comité", f"n°{i}", chiffre)
        Habilitation.objects.create(utilisateur=user, role="comite", territoire=contrat.territoire)
        comptes_comite.append({"email": user.email})

    return {
        "codes_actions": list(
            Action.objects.filter(
                contrat=contrat, objectif__hors_appel_a_projets=False, renvois__isnull=True
            ).order_by("code").values_list("code", flat=True)
        ),
        "appel_ouvert": appel.pk,
        "appel_volume": appel_volume.pk,
        "annee_volume": annee_volume,
        "dossiers_volume": list(
            Dossier.objects.filter(appel=appel_volume).order_by("pk").values_list("pk", flat=True)
        ),
        "porteurs": comptes_porteurs,
        "instructeurs": comptes_instructeurs,
        "comite": comptes_comite,
    }


def etats_dossiers(ids, code_budget):
    """What the database holds for these dossiers: version, résumé, a budget line, edit trail."""
    montants = dict(
        LigneBudget.objects.filter(dossier_id__in=ids, code=code_budget).values_list(
            "dossier_id", "montant"
        )
    )
    etats = {
        pk: EtatDossier(version=version, resume=resume, montant=montants.get(pk))
        for pk, version, resume in Dossier.objects.filter(pk__in=ids).values_list(
            "pk", "version", "resume"
        )
    }
    for dossier_id, apres in ModificationDossier.objects.filter(
        dossier_id__in=ids, champ="Résumé"
    ).values_list("dossier_id", "apres"):
        etats[dossier_id].journal.add(apres)
    return etats


def conclusions_absentes(conclusions):
    """Instructions a client saw concluded (dossier id → e-mail) that the database does not hold."""
    tenues = {
        pk: (statut, email)
        for pk, statut, email in Instruction.objects.filter(
            dossier_id__in=conclusions
        ).values_list("dossier_id", "dossier__statut", "conclue_par__email")
    }
    absentes = []
    for pk, email in sorted(conclusions.items()):
        statut, par = tenues.get(pk, (None, None))
        if statut != Statut.INSTRUIT or par != email:
            absentes.append(
                (pk, f"conclusion de {email} non retrouvée (statut {statut}, par {par})")
            )
    return absentes
