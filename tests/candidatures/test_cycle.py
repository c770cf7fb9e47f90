"""The dossier lifecycle, pinned as written in the README, and the table's consistency.

The expectations are written out by hand from the README's sentence — not computed from
``TRANSITIONS`` — so a wrong entry in the table fails here.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from candidatures.models import TRANSITIONS, Statut

# « brouillon → déposé → en instruction → (à corriger → déposé) → instruit → retenu / non retenu /
# classé sans suite ; retenu → en cours de réalisation → bilan à remettre → bilan déposé →
# (bilan à corriger) → clôturé ; retiré avant la décision. »
PASSAGES_PERMIS = [
    ("brouillon", "depose"),
    ("depose", "en_instruction"),
    ("en_instruction", "a_corriger"),
    ("a_corriger", "depose"),
    ("en_instruction", "instruit"),
    ("instruit", "retenu"),
    ("instruit", "non_retenu"),
    ("instruit", "classe_sans_suite"),
    ("retenu", "en_cours"),
    ("en_cours", "bilan_a_remettre"),
    ("bilan_a_remettre", "bilan_depose"),
    ("bilan_depose", "bilan_a_corriger"),
    ("bilan_a_corriger", "bilan_depose"),
    ("bilan_depose", "cloture"),
    # Withdrawal, before the decision only.
    ("brouillon", "retire"),
    ("depose", "retire"),
    ("en_instruction", "retire"),
    ("a_corriger", "retire"),
    ("instruit", "retire"),
]
TERMINAUX = {"non_retenu", "classe_sans_suite", "cloture", "retire"}


def test_la_table_est_celle_du_readme():
    """The table allows exactly the moves the README describes, no more, no fewer."""
    dans_la_table = {(de, vers) for de, suivants in TRANSITIONS.items() for vers in suivants}

    assert dans_la_table == set(PASSAGES_PERMIS)


def test_chaque_statut_a_une_ligne_dans_la_table():
    assert set(TRANSITIONS) == set(Statut)


def test_tout_statut_est_atteignable_depuis_le_brouillon():
    atteints, a_voir = {Statut.BROUILLON}, [Statut.BROUILLON]
    while a_voir:
        for suivant in TRANSITIONS[a_voir.pop()]:
            if suivant not in atteints:
                atteints.add(suivant)
                a_voir.append(suivant)

    assert atteints == set(Statut)


def test_les_statuts_terminaux_n_ont_pas_de_sortie_et_les_autres_en_ont():
    sans_sortie = {statut for statut, suivants in TRANSITIONS.items() if not suivants}

    assert sans_sortie == TERMINAUX


def _classes_des_pastilles():
    feuille = Path(settings.BASE_DIR, "static", "css", "portail.css").read_text()
    return set(re.findall(r"\.statut-([a-z_]+)", feuille))


@pytest.mark.parametrize("statut", list(Statut))
def test_chaque_statut_a_un_libelle_et_une_pastille(statut):
    """A French label for the pages and a badge colour in the style sheet."""
    assert statut.label.strip() and "_" not in statut.label
    assert statut.value in _classes_des_pastilles()


def test_les_libelles_sont_distincts():
    assert len({statut.label for statut in Statut}) == len(Statut)
