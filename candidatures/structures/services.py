"""Writes on structures: creation, identity, members, join requests, invitations, documents."""

from datetime import timedelta
from functools import partial
from pathlib import Path

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..commun.erreurs import ErreurMetier, SaisieInvalide
from ..commun.validators import TYPES_MIME, extension_de, normaliser_siret, valider_document
from ..commun.versions import enregistrer_lignes
from ..comptes.services import lire_jeton, normaliser_email
from ..dossiers import budget
from ..models import (
    Agrement,
    DemandeAdhesion,
    DocumentStructure,
    InformationsAnnuelles,
    Invitation,
    LigneBudgetStructure,
    Membre,
    Structure,
)
from . import notifications
from .permissions import oublier_roles_structures

SEL_INVITATION = "candidatures.structures.invitation"
DUREE_INVITATION = timedelta(days=7)

MESSAGE_SIRET_PRIS = (
    "Une structure avec ce SIRET est déjà inscrite sur le portail. Demandez à la rejoindre "
    "(menu « Mes structures », « Rejoindre une structure ») plutôt que de la créer à nouveau."
)
MESSAGE_DERNIER_RESPONSABLE = (
    "Une structure garde toujours au moins un responsable : désignez d'abord un autre "
    "responsable parmi les membres."
)

CHAMPS_STRUCTURE = [
    f.name
    for f in Structure._meta.concrete_fields
    if f.name not in {"id", "cree_le", "modifie_le"}
]


def _verrouiller(structure):
    """Lock the structure's row: membership rules are checked then written under this lock."""
    return Structure.objects.select_for_update().get(pk=structure.pk)


def _autres_responsables(membre):
    return (
        Membre.objects.filter(structure_id=membre.structure_id, role=Membre.Role.RESPONSABLE)
        .exclude(pk=membre.pk)
        .exists()
    )


@transaction.atomic
def creer_structure(*, par, donnees):
    """Create the structure and make its creator its first responsable."""
    donnees = {k: v for k, v in donnees.items() if k in CHAMPS_STRUCTURE}
    if Structure.objects.filter(siret=donnees.get("siret")).exists():
        raise SaisieInvalide({"siret": MESSAGE_SIRET_PRIS})
    try:
        with transaction.atomic():
            structure = Structure.objects.create(**donnees)
    except IntegrityError:
        # Two sign-ups racing for the same SIRET: the unique constraint decides.
        raise SaisieInvalide({"siret": MESSAGE_SIRET_PRIS}) from None
    Membre.objects.create(structure=structure, utilisateur=par, role=Membre.Role.RESPONSABLE)
    oublier_roles_structures(par)
    return structure


@transaction.atomic
def modifier_structure(*, structure, donnees, par):
    """Update the structure's identity, address, contacts and bank details."""
    structure = _verrouiller(structure)
    donnees = {k: v for k, v in donnees.items() if k in CHAMPS_STRUCTURE}
    siret = donnees.get("siret", structure.siret)
    if Structure.objects.filter(siret=siret).exclude(pk=structure.pk).exists():
        raise SaisieInvalide({"siret": MESSAGE_SIRET_PRIS})
    for champ, valeur in donnees.items():
        setattr(structure, champ, valeur)
    structure.save()
    return structure


@transaction.atomic
def changer_role_membre(*, membre, role, par):
    """Make a member responsable or contributeur, never leaving the structure without one."""
    _verrouiller(membre.structure)
    membre = Membre.objects.select_for_update().get(pk=membre.pk)
    if role not in Membre.Role.values:
        raise ErreurMetier("Rôle inconnu.")
    if (
        membre.role == Membre.Role.RESPONSABLE
        and role != Membre.Role.RESPONSABLE
        and not _autres_responsables(membre)
    ):
        raise ErreurMetier(MESSAGE_DERNIER_RESPONSABLE)
    membre.role = role
    membre.save(update_fields=["role"])
    oublier_roles_structures(membre.utilisateur)
    return membre


@transaction.atomic
def retirer_membre(*, membre, par):
    """Remove a member from the structure (the last responsable cannot be removed)."""
    _verrouiller(membre.structure)
    membre = Membre.objects.select_for_update().get(pk=membre.pk)
    if membre.role == Membre.Role.RESPONSABLE and not _autres_responsables(membre):
        raise ErreurMetier(MESSAGE_DERNIER_RESPONSABLE)
    membre.delete()
    oublier_roles_structures(membre.utilisateur)


@transaction.atomic
def quitter_structure(*, structure, utilisateur):
    """Leave a structure; its last responsable must first hand the role over."""
    _verrouiller(structure)
    membre = Membre.objects.filter(structure=structure, utilisateur=utilisateur).first()
    if membre is None:
        raise ErreurMetier("Vous n'êtes pas membre de cette structure.")
    if membre.role == Membre.Role.RESPONSABLE and not _autres_responsables(membre):
        raise ErreurMetier(
            "Vous êtes le dernier responsable de cette structure : nommez d'abord un autre "
            "membre responsable, puis quittez-la."
        )
    retirer_membre(membre=membre, par=utilisateur)
    oublier_roles_structures(utilisateur)


@transaction.atomic
def demander_adhesion(*, utilisateur, siret, message=""):
    """Ask to join the structure that has this SIRET; its responsables are told by e-mail."""
    structure = Structure.objects.filter(siret=normaliser_siret(siret)).first()
    if structure is None:
        raise SaisieInvalide(
            {"siret": ("Aucune structure n'est inscrite avec ce SIRET. Vérifiez-le, ou créez la "
                        "structure si vous en êtes responsable.")}
        )
    if Membre.objects.filter(structure=structure, utilisateur=utilisateur).exists():
        raise SaisieInvalide({"siret": "Vous êtes déjà membre de cette structure."})
    if DemandeAdhesion.objects.filter(
        structure=structure, utilisateur=utilisateur, statut=DemandeAdhesion.Statut.EN_ATTENTE
    ).exists():
        raise SaisieInvalide(
            {"siret": ("Votre demande pour rejoindre cette structure attend déjà la réponse de "
                        "ses responsables.")}
        )
    demande = DemandeAdhesion.objects.create(
        structure=structure, utilisateur=utilisateur, message=message.strip()
    )
    transaction.on_commit(partial(notifications.envoyer_demande_adhesion, demande))
    return demande


def _traiter_demande(demande, *, par, statut):
    demande = DemandeAdhesion.objects.select_for_update().get(pk=demande.pk)
    if demande.statut != DemandeAdhesion.Statut.EN_ATTENTE:
        raise ErreurMetier("Cette demande a déjà reçu une réponse.")
    demande.statut = statut
    demande.traitee_le = timezone.now()
    demande.traitee_par = par
    demande.save(update_fields=["statut", "traitee_le", "traitee_par"])
    transaction.on_commit(partial(notifications.envoyer_reponse_adhesion, demande))
    return demande


@transaction.atomic
def accepter_demande(*, demande, par, role=Membre.Role.CONTRIBUTEUR):
    """Accept a join request: the requester becomes a member with ``role``."""
    _verrouiller(demande.structure)
    demande = _traiter_demande(demande, par=par, statut=DemandeAdhesion.Statut.ACCEPTEE)
    membre, _cree = Membre.objects.get_or_create(
        structure=demande.structure, utilisateur=demande.utilisateur, defaults={"role": role}
    )
    return membre


@transaction.atomic
def refuser_demande(*, demande, par):
    """Refuse a join request; the requester is told by e-mail."""
    return _traiter_demande(demande, par=par, statut=DemandeAdhesion.Statut.REFUSEE)


def jeton_invitation(invitation):
    return signing.dumps(invitation.pk, salt=SEL_INVITATION)


def lire_invitation(jeton):
    """The invitation of a signed link, or a refusal with a French message (expired, tampered)."""
    pk = lire_jeton(jeton, sel=SEL_INVITATION, duree=DUREE_INVITATION)
    invitation = Invitation.objects.select_related("structure", "invite_par").filter(pk=pk).first()
    if invitation is None:
        raise ErreurMetier("Cette invitation n'existe plus.")
    return invitation


@transaction.atomic
def inviter_membre(*, structure, email, role, par):
    """Invite someone by e-mail; inviting the same address again sends a fresh link."""
    email = normaliser_email(email)
    structure = _verrouiller(structure)
    if Membre.objects.filter(structure=structure, utilisateur__email__iexact=email).exists():
        raise SaisieInvalide({"email": "Cette personne est déjà membre de la structure."})
    invitation = (
        Invitation.objects.select_for_update()
        .filter(structure=structure, email=email, acceptee_le__isnull=True, annulee_le__isnull=True)
        .first()
    )
    if invitation is None:
        invitation = Invitation(structure=structure, email=email)
    invitation.role = role
    invitation.invite_par = par
    invitation.envoyee_le = timezone.now()
    invitation.save()
    transaction.on_commit(
        partial(
            notifications.envoyer_invitation, invitation, jeton_invitation(invitation)
        )
    )
    return invitation


@transaction.atomic
def accepter_invitation(*, jeton, utilisateur):
    """Join the structure of a valid invitation link, with the role it offers."""
    invitation = lire_invitation(jeton)
    _verrouiller(invitation.structure)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.annulee_le is not None:
        raise ErreurMetier("Cette invitation a été annulée.")
    if invitation.acceptee_le is not None and invitation.acceptee_par_id != utilisateur.pk:
        raise ErreurMetier("Cette invitation a déjà été utilisée.")
    membre, _cree = Membre.objects.get_or_create(
        structure=invitation.structure, utilisateur=utilisateur, defaults={"role": invitation.role}
    )
    if invitation.acceptee_le is None:
        invitation.acceptee_le = timezone.now()
        invitation.acceptee_par = utilisateur
        invitation.save(update_fields=["acceptee_le", "acceptee_par"])
    DemandeAdhesion.objects.filter(
        structure=invitation.structure,
        utilisateur=utilisateur,
        statut=DemandeAdhesion.Statut.EN_ATTENTE,
    ).update(statut=DemandeAdhesion.Statut.ACCEPTEE, traitee_le=timezone.now())
    oublier_roles_structures(utilisateur)
    return membre


@transaction.atomic
def annuler_invitation(*, invitation, par):
    """Withdraw an invitation that has not been accepted yet."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.acceptee_le is not None:
        raise ErreurMetier("Cette invitation a déjà été acceptée.")
    if invitation.annulee_le is None:
        invitation.annulee_le = timezone.now()
        invitation.save(update_fields=["annulee_le"])
    return invitation


@transaction.atomic
def deposer_document(*, structure, type, fichier, date_document, par):
    """Store a new version of a document; the previous one stays in the history."""
    if type not in DocumentStructure.Type.values:
        raise ErreurMetier("Type de document inconnu.")
    try:
        valider_document(fichier)
    except ValidationError as erreur:
        raise ErreurMetier(" ".join(erreur.messages)) from None
    _verrouiller(structure)
    DocumentStructure.objects.filter(structure=structure, type=type, est_actuel=True).update(
        est_actuel=False
    )
    nom_original = Path(fichier.name).name[-255:]
    document = DocumentStructure(
        structure=structure,
        type=type,
        nom_original=nom_original,
        taille=fichier.size,
        type_mime=TYPES_MIME[extension_de(nom_original)],
        date_document=date_document,
        depose_par=par,
    )
    fichier.seek(0)
    document.fichier.save(nom_original, fichier, save=False)
    document.save()
    return document


# --- Yearly declaration (Cerfa n°12156*06, fiches 2 and 3) -----------------------------------


@transaction.atomic
def enregistrer_informations_annuelles(
    *, structure, annee, par, champs, agrements=None, lignes=None
):
    """Save what the structure declares for ``annee``, reused by each of its dossiers of that year.

    ``champs`` maps fields to values, ``agrements`` is the full list of
    ``{"type", "attribue_par", "date"}`` (None leaves them alone), ``lignes`` maps budget codes
    to ``{"montant": …, "precision": …}``.
    """
    _verrouiller(structure)
    informations, _cree = InformationsAnnuelles.objects.get_or_create(
        structure=structure, annee=annee
    )
    erreurs = {}
    etpt = champs.get("etpt", informations.etpt)
    if etpt is not None and etpt < 0:
        erreurs["etpt"] = "Les ETPT sont un nombre positif ou nul (par exemple 2,5)."
    salaries = champs.get("salaries", informations.salaries)
    aides = champs.get("salaries_emplois_aides", informations.salaries_emplois_aides)
    if salaries is not None and aides is not None and aides > salaries:
        erreurs["salaries_emplois_aides"] = (
            "Les salariés en emplois aidés sont compris dans les salariés : pas plus qu'eux."
        )
    if erreurs:
        raise SaisieInvalide(erreurs)
    for nom, valeur in champs.items():
        setattr(informations, nom, valeur)
    informations.modifie_par = par
    informations.modifie_le = timezone.now()
    informations.save()
    if agrements is not None:
        informations.agrements.all().delete()
        Agrement.objects.bulk_create(
            Agrement(informations=informations, **agrement) for agrement in agrements
        )
    if lignes:
        enregistrer_lignes(
            {lg.code: lg for lg in informations.lignes_budget.all()},
            budget.reporter_sous_lignes(dict(lignes)),
            lambda code: LigneBudgetStructure(informations=informations, code=code),
        )
    return informations
