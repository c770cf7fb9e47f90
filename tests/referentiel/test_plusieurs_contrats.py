"""Several contracts on one portal: codes per contract, catalogue, JSON, dossiers."""

import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from candidatures.commun.erreurs import ErreurMetier
from candidatures.dossiers.forms import IdentiteForm, ProjetForm
from candidatures.dossiers.services.eligibilite import action_eligible
from referentiel.models import Action, Contrat, Objectif, Pilier, Renvoi

from .factories import creer_contrat

pytestmark = pytest.mark.django_db

DEFAUT = "ales-agglomeration-2015"


@pytest.fixture
def autre():
    return creer_contrat("val-fictif-2024", nom="Contrat du Val-Fictif")


def test_les_memes_codes_existent_dans_deux_contrats(autre):
    """« 1.1.1.a » exists in each contract; twice in one contract is refused by the database."""

    assert Action.objects.filter(code="1.1.1.a").count() == 2
    assert {a.contrat.code for a in Action.objects.filter(code="1.1.1.a")} == {
        DEFAUT, "val-fictif-2024"
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Pilier.objects.create(contrat=autre, code="1", titre="Doublon")


def test_chaque_niveau_prend_le_contrat_de_son_parent(autre):
    """The contract of a level is copied from its parent: it cannot disagree with it."""

    objectif = Objectif.objects.get(contrat=autre, code="1.1.1")
    action = Action.objects.create(objectif=objectif, code="1.1.1.b", libelle="Covoiturage")

    assert action.contrat == autre
    with pytest.raises(ValidationError, match="existe déjà dans ce contrat"):
        Action(objectif=objectif, code="1.1.1.a", libelle="Doublon").full_clean()


def test_un_renvoi_ne_vise_pas_un_autre_contrat(autre):
    objectif = Objectif.objects.get(contrat=autre, code="1.1.1")
    cible = Objectif.objects.get(contrat__code=DEFAUT, code="1.1.3")

    with pytest.raises(ValidationError, match="même contrat"):
        Renvoi(objectif=objectif, ordre=1, cible_objectif=cible, texte="Cf. 1.1.3").full_clean()


def test_avec_un_seul_contrat_le_catalogue_reste_l_arbre(client):
    reponse = client.get(reverse("referentiel:index"))

    assertContains(reponse, "Fiches actions du contrat de ville")
    assertContains(reponse, "Pilier 1 : Cohésion sociale")
    assertNotContains(reponse, "Contrats de ville du portail")


def test_la_liste_des_contrats_en_une_requete(client, autre, django_assert_num_queries):
    """The public list of contracts (anonymous) reads the contracts once, not twice."""

    with django_assert_num_queries(1):
        reponse = client.get(reverse("referentiel:index"))

    assertContains(reponse, 'href="/referentiel/val-fictif-2024/"')


def test_la_liste_des_contrats_gardee_sans_requete(client, autre, django_assert_num_queries):
    """Seen again while the référentiel is unchanged, the list is served from the cache."""
    client.get(reverse("referentiel:index"))

    with django_assert_num_queries(0):
        reponse = client.get(reverse("referentiel:index"))

    assertContains(reponse, "Contrat du Val-Fictif")


def test_un_contrat_renomme_se_voit_aussitot(client, autre):
    """A change of the référentiel shows on the next page: the kept list is not served."""
    client.get(reverse("referentiel:index"))
    client.get(reverse("referentiel:contrat", args=[autre.code]))

    autre.nom = "Contrat du Val-Renommé"
    autre.save()
    Action.objects.filter(contrat=autre, code="1.1.1.a").update(libelle="Libellé inchangé")
    action = Action.objects.get(contrat=autre, code="1.1.1.a")
    action.libelle = "Tournées en minibus"
    action.save()

    assertContains(client.get(reverse("referentiel:index")), "Contrat du Val-Renommé")
    arbre = client.get(reverse("referentiel:contrat", args=[autre.code]))
    assertContains(arbre, "Tournées en minibus")
    assertContains(arbre, "<title>Fiches actions — Contrat du Val-Renommé")


def test_un_contrat_inconnu_reste_introuvable(client, autre):
    client.get(reverse("referentiel:contrat", args=[autre.code]))

    assert client.get(reverse("referentiel:contrat", args=["inconnu-1999"])).status_code == 404


def test_avec_plusieurs_contrats_le_catalogue_les_liste(client, autre):
    """/referentiel/ lists the contracts; each has its own tree, without the other's."""

    liste = client.get(reverse("referentiel:index"))
    arbre = client.get(reverse("referentiel:contrat", args=[autre.code]))

    assertContains(liste, "Contrats de ville du portail")
    assertContains(liste, f'href="/referentiel/{DEFAUT}/"')
    assertContains(liste, 'href="/referentiel/val-fictif-2024/"')
    assertContains(liste, "Engagements Quartiers 2030")
    assertContains(arbre, "Emploi et insertion")
    assertContains(arbre, "Les Fictives")
    assertNotContains(arbre, "Cohésion sociale")
    assertNotContains(arbre, "Prés-Saint-Jean")


def test_recherche_limitee_au_contrat(client, autre):
    reponse = client.get(reverse("referentiel:contrat", args=[autre.code]), {"q": "1.1.1"})

    assertContains(reponse, "Accompagner vers la mobilité")
    assertNotContains(reponse, "Accompagner les animations inter-quartiers")
    assertContains(reponse, 'href="/referentiel/val-fictif-2024/objectifs/1.1.1/"')


def test_page_objectif_du_bon_contrat(client, autre):
    reponse = client.get(reverse("referentiel:objectif", args=[autre.code, "1.1.1"]))
    seed = client.get(reverse("referentiel:objectif", args=[DEFAUT, "1.1.1"]))

    assertContains(reponse, "Accompagner vers la mobilité")
    assertContains(reponse, "Public des QPV majoritaire")
    assertContains(seed, "Accompagner les animations inter-quartiers")


def test_ancienne_adresse_dobjectif_mene_au_contrat_par_defaut(client, autre):
    reponse = client.get("/referentiel/objectifs/1.1.1/")

    assertRedirects(
        reponse, f"/referentiel/{DEFAUT}/objectifs/1.1.1/", status_code=301
    )


def test_contrat_inconnu_404_en_francais(client):
    reponse = client.get(reverse("referentiel:contrat", args=["inconnu"]))
    json_inconnu = client.get(reverse("api_contrat_referentiel", args=["inconnu"]))

    assertContains(
        reponse, escape("Aucun contrat de ville n'a le code « inconnu »"), status_code=404
    )
    assert json_inconnu.status_code == 404


def test_le_json_par_defaut_ne_change_pas_quand_un_contrat_sajoute(client):
    """/api/referentiel.json and exporter_referentiel keep serving the default contract."""

    avant = client.get(reverse("api_referentiel")).content
    creer_contrat("val-fictif-2024")
    apres = client.get(reverse("api_referentiel")).content
    sortie = StringIO()
    call_command("exporter_referentiel", stdout=sortie)

    assert apres == avant
    assert json.loads(sortie.getvalue()) == json.loads(avant)


def test_json_dun_contrat_meme_forme(client, autre):
    defaut = client.get(reverse("api_referentiel")).json()
    donnees = client.get(reverse("api_contrat_referentiel", args=[autre.code])).json()

    assert donnees.keys() == defaut.keys()
    assert donnees["contrat"].keys() == defaut["contrat"].keys()
    assert donnees["contrat"]["code"] == "val-fictif-2024"
    assert donnees["contrat"]["periode"] == {"debut": 2024, "fin": 2030}
    objectif = donnees["piliers"][0]["orientations"][0]["objectifs"][0]
    assert objectif.keys() == defaut["piliers"][0]["orientations"][0]["objectifs"][0].keys()
    assert objectif["actions"] == [{"code": "1.1.1.a", "libelle": "Auto-école sociale"}]
    assert objectif["indicateurs"] == [
        {"libelle": "Nombre de permis obtenus", "ventilation": "F/H"}
    ]


def test_un_dossier_ne_vise_que_les_actions_du_contrat_de_son_appel(autre):
    """The same code names a different action in each contract; a code of another contract
    only is refused with the usual message."""

    Action.objects.create(
        objectif=Objectif.objects.get(contrat=autre, code="1.1.1"), code="1.1.1.z",
        libelle="Seulement dans l'autre contrat",
    )
    defaut = Contrat.objects.par_defaut()

    assert action_eligible("1.1.1.a", autre).contrat == autre
    assert action_eligible("1.1.1.a", defaut).contrat == defaut
    with pytest.raises(ErreurMetier, match="Aucune action n'a le code « 1.1.1.z »"):
        action_eligible("1.1.1.z", defaut)
    form = IdentiteForm({"action_principale": "1.1.1.z"}, contrat=defaut)
    assert not form.is_valid() and "1.1.1.z" in form.errors["action_principale"][0]


def test_un_dossier_ne_propose_que_les_qpv_du_contrat(autre):
    defaut = Contrat.objects.par_defaut()

    choix_autre = {str(q) for q in ProjetForm(contrat=autre).fields["quartiers"].queryset}
    choix_defaut = {q.code for q in ProjetForm(contrat=defaut).fields["quartiers"].queryset}

    assert choix_autre == {"Les Fictives (Val-Fictif)"}
    assert "ales" in choix_defaut and "qpv-val-fictif-2024" not in choix_defaut


def test_deux_contrats_deposent_la_meme_annee_sans_collision(autre):
    """References are unique on the portal: a call of another contract the same year gets
    its own (the first contract keeps « AAP-AAAA-NNNN »)."""
    from tests.candidatures.factories import AppelAProjetsFactory
    from tests.evaluation.factories import dossier_depose

    appel_defaut = AppelAProjetsFactory()
    appel_autre = AppelAProjetsFactory(contrat=autre, annee=appel_defaut.annee)

    premier = dossier_depose(appel=appel_defaut)
    second = dossier_depose(appel=appel_autre)

    assert premier.reference == f"AAP-{appel_defaut.annee}-0001"
    assert second.reference == f"AAP-{appel_defaut.annee}-C{autre.pk}-0001"


def _dossier_alesien():
    from tests.candidatures.factories import AppelAProjetsFactory
    from tests.evaluation.factories import dossier_depose

    defaut = Contrat.objects.par_defaut()
    dossier = dossier_depose(appel=AppelAProjetsFactory())
    dossier.quartiers.set(defaut.quartiers.all()[:2])
    return dossier


def test_renouveler_sur_le_contrat_suivant_du_meme_territoire():
    """A 2015-contract dossier renewed on the successor contract's call: the action keeps its
    code in the new tree, only the new contract's QPV stay, and the old requirements' answers
    are not carried over (the porteur answers the new cahier des charges)."""
    from candidatures.dossiers.services.depot import appel_de_renouvellement, renouveler_dossier
    from tests.candidatures.factories import AppelAProjetsFactory

    source = _dossier_alesien()
    suivant = creer_contrat(
        "ales-2024", nom="Engagements Quartiers 2030 d'Alès",
        territoire=source.appel.contrat.territoire,
    )
    appel = AppelAProjetsFactory(contrat=suivant, annee=source.appel.annee + 1)
    assert source.reponses.exists() and source.quartiers.count() == 2

    assert appel_de_renouvellement(source) == appel
    nouveau = renouveler_dossier(source=source, appel=appel, par=source.cree_par)

    assert nouveau.action_principale == Action.objects.get(contrat=suivant, code="1.1.1.a")
    assert list(nouveau.quartiers.all()) == []
    assert not nouveau.reponses.exists()
    assert nouveau.intitule == source.intitule


def test_renouveler_prefere_le_meme_contrat_et_jamais_un_autre_territoire(autre):
    """Two open calls: the dossier's own contract wins; a call of another territory is never
    proposed, and the service refuses it."""
    from candidatures.dossiers.services.depot import appel_de_renouvellement, renouveler_dossier
    from tests.candidatures.factories import AppelAProjetsFactory

    source = _dossier_alesien()
    ailleurs = AppelAProjetsFactory(contrat=autre, annee=source.appel.annee + 1)
    assert appel_de_renouvellement(source) is None

    meme = AppelAProjetsFactory(annee=source.appel.annee + 1)
    assert appel_de_renouvellement(source) == meme
    with pytest.raises(ErreurMetier, match="même territoire"):
        renouveler_dossier(source=source, appel=ailleurs, par=source.cree_par)
    nouveau = renouveler_dossier(source=source, appel=meme, par=source.cree_par)
    assert nouveau.action_principale == source.action_principale
    assert set(nouveau.quartiers.all()) == set(source.quartiers.all())
    assert nouveau.reponses.count() == source.reponses.count()


def test_une_restauration_ne_laisse_pas_servir_les_pages_d_avant(
    client, autre, monkeypatch, tmp_path
):
    """A restoration writes the tables without signals: the pages kept before it are not served
    after it (the restored référentiel shows at once)."""
    from candidatures.management.commands import restaurer

    class BaseRestauree:
        def connecter(self):
            pass

        def decrire(self):
            return "base de test"

    def restaurer_les_tables(commande, archive, base, documents, ecraser):
        # What pg_restore / the SQLite copy does: rows replaced without any signal.
        Contrat.objects.filter(pk=autre.pk).update(nom="Contrat du Val-Restauré")
        return {"date": "2026-11-25", "base": {"tables": {"referentiel_contrat": 2}},
                "fichiers": ["manifeste.json"]}

    monkeypatch.setattr(restaurer, "base_de", lambda connexion: BaseRestauree())
    monkeypatch.setattr(restaurer.Command, "_restaurer", restaurer_les_tables)
    monkeypatch.setattr(restaurer.Command, "_verifier_schema", lambda commande: None)
    archive = tmp_path / "sauvegarde-portail.tar.gz"
    archive.write_bytes(b"")
    assertContains(client.get(reverse("referentiel:index")), "Contrat du Val-Fictif")

    call_command("restaurer", str(archive), "--ecraser", stdout=StringIO())

    assertContains(client.get(reverse("referentiel:index")), "Contrat du Val-Restauré")
