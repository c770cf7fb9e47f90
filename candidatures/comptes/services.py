"""Writes on accounts: sign-up, address confirmation and change, profile, portal roles, unlock."""

from datetime import timedelta
from functools import partial

from django.contrib.auth.models import Group
from django.core import signing
from django.db import transaction
from django.utils import timezone

from ..commun.erreurs import ErreurMetier, SaisieInvalide
from ..models import Habilitation, Role, Utilisateur
from . import axes as comptes_axes
from . import notifications
from .selectors import portee_administration

SEL_CONFIRMATION = "candidatures.comptes.confirmation"
SEL_CHANGEMENT_ADRESSE = "candidatures.comptes.changement-adresse"
DUREE_LIEN_CONFIRMATION = timedelta(days=3)
DUREE_LIEN_CHANGEMENT_ADRESSE = timedelta(days=3)

MESSAGE_LIEN_EXPIRE = (
    "Ce lien a expiré : il n'est valable que %(jours)s jours. Demandez-en un nouveau."
)
MESSAGE_LIEN_INVALIDE = (
    "Ce lien n'est pas valide : il a peut-être été mal copié ou déjà utilisé. Copiez le lien "
    "complet depuis le courriel, ou demandez-en un nouveau."
)
MESSAGE_ADRESSE_PRISE = (
    "Un compte existe déjà avec cette adresse électronique. Connectez-vous, ou utilisez « Mot "
    "de passe oublié » si vous ne vous en souvenez plus."
)


def normaliser_email(email):
    return (email or "").strip().lower()


def lire_jeton(jeton, *, sel, duree):
    """Unsign a link's token, or refuse it with a French message (expired or tampered)."""
    try:
        return signing.loads(jeton, salt=sel, max_age=duree)
    except signing.SignatureExpired:
        raise ErreurMetier(MESSAGE_LIEN_EXPIRE % {"jours": duree.days}) from None
    except signing.BadSignature:
        raise ErreurMetier(MESSAGE_LIEN_INVALIDE) from None


def _groupe(role):
    # The data migration creates the groups; a flushed database (tests) may have lost them.
    return Group.objects.get_or_create(name=role)[0]


def jeton_confirmation(utilisateur):
    """The signed token of the confirmation link (bound to the address it confirms)."""
    return signing.dumps({"u": utilisateur.pk, "e": utilisateur.email}, salt=SEL_CONFIRMATION)


@transaction.atomic
def inscrire(*, email, mot_de_passe, prenom="", nom="", suivant=""):
    """Create a porteur account, unconfirmed, and send the link that confirms its address.

    If the address already has an account, nothing is created and its owner is told by e-mail:
    the page answers exactly as for a new account, so sign-up does not reveal who has one
    (login and password reset do not either). Return the new account, or None.
    """
    email = normaliser_email(email)
    existant = Utilisateur.objects.filter(email__iexact=email).first()
    if existant is not None:
        transaction.on_commit(partial(notifications.envoyer_compte_existant, existant))
        return None
    utilisateur = Utilisateur.objects.create_user(
        email=email, password=mot_de_passe, prenom=prenom.strip(), nom=nom.strip()
    )
    utilisateur.groups.add(_groupe(Role.PORTEUR))
    transaction.on_commit(
        partial(
            notifications.envoyer_confirmation,
            utilisateur,
            jeton_confirmation(utilisateur),
            suivant,
        )
    )
    return utilisateur


@transaction.atomic
def confirmer_adresse(*, jeton):
    """Mark the address confirmed from a signed link less than three days old."""
    donnees = lire_jeton(jeton, sel=SEL_CONFIRMATION, duree=DUREE_LIEN_CONFIRMATION)
    utilisateur = Utilisateur.objects.select_for_update().filter(pk=donnees.get("u")).first()
    if utilisateur is None or utilisateur.email != donnees.get("e"):
        raise ErreurMetier(MESSAGE_LIEN_INVALIDE)
    if utilisateur.email_confirme_le is None:
        utilisateur.email_confirme_le = timezone.now()
        utilisateur.save(update_fields=["email_confirme_le"])
    return utilisateur


@transaction.atomic
def marquer_adresse_confirmee(*, utilisateur):
    """Mark the address confirmed when a link sent to it was opened (password reset)."""
    if utilisateur.email_confirme_le is None:
        utilisateur.email_confirme_le = timezone.now()
        utilisateur.save(update_fields=["email_confirme_le"])
    return utilisateur


def renvoyer_confirmation(*, email):
    """Send a new confirmation link if an unconfirmed account has this address (silently not)."""
    utilisateur = Utilisateur.objects.filter(
        email__iexact=normaliser_email(email), email_confirme_le__isnull=True, is_active=True
    ).first()
    if utilisateur is not None:
        notifications.envoyer_confirmation(utilisateur, jeton_confirmation(utilisateur))
    return utilisateur


@transaction.atomic
def modifier_profil(*, utilisateur, prenom, nom):
    """Update the name shown to the other members and to the instructeurs."""
    utilisateur.prenom = prenom.strip()
    utilisateur.nom = nom.strip()
    utilisateur.save(update_fields=["prenom", "nom"])
    return utilisateur


@transaction.atomic
def demander_changement_adresse(*, utilisateur, nouvelle_adresse):
    """Send a link to the new address; the old one stays in use until that link is opened."""
    nouvelle_adresse = normaliser_email(nouvelle_adresse)
    if nouvelle_adresse == utilisateur.email.lower():
        raise SaisieInvalide({"nouvelle_adresse": "C'est déjà l'adresse de votre compte."})
    if Utilisateur.objects.filter(email__iexact=nouvelle_adresse).exists():
        raise SaisieInvalide(
            {"nouvelle_adresse": "Cette adresse est déjà celle d'un autre compte."}
        )
    jeton = signing.dumps(
        {"u": utilisateur.pk, "a": utilisateur.email, "n": nouvelle_adresse},
        salt=SEL_CHANGEMENT_ADRESSE,
    )
    transaction.on_commit(
        partial(
            notifications.envoyer_changement_adresse, utilisateur, nouvelle_adresse, jeton
        )
    )
    return jeton


@transaction.atomic
def confirmer_changement_adresse(*, jeton):
    """Replace the address by the new one once the link sent to the new one is opened."""
    donnees = lire_jeton(jeton, sel=SEL_CHANGEMENT_ADRESSE, duree=DUREE_LIEN_CHANGEMENT_ADRESSE)
    utilisateur = Utilisateur.objects.select_for_update().filter(pk=donnees.get("u")).first()
    # The old address in the token makes the link single-use: once changed, it no longer matches.
    if utilisateur is None or utilisateur.email != donnees.get("a"):
        raise ErreurMetier(MESSAGE_LIEN_INVALIDE)
    nouvelle_adresse = donnees["n"]
    autres = Utilisateur.objects.exclude(pk=utilisateur.pk)
    if autres.filter(email__iexact=nouvelle_adresse).exists():
        raise ErreurMetier("Cette adresse est entre-temps devenue celle d'un autre compte.")
    utilisateur.email = nouvelle_adresse
    utilisateur.email_confirme_le = timezone.now()
    utilisateur.save(update_fields=["email", "email_confirme_le"])
    return utilisateur


ROLES_PORTAIL = (Role.PORTEUR, Role.ADMINISTRATEUR)
MESSAGE_DERNIER_DROIT = (
    "Vous ne pouvez pas retirer votre dernier droit d'administrateur : demandez-le à un autre "
    "administrateur."
)


def _verrouiller(utilisateur):
    """Lock the account's row: changes of one account's rights happen one at a time."""
    return Utilisateur.objects.select_for_update().get(pk=utilisateur.pk)


def _autres_droits_administrateur(utilisateur, *, sauf_portail=False, sauf_habilitation=None):
    """Whether ``utilisateur`` keeps an administrator right once the named one is removed."""
    if not sauf_portail and (
        utilisateur.is_superuser or utilisateur.groups.filter(name=Role.ADMINISTRATEUR).exists()
    ):
        return True
    autres = utilisateur.habilitations.filter(role=Role.ADMINISTRATEUR)
    if sauf_habilitation is not None:
        autres = autres.exclude(pk=sauf_habilitation.pk)
    return autres.exists()


@transaction.atomic
def definir_roles_portail(*, utilisateur, roles, par):
    """Give the account exactly these portal-wide roles: porteur, administrateur du portail.

    Only a portal administrator does; nobody removes their own last administrator right.
    """
    if not par.est_administrateur_portail:
        raise ErreurMetier("Seuls les administrateurs du portail attribuent les rôles du portail.")
    roles = set(roles)
    inconnus = roles - set(ROLES_PORTAIL)
    if inconnus:
        raise ErreurMetier(f"Rôle du portail inconnu : {', '.join(sorted(inconnus))}.")
    utilisateur = _verrouiller(utilisateur)
    administrateur = Role.ADMINISTRATEUR in roles
    if (
        utilisateur.pk == par.pk and not administrateur
        and not _autres_droits_administrateur(utilisateur, sauf_portail=True)
    ):
        raise ErreurMetier(MESSAGE_DERNIER_DROIT)
    groupes = {nom: _groupe(nom) for nom in ROLES_PORTAIL}
    utilisateur.groups.remove(*(g for nom, g in groupes.items() if nom not in roles))
    utilisateur.groups.add(*(g for nom, g in groupes.items() if nom in roles))
    utilisateur.is_staff = administrateur
    utilisateur.is_superuser = administrateur
    utilisateur.save(update_fields=["is_staff", "is_superuser"])
    utilisateur.oublier_roles()
    return utilisateur


@transaction.atomic
def accorder_habilitation(*, utilisateur, role, territoire=None, contrat=None, par):
    """Give ``utilisateur`` a staff role on a whole territory, or on one of its contracts.

    A portal administrator grants any role anywhere; a territory administrator grants the
    instructeur and comité roles within what it administers (see ``selectors``).
    """
    if role not in dict(Habilitation.ROLES):
        raise SaisieInvalide({"role": "Choisissez le rôle à accorder."})
    if contrat is not None and territoire is not None and contrat.territoire_id != territoire.pk:
        raise SaisieInvalide({"contrat": (
            f"Le contrat « {contrat} » n'appartient pas au territoire {territoire}."
        )})
    if contrat is not None:
        territoire = contrat.territoire
    if territoire is None:
        raise SaisieInvalide({"territoire": "Indiquez un territoire, ou l'un de ses contrats."})
    portee = portee_administration(par)
    if not portee.administre:
        raise ErreurMetier("Seuls les administrateurs accordent des habilitations.")
    refus = portee.refus_accord(role, territoire, contrat)
    if refus:
        raise SaisieInvalide(refus)
    utilisateur = _verrouiller(utilisateur)
    if not utilisateur.is_active:
        raise ErreurMetier(f"Le compte {utilisateur.email} est désactivé : réactivez-le d'abord.")
    existantes = utilisateur.habilitations.filter(role=role, territoire=territoire)
    libelle = dict(Habilitation.ROLES)[role]
    if existantes.filter(contrat=None).exists():
        raise ErreurMetier(
            f"{utilisateur.email} est déjà {libelle} sur tous les contrats du territoire "
            f"{territoire}."
        )
    if contrat is not None and existantes.filter(contrat=contrat).exists():
        raise ErreurMetier(f"{utilisateur.email} est déjà {libelle} sur le contrat « {contrat} ».")
    if contrat is None:
        # The whole territory covers its contracts: their own habilitations become redundant.
        existantes.delete()
    habilitation = Habilitation.objects.create(
        utilisateur=utilisateur, role=role, territoire=territoire, contrat=contrat
    )
    utilisateur.oublier_roles()
    return habilitation


@transaction.atomic
def retirer_habilitation(*, habilitation, par):
    """Remove one habilitation, if ``par`` administers it; never one's last administrator right."""
    portee = portee_administration(par)
    if not portee.peut_retirer(habilitation):
        raise ErreurMetier(
            "Vous ne pouvez pas retirer cette habilitation : elle sort de ce que vous "
            "administrez."
        )
    utilisateur = _verrouiller(habilitation.utilisateur)
    if (
        utilisateur.pk == par.pk and habilitation.role == Role.ADMINISTRATEUR
        and not _autres_droits_administrateur(utilisateur, sauf_habilitation=habilitation)
    ):
        raise ErreurMetier(MESSAGE_DERNIER_DROIT)
    habilitation.delete()
    utilisateur.oublier_roles()
    return utilisateur


def debloquer_connexion(*, utilisateur):
    """Lift the login lock-out of the account (failures recorded by django-axes)."""
    return comptes_axes.debloquer(utilisateur.email)
