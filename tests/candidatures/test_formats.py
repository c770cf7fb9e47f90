"""Amounts in French format everywhere: the helper, a scan of templates and code for amounts
written without it, and the outputs people read (a page, a message, an e-mail, a letter)."""

import ast
import io
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader
from pytest_django.asserts import assertContains

from candidatures.commun.formats import euros, iban, nombre, siret
from candidatures.dossiers import selectors as selecteurs_dossiers
from candidatures.models import EnveloppePilier, LigneBudget, Section
from referentiel.models import Pilier

RACINE = Path(__file__).resolve().parents[2]
NBSP = "\xa0"
HELPER = RACINE / "candidatures" / "commun" / "formats.py"

# A template value directly followed by « € » (spaces, &nbsp; or a closing <output> between):
# the amount was written by hand instead of through the `euros` filter, which adds the sign.
# Only a value grouped by `nombre` may carry a sign of its own (a total a script updates live).
EURO_APRES_VALEUR = re.compile(r"\{\{(?P<expr>(?:(?!\}\}).)*)\}\}(?:\s|&nbsp;|&#160;|</output>)*€")
# Formats that give English or ungrouped amounts.
FILTRES_INTERDITS = re.compile(r"\|\s*(?:intcomma|floatformat)[^}]*\}\}(?:\s|&nbsp;)*€")


def _gabarits():
    dossier = RACINE / "templates"
    for chemin in sorted(dossier.rglob("*")):
        if chemin.suffix in {".html", ".txt"}:
            yield chemin.relative_to(dossier).as_posix(), chemin.read_text(encoding="utf-8")


def _fautes_gabarit(texte):
    fautes = []
    for numero, ligne in enumerate(texte.splitlines(), start=1):
        brutes = [
            m for m in EURO_APRES_VALEUR.finditer(ligne) if "|nombre" not in m["expr"]
        ]
        if brutes or FILTRES_INTERDITS.search(ligne):
            fautes.append(f"{numero}: {ligne.strip()[:120]}")
    return fautes


def _fautes_python(source):
    """f-strings where a placeholder is followed by « € », and %s / {} followed by « € »."""
    fautes = []
    for noeud in ast.walk(ast.parse(source)):
        if isinstance(noeud, ast.JoinedStr):
            for valeur, suivante in zip(noeud.values, noeud.values[1:], strict=False):
                if (
                    isinstance(valeur, ast.FormattedValue)
                    and isinstance(suivante, ast.Constant)
                    and str(suivante.value).lstrip(" \xa0\u202f").startswith("€")
                ):
                    fautes.append(f"{noeud.lineno}: {ast.unparse(noeud)[:120]}")
        elif isinstance(noeud, ast.Constant) and isinstance(noeud.value, str):
            if re.search(r"(?:%s|%d|\{\})[ \xa0\u202f]?€", noeud.value):
                fautes.append(f"{noeud.lineno}: {noeud.value[:120]}")
    return fautes


def test_euros_groupe_les_milliers_avec_des_espaces_insecables():
    """12500 → « 12 500 € », spaces that never break the amount over two lines."""
    assert euros(12500) == f"12{NBSP}500{NBSP}€"
    assert euros(1234567) == f"1{NBSP}234{NBSP}567{NBSP}€"
    assert euros(0) == f"0{NBSP}€"
    assert euros(None) == ""
    assert nombre(7000) == f"7{NBSP}000"


def test_siret_et_iban_se_lisent_par_groupes():
    """A SIRET reads « 812 345 676 00017 », an IBAN by fours; anything else is left as is."""
    assert siret("81234567600017") == NBSP.join(["812", "345", "676", "00017"])
    assert siret("1234") == "1234"
    assert siret(None) == ""
    assert iban("fr7630006000011234567890189") == "FR76 3000 6000 0112 3456 7890 189"
    assert iban("") == ""


@pytest.mark.django_db
def test_la_fiche_de_la_structure_groupe_siret_et_iban(client):
    """The structure's page shows its SIRET and IBAN grouped, as on official papers."""
    from .factories import MembreFactory

    membre = MembreFactory(
        structure__siret="81234567600017", structure__iban="FR7630006000011234567890189"
    )
    client.force_login(membre.utilisateur)

    reponse = client.get(reverse("structures:detail", args=[membre.structure.pk]))

    assertContains(reponse, f"812{NBSP}345{NBSP}676{NBSP}00017")
    assertContains(reponse, "FR76 3000 6000 0112 3456 7890 189")


def test_le_controle_detecte_un_montant_ecrit_a_la_main():
    """The scans below catch the usual ways of writing an amount without the helper."""
    assert _fautes_gabarit("<p>{{ appel.enveloppe }} €</p>")
    assert _fautes_gabarit("<p>{{ total|floatformat:0 }}&nbsp;€</p>")
    assert _fautes_gabarit('<output id="m">{{ m }}</output> €')
    assert not _fautes_gabarit("<p>{{ appel.enveloppe|euros }}</p><th>Montant (€)</th>")
    assert not _fautes_gabarit('<output id="m">{{ m|nombre }}</output>&nbsp;€')
    assert _fautes_python('f"le total ({total} €)"')
    assert _fautes_python('"total : %s €" % total')
    assert not _fautes_python('f"le total ({euros(total)})"')


def test_aucun_gabarit_n_ecrit_un_montant_sans_le_filtre_euros():
    """No page, e-mail, letter or PDF template writes « € » after a raw value."""
    fautes = {
        nom: f
        for nom, texte in _gabarits()
        if (f := _fautes_gabarit(texte))
    }

    assert not fautes, "Montants sans le filtre euros : " + repr(fautes)


@pytest.mark.parametrize("application", ["candidatures", "evaluation", "referentiel"])
def test_aucun_message_n_ecrit_un_montant_sans_euros(application):
    """No message built in Python puts « € » after a raw number: they call formats.euros."""
    fautes = {
        str(chemin.relative_to(RACINE)): f
        for chemin in sorted((RACINE / application).rglob("*.py"))
        if "migrations" not in chemin.parts and chemin != HELPER
        and (f := _fautes_python(chemin.read_text(encoding="utf-8")))
    }

    assert not fautes, "Montants sans formats.euros : " + repr(fautes)


@pytest.mark.django_db
def test_le_controle_avant_depot_donne_les_montants_en_francais():
    """The pre-submission check says « le total des charges (12 000 €) … (7 500 €) »."""
    from .factories import DossierFactory

    dossier = DossierFactory()
    LigneBudget.objects.create(dossier=dossier, code="64", montant=12000)
    LigneBudget.objects.create(dossier=dossier, code="74_etat_pv", montant=7500)

    manques = selecteurs_dossiers.manques(dossier)[Section.BUDGET]

    assert (
        f"Budget : le total des charges (12{NBSP}000{NBSP}€) doit être égal au total des "
        f"produits (7{NBSP}500{NBSP}€)."
    ) in manques


@pytest.mark.django_db
def test_la_page_de_l_appel_donne_les_enveloppes_en_francais(client):
    """The call's public page shows its envelopes as « 150 000 € »."""
    from .factories import AppelAProjetsFactory

    appel = AppelAProjetsFactory(enveloppe_totale=150000)
    pilier = Pilier.objects.filter(contrat=appel.contrat).order_by("ordre").first()
    EnveloppePilier.objects.create(appel=appel, pilier=pilier, montant=42500)

    reponse = client.get(reverse("appels:detail", args=[appel.pk]))

    assertContains(reponse, f"150{NBSP}000{NBSP}€ au total.")
    assertContains(reponse, f"{pilier} : 42{NBSP}500{NBSP}€")


@pytest.mark.django_db
def test_le_courriel_et_la_lettre_de_decision_donnent_le_montant_en_francais(
    django_capture_on_commit_callbacks, executer_taches):
    """The decision e-mail and the letter attached say « 5 000 € », never « 5000 »."""
    import datetime

    from django.utils import timezone

    from evaluation.instruction.services import decisions as services_decisions
    from tests.evaluation.factories import UtilisateurFactory, dossier_instruit

    dossier = dossier_instruit()
    with django_capture_on_commit_callbacks(execute=True):
        services_decisions.decider(
            dossier=dossier, par=UtilisateurFactory(comite=True), nature="retenu",
            montant_accorde=5000, conditions="",
            date_limite_bilan=timezone.localdate() + datetime.timedelta(days=365),
        )

    executer_taches()
    [courriel] = [m for m in mail.outbox if "décision" in m.subject]
    assert f"Montant accordé : 5{NBSP}000{NBSP}€." in courriel.body
    _nom, contenu, _type = courriel.attachments[0]
    texte = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(contenu)).pages)
    assert re.search(r"\b5[\xa0\u202f ]000[\xa0\u202f ]€", texte)
    assert "5000" not in texte and "7500" not in texte
