"""The dossier's trail (statuses, corrections, changes) and its thread of messages."""

from dataclasses import dataclass, field

from candidatures.models import DemandeCorrection, HistoriqueStatut, ModificationDossier, Statut
from evaluation.models import Lecture, Message, Modification

from .controles import premier_depot

# --- The trail ----------------------------------------------------------------------------------


@dataclass
class Evenement:
    le: object
    titre: str
    par: object = None
    detail: str = ""
    interne: bool = False
    changements: list = field(default_factory=list)


def chronologie(dossier, *, complete):
    """The dossier's history, oldest first; ``complete`` adds the staff-only entries."""
    evenements = []
    demandes = DemandeCorrection.objects.filter(dossier=dossier).select_related("demandee_par")
    for h in HistoriqueStatut.objects.filter(dossier=dossier).select_related("par"):
        titre = (
            f"Statut : {h.get_de_display()} → {h.get_vers_display()}"
            if h.de
            else f"Création ({h.get_vers_display()})"
        )
        # The request's message is shown once, with its sections, by the entry below.
        detail = "" if h.vers == Statut.A_CORRIGER else h.motif
        evenements.append(Evenement(h.le, titre, h.par, detail))
    for demande in demandes:
        evenements.append(
            Evenement(
                demande.demandee_le,
                "Corrections demandées : " + ", ".join(str(s) for s in demande.sections_libelles),
                demande.demandee_par,
                demande.message,
            )
        )
    groupes = {}
    # Drafting before the first submission stays the structure's (its dossier page shows it).
    modifications = ModificationDossier.objects.filter(dossier=dossier).select_related("par")
    if dossier.depose_le:
        modifications = modifications.filter(le__gte=premier_depot(dossier))
    else:
        modifications = modifications.none()
    for m in modifications:
        cle = (m.le, m.par_id, "dossier")
        if cle not in groupes:
            groupes[cle] = Evenement(m.le, "Modification du dossier", m.par)
            evenements.append(groupes[cle])
        groupes[cle].changements.append(m)
    if complete:
        for m in Modification.objects.filter(dossier=dossier).select_related("par"):
            cle = (m.le, m.par_id, m.objet)
            if cle not in groupes:
                groupes[cle] = Evenement(
                    m.le, f"Modification : {m.get_objet_display()}", m.par, interne=True
                )
                evenements.append(groupes[cle])
            groupes[cle].changements.append(m)
    evenements.sort(key=lambda e: e.le)
    return evenements


# --- Thread --------------------------------------------------------------------------------------


def fil(dossier, user):
    """The thread of a dossier, each message flagged ``non_lu`` for ``user``."""
    lecture = Lecture.objects.filter(dossier=dossier, utilisateur=user).first()
    messages = list(
        Message.objects.filter(dossier=dossier)
        .select_related("auteur")
        .prefetch_related("pieces")
    )
    for message in messages:
        message.non_lu = message.auteur_id != user.pk and (
            lecture is None or message.envoye_le > lecture.lu_le
        )
    return messages


def nombre_non_lus(dossier, user):
    lecture = Lecture.objects.filter(dossier=dossier, utilisateur=user).first()
    messages = Message.objects.filter(dossier=dossier).exclude(auteur=user)
    if lecture:
        messages = messages.filter(envoye_le__gt=lecture.lu_le)
    return messages.count()

