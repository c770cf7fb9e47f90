"""The staff's list of bilans to validate: what it shows, how it is counted, how it is read."""

import datetime

import pytest
from django.db import connection
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from candidatures.commun.pagination import PaginateurBorne
from candidatures.models import Dossier
from evaluation.bilans import selectors
from evaluation.bilans.views.liste import lignes_a_valider
from evaluation.models import Bilan
from referentiel.models import Action
from tests.candidatures.factories import AppelAProjetsFactory, DossierFactory, StructureFactory
from tests.evaluation.factories import BilanFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db

# The row as the template wrote it before the rows were written in Python.
RANGEE_DU_GABARIT = Template(
    "{% load formats %}<tr>\n"
    "        <td><a href=\"{% url 'bilans:detail' b.dossier_id %}\">{{ b.dossier.reference }}</a>"
    "<span class=\"d-block small\">{{ b.dossier.intitule }}</span></td>\n"
    "        <td>{{ b.dossier.structure }}</td>\n"
    "        <td><span class=\"code\">{{ b.dossier.action_principale.code }}</span></td>\n"
    "        <td>{{ b.depose_le|date_longue }}</td>\n"
    "      </tr>"
)


def _depose(appel, depose_le, **dossier):
    return BilanFactory(
        dossier=DossierFactory(bilan_depose=True, appel=appel, **dossier), depose_le=depose_le
    )


def test_lignes_ecrites_comme_le_gabarit():
    """Each row written in Python is the HTML the template wrote: values escaped, the sigle
    beside the name, no action code when there is none, the day in Paris time (« 1er »)."""
    appel = AppelAProjetsFactory()
    action = Action.objects.filter(contrat=appel.contrat).order_by("code").first()
    # 23:30 UTC on 31 March is 1 April in Paris.
    tard = datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC)
    bilans = [
        _depose(appel, tard, intitule="Jardins <partagés> & « cafés »",
                structure=StructureFactory(raison_sociale="Les \"Amis\" d'Alès", sigle="A&A"),
                action_principale=action),
        _depose(appel, tard + datetime.timedelta(days=3),
                structure=StructureFactory(raison_sociale="Collectif <b>", sigle="")),
    ]
    user = UtilisateurFactory(instructeur=True)

    lignes = lignes_a_valider(selectors.bilans_a_valider(user))

    attendues = [
        RANGEE_DU_GABARIT.render(Context({"b": Bilan.objects.get(pk=b.pk)})) for b in bilans
    ]
    assert [ligne.html for ligne in lignes] == attendues
    assert [ligne.pk for ligne in lignes] == [b.pk for b in bilans]
    assert "1er avril 2026" in lignes[0].html
    assert "&lt;partagés&gt; &amp;" in lignes[0].html
    assert action.code in lignes[0].html


def test_seuls_les_bilans_qui_attendent_sont_lus_et_comptes(client):
    """Bilans to give, returned for corrections or validated are neither shown nor counted;
    the count (read from the dossiers) is the number of rows shown."""
    appel = AppelAProjetsFactory()
    debut = timezone.now() - datetime.timedelta(days=30)
    attendus = [_depose(appel, debut + datetime.timedelta(days=i)) for i in range(3)]
    BilanFactory(dossier=DossierFactory(bilan_a_remettre=True, appel=appel))
    BilanFactory(dossier=DossierFactory(bilan_a_corriger=True, appel=appel), depose_le=debut)
    BilanFactory(dossier=DossierFactory(cloture=True, appel=appel), depose_le=debut,
                 valide_le=debut + datetime.timedelta(days=1))
    user = UtilisateurFactory(instructeur=True)

    assert [v["pk"] for v in selectors.bilans_a_valider(user)] == [b.pk for b in attendus]
    assert selectors.dossiers_bilan_depose(user).count() == 3
    client.force_login(user)
    page = client.get(reverse("bilans:liste")).context["a_valider"]
    assert [ligne.pk for ligne in page] == [b.pk for b in attendus]
    assert page.paginator.count == 3


def test_le_compte_lit_la_requete_a_compter():
    """``a_compter`` is what the paginator counts (bounded), the list is what it shows."""
    appel = AppelAProjetsFactory()
    for _ in range(3):
        DossierFactory(bilan_depose=True, appel=appel)
    liste = Dossier.objects.order_by("pk")

    paginateur = PaginateurBorne(liste, 2, borne=5, a_compter=liste.filter(pk__lt=0))
    assert paginateur.count == 0
    assert PaginateurBorne(liste, 2, borne=2, a_compter=liste).depasse
    assert PaginateurBorne(liste, 2).count == 3


def _plan(requete):
    sql, parametres = requete.query.sql_with_params()
    with connection.cursor() as curseur:
        if connection.vendor == "postgresql":
            # Tables of a few rows are read whole by choice: forbid it, so that the plan says
            # which index the query can use.
            curseur.execute("SET LOCAL enable_seqscan = off")
            curseur.execute("SET LOCAL enable_bitmapscan = off")
            curseur.execute(f"EXPLAIN {sql}", parametres)
        else:
            curseur.execute(f"EXPLAIN QUERY PLAN {sql}", parametres)
        return " ".join(str(ligne) for ligne in curseur.fetchall())


def test_la_page_et_le_compte_lisent_leurs_index():
    """The page is read from the partial index of the bilans submitted and not validated (its
    filter implies the index's condition); the count from an index of the dossiers by call."""
    appel = AppelAProjetsFactory()
    _depose(appel, timezone.now())
    user = UtilisateurFactory(instructeur=True)

    assert "bilan_a_valider" in _plan(selectors.bilans_a_valider(user)[:51])
    compte = _plan(selectors.dossiers_bilan_depose(user).values("pk")[:501])
    if connection.vendor == "postgresql":
        # Which of the indexes on the call a tiny table gets varies; the dossiers are reached
        # through the user's calls, not read in key order.
        assert "Index Cond: (appel_id = " in compte
        assert "candidatures_dossier_pkey" not in compte
    else:
        assert "dossier_soumis_appel_statut" in compte
