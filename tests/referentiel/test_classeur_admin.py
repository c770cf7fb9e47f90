"""The admin pages of the workbook: upload, preview, confirmation; export; template; copy."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from candidatures.models import Habilitation
from referentiel.classeur import attente
from referentiel.classeur.ecriture import XLSX, contenu_des_feuilles, modele_vierge
from referentiel.classeur.extraction import exporter_contrat
from referentiel.models import Contrat, Generation
from tests.candidatures.factories import UtilisateurFactory

from .outils_classeur import ajouter, comptes, exemple, modifier

pytestmark = pytest.mark.django_db
EXEMPLE = "exemple-val-fictif-2024"
IMPORTER = "admin:referentiel_contrat_importer"


@pytest.fixture
def administrateur(client):
    user = UtilisateurFactory(administrateur=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def personnel(client):
    """Staff of a territory, who may read contracts in the admin, but not load nor copy them."""
    user = UtilisateurFactory(is_staff=True)
    contrat = Contrat.objects.par_defaut()
    Habilitation.objects.create(
        utilisateur=user, role="administrateur", territoire=contrat.territoire
    )
    assert user.est_administrateur_de(contrat.pk) and not user.est_administrateur_portail
    user.user_permissions.add(Permission.objects.get(codename="view_contrat"))
    client.force_login(user)
    return user


def _televerser(client, donnees, **champs):
    fichier = SimpleUploadedFile("contrat.xlsx", donnees, content_type=XLSX)
    return client.post(reverse(IMPORTER), {"fichier": fichier, **champs})


def _en_attente(jeton=None):
    """The workbook kept under ``jeton``; without it, every workbook kept."""
    dossier = Path(settings.MEDIA_ROOT) / attente.DOSSIER
    if jeton:
        return dossier / f"{jeton}.xlsx"
    return set(dossier.glob("*.xlsx")) if dossier.exists() else set()


def test_liste_des_contrats_avec_les_boutons(client, administrateur):
    reponse = client.get(reverse("admin:referentiel_contrat_changelist"))

    assertContains(reponse, "Importer un classeur")
    assertContains(reponse, "Télécharger le modèle vierge")
    assertContains(reponse, "Copier vers un nouveau contrat")


def test_televerser_apercu_puis_confirmer(client, administrateur):
    avant = comptes()
    exemple_envoye = exemple()

    reponse = _televerser(client, exemple_envoye)

    assert reponse.status_code == 200
    assertContains(reponse, "Le classeur est valide.")
    assertContains(reponse, 'value="Confirmer l\'import"')
    assertContains(reponse, "<caption>Changements par feuille</caption>", html=False)
    assertContains(reponse, "Actions — création : 1.1.1.a")
    assert comptes() == avant  # the preview writes nothing
    jeton = reponse.context["jeton"]
    assert _en_attente(jeton).read_bytes() == exemple_envoye  # kept server-side, not sent again

    reponse = client.post(reverse("admin:referentiel_contrat_confirmer"), {"jeton": jeton})

    contrat = Contrat.objects.get(code=EXEMPLE)
    assert reponse.status_code == 302
    assert reponse.url == reverse("admin:referentiel_contrat_change", args=[contrat.pk])
    assert contrat.piliers.count() == 2
    assert not _en_attente(jeton).exists()
    suite = client.get(reponse.url)
    assertContains(suite, f"Contrat {EXEMPLE} importé depuis « contrat.xlsx »")


def test_code_et_nom_saisis_au_televersement(client, administrateur):
    reponse = _televerser(client, exemple(), contrat="val-fictif", nom="Contrat du Val")
    client.post(reverse("admin:referentiel_contrat_confirmer"), {"jeton": reponse.context["jeton"]})

    assert Contrat.objects.get(code="val-fictif").nom == "Contrat du Val"


def test_erreurs_listees_sous_le_champ_du_fichier(client, administrateur):
    avant, en_attente = comptes(), _en_attente()
    donnees = modifier(exemple(), ajouter("Actions", "1.1.9.a", "Orpheline"))

    reponse = _televerser(client, donnees, contrat="val-fictif", nom="Mon contrat")

    assert reponse.status_code == 200
    assertContains(reponse, 'id="id_fichier_error"')
    assertContains(
        reponse,
        "Feuille Actions, ligne 14, colonne Code : l&#x27;action 1.1.9.a n&#x27;a pas "
        "d&#x27;objectif 1.1.9 dans le classeur.",
    )
    # What was typed is kept.
    assertContains(reponse, 'value="val-fictif"')
    assertContains(reponse, 'value="Mon contrat"')
    assert comptes() == avant
    assert _en_attente() == en_attente  # nothing kept for a refused workbook


def test_fichier_qui_n_est_pas_un_classeur(client, administrateur):
    reponse = _televerser(client, b"pas un classeur")

    assertContains(reponse, "le fichier n&#x27;est pas un classeur Excel (.xlsx) lisible.")


def test_jeton_inconnu_ou_d_un_autre(client, administrateur):
    reponse = _televerser(client, exemple())
    jeton = reponse.context["jeton"]
    autre = UtilisateurFactory(administrateur=True, is_superuser=True)
    client.force_login(autre)

    reponse = client.post(reverse("admin:referentiel_contrat_confirmer"), {"jeton": jeton},
                          follow=True)

    assertContains(reponse, "Le classeur déposé n&#x27;est plus disponible")
    assert not Contrat.objects.filter(code=EXEMPLE).exists()
    reponse = client.post(reverse("admin:referentiel_contrat_confirmer"), {"jeton": "../../x"})
    assert reponse.status_code == 302


def test_annuler_efface_le_fichier(client, administrateur):
    reponse = _televerser(client, exemple())

    jeton = reponse.context["jeton"]
    assert _en_attente(jeton).exists()

    client.post(reverse("admin:referentiel_contrat_annuler"), {"jeton": jeton})

    assert not _en_attente(jeton).exists()
    assert not Contrat.objects.filter(code=EXEMPLE).exists()


def test_exporter_le_classeur_d_un_contrat(client, administrateur):
    contrat = Contrat.objects.par_defaut()
    fiche = client.get(reverse("admin:referentiel_contrat_change", args=[contrat.pk]))
    url = reverse("admin:referentiel_contrat_exporter", args=[contrat.pk])
    assertContains(fiche, url)

    reponse = client.get(url)

    assert reponse["Content-Type"] == XLSX
    assert f'filename="contrat-{contrat.code}.xlsx"' in reponse["Content-Disposition"]
    assert contenu_des_feuilles(reponse.content) == contenu_des_feuilles(
        exporter_contrat(contrat)
    )


def test_telecharger_le_modele_vierge(client, personnel):
    reponse = client.get(reverse("admin:referentiel_contrat_modele"))

    assert reponse.status_code == 200
    assert contenu_des_feuilles(reponse.content) == contenu_des_feuilles(modele_vierge())


def _copier(client, source, **champs):
    donnees = {"action": "copier_vers_nouveau_contrat", "_selected_action": [source.pk], **champs}
    return client.post(reverse("admin:referentiel_contrat_changelist"), donnees)


def test_copier_vers_un_nouveau_contrat(client, administrateur):
    source = Contrat.objects.par_defaut()
    generation = Generation.objects.create(
        code="engagements-quartiers-2030", nom="Engagements Quartiers 2030",
        annee_debut=2024, annee_fin=2030,
    )

    formulaire = _copier(client, source)

    assertContains(formulaire, "Copier le contrat ales-agglomeration-2015")
    assertContains(formulaire, 'value="ales-agglomeration-2015-copie"')

    reponse = _copier(
        client, source, confirmer="1", code="ales-2024", nom="Contrat d'Alès 2024",
        generation=generation.pk, territoire=source.territoire_id,
    )

    copie = Contrat.objects.get(code="ales-2024")
    assert reponse.status_code == 302
    assert copie.generation == generation
    assert copie.piliers.count() == source.piliers.count()


def test_copier_vers_un_code_pris(client, administrateur):
    source = Contrat.objects.par_defaut()
    avant = comptes()

    reponse = _copier(
        client, source, confirmer="1", code=source.code, nom="Doublon",
        generation=source.generation_id, territoire=source.territoire_id,
    )

    assertContains(reponse, "Le contrat « ales-agglomeration-2015 » existe déjà.")
    assert comptes() == avant


def test_le_personnel_ne_peut_ni_importer_ni_copier(client, personnel):
    liste = client.get(reverse("admin:referentiel_contrat_changelist"))
    assert liste.status_code == 200
    assertNotContains(liste, "Importer un classeur")
    assertNotContains(liste, "Copier vers un nouveau contrat")
    assert client.get(reverse(IMPORTER)).status_code == 403
    assert _televerser(client, exemple()).status_code == 403
    confirmer = client.post(reverse("admin:referentiel_contrat_confirmer"), {"jeton": "x"})
    assert confirmer.status_code == 403
    avant = comptes()

    _copier(client, Contrat.objects.par_defaut(), confirmer="1", code="ales-2024", nom="X",
            generation=Contrat.objects.par_defaut().generation_id,
            territoire=Contrat.objects.par_defaut().territoire_id)

    assert comptes() == avant


def test_anonyme_renvoye_a_la_connexion(client):
    for nom in (IMPORTER, "admin:referentiel_contrat_modele"):
        reponse = client.get(reverse(nom))
        assert reponse.status_code == 302
        assert f"next={reverse(nom)}" in reponse.url
