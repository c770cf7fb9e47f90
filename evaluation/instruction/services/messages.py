"""The thread of a dossier: post a message with attachments, remember what each user has read."""

from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from candidatures.commun.erreurs import ErreurMetier, SaisieInvalide
from candidatures.commun.validators import TYPES_MIME, extension_de, valider_document
from candidatures.structures.permissions import est_membre
from evaluation.models import Lecture, Message, PieceMessage

from .. import notifications
from ..permissions import contrat_de, est_instructeur, peut_ecrire_message

PIECES_PAR_MESSAGE_MAX = 5


@transaction.atomic
def envoyer_message(*, dossier, auteur, texte, fichiers=(), maintenant=None):
    """Add a message (and checked attachments) to the dossier's thread, and tell the other side."""
    maintenant = maintenant or timezone.now()
    texte = (texte or "").strip()
    if not peut_ecrire_message(auteur, dossier):
        raise ErreurMetier("Vous ne participez pas aux échanges sur ce dossier.")
    if not texte:
        raise SaisieInvalide({"texte": "Écrivez votre message."})
    fichiers = list(fichiers or [])
    if len(fichiers) > PIECES_PAR_MESSAGE_MAX:
        raise SaisieInvalide(
            {"fichiers": f"Joignez au plus {PIECES_PAR_MESSAGE_MAX} fichiers par message."}
        )
    for fichier in fichiers:
        try:
            valider_document(fichier)
        except ValidationError as erreur:
            raise ErreurMetier(f"{fichier.name} : {' '.join(erreur.messages)}") from None
    message = Message.objects.create(
        dossier=dossier,
        auteur=auteur,
        de_la_structure=est_membre(auteur, dossier.structure)
        and not est_instructeur(auteur, contrat_de(dossier)),
        texte=texte,
        envoye_le=maintenant,
    )
    for fichier in fichiers:
        PieceMessage.objects.create(
            message=message,
            fichier=fichier,
            nom_original=fichier.name[:255],
            taille=fichier.size,
            type_mime=TYPES_MIME[extension_de(fichier.name)],
        )
    marquer_lu(dossier=dossier, utilisateur=auteur, maintenant=maintenant)
    transaction.on_commit(partial(notifications.notifier_message, message_id=message.pk))
    return message


@transaction.atomic
def marquer_lu(*, dossier, utilisateur, maintenant=None):
    """Remember that ``utilisateur`` has read the dossier's thread up to now."""
    if not utilisateur.is_authenticated:
        return None
    lecture, _ = Lecture.objects.update_or_create(
        dossier=dossier, utilisateur=utilisateur,
        defaults={"lu_le": maintenant or timezone.now()},
    )
    return lecture

