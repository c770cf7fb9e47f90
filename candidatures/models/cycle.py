"""The lifecycle of a dossier in one screen: statuses, allowed moves, statuses before decision."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Statut(models.TextChoices):
    BROUILLON = "brouillon", _("brouillon")
    DEPOSE = "depose", _("déposé")
    EN_INSTRUCTION = "en_instruction", _("en instruction")
    A_CORRIGER = "a_corriger", _("à corriger")
    INSTRUIT = "instruit", _("instruit")
    RETENU = "retenu", _("retenu")
    NON_RETENU = "non_retenu", _("non retenu")
    CLASSE_SANS_SUITE = "classe_sans_suite", _("classé sans suite")
    EN_COURS = "en_cours", _("en cours de réalisation")
    BILAN_A_REMETTRE = "bilan_a_remettre", _("bilan à remettre")
    BILAN_DEPOSE = "bilan_depose", _("bilan déposé")
    BILAN_A_CORRIGER = "bilan_a_corriger", _("bilan à corriger")
    CLOTURE = "cloture", _("clôturé")
    RETIRE = "retire", _("retiré")


# The whole lifecycle, read by `changer_statut`: a move not listed here is refused.
TRANSITIONS = {
    Statut.BROUILLON: {Statut.DEPOSE, Statut.RETIRE},
    Statut.DEPOSE: {Statut.EN_INSTRUCTION, Statut.RETIRE},
    Statut.EN_INSTRUCTION: {Statut.A_CORRIGER, Statut.INSTRUIT, Statut.RETIRE},
    Statut.A_CORRIGER: {Statut.DEPOSE, Statut.RETIRE},
    Statut.INSTRUIT: {
        Statut.RETENU, Statut.NON_RETENU, Statut.CLASSE_SANS_SUITE, Statut.RETIRE
    },
    Statut.RETENU: {Statut.EN_COURS},
    Statut.EN_COURS: {Statut.BILAN_A_REMETTRE},
    Statut.BILAN_A_REMETTRE: {Statut.BILAN_DEPOSE},
    Statut.BILAN_DEPOSE: {Statut.BILAN_A_CORRIGER, Statut.CLOTURE},
    Statut.BILAN_A_CORRIGER: {Statut.BILAN_DEPOSE},
    Statut.NON_RETENU: set(),
    Statut.CLASSE_SANS_SUITE: set(),
    Statut.CLOTURE: set(),
    Statut.RETIRE: set(),
}
STATUTS_AVANT_DECISION = {
    Statut.BROUILLON, Statut.DEPOSE, Statut.EN_INSTRUCTION, Statut.A_CORRIGER, Statut.INSTRUIT
}
