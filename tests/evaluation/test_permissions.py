"""Who sees and does what: each page for each role, and each predicate."""

import datetime
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from evaluation.instruction import permissions
from evaluation.instruction.services import decisions as services_decisions
from evaluation.instruction.services import instruction as services_instruction
from evaluation.instruction.services import messages as services_messages
from evaluation.models import Instruction
from tests.candidatures.factories import PDF_MINIMAL

from .factories import (
    MembreFactory,
    UtilisateurFactory,
    dossier_depose,
    dossier_instruit,
    remplir_grille,
)

pytestmark = pytest.mark.django_db

ANNOTATION = "Note interne : trésorerie fragile, à surveiller."
COMMENTAIRE = "Le réseau de partenaires est documenté."
SYNTHESE = "Synthèse réservée au comité."
ROLES = ["anonyme", "porteur", "porteur_autre", "instructeur", "comite", "administrateur"]


@pytest.fixture
def acteurs():
    membre = MembreFactory()
    return {
        "membre": membre,
        "anonyme": None,
        "porteur": membre.utilisateur,
        "porteur_autre": MembreFactory().utilisateur,
        "instructeur": UtilisateurFactory(instructeur=True),
        "comite": UtilisateurFactory(comite=True),
        "administrateur": UtilisateurFactory(administrateur=True),
    }


@pytest.fixture
def dossiers(acteurs):
    """One dossier per stage, all of the same structure and call."""
    membre, instructeur = acteurs["membre"], acteurs["instructeur"]
    depose = dossier_depose(membre=membre)
    appel = depose.appel
    en_instruction = dossier_depose(membre=membre, appel=appel)
    services_instruction.prendre_en_instruction(dossier=en_instruction, par=instructeur)
    remplir_grille(en_instruction, instructeur)
    instruit = dossier_instruit(membre=membre, appel=appel, instructeur=instructeur)
    decide = dossier_instruit(membre=membre, appel=appel, instructeur=instructeur)
    instruction = Instruction.objects.get(dossier=decide)
    instruction.annotations = ANNOTATION
    instruction.synthese = SYNTHESE
    instruction.save()
    decide.instruction.verdicts.update(commentaire=COMMENTAIRE)
    services_decisions.decider(
        dossier=decide, par=acteurs["comite"], nature="retenu", montant_accorde=5000,
        date_limite_bilan=timezone.localdate() + datetime.timedelta(days=300),
    )
    return {
        "depose": depose, "en_instruction": en_instruction, "instruit": instruit,
        "decide": decide, "appel": appel,
    }


def _client(client, acteurs, role):
    if acteurs[role] is not None:
        client.force_login(acteurs[role])
    return client


# (name, method, dossier or call key, expected status per role in ROLES order)
PAGES = [
    ("file", "get", "appel", [302, 403, 403, 200, 200, 200]),
    ("export_xlsx", "get", "appel", [302, 403, 403, 200, 200, 200]),
    ("export_csv", "get", "appel", [302, 403, 403, 200, 200, 200]),
    ("export_scdl", "get", "appel", [302, 403, 403, 200, 200, 200]),
    ("programmation", "get", "appel", [302, 403, 403, 200, 200, 200]),
    ("programmation", "post", "appel", [302, 403, 403, 403, 200, 200]),
    ("affecter_piliers", "post", "appel", [302, 403, 403, 302, 403, 302]),
    ("affectations", "get", None, [302, 403, 403, 403, 403, 200]),
    ("instruction", "get", "en_instruction", [302, 403, 403, 200, 200, 200]),
    ("instruction", "post", "en_instruction", [302, 403, 403, 200, 403, 200]),
    ("prendre", "post", "depose", [302, 403, 403, 302, 403, 302]),
    ("affecter", "post", "depose", [302, 403, 403, 302, 403, 302]),
    ("corrections", "get", "en_instruction", [302, 403, 403, 200, 403, 200]),
    ("decision", "get", "instruit", [302, 403, 403, 403, 200, 200]),
    ("decision", "get", "en_instruction", [302, 403, 403, 403, 403, 403]),
    ("suivi", "get", "en_instruction", [302, 200, 404, 200, 200, 200]),
    ("message", "post", "en_instruction", [302, 302, 404, 302, 403, 302]),
    ("lettre", "get", "decide", [302, 200, 404, 200, 200, 200]),
    ("lettre", "get", "instruit", [302, 404, 404, 404, 404, 404]),
    ("lettre", "post", "decide", [302, 302, 404, 302, 302, 302]),
    ("lettre", "post", "instruit", [302, 404, 404, 404, 404, 404]),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("nom", "methode", "cle", "attendus"), PAGES)
def test_acces_par_role(client, acteurs, dossiers, role, nom, methode, cle, attendus):
    """Each page answers each role as expected: 403 « réservée au personnel » for a porteur on
    a staff page, whatever the object; 404 when the dossier must stay unknown."""
    client = _client(client, acteurs, role)
    args = [] if cle is None else [dossiers[cle].pk]
    url = reverse(f"evaluation:{nom}", args=args)
    donnees = {"texte": "Bonjour", "version": 0} if methode == "post" else None

    reponse = getattr(client, methode)(url, donnees)

    attendu = attendus[ROLES.index(role)]
    assert reponse.status_code == attendu, f"{nom} ({methode}) pour {role}"
    if role == "anonyme":
        assert reponse["Location"].startswith(reverse("comptes:connexion"))


def test_la_structure_ne_voit_jamais_les_annotations(client, acteurs, dossiers):
    """Private annotations, synthesis and avis stay off every page the structure can open."""
    client.force_login(acteurs["porteur"])
    decide = dossiers["decide"]

    pages = [
        client.get(reverse("evaluation:suivi", args=[decide.pk])),
        client.get(reverse("dossiers:detail", args=[decide.pk])),
    ]

    for page in pages:
        contenu = page.content.decode()
        assert ANNOTATION not in contenu
        assert SYNTHESE not in contenu
        assert "Avis favorable" not in contenu


def test_la_structure_voit_la_grille_apres_la_decision_seulement(client, acteurs, dossiers):
    """Verdicts and comments reach the structure once the decision is taken, not before."""
    client.force_login(acteurs["porteur"])
    dossiers["en_instruction"].instruction.verdicts.update(commentaire=COMMENTAIRE)

    avant = client.get(reverse("evaluation:suivi", args=[dossiers["en_instruction"].pk]))
    apres = client.get(reverse("evaluation:suivi", args=[dossiers["decide"].pk]))

    assert COMMENTAIRE not in avant.content.decode()
    assert "Examen du cahier des charges" not in avant.content.decode()
    assert COMMENTAIRE in apres.content.decode()


def test_le_personnel_voit_les_annotations(client, acteurs, dossiers):
    """The comité reads the annotations on the (read-only) instruction page."""
    client.force_login(acteurs["comite"])

    reponse = client.get(reverse("evaluation:instruction", args=[dossiers["decide"].pk]))

    assert ANNOTATION in reponse.content.decode()
    assert not reponse.context["peut_modifier"]


def test_une_piece_de_message_n_est_telechargee_que_par_qui_voit_le_dossier(
    client, acteurs, dossiers
):
    """Attachments of the thread are served by a permission-checked view."""
    dossier = dossiers["en_instruction"]
    message = services_messages.envoyer_message(
        dossier=dossier, auteur=acteurs["instructeur"], texte="Voici le modèle.",
        fichiers=[SimpleUploadedFile("modele.pdf", PDF_MINIMAL)],
    )
    piece = message.pieces.get()
    url = reverse("evaluation:piece_message", args=[dossier.pk, piece.pk])

    client.force_login(acteurs["porteur_autre"])
    assert client.get(url).status_code == 404
    client.force_login(acteurs["porteur"])
    reponse = client.get(url)
    assert reponse.status_code == 200
    assert b"".join(reponse.streaming_content).startswith(b"%PDF")


# --- Predicates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("predicat", "cle", "attendus"),
    [
        ("peut_voir_instruction", "en_instruction", [False, False, True, True, True]),
        ("peut_modifier_instruction", "en_instruction", [False, False, True, False, True]),
        ("peut_prendre_en_instruction", "depose", [False, False, True, False, True]),
        ("peut_demander_corrections", "en_instruction", [False, False, True, False, True]),
        ("peut_conclure_instruction", "en_instruction", [False, False, True, False, True]),
        ("peut_decider", "instruit", [False, False, False, True, True]),
        ("peut_decider", "en_instruction", [False, False, False, False, False]),
        ("peut_voir_suivi", "en_instruction", [True, False, True, True, True]),
        ("peut_ecrire_message", "en_instruction", [True, False, True, False, True]),
        ("peut_voir_grille", "en_instruction", [False, False, True, True, True]),
        ("peut_voir_grille", "decide", [True, False, True, True, True]),
        ("peut_voir_annotations", "decide", [False, False, True, True, True]),
        ("peut_telecharger_lettre", "decide", [True, False, True, True, True]),
        ("peut_telecharger_lettre", "instruit", [False, False, False, False, False]),
        ("peut_affecter", "en_instruction", [False, False, True, False, True]),
    ],
)
def test_predicats(acteurs, dossiers, predicat, cle, attendus):
    """Each predicate answers each role (porteur, other porteur, instructeur, comité, admin)."""
    roles = ["porteur", "porteur_autre", "instructeur", "comite", "administrateur"]
    dossier = dossiers[cle]
    dossier.refresh_from_db()

    obtenus = [getattr(permissions, predicat)(acteurs[r], dossier) for r in roles]

    assert obtenus == attendus


@pytest.mark.parametrize(
    ("predicat", "attendus"),
    [
        ("peut_voir_file", [False, False, True, True, True]),
        ("peut_exporter", [False, False, True, True, True]),
        ("peut_gerer_affectations", [False, False, False, False, True]),
    ],
)
def test_predicats_sans_dossier(acteurs, predicat, attendus):
    """Queue, exports and the pilier table: staff, and administrators for the table."""
    roles = ["porteur", "porteur_autre", "instructeur", "comite", "administrateur"]

    assert [getattr(permissions, predicat)(acteurs[r]) for r in roles] == attendus


def test_un_porteur_sur_une_page_du_personnel_lit_pourquoi(client, acteurs, dossiers):
    """A French page says the page is for the staff; the same for an object that exists and
    one that does not."""
    client.force_login(acteurs["membre"].utilisateur)

    existant = client.get(reverse("evaluation:instruction", args=[dossiers["depose"].pk]))
    inexistant = client.get(reverse("evaluation:instruction", args=[999_999]))

    assert existant.status_code == inexistant.status_code == 403
    assert "réservée au personnel du contrat de ville" in existant.content.decode()
    sans_jeton = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert sans_jeton.sub("", existant.content.decode()) == sans_jeton.sub(
        "", inexistant.content.decode()
    )


@pytest.mark.parametrize("nom", [
    "evaluation:export", "evaluation:export_etat", "evaluation:export_fichier",
    "evaluation:export_lettres", "evaluation:structures_suggerees", "conventions:tableau",
    "conventions:tableau_xlsx", "conventions:parametres", "conventions:paiement",
    "conventions:sans_solde", "donnees_ouvertes:publier",
])
def test_les_pages_du_personnel_plus_recentes_disent_pourquoi_au_porteur(client, acteurs, nom):
    """Exports in the background, payments and publication: the same French 403 for a porteur,
    whatever the number in the address."""
    client.force_login(acteurs["membre"].utilisateur)

    cles = (1, 999_999)
    if nom in ("evaluation:export", "evaluation:export_etat", "evaluation:export_fichier"):
        cles = (uuid.uuid4(), uuid.uuid4())  # a kept export's address is a UUID
    for pk in cles:
        reponse = client.get(reverse(nom, args=[pk]))
        assert reponse.status_code == 403, f"{nom} {pk}"
        assert "réservée au personnel du contrat de ville" in reponse.content.decode()
