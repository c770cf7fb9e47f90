"""The programmation of a call: decisions against the envelopes; the granted subsidies."""

from dataclasses import dataclass

from django.db.models import Prefetch

from candidatures.models import Dossier, EnveloppePilier, LigneBudget, Statut
from evaluation.models import Decision
from referentiel.models import Pilier


@dataclass
class TotalPilier:
    pilier: object
    enveloppe: int | None
    propose: int = 0
    accorde: int = 0

    @property
    def reste(self):
        return None if self.enveloppe is None else self.enveloppe - self.accorde


@dataclass
class Programmation:
    appel: object
    a_decider: list
    decides: list
    piliers: list
    enveloppe: int | None
    propose: int
    accorde: int

    @property
    def reste(self):
        return None if self.enveloppe is None else self.enveloppe - self.accorde


def programmation(appel):
    """Instructed dossiers awaiting a decision, decided ones, and totals against the envelopes."""
    dossiers = list(
        Dossier.objects.filter(appel=appel, instruction__conclue_le__isnull=False)
        .exclude(statut=Statut.RETIRE)
        .select_related(
            "structure",
            "action_principale__objectif__orientation__pilier",
            "instruction__instructeur",
            "decision",
        )
        .order_by(
            "action_principale__objectif__orientation__pilier__ordre",
            "instruction__avis",
            "numero",
        )
    )
    enveloppes = {
        e.pilier_id: e.montant for e in EnveloppePilier.objects.filter(appel=appel)
    }
    piliers = {
        p.pk: TotalPilier(p, enveloppes.get(p.pk))
        for p in Pilier.objects.filter(contrat=appel.contrat_id).order_by("ordre")
    }
    a_decider, decides = [], []
    cumul = {}
    for dossier in dossiers:
        pilier = dossier.action_principale.objectif.orientation.pilier
        total = piliers[pilier.pk]
        propose = dossier.instruction.montant_propose or 0
        cumul[pilier.pk] = cumul.get(pilier.pk, 0) + propose
        dossier.cumul_pilier = cumul[pilier.pk]
        dossier.pilier = pilier
        decision = getattr(dossier, "decision", None)
        if decision is None and dossier.statut == Statut.INSTRUIT:
            total.propose += propose
            a_decider.append(dossier)
        elif decision is not None:
            if decision.est_retenu:
                total.accorde += decision.montant_accorde
            decides.append(dossier)
    return Programmation(
        appel=appel,
        a_decider=a_decider,
        decides=decides,
        piliers=list(piliers.values()),
        enveloppe=appel.enveloppe_totale,
        propose=sum(t.propose for t in piliers.values()),
        accorde=sum(t.accorde for t in piliers.values()),
    )


def subventions_accordees(appel):
    """Granted subsidies of a call, for the open-data export."""
    return (
        Decision.objects.filter(dossier__appel=appel, nature=Decision.Nature.RETENU)
        .select_related("dossier__structure", "dossier__appel", "dossier__action_principale")
        .prefetch_related(
            Prefetch("dossier__lignes_budget", queryset=LigneBudget.objects.all())
        )
        .order_by("dossier__numero")
    )

