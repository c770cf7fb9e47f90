"""With several contracts on the portal, a call's pages list its own contract's tree and QPV."""

import pytest
from django.urls import reverse

from evaluation.management.volume import copier_contrat
from referentiel.models import Contrat, Objectif, Orientation, Pilier

from .factories import AppelAProjetsFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contrats():
    defaut = Contrat.objects.par_defaut()
    return {"defaut": defaut, "copie": copier_contrat(defaut, "volume-01")}


@pytest.mark.parametrize("lequel", ["defaut", "copie"])
def test_les_filtres_de_la_file_sont_ceux_du_contrat_de_l_appel(client, contrats, lequel):
    """Piliers, orientations, objectives and QPV offered are the call's contract's, no other."""
    contrat = contrats[lequel]
    appel = AppelAProjetsFactory(contrat=contrat)
    client.force_login(UtilisateurFactory(instructeur=True, roles__contrat=contrat))

    form = client.get(reverse("evaluation:file", args=[appel.pk])).context["form"]

    for champ, modele in (("pilier", Pilier), ("orientation", Orientation)):
        assert set(form.fields[champ].queryset) == set(modele.objects.filter(contrat=contrat))
    assert set(form.fields["objectif"].queryset) == set(
        Objectif.objects.filter(contrat=contrat, hors_appel_a_projets=False)
    )
    assert set(form.fields["qpv"].queryset) == set(contrat.quartiers.all())


@pytest.mark.parametrize("lequel", ["defaut", "copie"])
def test_la_programmation_totalise_les_piliers_du_contrat(client, contrats, lequel):
    """The totals per pilier are the call's contract's piliers, each once."""
    contrat = contrats[lequel]
    appel = AppelAProjetsFactory(contrat=contrat)
    client.force_login(UtilisateurFactory(comite=True, roles__contrat=contrat))

    prog = client.get(reverse("evaluation:programmation", args=[appel.pk])).context["prog"]

    assert [t.pilier for t in prog.piliers] == list(
        Pilier.objects.filter(contrat=contrat).order_by("ordre")
    )
