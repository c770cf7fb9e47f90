"""The lifecycle of a dossier in one screen: statuses, allowed moves, and the status groups."""

from django.db import models


class Statut(models.TextChoices):
    BROUILLON = "brouillon", "brouillon"
    DEPOSE = "depose", "déposé"
    EN_INSTRUCTION = "en_instruction", "en instruction"
    A_CORRIGER = "a_corriger", "à corriger"
    INSTRUIT = "instruit", "instruit"
    RETENU = "retenu", "retenu"
    NON_RETENU = "non_retenu", "non retenu"
    CLASSE_SANS_SUITE = "classe_sans_suite", "classé sans suite"
    EN_COURS = "en_cours", "en cours de réalisation"
    BILAN_A_REMETTRE = "bilan_a_remettre", "bilan à remettre"
    BILAN_DEPOSE = "bilan_depose", "bilan déposé"
    BILAN_A_CORRIGER = "bilan_a_corriger", "bilan à corriger"
    CLOTURE = "cloture", "clôturé"
    RETIRE = "retire", "retiré"


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

# Before the comité's decision: the structure may still withdraw its dossier.
STATUTS_AVANT_DECISION = {
    Statut.BROUILLON, Statut.DEPOSE, Statut.EN_INSTRUCTION, Statut.A_CORRIGER, Statut.INSTRUIT
}
# In the instructeurs' hands, not yet concluded: they assign and instruct it.
STATUTS_EN_COURS_INSTRUCTION = {Statut.DEPOSE, Statut.EN_INSTRUCTION, Statut.A_CORRIGER}
# The action is under way: the structure types its bilan, and is reminded to before the deadline.
STATUTS_SAISIE = {Statut.EN_COURS, Statut.BILAN_A_REMETTRE, Statut.BILAN_A_CORRIGER}
# The dossier has a bilan stage: being typed, submitted or closed.
STATUTS_BILAN = STATUTS_SAISIE | {Statut.BILAN_DEPOSE, Statut.CLOTURE}
# Counted as retained in the figures: the decision and every stage after it.
STATUTS_RETENUS = [
    Statut.RETENU, Statut.EN_COURS, Statut.BILAN_A_REMETTRE, Statut.BILAN_DEPOSE,
    Statut.BILAN_A_CORRIGER, Statut.CLOTURE,
]
# Counted as refused in the figures.
STATUTS_REFUSES = [Statut.NON_RETENU]
