"""The programmation page: a bounded page, the whole call's totals, the granted amount chosen."""

import datetime
import html
import re

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidatures.commun import formulaires as saisie
from candidatures.commun.formats import euros
from candidatures.models import Dossier, Statut
from evaluation.instruction.selectors import programmation as selectors_programmation
from evaluation.instruction.views.decisions import LIGNES_PAR_PAGE
from evaluation.models import Decision
from referentiel.models import Action

from .factories import (
    MONTANT_DEMANDE,
    AppelAProjetsFactory,
    DecisionFactory,
    DossierFactory,
    InstructionFactory,
    MembreFactory,
    UtilisateurFactory,
    dossier_instruit,
)

pytestmark = pytest.mark.django_db

BILAN = (timezone.localdate() + datetime.timedelta(days=200)).isoformat()


def _en_masse(appel, nombre, *, propose=100, action="1.1.1.a", decides=0):
    """``nombre`` instructed dossiers awaiting a decision (proposed ``propose`` € each) and
    ``decides`` retained ones (granted 50 € each), inserted directly: the page reads them."""
    action = Action.objects.get(contrat=appel.contrat, code=action)
    structure = MembreFactory().structure
    for _ in range(nombre):
        dossier = DossierFactory(instruit=True, appel=appel, structure=structure,
                                 action_principale=action)
        InstructionFactory(dossier=dossier, avis="favorable", montant_propose=propose,
                           conclue_le=timezone.now())
    for _ in range(decides):
        dossier = DossierFactory(en_cours=True, appel=appel, structure=structure,
                                 action_principale=action)
        InstructionFactory(dossier=dossier, avis="favorable", montant_propose=propose,
                           conclue_le=timezone.now())
        DecisionFactory(dossier=dossier, montant_accorde=50)


def _url(appel, **parametres):
    url = reverse("evaluation:programmation", args=[appel.pk])
    if parametres:
        url += "?" + "&".join(f"{k}={v}" for k, v in parametres.items())
    return url


def _ligne(form, dossier, **valeurs):
    prefixe = f"form-{form}-"
    return {prefixe + "dossier": str(dossier.pk), **{prefixe + k: v for k, v in valeurs.items()}}


def _programmation(*lignes, **extra):
    donnees = {
        "form-TOTAL_FORMS": str(len(lignes)), "form-INITIAL_FORMS": str(len(lignes)),
        "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000",
        "reference_deliberation": "", **extra,
    }
    for ligne in lignes:
        donnees.update(ligne)
    return donnees


def _messages(reponse):
    return [str(m) for m in get_messages(reponse.wsgi_request)]


# --- A bounded page, the totals of the whole call -------------------------------------------


def test_la_page_est_bornee_et_les_totaux_portent_sur_tout_l_appel(client, comite):
    """55 dossiers await: the first page shows 50 rows, the second 5; both pages show the
    proposed total of the 55 dossiers and the granted total of the call, not of the page."""
    appel = AppelAProjetsFactory()
    _en_masse(appel, LIGNES_PAR_PAGE + 5, propose=100, decides=3)
    client.force_login(comite)

    premiere = client.get(_url(appel))
    seconde = client.get(_url(appel, page=2))

    assert len(premiere.context["lignes"]) == LIGNES_PAR_PAGE
    assert len(seconde.context["lignes"]) == 5
    for reponse in (premiere, seconde):
        prog = reponse.context["prog"]
        assert (prog.propose, prog.accorde) == (5500, 150)
        assert (prog.nombre_a_decider, prog.nombre_decides) == (55, 3)
        contenu = reponse.content.decode()
        assert euros(5500) in contenu
    assert "Page suivante" in premiere.content.decode()
    assert "Page précédente" in seconde.content.decode()


def test_les_filtres_restent_dans_l_adresse_des_pages(client, comite):
    """The état and pilier filters narrow the list; the page links keep them."""
    appel = AppelAProjetsFactory()
    _en_masse(appel, 2, decides=LIGNES_PAR_PAGE + 1)
    pilier = Action.objects.get(contrat=appel.contrat, code="1.1.1.a").objectif.orientation.pilier
    autre = appel.contrat.piliers.exclude(pk=pilier.pk).first()
    client.force_login(comite)

    decides = client.get(_url(appel, etat="decides", pilier=pilier.pk))
    vide = client.get(_url(appel, etat="decides", pilier=autre.pk))

    assert decides.context["page"].paginator.count == LIGNES_PAR_PAGE + 1
    assert decides.context["lignes"] == []  # decided rows carry no form
    suivante = f"?etat=decides&amp;pilier={pilier.pk}&amp;page=2"
    assert suivante in decides.content.decode()
    assert vide.context["page"].paginator.count == 0
    assert "Aucun dossier décidé ne correspond à ces critères." in vide.content.decode()
    # The totals stay those of the whole call whatever the filter.
    assert vide.context["prog"].accorde == 50 * (LIGNES_PAR_PAGE + 1)


def test_le_cumul_du_pilier_suit_l_ordre_de_la_liste(comite):
    """Each awaiting row carries the proposed amounts added up within its pilier."""
    appel = AppelAProjetsFactory()
    _en_masse(appel, 3, propose=100)

    cumuls = [d.cumul_pilier for d in selectors_programmation.lignes(appel)]

    assert cumuls == [100, 200, 300]


@pytest.mark.parametrize("etat", ["a_decider", "decides"])
def test_nombre_de_requetes_constant(client, comite, django_assert_num_queries, etat):
    """As many queries for 2 dossiers as for 60 (a full page and more), awaiting or decided
    (the call's totals kept after the first view of each, see test_totaux_gardes)."""
    appel = AppelAProjetsFactory()
    _en_masse(appel, 2, decides=2)
    client.force_login(comite)
    client.get(_url(appel, etat=etat))  # session, caches and totals warm
    with CaptureQueriesContext(connection) as petit:
        assert client.get(_url(appel, etat=etat)).status_code == 200
    # Counted now: the next request's ``request_started`` empties the log the context reads.
    requetes = len(petit.captured_queries)
    _en_masse(appel, 60, decides=60)
    client.get(_url(appel, etat=etat))

    with django_assert_num_queries(requetes):
        reponse = client.get(_url(appel, etat=etat))

    assert reponse.context["page"].paginator.count == 62


def _lien(reponse, texte):
    trouve = re.search(rf'href="(\?[^"]*)">{texte}<', reponse.content.decode())
    return html.unescape(trouve.group(1)) if trouve else None


def test_les_pages_des_decides_menent_a_chaque_dossier_une_fois(client, comite):
    """« Page suivante » carries the last number shown: following it reaches every decided
    dossier exactly once, in number order; « Page précédente » comes back to the same rows; a
    page number alone (a link kept from before) shows the same page."""
    appel = AppelAProjetsFactory()
    premiere = Action.objects.get(contrat=appel.contrat, code="1.1.1.a")
    autre_pilier = Action.objects.filter(contrat=appel.contrat).exclude(
        objectif__orientation__pilier=premiere.objectif.orientation.pilier
    ).first()
    # Numbered first, in the second pilier: the list goes by number, not by pilier.
    _en_masse(appel, 1, action=autre_pilier.code, decides=7)
    _en_masse(appel, 0, decides=LIGNES_PAR_PAGE)
    client.force_login(comite)
    base = _url(appel)
    pages, suivante = [], "?etat=decides"
    while suivante:
        reponse = client.get(base + suivante)
        pages.append([d.pk for d in reponse.context["page"]])
        suivante = _lien(reponse, "Page suivante")
        assert suivante is None or "apres=" in suivante  # the last number shown, not an offset

    retour = client.get(base + _lien(reponse, "Page précédente"))
    par_numero = client.get(_url(appel, etat="decides", page=2))

    decides = Dossier.objects.filter(appel=appel, decision__isnull=False).order_by("numero")
    assert [pk for page in pages for pk in page] == list(decides.values_list("pk", flat=True))
    assert [len(page) for page in pages] == [LIGNES_PAR_PAGE, 7]
    assert [d.pk for d in retour.context["page"]] == pages[0]
    assert _lien(retour, "Page précédente") is None
    assert [d.pk for d in par_numero.context["page"]] == pages[1]
    assert f"Dossiers décidés ({LIGNES_PAR_PAGE + 7})" in reponse.content.decode()


@pytest.mark.parametrize("widget, valeur", [
    (saisie.EntreeNombre(attrs={"min": "1", "class": "form-control"}), 1500),
    (saisie.EntreeDate(attrs={"type": "date", "required": True}, format="%Y-%m-%d"),
     datetime.date(2027, 6, 30)),
    (saisie.EntreeCachee, "12"),
    (saisie.EntreeNombre, None),
    (saisie.ZoneDeTexte(attrs={"rows": 2, "disabled": False}), 'Sous « réserve » <b> & "x"'),
    (saisie.ZoneDeTexte, ""),
])
def test_les_champs_ecrits_en_python_donnent_le_html_de_django(widget, valeur):
    """The programmation's inputs, written in Python, are the HTML Django's templates write:
    same attributes, value escaped."""
    widget = widget() if isinstance(widget, type) else widget

    html_python = widget.render("form-0-champ", valeur, {"id": "id_form-0-champ"})

    assert html_python == forms.Widget.render(widget, "form-0-champ", valeur,
                                              {"id": "id_form-0-champ"})


# --- The granted amount, an explicit choice --------------------------------------------------


def test_le_montant_accorde_n_est_pas_prerempli(client, comite):
    """The proposed amount is shown, and offered by a button; the granted field is empty."""
    dossier = dossier_instruit()
    client.force_login(comite)

    reponse = client.get(_url(dossier.appel))

    (form,) = reponse.context["formset"].forms
    assert form["montant_accorde"].value() in (None, "")
    contenu = reponse.content.decode()
    assert f'name="accorder" value="{dossier.pk}"' in contenu
    assert "Accorder le montant proposé" in contenu


def test_retenu_sans_montant_erreur_a_cote_du_champ_rien_de_perdu(client, comite):
    """« retenu » without an amount: a French error next to the amount, nothing recorded,
    what was typed comes back."""
    dossier = dossier_instruit()
    client.force_login(comite)

    reponse = client.post(_url(dossier.appel), _programmation(
        _ligne(0, dossier, nature="retenu", montant_accorde="", date_limite_bilan=BILAN,
               versement="unique", conditions="Mentionner le contrat de ville."),
    ))

    assert reponse.status_code == 200
    assert not Decision.objects.exists()
    erreurs = reponse.context["formset"].forms[0].errors["montant_accorde"]
    assert erreurs == [
        "Indiquez le montant accordé, ou utilisez « Accorder le montant proposé »."
    ]
    contenu = reponse.content.decode()
    assert "Mentionner le contrat de ville." in contenu
    assert 'id="id_form-0-montant_accorde_erreur"' in contenu


def test_le_bouton_accorder_enregistre_le_montant_propose(client, comite):
    """Without JavaScript, « Accorder le montant proposé » on a row records it as granted."""
    dossier = dossier_instruit()
    autre = dossier_instruit(appel=dossier.appel)
    formulaires = [
        _ligne(i, d, nature="", date_limite_bilan=BILAN, versement="unique")
        for i, d in enumerate(selectors_programmation.lignes(dossier.appel))
    ]
    client.force_login(comite)

    reponse = client.post(_url(dossier.appel), _programmation(*formulaires,
                                                              accorder=str(dossier.pk)))

    assert reponse.status_code == 302
    decision = Decision.objects.get(dossier=dossier)
    assert (decision.nature, decision.montant_accorde) == ("retenu", 6000)
    assert not Decision.objects.filter(dossier=autre).exists()
    assert Dossier.objects.get(pk=dossier.pk).statut == Statut.EN_COURS


def test_accorder_aux_lignes_cochees(client, comite):
    """The button for the selection grants the proposed amount to the ticked rows only."""
    a = dossier_instruit()
    b = dossier_instruit(appel=a.appel)
    c = dossier_instruit(appel=a.appel)
    formulaires = [
        _ligne(i, d, nature="", date_limite_bilan=BILAN, versement="unique")
        for i, d in enumerate(selectors_programmation.lignes(a.appel))
    ]
    donnees = _programmation(*formulaires, accorder="selection")
    client.force_login(comite)

    reponse = client.post(_url(a.appel), {**donnees, "selection": [str(a.pk), str(c.pk)]})

    assert reponse.status_code == 302
    assert set(Decision.objects.values_list("dossier", "montant_accorde")) == {
        (a.pk, 6000), (c.pk, 6000)
    }
    assert not Decision.objects.filter(dossier=b).exists()


def test_accorder_sans_ligne_cochee_le_dit(client, comite):
    dossier = dossier_instruit()
    client.force_login(comite)

    reponse = client.post(_url(dossier.appel), _programmation(
        _ligne(0, dossier, nature="", date_limite_bilan=BILAN, versement="unique",
               conditions="Texte en cours"),
        accorder="selection",
    ))

    assert reponse.status_code == 200
    assert not Decision.objects.exists()
    assert "Cochez au moins une ligne avant d'accorder le montant proposé." in _messages(reponse)
    assert "Texte en cours" in reponse.content.decode()


def test_un_montant_au_dessus_du_propose_reste_permis_jusqu_au_demande(client, comite):
    """The comité may grant more than proposed, up to the amount requested (existing rule)."""
    dossier = dossier_instruit()
    client.force_login(comite)

    reponse = client.post(_url(dossier.appel), _programmation(
        _ligne(0, dossier, nature="retenu", montant_accorde=str(MONTANT_DEMANDE),
               date_limite_bilan=BILAN, versement="unique"),
    ))

    assert reponse.status_code == 302
    assert Decision.objects.get(dossier=dossier).montant_accorde == MONTANT_DEMANDE


def test_le_reste_de_l_enveloppe_est_juste_apres_enregistrement(client, comite):
    """Without JavaScript, the remaining amount of the pilier's envelope is the saved one."""
    dossier = dossier_instruit()
    pilier = dossier.action_principale.objectif.orientation.pilier
    dossier.appel.enveloppes.create(pilier=pilier, montant=10000)
    client.force_login(comite)
    client.post(_url(dossier.appel), _programmation(
        _ligne(0, dossier, nature="retenu", montant_accorde="4000", date_limite_bilan=BILAN,
               versement="unique"),
    ))

    reponse = client.get(_url(dossier.appel))

    total = next(t for t in reponse.context["prog"].piliers if t.pilier == pilier)
    assert (total.accorde, total.reste) == (4000, 6000)
    assert euros(6000) in reponse.content.decode()


@pytest.mark.parametrize(
    ("role", "attendu"),
    [("anonyme", 302), ("porteur", 403), ("instructeur", 403), ("comite", 302),
     ("administrateur", 302)],
)
def test_accorder_selon_le_role(client, role, attendu):
    """Only the comité and the administrators grant; nothing is recorded for the others."""
    dossier = dossier_instruit()
    acteurs = {
        "porteur": lambda: MembreFactory().utilisateur,
        "instructeur": lambda: UtilisateurFactory(instructeur=True),
        "comite": lambda: UtilisateurFactory(comite=True),
        "administrateur": lambda: UtilisateurFactory(administrateur=True),
    }
    if role in acteurs:
        client.force_login(acteurs[role]())

    reponse = client.post(_url(dossier.appel), _programmation(
        _ligne(0, dossier, nature="", date_limite_bilan=BILAN, versement="unique"),
        accorder=str(dossier.pk),
    ))

    assert reponse.status_code == attendu
    assert Decision.objects.filter(dossier=dossier).exists() == (role in ("comite",
                                                                          "administrateur"))
    if role == "anonyme":
        assert "/connexion" in reponse.url or "login" in reponse.url


@pytest.mark.parametrize("donnees", [
    {"form-TOTAL_FORMS": "abc", "accorder": "selection", "selection": "x"},
    {"form-TOTAL_FORMS": "1", "form-0-dossier": "99999999999999999999999",
     "accorder": "99999999999999999999999"},
    {"form-TOTAL_FORMS": "1", "form-0-dossier": "1", "accorder": "1"},
])
def test_des_saisies_absurdes_n_enregistrent_rien_sans_erreur_serveur(client, comite, donnees):
    dossier = dossier_instruit()
    client.force_login(comite)

    reponse = client.post(_url(dossier.appel), donnees)

    assert reponse.status_code == 200
    assert not Decision.objects.exists()
