"""Loading a contract from its workbook: round trip, idempotence, preview, updates, removals."""

import datetime

import pytest

from referentiel.classeur.chargement import importer_classeur
from referentiel.classeur.ecriture import contenu_des_feuilles
from referentiel.classeur.erreurs import ClasseurInvalide
from referentiel.classeur.extraction import exporter_contrat
from referentiel.models import (
    Action,
    Contrat,
    Exigence,
    Indicateur,
    Objectif,
    QuartierPrioritaire,
    Renvoi,
    Territoire,
)
from referentiel.selectors import referentiel_en_dict
from tests.candidatures.factories import AppelAProjetsFactory, DossierFactory

from .outils_classeur import (
    ajouter,
    comptes,
    ecrire,
    erreurs_d_import,
    exemple,
    modifier,
    supprimer_ligne,
    valeur_contrat,
)

pytestmark = pytest.mark.django_db
EXEMPLE = "exemple-val-fictif-2024"


@pytest.fixture
def contrat_2015():
    return Contrat.objects.select_related("territoire", "generation").par_defaut()


def test_aller_retour_du_contrat_2015(contrat_2015):
    """Export the 2015 contract, import it under a new code: the same tree, the same file."""
    classeur = exporter_contrat(contrat_2015)

    rapport = importer_classeur(classeur, "ales-copie")

    copie = Contrat.objects.get(code="ales-copie")
    assert rapport.contrat_cree and rapport.contrat == copie
    original, importe = referentiel_en_dict(contrat_2015), referentiel_en_dict(copie)
    assert original.pop("contrat")["code"] != importe.pop("contrat")["code"]
    assert importe == original
    assert set(copie.quartiers.all()) == set(contrat_2015.quartiers.all())
    # export(import(x)) == x, but for the code of the contract.
    avant, apres = contenu_des_feuilles(classeur), contenu_des_feuilles(exporter_contrat(copie))
    assert avant["Contrat"].pop(1)[:2] == ["Code du contrat", contrat_2015.code]
    assert apres["Contrat"].pop(1)[:2] == ["Code du contrat", "ales-copie"]
    assert apres == avant


def test_reimporter_le_meme_classeur_ne_change_rien(contrat_2015):
    classeur = exporter_contrat(contrat_2015)
    avant = comptes()
    pks = set(Action.objects.filter(contrat=contrat_2015).values_list("pk", flat=True))

    rapport = importer_classeur(classeur, contrat_2015.code)

    assert (rapport.crees, rapport.modifies, rapport.supprimes) == (0, 0, 0)
    assert rapport.inchanges > 600
    assert comptes() == avant
    assert set(Action.objects.filter(contrat=contrat_2015).values_list("pk", flat=True)) == pks


def test_exemple_importe_deux_fois_sans_rien_changer_la_seconde():
    premier = importer_classeur(exemple())
    second = importer_classeur(exemple())

    assert premier.contrat_cree and premier.crees == 48
    assert not second.contrat_cree
    assert (second.crees, second.modifies, second.supprimes) == (0, 0, 0)
    assert second.inchanges == 48


def test_import_a_blanc_n_ecrit_rien_et_donne_l_apercu():
    importer_classeur(exemple())
    donnees = modifier(
        exemple(),
        ecrire("Actions", 2, "Libellé", "Ateliers d'aide aux devoirs et de lecture"),
        ajouter("Actions", "1.1.1.c", "Club de lecture"),
        supprimer_ligne("Actions", 3),
    )
    avant = comptes()

    rapport = importer_classeur(donnees, a_blanc=True)

    assert comptes() == avant
    assert Action.objects.get(contrat__code=EXEMPLE, code="1.1.1.a").libelle == (
        "Ateliers d'aide aux devoirs après la classe"
    )
    actions = rapport.comptes["Actions"]
    assert (actions.crees, actions.modifies, actions.inchanges, actions.supprimes) == (1, 1, 10, 1)
    textes = [str(c) for c in rapport.changements]
    assert (
        "Actions — modification : 1.1.1.a (libellé : « Ateliers d'aide aux devoirs après la "
        "classe » → « Ateliers d'aide aux devoirs et de lecture »)"
    ) in textes
    assert "Actions — création : 1.1.1.c (« Club de lecture »)" in textes
    assert "Actions — suppression : 1.1.1.b" in textes


def test_import_a_blanc_d_un_nouveau_contrat_ne_cree_rien():
    avant = comptes()

    rapport = importer_classeur(exemple(), a_blanc=True)

    assert rapport.contrat_cree and rapport.crees == 48
    assert comptes() == avant


def test_les_lignes_sont_mises_a_jour_sur_place():
    importer_classeur(exemple())
    action = Action.objects.get(contrat__code=EXEMPLE, code="1.1.1.a")
    exigence = Exigence.objects.get(
        objectif__contrat__code=EXEMPLE, objectif__code="1.1.1", ordre=2
    )
    donnees = modifier(
        exemple(),
        ecrire("Actions", 2, "Libellé", "Nouveau libellé"),
        ecrire("Cahier des charges", 3, "Texte", "Texte révisé"),
        ecrire("Indicateurs", 2, "Ventilation", "F/H et F/G"),
    )

    importer_classeur(donnees)

    assert Action.objects.get(pk=action.pk).libelle == "Nouveau libellé"
    assert Exigence.objects.get(pk=exigence.pk).texte == "Texte révisé"
    assert Indicateur.objects.get(
        objectif__contrat__code=EXEMPLE, objectif__code="1.1.1", ordre=1
    ).ventilation == "FH_FG"


def test_l_ordre_des_lignes_donne_l_ordre_de_presentation():
    importer_classeur(exemple())

    def permuter(livre):
        feuille = livre["Actions"]
        a, b = feuille["A2"].value, feuille["B2"].value
        feuille["A2"], feuille["B2"] = feuille["A3"].value, feuille["B3"].value
        feuille["A3"], feuille["B3"] = a, b

    importer_classeur(modifier(exemple(), permuter))

    objectif = Objectif.objects.get(contrat__code=EXEMPLE, code="1.1.1")
    assert [a.code for a in objectif.actions.order_by("ordre")] == ["1.1.1.b", "1.1.1.a"]


def test_les_elements_absents_sont_supprimes():
    importer_classeur(exemple())
    # Without objective 1.1.2: its line in Objectifs, its actions, cahier and indicator.
    donnees = modifier(
        exemple(),
        supprimer_ligne("Indicateurs", 4),
        supprimer_ligne("Actions", 5), supprimer_ligne("Actions", 4),
        supprimer_ligne("Cahier des charges", 4),
        supprimer_ligne("Objectifs", 3),
    )

    rapport = importer_classeur(donnees)

    assert rapport.supprimes == 5
    assert not Objectif.objects.filter(contrat__code=EXEMPLE, code="1.1.2").exists()
    assert not Action.objects.filter(contrat__code=EXEMPLE, code__startswith="1.1.2").exists()


def test_suppression_refusee_quand_un_dossier_pointe_l_action():
    importer_classeur(exemple())
    contrat = Contrat.objects.get(code=EXEMPLE)
    dossier = DossierFactory(
        appel=AppelAProjetsFactory(contrat=contrat), intitule="Ateliers du mercredi",
        action_principale=Action.objects.get(contrat=contrat, code="1.1.1.b"),
    )
    donnees = modifier(
        exemple(),
        ecrire("Piliers", 2, "Titre", "Titre changé"),
        supprimer_ligne("Actions", 3),
    )
    avant = comptes()

    erreurs = erreurs_d_import(donnees, EXEMPLE)

    assert erreurs == [
        "Feuille Actions : l'action 1.1.1.b n'est plus dans le classeur, mais des données y "
        f"renvoient encore : 1 dossier (action principale) : {dossier}. Remettez la ligne dans "
        "le classeur, ou retirez d'abord ces références."
    ]
    assert comptes() == avant
    assert contrat.piliers.get(code="1").titre == "Cohésion sociale"


def test_un_renvoi_peut_changer_de_cible():
    importer_classeur(exemple())

    importer_classeur(modifier(exemple(), ecrire("Renvois", 2, "Cible", "1.2")))

    renvoi = Renvoi.objects.get(objectif__contrat__code=EXEMPLE)
    assert renvoi.cible_objectif is None
    assert renvoi.cible_orientation.code == "1.2"
    assert renvoi.cible_orientation.contrat.code == EXEMPLE


def test_la_liste_des_qpv_du_contrat_est_celle_du_classeur():
    importer_classeur(exemple())
    contrat = Contrat.objects.get(code=EXEMPLE)
    donnees = modifier(
        exemple(),
        supprimer_ligne("QPV", 3),
        ajouter("QPV", "val-fictif-la-gare", "La Gare", "Imaginac", "QN09999X", None,
                datetime.date(2024, 1, 1), None),
        ecrire("QPV", 2, "Valide au", datetime.date(2030, 12, 31)),
    )

    rapport = importer_classeur(donnees)

    qpv = rapport.comptes["QPV"]
    assert (qpv.crees, qpv.modifies, qpv.supprimes) == (1, 1, 1)
    assert sorted(contrat.quartiers.values_list("code", flat=True)) == [
        "val-fictif-la-gare", "val-fictif-les-tilleuls"
    ]
    assert not QuartierPrioritaire.objects.filter(code="val-fictif-centre-bourg").exists()
    assert contrat.quartiers.get(code="val-fictif-les-tilleuls").valide_au == datetime.date(
        2030, 12, 31
    )


def test_un_qpv_garde_par_un_autre_contrat_est_seulement_retire():
    importer_classeur(exemple())
    importer_classeur(exemple(), "exemple-bis")

    importer_classeur(modifier(exemple(), supprimer_ligne("QPV", 3)))

    assert Contrat.objects.get(code=EXEMPLE).quartiers.count() == 1
    assert Contrat.objects.get(code="exemple-bis").quartiers.count() == 2


def test_code_officiel_deja_pris_dans_la_generation():
    importer_classeur(exemple())
    importer_classeur(
        modifier(exemple(), ecrire("QPV", 2, "Code officiel", "QN09001A")), "exemple-bis"
    )
    donnees = modifier(
        exemple(), supprimer_ligne("QPV", 2), ecrire("QPV", 2, "Code officiel", "QN09001A")
    )

    erreurs = erreurs_d_import(donnees, "exemple-ter")

    assert erreurs == [
        "Feuille QPV, ligne 2, colonne Code officiel : le code officiel QN09001A est déjà celui "
        "du quartier « val-fictif-les-tilleuls » de cette génération."
    ]


def test_un_import_ne_change_pas_la_generation_d_un_contrat(contrat_2015):
    donnees = modifier(exemple(), valeur_contrat("Code du contrat", contrat_2015.code))
    avant = comptes()

    erreurs = erreurs_d_import(donnees, contrat_2015.code)

    assert (
        "Feuille Contrat, ligne 4, colonne Valeur : le contrat ales-agglomeration-2015 est "
        "rattaché à « ales-agglomeration », pas à « val-fictif » : un import ne change ni son "
        "territoire ni sa génération (copiez le contrat pour en commencer un autre)."
    ) in erreurs
    assert comptes() == avant


def test_le_territoire_et_la_generation_sont_crees_puis_reutilises():
    importer_classeur(exemple())
    importer_classeur(exemple(), "exemple-bis", nom="Un autre exemple")

    territoire = Territoire.objects.get(code="val-fictif")
    assert territoire.contrats.count() == 2
    assert Contrat.objects.get(code="exemple-bis").nom == "Un autre exemple"
    assert Contrat.objects.get(code=EXEMPLE).generation.nom == "Engagements Quartiers 2030"


def test_code_et_nom_du_contrat_donnes_a_l_import():
    donnees = modifier(
        exemple(), valeur_contrat("Code du contrat", None), valeur_contrat("Nom du contrat", None)
    )

    assert erreurs_d_import(donnees, None) == [
        "Feuille Contrat : aucun code de contrat : renseignez « Code du contrat » ou donnez-le à "
        "l'import."
    ]
    assert erreurs_d_import(donnees, "val-fictif-2024") == [
        "Feuille Contrat, ligne 3, colonne Valeur : le nom du contrat manque (ou dépasse 255 "
        "caractères) : renseignez « Nom du contrat », ou donnez-le à l'import."
    ]
    rapport = importer_classeur(donnees, "val-fictif-2024", nom="Contrat du Val-Fictif")
    assert rapport.contrat.nom == "Contrat du Val-Fictif"


def test_un_classeur_invalide_ne_laisse_aucune_trace():
    """The failure happens before any write, even of the territory or generation."""
    donnees = modifier(exemple(), ajouter("Actions", "1.1.9.a", "Orpheline"))
    avant = comptes()

    with pytest.raises(ClasseurInvalide):
        importer_classeur(donnees)

    assert comptes() == avant
    assert not Territoire.objects.filter(code="val-fictif").exists()


def test_une_cible_peut_nommer_son_propre_contrat():
    donnees = modifier(exemple(), ecrire("Renvois", 2, "Cible", f"{EXEMPLE}:2.1.1"))

    importer_classeur(donnees, "val-fictif-bis")

    renvoi = Renvoi.objects.get(objectif__contrat__code="val-fictif-bis")
    assert (renvoi.cible_objectif.contrat.code, renvoi.cible_objectif.code) == (
        "val-fictif-bis", "2.1.1"
    )


def test_un_classeur_reimporte_se_voit_aussitot_dans_le_catalogue(client):
    """Workbook rows are written in bulk (no model signal): the kept tree is still replaced."""
    importer_classeur(exemple())
    url = f"/referentiel/{EXEMPLE}/"
    client.get(url)

    importer_classeur(
        modifier(exemple(), ecrire("Actions", 2, "Libellé", "Ateliers de lecture du soir"))
    )

    assert "Ateliers de lecture du soir" in client.get(url).content.decode()
