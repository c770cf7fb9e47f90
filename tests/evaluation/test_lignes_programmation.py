"""The programmation's awaiting rows, written in Python: the same fields as Django's, every
text escaped."""

import datetime

import pytest

from candidatures.models import Dossier
from evaluation.instruction.forms import LignesProgrammationFormSet
from evaluation.instruction.selectors.programmation import LigneADecider
from evaluation.models import Decision
from evaluation.templatetags import programmation as lignes_programmation

from .factories import dossier_instruit
from .test_programmation import _ligne, _programmation, _url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("donnees", [
    None,
    _programmation(_ligne(0, type("D", (), {"pk": 7}), nature="retenu", montant_accorde="-3",
                          date_limite_bilan="pas une date", versement="inconnu",
                          conditions='<b>"a" & b</b>', motif="x")),
])
def test_les_lignes_ecrites_en_python_donnent_les_champs_de_django(donnees):
    """Each input of a row, written by the page's rows in Python, is the HTML Django writes
    for that field: value, required, invalid and described by its error when invalid."""
    initial = [{"dossier": 7, "date_limite_bilan": datetime.date(2027, 6, 30),
                "versement": Decision.Versement.UNIQUE}]
    formset = LignesProgrammationFormSet(donnees, initial=initial)
    form = formset.forms[0]
    if donnees:
        assert not form.is_valid()

    for champ in form:
        assert lignes_programmation.champ(champ) == str(champ), champ.name


def _lignes_a_decider():
    """Three awaiting rows as the page reads them: with and without a proposed amount, one
    whose reference needs escaping."""
    lignes = []
    for pk, reference, propose in ((7, "AAP-2027-0007", 1500), (8, "AAP-2027-0008", None),
                                   (12, 'AAP<"&>-12', 250)):
        valeurs = {
            "pk": pk, "reference": reference, "intitule": f"Action {pk}",
            "structure__raison_sociale": "Association du quartier", "structure__sigle": "",
            "action_principale__code": "1.1.1.a",
            "action_principale__objectif__orientation__pilier_id": 1,
            "instruction__avis": "favorable", "instruction__synthese": "",
            "instruction__montant_demande": 2000, "instruction__montant_propose": propose,
        }
        lignes.append(LigneADecider(valeurs, propose))
    return lignes


@pytest.mark.parametrize("peut_decider", [True, False])
def test_une_page_non_envoyee_ecrit_ses_lignes_comme_leurs_formulaires(peut_decider):
    """An unbound page writes its rows from one model of the fields: the HTML of every row is
    the one its own form gives (index, dossier and reference in each name, id and label)."""
    lignes = _lignes_a_decider()
    initial = [{"dossier": d.pk, "date_limite_bilan": datetime.date(2027, 6, 30),
                "versement": Decision.Versement.UNIQUE} for d in lignes]
    formset = LignesProgrammationFormSet(initial=initial)

    modele = lignes_programmation.formulaires_des_lignes(formset)
    formulaires = [lignes_programmation.Formulaire(f) for f in formset.forms]

    ecrites = lignes_programmation.ecrire_lignes(lignes, modele, peut_decider)
    assert ecrites == lignes_programmation.ecrire_lignes(lignes, formulaires, peut_decider)
    assert 'name="form-2-dossier" value="12"' in ecrites or not peut_decider
    assert "\ue000" not in ecrites and "\ue001" not in ecrites and "\ue002" not in ecrites


def test_des_lignes_aux_valeurs_initiales_differentes_ont_chacune_leur_formulaire():
    """Rows whose initial values differ (other than the dossier) are written from their own
    forms, never from a model that would give them the first row's values."""
    lignes = _lignes_a_decider()[:2]
    initial = [{"dossier": 7, "date_limite_bilan": datetime.date(2027, 6, 30)},
               {"dossier": 8, "date_limite_bilan": datetime.date(2028, 6, 30)}]
    formset = LignesProgrammationFormSet(initial=initial)

    ecrites = lignes_programmation.lignes_a_decider(lignes, formset, True)

    assert 'name="form-1-date_limite_bilan" value="2028-06-30"' in ecrites


def test_les_textes_d_une_ligne_sont_echappes(client, comite):
    """What a porteur or an instructor typed is shown as text, never as HTML."""
    dossier = dossier_instruit()
    Dossier.objects.filter(pk=dossier.pk).update(intitule='<b>Atelier</b> & "co"')
    dossier.instruction.synthese = "Première ligne\r\n<script>alert(1)</script>"
    dossier.instruction.save()
    client.force_login(comite)

    contenu = client.get(_url(dossier.appel)).content.decode()

    assert "&lt;b&gt;Atelier&lt;/b&gt; &amp; &quot;co&quot;" in contenu
    assert "Première ligne<br>&lt;script&gt;alert(1)&lt;/script&gt;" in contenu
    assert "<script>alert(1)" not in contenu
