"""The staff of one contract see and do nothing of another contract.

Contract A (the default one) and contract B (its successor on the same territory) live side by
side (``tests.cloisonnement_monde``). For every staff role held on A only — instructeur, comité,
administrateur — and every staff page, download and POST aimed at B's objects: a refusal (403
or 404) and no change in the database. The same request by B's own staff (or B's structure,
for the structure's pages) is *not* refused: the refusals are isolation, not a broken URL. A's
list pages and exports hold none of B's data. Every URL of the staff namespaces is in the
matrix or in ``EXEMPTEES`` with its reason: a new staff page cannot be added without coverage.

The world is built once per module, in a transaction rolled back at the end; each test runs in
a savepoint of it.
"""

import io
import re
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook

from candidatures.models import (
    DemandeAdhesion,
    DemandeCorrection,
    DocumentStructure,
    Dossier,
    EnveloppePilier,
    Habilitation,
    HistoriqueStatut,
    Invitation,
    Membre,
    ModificationDossier,
    PdfDossier,
    PieceJointe,
    Structure,
)
from evaluation.models import (
    AffectationPilier,
    Bilan,
    Convention,
    Decision,
    DemandeCorrectionBilan,
    GenerationBilan,
    GenerationConvention,
    GenerationExport,
    GenerationPublication,
    Instruction,
    Lecture,
    Message,
    Modification,
    Paiement,
    ParametresBilan,
    ParametresConventions,
    PieceBilan,
    PieceMessage,
    PublicationDonnees,
    SuiviCorrection,
    VerdictExigence,
)
from tests.cloisonnement_monde import ROLES_A, construire, marqueurs_de_b

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def monde(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        donnees = construire()
        yield donnees
        transaction.set_rollback(True)


# --- The matrix -----------------------------------------------------------------------------

def _pk(cle):
    return lambda m: [m[cle].pk]


def _appel_b(m):
    return [m["appel_b"].pk]


def _structure_b(*cles):
    return lambda m: [m["membre_b"].structure_id, *(m[c].pk for c in cles)]


def _contrat_b(m):
    return {"contrat": m["contrat_b"].code}


def _prog(m):
    d = m["b_instruit"]
    return {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-dossier": d.pk,
        "form-0-nature": "non_retenu", "form-0-motif": "Hors champ.", "form-0-versement": "unique",
    }


def _instruction(m):
    return {"version": m["b_en_instruction"].instruction.version, "avis": "defavorable"}


def _convention(m):
    return {
        "reference": "CONV-1", "date_signature": timezone.localdate().isoformat(),
        "signataires": "Pirate", "deliberation": "Aucune", "part_avance": "100",
    }


def _paiement(m):
    return {
        "paiement-nature": "acompte", "paiement-date": timezone.localdate().isoformat(),
        "paiement-montant": "10",
    }


# (URL name, method, args, query string, POST data, B's actor who is not refused)
ACTIONS = [
    ("evaluation:file", "get", _appel_b, None, None, "comite_b"),
    ("evaluation:export_xlsx", "get", _appel_b, None, None, "comite_b"),
    ("evaluation:export_csv", "get", _appel_b, None, None, "comite_b"),
    ("evaluation:export_scdl", "get", _appel_b, None, None, "comite_b"),
    ("evaluation:export_lettres", "get", _appel_b, None, None, "comite_b"),
    ("evaluation:structures_suggerees", "get", _appel_b, lambda m: {"q": "Projet"}, None,
     "comite_b"),
    ("evaluation:export", "get", _pk("export_b"), None, None, "comite_b"),
    ("evaluation:export_etat", "get", _pk("export_b"), None, None, "comite_b"),
    ("evaluation:export_fichier", "get", _pk("export_b"), None, None, "comite_b"),
    ("evaluation:programmation", "get", _appel_b, None, None, "instructeur_b"),
    ("evaluation:programmation", "post", _appel_b, None, _prog, "comite_b"),
    ("evaluation:affecter_piliers", "post", _appel_b, None, None, "instructeur_b"),
    ("evaluation:enveloppes", "get", _appel_b, None, None, "administrateur_b"),
    ("evaluation:enveloppes", "post", _appel_b, None,
     lambda m: {f"pilier_{m['pilier_b'].pk}": "1"}, "administrateur_b"),
    ("evaluation:affectations", "get", None, lambda m: {"contrat": m["contrat_b"].pk}, None,
     "administrateur_b"),
    ("evaluation:affectations", "post", None, lambda m: {"contrat": m["contrat_b"].pk},
     lambda m: {f"pilier_{m['pilier_b'].pk}": ""}, "administrateur_b"),
    ("evaluation:instruction", "get", _pk("b_en_instruction"), None, None, "comite_b"),
    ("evaluation:instruction", "post", _pk("b_en_instruction"), None, _instruction,
     "instructeur_b"),
    ("evaluation:prendre", "post", _pk("b_depose"), None, None, "instructeur_b"),
    ("evaluation:affecter", "post", _pk("b_depose"), None,
     lambda m: {"instructeur": m["instructeur_b"].pk}, "instructeur_b"),
    ("evaluation:corrections", "get", _pk("b_en_instruction"), None, None, "instructeur_b"),
    ("evaluation:corrections", "post", _pk("b_en_instruction"), None,
     lambda m: {"sections": ["projet"], "message": "Précisez."}, "instructeur_b"),
    ("evaluation:decision", "get", _pk("b_instruit"), None, None, "comite_b"),
    ("evaluation:decision", "post", _pk("b_instruit"), None,
     lambda m: {"nature": "non_retenu", "motif": "Hors champ.", "versement": "unique"},
     "comite_b"),
    ("evaluation:suivi", "get", _pk("b_en_instruction"), None, None, "comite_b"),
    ("evaluation:message", "post", _pk("b_en_instruction"), None,
     lambda m: {"texte": "Bonjour."}, "instructeur_b"),
    ("evaluation:piece_message", "get",
     lambda m: [m["b_en_instruction"].pk, m["piece_message_b"].pk], None, None, "comite_b"),
    ("evaluation:lettre", "get", _pk("b_decide"), None, None, "comite_b"),
    ("evaluation:lettre", "post", _pk("b_decide"), None, None, "comite_b"),
    ("evaluation:lettre_etat", "get", _pk("b_decide"), None, None, "comite_b"),
    ("bilans:detail", "get", _pk("b_bilan"), None, None, "comite_b"),
    ("bilans:compte_rendu_pdf", "get", _pk("b_bilan"), None, None, "comite_b"),
    ("bilans:compte_rendu_pdf", "post", _pk("b_bilan"), None, None, "comite_b"),
    ("bilans:compte_rendu_etat", "get", _pk("b_bilan"), None, None, "comite_b"),
    ("bilans:saisie", "get", _pk("b_a_remettre"), None, None, "membre_b"),
    ("bilans:saisie", "post", _pk("b_a_remettre"), None, lambda m: {"version": 1}, "membre_b"),
    ("bilans:commencer", "post", _pk("b_decide"), None, None, "membre_b"),
    ("bilans:deposer", "post", _pk("b_a_remettre"), None, lambda m: {"version": 1}, "membre_b"),
    ("bilans:valider", "post", _pk("b_bilan"), None, None, "instructeur_b"),
    ("bilans:corrections", "post", _pk("b_bilan"), None, lambda m: {"message": "Précisez."},
     "instructeur_b"),
    ("bilans:piece", "get", lambda m: [m["b_bilan"].pk, m["piece_bilan_b"].pk], None, None,
     "comite_b"),
    ("bilans:generation", "get", _pk("generation_b"), None, None, "comite_b"),
    ("bilans:generation_etat", "get", _pk("generation_b"), None, None, "comite_b"),
    ("bilans:generation_fichier", "get", _pk("generation_b"), None, None, "comite_b"),
    ("bilans:generation_fichier", "get", _pk("generation_structure_b"), None, None, "membre_b"),
    ("dossiers:detail", "get", _pk("b_depose"), None, None, "comite_b"),
    ("dossiers:apercu", "get", _pk("b_depose"), None, None, "comite_b"),
    ("dossiers:pdf", "get", _pk("b_depose"), None, None, "comite_b"),
    ("dossiers:pdf", "post", _pk("b_depose"), None, None, "comite_b"),
    ("dossiers:recepisse", "get", _pk("b_depose"), None, None, "comite_b"),
    ("dossiers:redemander_recepisse", "post", _pk("b_depose"), None, None, "membre_b"),
    ("dossiers:fichiers", "get", _pk("b_depose"), None, None, "comite_b"),
    ("dossiers:piece", "get", lambda m: [m["b_depose"].pk, m["piece_b"].pk], None, None,
     "comite_b"),
    ("dossiers:modifier", "get", _pk("b_brouillon"), None, None, "membre_b"),
    ("dossiers:modifier", "post", _pk("b_brouillon"), None,
     lambda m: {"version": 1, "intitule": "Piraté"}, "membre_b"),
    ("dossiers:deposer", "post", _pk("b_brouillon"), None, None, "membre_b"),
    ("dossiers:retirer", "get", _pk("b_depose"), None, None, "membre_b"),
    ("dossiers:retirer", "post", _pk("b_depose"), None, lambda m: {"motif": "Non."},
     "membre_b"),
    ("dossiers:renouveler", "post", _pk("b_depose"), None, None, "membre_b"),
    ("structures:detail", "get", _structure_b(), None, None, "comite_b"),
    ("structures:documents", "get", _structure_b(), None, None, "comite_b"),
    ("structures:telecharger", "get", _pk("document_b"), None, None, "comite_b"),
    ("structures:modifier", "get", _structure_b(), None, None, "membre_b"),
    ("structures:modifier", "post", _structure_b(), None, lambda m: {"raison_sociale": "X"},
     "membre_b"),
    ("structures:inviter", "get", _structure_b(), None, None, "membre_b"),
    ("structures:inviter", "post", _structure_b(), None,
     lambda m: {"email": "pirate@exemple.test", "role": "responsable"}, "membre_b"),
    ("structures:deposer_document", "get", _structure_b(), None, None, "membre_b"),
    ("structures:informations", "get", lambda m: [m["membre_b"].structure_id, 2026], None, None,
     "membre_b"),
    ("structures:informations", "post", lambda m: [m["membre_b"].structure_id, 2026], None,
     lambda m: {"adherents": "1"}, "membre_b"),
    ("structures:quitter", "get", _structure_b(), None, None, "membre_b"),
    ("structures:quitter", "post", _structure_b(), None, None, "contributeur_b"),
    ("structures:choisir", "post", _structure_b(), None, None, "membre_b"),
    ("structures:membre_role", "post", _structure_b("contributeur_b"), None,
     lambda m: {f"m{m['contributeur_b'].pk}-role": "responsable"}, "membre_b"),
    ("structures:membre_retirer", "post", _structure_b("contributeur_b"), None, None,
     "membre_b"),
    ("structures:demande_accepter", "post", _structure_b("demande_b"), None, None, "membre_b"),
    ("structures:demande_refuser", "post", _structure_b("demande_b"), None, None, "membre_b"),
    ("structures:invitation_annuler", "post", _structure_b("invitation_b"), None, None,
     "membre_b"),
    # Annual bilans and the multi-year view of contract B, its threshold, a structure's file.
    ("bilans:tableau_de_bord", "get", None, _contrat_b, None, "comite_b"),
    ("bilans:xlsx", "get", None, _contrat_b, None, "comite_b"),
    ("bilans:pdf", "get", None, _contrat_b, None, "comite_b"),
    ("bilans:pluriannuel", "get", None, _contrat_b, None, "comite_b"),
    ("bilans:pluriannuel_xlsx", "get", None, _contrat_b, None, "comite_b"),
    ("bilans:parametres", "get", _appel_b, None, None, "administrateur_b"),
    ("bilans:parametres", "post", _appel_b, None, lambda m: {"seuil": "1"}, "administrateur_b"),
    ("bilans:structure_pdf", "get", _structure_b(), _contrat_b, None, "comite_b"),
    ("bilans:document", "get", _appel_b, None, None, "comite_b"),
    ("bilans:document", "post", _appel_b, None, lambda m: {"commentaire": "Une année dense."},
     "comite_b"),
    # The accounts of B's staff, seen from A (same territory, contract A only).
    # Conventions and payments of B's call, and the publication of B's open data.
    ("conventions:tableau", "get", _appel_b, None, None, "comite_b"),
    ("conventions:tableau_xlsx", "get", _appel_b, None, None, "comite_b"),
    ("conventions:parametres", "get", _appel_b, None, None, "administrateur_b"),
    ("conventions:parametres", "post", _appel_b, None,
     lambda m: {"part_avance": "30", "modele": "{objet}"}, "administrateur_b"),
    ("conventions:convention", "get", _pk("b_decide"), None, None, "comite_b"),
    ("conventions:convention", "get", _pk("b_decide"), None, None, "membre_b"),
    ("conventions:convention", "post", _pk("b_decide"), None, _convention, "instructeur_b"),
    ("conventions:paiement", "post", _pk("b_decide"), None, _paiement, "instructeur_b"),
    ("conventions:sans_solde", "post", _pk("b_decide"), None,
     lambda m: {"sans_solde-motif": "Action annulée."}, "instructeur_b"),
    ("conventions:pdf", "get", _pk("b_decide"), None, None, "membre_b"),
    ("conventions:pdf_etat", "get", _pk("b_decide"), None, None, "membre_b"),
    ("donnees_ouvertes:publier", "post", _appel_b, None, None, "administrateur_b"),
    ("comptes:roles_compte", "get", _pk("instructeur_b"), None, None, "administrateur_b"),
    ("comptes:habilitation_accorder", "post", _pk("instructeur_b"), None,
     lambda m: {"role": "comite", "contrat": m["contrat_b"].code}, "administrateur_b"),
    ("comptes:habilitation_retirer", "post",
     lambda m: [m["instructeur_b"].pk, m["instructeur_b"].habilitations.get().pk], None, None,
     "administrateur_b"),
]
CAS = [
    pytest.param(action, id=f"{action[0]}-{action[1]}-{i}") for i, action in enumerate(ACTIONS)
]

# Rows a refused request must leave as they were: everything a staff page or POST may write.
MODELES_SURVEILLES = [
    Dossier, Instruction, VerdictExigence, Decision, Message, PieceMessage, Lecture,
    DemandeCorrection, SuiviCorrection, HistoriqueStatut, Modification, ModificationDossier,
    PieceJointe, Bilan, PieceBilan, DemandeCorrectionBilan, ParametresBilan, GenerationBilan,
    GenerationExport,
    EnveloppePilier, AffectationPilier, Structure, Membre, Invitation, DemandeAdhesion,
    DocumentStructure, Habilitation, PdfDossier, Convention, Paiement, ParametresConventions,
    PublicationDonnees, GenerationConvention, GenerationPublication,
]


def _etat_de_la_base():
    return {
        modele.__name__: list(modele.objects.order_by("pk").values_list())
        for modele in MODELES_SURVEILLES
    }


def _demander(client, m, action):
    nom, methode, args, requete, donnees, _temoin = action
    url = reverse(nom, args=args(m) if args else [])
    if requete:
        url += "?" + urlencode(requete(m))
    return getattr(client, methode)(url, donnees(m) if donnees else {})


@pytest.mark.parametrize("role", ROLES_A)
@pytest.mark.parametrize("action", CAS)
def test_le_personnel_de_a_ne_touche_a_rien_de_b(client, monde, role, action):
    """A refusal that tells nothing (403/404), and not one row changed."""
    client.force_login(monde[role])
    avant = _etat_de_la_base()

    reponse = _demander(client, monde, action)

    assert reponse.status_code in (403, 404), f"{action[0]} ({action[1]}) pour {role}"
    assert _etat_de_la_base() == avant


@pytest.mark.parametrize("action", CAS)
def test_les_memes_demandes_aboutissent_pour_b(client, monde, action):
    """B's own staff (or structure) are not refused: the matrix tests isolation, not typos."""
    acteur = monde[action[5]]
    client.force_login(getattr(acteur, "utilisateur", acteur))  # a Membre: its account

    reponse = _demander(client, monde, action)

    assert reponse.status_code not in (403, 404) and reponse.status_code < 500, (
        f"{action[0]} ({action[1]}) pour {action[5]} : {reponse.status_code}"
    )


# --- A's lists hold nothing of B --------------------------------------------------------------

def _appel_a(nom, **requete):
    def url(m):
        return reverse(nom, args=[m["appel_a"].pk]) + ("?" + urlencode(requete) if requete else "")
    return url


def _page(nom, cle=None, **requete):
    def url(m):
        base = reverse(nom, args=[m[cle].pk] if cle else [])
        return base + ("?" + urlencode(requete) if requete else "")
    return url


LISTES = [
    ("accueil", _page("accueil")),
    ("evaluation:accueil", _page("evaluation:accueil")),
    ("evaluation:accueil", lambda m: reverse("evaluation:accueil") + f"?appel={m['appel_b'].pk}"),
    ("evaluation:file", _appel_a("evaluation:file")),
    ("evaluation:file", _appel_a("evaluation:file", q="Projet")),
    ("evaluation:file", _appel_a("evaluation:file", tri="-depose", statut="instruit")),
    ("evaluation:export_xlsx", _appel_a("evaluation:export_xlsx")),
    ("evaluation:export_csv", _appel_a("evaluation:export_csv")),
    ("evaluation:export_scdl", _appel_a("evaluation:export_scdl")),
    ("evaluation:structures_suggerees", _appel_a("evaluation:structures_suggerees", q="e")),
    ("evaluation:programmation", _appel_a("evaluation:programmation")),
    ("evaluation:enveloppes", _appel_a("evaluation:enveloppes")),
    ("conventions:tableau", _appel_a("conventions:tableau")),
    ("conventions:tableau_xlsx", _appel_a("conventions:tableau_xlsx")),
    ("evaluation:affectations", _page("evaluation:affectations")),
    ("evaluation:instruction", _page("evaluation:instruction", "a_commun")),
    ("evaluation:suivi", _page("evaluation:suivi", "a_commun")),
    ("dossiers:detail", _page("dossiers:detail", "a_commun")),
    ("dossiers:liste", _page("dossiers:liste")),
    ("bilans:liste", _page("bilans:liste")),
    ("structures:liste", _page("structures:liste")),
    ("structures:liste", _page("structures:liste", q="Association")),
    ("structures:detail", lambda m: reverse("structures:detail",
                                            args=[m["membre_commun"].structure_id])),
    ("structures:documents", lambda m: reverse("structures:documents",
                                               args=[m["membre_commun"].structure_id])),
    ("appels:gestion", _page("appels:gestion")),
    ("bilans:contrats", _page("bilans:contrats", q="Contrat")),
    ("bilans:tableau_de_bord", _page("bilans:tableau_de_bord")),
    ("bilans:pluriannuel", _page("bilans:pluriannuel")),
    ("comptes:roles", _page("comptes:roles")),
    ("comptes:roles", _page("comptes:roles", q="Instructeur")),
    ("comptes:roles_portees", _page("comptes:roles_portees", q="Contrat")),
]


def _texte(reponse):
    contenu = (
        b"".join(reponse.streaming_content) if reponse.streaming else reponse.content
    )
    if reponse.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        classeur = load_workbook(io.BytesIO(contenu), read_only=True)
        return "\n".join(
            str(valeur) for feuille in classeur.worksheets for ligne in feuille.iter_rows(
                values_only=True) for valeur in ligne if valeur is not None
        )
    return contenu.decode("utf-8", errors="replace")


@pytest.mark.parametrize("role", ROLES_A)
def test_les_listes_et_exports_de_a_ne_contiennent_rien_de_b(client, monde, role):
    """Queue, exports, programmation, bilans, structures, dossiers, home: B's word and B's
    references appear nowhere; A's own dossiers do (the pages are not merely empty)."""
    client.force_login(monde[role])
    marqueurs = marqueurs_de_b(monde)
    fuites, lues = [], 0

    for nom, url in LISTES:
        reponse = client.get(url(monde), follow=True)
        if reponse.status_code != 200:
            assert reponse.status_code == 403, f"{nom} : {reponse.status_code}"
            continue
        lues += 1
        texte = _texte(reponse)
        fuites += [(nom, marqueur) for marqueur in marqueurs if marqueur in texte]

    assert fuites == []
    assert lues >= len(LISTES) - 7  # at most the administrators' pages are refused
    file = client.get(reverse("evaluation:file", args=[monde["appel_a"].pk]))
    assert monde["a_depose"].reference in file.content.decode()


def test_le_choix_d_un_appel_de_b_mene_a_la_file_de_a(client, monde):
    """``?appel=`` naming B's call opens a call of A, never B's queue."""
    client.force_login(monde["instructeur_a"])

    reponse = client.get(reverse("evaluation:accueil") + f"?appel={monde['appel_b'].pk}")

    assert reponse.url == reverse("evaluation:file", args=[monde["appel_a"].pk])


def test_les_filtres_de_la_file_ne_listent_que_le_contrat_de_l_appel(client, monde):
    """Pilier, orientation, objectif, QPV, structures, instructors and calls: A's only."""
    client.force_login(monde["administrateur_a"])

    reponse = client.get(reverse("evaluation:file", args=[monde["appel_a"].pk]))

    form = reponse.context["form"]
    contrat_a = monde["contrat_a"].pk
    for champ in ("pilier", "orientation", "objectif"):
        assert {o.contrat_id for o in form.fields[champ].queryset} == {contrat_a}
    assert not form.fields["qpv"].queryset.filter(contrats=monde["contrat_b"]).exists()
    structure_b = monde["membre_b"].structure
    suggestions = client.get(
        reverse("evaluation:structures_suggerees", args=[monde["appel_a"].pk]),
        {"q": structure_b.raison_sociale},
    ).json()["resultats"]
    assert structure_b.siret not in {s["valeur"] for s in suggestions}
    cherchee = client.get(
        reverse("evaluation:file", args=[monde["appel_a"].pk]),
        {"structure": structure_b.siret},
    )
    assert list(cherchee.context["page"]) == []
    assert str(monde["instructeur_b"].pk) not in dict(form.fields["instructeur"].choices)
    assert {a.contrat_id for a in reponse.context["appels"]} == {contrat_a}


# --- Completeness -----------------------------------------------------------------------------

ESPACES_DU_PERSONNEL = (
    "evaluation", "bilans", "dossiers", "structures", "appels", "comptes", "conventions",
    "donnees_ouvertes",
)
EXEMPTEES = {
    "dossiers:nouveau": "un porteur ouvre un brouillon pour ses propres structures",
    "dossiers:fiche_action": "données publiques du référentiel d'un contrat",
    "structures:creer": "chacun crée sa structure ; rien d'un contrat",
    "structures:rejoindre": "demande d'adhésion par SIRET ; rien d'un contrat",
    "structures:invitation": "lien à jeton d'une invitation ; rien d'un contrat",
    "appels:courant": "page publique de l'appel",
    "appels:detail": "page publique de l'appel",
    "appels:document": "documents publics de l'appel",
    "comptes:mon_compte": "le compte de l'utilisateur lui-même",
    "comptes:connexion": "connexion",
    "comptes:deconnexion": "déconnexion",
    "comptes:inscription": "inscription",
    "comptes:inscription_envoyee": "inscription",
    "comptes:renvoyer_confirmation": "confirmation de l'adresse",
    "comptes:confirmer": "confirmation de l'adresse",
    "comptes:changer_adresse": "le compte de l'utilisateur lui-même",
    "comptes:confirmer_adresse": "le compte de l'utilisateur lui-même",
    "comptes:mot_de_passe_changer": "le compte de l'utilisateur lui-même",
    "comptes:mot_de_passe_oublie": "mot de passe",
    "comptes:mot_de_passe_oublie_envoye": "mot de passe",
    "comptes:mot_de_passe_reinitialiser": "mot de passe",
    "comptes:mot_de_passe_reinitialise": "mot de passe",
    "comptes:roles_modifier": "rôles du portail : administrateurs du portail seuls, tous contrats",
    "comptes:debloquer": "déblocage : administrateurs du portail seuls, tous contrats",
    "appels:liste": "page publique des appels",
    "donnees_ouvertes:index": "page publique des données ouvertes",
    "donnees_ouvertes:fichier": "fichiers publics des données ouvertes",
    **{
        f"comptes:second_facteur:{nom}": "double authentification du compte lui-même"
        for nom in ("gerer", "verifier", "activer", "codes", "regenerer", "desactiver")
    },
}


def _noms_d_url(espaces):
    def noms_de(resolveur, prefixe):
        for sous in resolveur.url_patterns:
            if isinstance(sous, URLResolver):
                yield from noms_de(sous, f"{prefixe}{sous.namespace}:" if sous.namespace
                                   else prefixe)
            else:
                yield f"{prefixe}{sous.name}"

    noms = set()
    for motif in get_resolver().url_patterns:
        if isinstance(motif, URLResolver) and motif.namespace in espaces:
            noms |= set(noms_de(motif, f"{motif.namespace}:"))
    return noms


def test_chaque_page_du_personnel_est_couverte_ou_exemptee():
    """Every URL of the staff namespaces is in the matrix, in A's lists, or exempted."""
    couvertes = {a[0] for a in ACTIONS} | {nom for nom, _url in LISTES}
    noms = _noms_d_url(ESPACES_DU_PERSONNEL)

    assert noms - couvertes - set(EXEMPTEES) == set(), "page du personnel sans test de cloison"
    assert set(EXEMPTEES) & couvertes == set(), "exemptée et pourtant couverte"
    assert set(EXEMPTEES) <= noms, "exemption d'une page qui n'existe plus"
    assert all(re.search(r"\w", raison) for raison in EXEMPTEES.values())


# --- Services refuse on their own, whatever the view ------------------------------------------

def _services():
    from evaluation.bilans.services import depot, parametres
    from evaluation.instruction.services import (
        affectation,
        corrections,
        decisions,
        enveloppes,
        instruction,
        messages,
    )

    return [
        ("prendre", lambda m, u: instruction.prendre_en_instruction(dossier=m["b_depose"], par=u)),
        ("instruire", lambda m, u: instruction.enregistrer_instruction(
            dossier=m["b_en_instruction"], par=u, version=m["b_en_instruction"].instruction.version,
            champs={"avis": "defavorable"})),
        ("conclure", lambda m, u: instruction.conclure_instruction(dossier=m["b_pret"], par=u)),
        ("corriger", lambda m, u: corrections.demander_corrections(
            dossier=m["b_en_instruction"], par=u, sections=["projet"], message="Non.")),
        ("decider", lambda m, u: decisions.decider(
            dossier=m["b_instruit"], par=u, nature="non_retenu", motif="Non.")),
        ("affecter", lambda m, u: affectation.affecter(
            dossier=m["b_depose"], instructeur=m["instructeur_b"], par=u)),
        ("affecter_selon_piliers", lambda m, u: affectation.affecter_selon_piliers(
            appel=m["appel_b"], par=u)),
        ("instructeur_du_pilier", lambda m, u: affectation.definir_instructeur_pilier(
            pilier=m["pilier_b"], instructeur=None, par=u)),
        ("enveloppes", lambda m, u: enveloppes.definir_enveloppes(
            appel=m["appel_b"], montants={m["pilier_b"].pk: 1}, par=u)),
        ("message", lambda m, u: messages.envoyer_message(
            dossier=m["b_en_instruction"], auteur=u, texte="Bonjour.")),
        ("valider_bilan", lambda m, u: depot.valider_bilan(bilan=m["b_bilan"].bilan, par=u)),
        ("seuil", lambda m, u: parametres.definir_seuil_ecart(
            appel=m["appel_b"], seuil=20, par=u)),
    ]


@pytest.mark.parametrize("role", ROLES_A)
@pytest.mark.parametrize(("nom", "appeler"), _services(), ids=[s[0] for s in _services()])
def test_les_services_refusent_le_personnel_d_un_autre_contrat(monde, role, nom, appeler):
    """Each write service checks the role on the object's contract itself."""
    from candidatures.commun.erreurs import ErreurMetier

    avant = _etat_de_la_base()

    with pytest.raises(ErreurMetier):
        appeler(monde, monde[role])

    assert _etat_de_la_base() == avant


ACTEURS_B = {
    "decider": "comite_b", "instructeur_du_pilier": "administrateur_b",
    "enveloppes": "administrateur_b", "seuil": "administrateur_b",
}


@pytest.mark.parametrize(("nom", "appeler"), _services(), ids=[s[0] for s in _services()])
def test_les_memes_services_aboutissent_pour_b(monde, nom, appeler):
    """B's staff get through: the refusals above are about the contract, not the state."""
    appeler(monde, monde[ACTEURS_B.get(nom, "instructeur_b")])


def test_un_message_de_b_n_est_annonce_qu_aux_instructeurs_de_b(monde):
    """While nobody instructs a dossier, its messages go to its contract's instructors only."""
    from evaluation.instruction.notifications import instructeurs_du_dossier

    assert instructeurs_du_dossier(monde["b_depose"]) == [monde["instructeur_b"].email]
    assert monde["instructeur_b"].email not in instructeurs_du_dossier(monde["a_depose"])
