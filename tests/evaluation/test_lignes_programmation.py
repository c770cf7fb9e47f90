"""The programmation's awaiting rows, written in Python: the same fields as Django's, every
text escaped."""

import datetime

import pytest

from candidatures.models import Dossier
from evaluation.instruction.forms import LignesProgrammationFormSet
from evaluation.models import Decision
from evaluation.templatetags import programmation as lignes_programmation

from .factories import UtilisateurFactory, dossier_instruit
from .test_programmation import _ligne, _programmation, _url

pytestmark = pytest.mark.django_db


@pytest.fixture
def comite():
    return UtilisateurFactory(comite=True)


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
