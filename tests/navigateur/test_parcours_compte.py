"""Journey of a new porteur: sign up, confirm, create the structure, upload statuts, invite."""

import re
from urllib.parse import urlsplit

from axes.models import AccessAttempt
from django.core import mail
from playwright.sync_api import expect

from candidatures.models import DocumentStructure, Invitation, Membre, Structure
from tests.candidatures.factories import MOT_DE_PASSE as MOT_DE_PASSE_FACTORY
from tests.candidatures.factories import PDF_MINIMAL, UtilisateurFactory

from .accessibilite import verifier_accessibilite
from .clics import ouvrir

MOT_DE_PASSE = "garrigues-et-chataigniers-30"


def _exact(libelle):
    """A label matched whole, with or without the asterisk of required fields."""
    return re.compile(rf"^\s*{re.escape(libelle)}\s*\*?\s*$")


def _chemin_du_lien(message, motif):
    """The path of the link an e-mail carries (its host is the configured portal address)."""
    return urlsplit(re.search(rf"https?://\S*{motif}\S*", message.body).group(0)).path


def test_parcours_d_un_nouveau_porteur(page, referentiel_charge, executer_taches):
    """A porteur signs up, confirms, creates the structure, uploads statuts and invites."""
    page.goto("/comptes/inscription/")
    verifier_accessibilite(page, "inscription")
    page.get_by_label("Adresse électronique").fill("ines.martin@exemple.test")
    page.get_by_label("Prénom").fill("Inès")
    page.get_by_label(_exact("Nom")).fill("Martin")
    page.get_by_label(_exact("Mot de passe")).fill(MOT_DE_PASSE)
    page.get_by_label("Confirmation du mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Créer mon compte").click()

    expect(page.get_by_role("heading", name="Confirmez votre adresse électronique")).to_be_visible()
    verifier_accessibilite(page, "inscription envoyée")
    executer_taches()
    assert [m.to for m in mail.outbox] == [["ines.martin@exemple.test"]]

    page.goto(_chemin_du_lien(mail.outbox[0], "/comptes/confirmation/"))
    expect(page.get_by_text("Votre adresse électronique est confirmée.")).to_be_visible()
    verifier_accessibilite(page, "connexion après confirmation")
    page.get_by_label("Adresse électronique").fill("ines.martin@exemple.test")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("connecté en tant que ines.martin@exemple.test")).to_be_visible()
    verifier_accessibilite(page, "accueil connecté")

    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Structures"
    ).click()
    expect(page.get_by_role("heading", name="Mes structures")).to_be_visible()
    verifier_accessibilite(page, "mes structures")
    ouvrir(page.get_by_role("link", name="Créer une structure"))
    verifier_accessibilite(page, "création de structure")

    page.get_by_label("Raison sociale").fill("Association Cévennes Partage")
    page.get_by_label("Type de structure").select_option(label="association loi 1901")
    page.get_by_label("SIRET").fill("732 829 320 00075")
    page.get_by_label(_exact("Numéro RNA")).fill("W301000001")
    page.get_by_label(_exact("Adresse")).fill("3 place de l'Hôtel de Ville")
    page.get_by_label("Code postal").fill("30100")
    page.get_by_label("Commune").fill("Alès")
    representant = page.get_by_role("group", name="Représentant légal")
    nom_representant = representant.get_by_label(_exact("Nom du représentant légal"))
    representant.get_by_label("Prénom du représentant légal").fill("Paul")
    nom_representant.fill("Durand")
    representant.get_by_label("Fonction du représentant légal").fill("président")
    page.get_by_role("button", name="Créer la structure").click()

    resume = page.get_by_role("alert").filter(has_text="Le formulaire contient")
    expect(resume).to_contain_text("clé de contrôle est fausse")
    expect(page.get_by_label("Raison sociale")).to_have_value("Association Cévennes Partage")
    expect(page.get_by_label("Commune")).to_have_value("Alès")
    expect(nom_representant).to_have_value("Durand")
    verifier_accessibilite(page, "création de structure, SIRET refusé")
    page.get_by_label("SIRET").fill("732 829 320 00074")
    page.get_by_role("button", name="Créer la structure").click()

    expect(page.get_by_role("heading", name="Association Cévennes Partage")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Association Cévennes Partage")
    verifier_accessibilite(page, "fiche de la structure")
    structure = Structure.objects.get(siret="73282932000074")
    assert Membre.objects.get(structure=structure).role == Membre.Role.RESPONSABLE

    ouvrir(page.get_by_role("link", name="Déposer ou remplacer des documents"))
    verifier_accessibilite(page, "documents")
    ouvrir(page.get_by_role("link", name="Déposer : statuts"))
    verifier_accessibilite(page, "dépôt de document")
    page.get_by_label("Date du document").fill("2023-05-12")
    page.get_by_label("Fichier").set_input_files(
        files=[{"name": "statuts.pdf", "mimeType": "application/pdf", "buffer": PDF_MINIMAL}]
    )
    page.get_by_role("button", name="Déposer le document").click()

    expect(page.get_by_role("link", name="statuts.pdf")).to_be_visible()
    verifier_accessibilite(page, "documents après dépôt")
    document = DocumentStructure.objects.get(structure=structure)
    assert document.type == DocumentStructure.Type.STATUTS and document.est_actuel

    ouvrir(page.get_by_role("link", name="Association Cévennes Partage").last)
    verifier_accessibilite(page, "fiche avec un document")
    ouvrir(page.get_by_role("link", name="Inviter un membre"))
    verifier_accessibilite(page, "invitation")
    page.get_by_label("Adresse électronique de la personne à inviter").fill(
        "collegue@exemple.test"
    )
    page.get_by_label("contributeur").check()
    page.get_by_role("button", name="Envoyer l'invitation").click()

    expect(page.get_by_text("L'invitation a été envoyée à collegue@exemple.test")).to_be_visible()
    verifier_accessibilite(page, "fiche après invitation")
    assert Invitation.objects.get(structure=structure).email == "collegue@exemple.test"
    executer_taches()
    assert mail.outbox[-1].to == ["collegue@exemple.test"]
    assert "/structures/invitation/" in mail.outbox[-1].body
    assert page.erreurs_csp == []


def test_un_administrateur_donne_un_role_et_debloque(page, referentiel_charge):
    """An administrator finds an account, makes it instructeur of a territory (typed, with
    suggestions from the search), then unlocks its login."""
    UtilisateurFactory(email="admin@exemple.test", administrateur=True)
    cible = UtilisateurFactory(email="dominique@exemple.test", nom="Instructrice", porteur=True)
    AccessAttempt.objects.create(
        username="dominique@exemple.test", ip_address="127.0.0.1", user_agent="test",
        failures_since_start=5, get_data="", post_data="", http_accept="", path_info="/",
    )

    page.goto("/comptes/connexion/")
    verifier_accessibilite(page, "connexion")
    page.get_by_label("Adresse électronique").fill("admin@exemple.test")
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE_FACTORY)
    page.get_by_role("button", name="Se connecter").click()
    ouvrir(page.get_by_role("link", name="Comptes et rôles"))
    verifier_accessibilite(page, "comptes et rôles")
    page.get_by_label("Rechercher un compte").fill("dominique")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_text("connexion bloquée")).to_be_visible()
    ouvrir(page.get_by_role("link", name="Gérer les rôles de dominique@exemple.test"))
    verifier_accessibilite(page, "rôles d'un compte")
    page.get_by_label("instructeur").check()
    page.get_by_role("combobox", name="Territoire").fill("alès")
    suggestion = page.locator("#territoires-proposes option[value='ales-agglomeration']")
    expect(suggestion).to_have_count(1)
    page.get_by_role("combobox", name="Territoire").fill("ales-agglomeration")
    page.get_by_role("button", name="Accorder l'habilitation à dominique@exemple.test").click()

    expect(page.get_by_text("Habilitation accordée à dominique@exemple.test")).to_be_visible()
    verifier_accessibilite(page, "habilitation accordée")
    assert set(cible.habilitations.values_list("role", "territoire__code", "contrat")) == {
        ("instructeur", "ales-agglomeration", None)
    }
    page.get_by_role("button", name="Débloquer la connexion de dominique@exemple.test").click()
    expect(page.get_by_text("connexion de dominique@exemple.test est débloquée")).to_be_visible()
    assert not AccessAttempt.objects.exists()

    ouvrir(page.get_by_role("link", name="Mon compte"))
    verifier_accessibilite(page, "mon compte")
    ouvrir(page.get_by_role("link", name="Changer de mot de passe"))
    verifier_accessibilite(page, "changer de mot de passe")
    ouvrir(page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Structures"
    ))
    verifier_accessibilite(page, "liste des structures (personnel)")
    assert page.erreurs_csp == []
