"""Decisions: amounts, motives, transitions to « en cours », letters and e-mails."""

import datetime
import io
from unittest import mock

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from candidatures.commun.erreurs import ErreurMetier, SaisieInvalide
from candidatures.models import HistoriqueStatut, Statut
from evaluation.instruction.pdf import generer_lettre
from evaluation.instruction.services import decisions as services_decisions
from evaluation.models import Decision

from .factories import (
    MONTANT_DEMANDE,
    DecisionFactory,
    DossierFactory,
    MembreFactory,
    UtilisateurFactory,
    dossier_instruit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def membre():
    return MembreFactory()


@pytest.fixture
def instruit(membre):
    return dossier_instruit(membre=membre)


def _bilan():
    return timezone.localdate() + datetime.timedelta(days=365)


def _texte_pdf(contenu):
    texte = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(contenu)).pages)
    return " ".join(texte.replace("\xa0", " ").replace("\u202f", " ").split())


def test_retenir_un_dossier_le_met_en_cours(instruit, comite):
    """« retenu » then « en cours de réalisation », two history rows, the bilan date recorded."""

    decision = services_decisions.decider(
        dossier=instruit, par=comite, nature="retenu", montant_accorde=5000,
        conditions="Mentionner le contrat de ville.", date_limite_bilan=_bilan(),
    )

    instruit.refresh_from_db()
    assert instruit.statut == Statut.EN_COURS
    assert list(
        HistoriqueStatut.objects.filter(dossier=instruit).values_list("vers", flat=True)
    )[-2:] == ["retenu", "en_cours"]
    assert decision.montant_demande == MONTANT_DEMANDE
    assert decision.date_limite_bilan == _bilan()


def test_montant_accorde_au_dela_du_demande_refuse(instruit, comite):
    """The comité cannot grant more than what was asked."""

    with pytest.raises(SaisieInvalide) as erreur:
        services_decisions.decider(
            dossier=instruit, par=comite, nature="retenu", montant_accorde=MONTANT_DEMANDE + 1,
            date_limite_bilan=_bilan(),
        )

    assert "dépasse le montant demandé" in erreur.value.erreurs["montant_accorde"]
    instruit.refresh_from_db()
    assert instruit.statut == Statut.INSTRUIT


def test_montant_accorde_au_dela_du_propose_accepte(instruit, comite):
    """The comité is sovereign: it may grant more than proposed, up to the request."""

    decision = services_decisions.decider(
        dossier=instruit, par=comite, nature="retenu", montant_accorde=MONTANT_DEMANDE,
        date_limite_bilan=_bilan(),
    )

    assert decision.montant_accorde > instruit.instruction.montant_propose


def test_la_base_refuse_un_montant_accorde_superieur_au_demande():
    """The CheckConstraint refuses a granted amount above the request."""
    decision = DecisionFactory(montant_demande=1000, montant_accorde=1000)
    decision.montant_accorde = 1001

    with pytest.raises(IntegrityError), transaction.atomic():
        decision.save()


def test_la_base_refuse_un_refus_sans_motif():
    """The CheckConstraint refuses a « non retenu » without motive."""

    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionFactory(refus=True, motif="")


@pytest.mark.parametrize("nature", ["non_retenu", "classe_sans_suite"])
def test_motif_obligatoire_pour_un_refus(instruit, comite, nature):
    """« non retenu » and « classé sans suite » need a motive."""

    with pytest.raises(SaisieInvalide) as erreur:
        services_decisions.decider(dossier=instruit, par=comite, nature=nature, motif="  ")

    assert "motif" in erreur.value.erreurs


@pytest.mark.parametrize("nature", ["non_retenu", "classe_sans_suite"])
def test_refuser_un_dossier(instruit, comite, nature):
    """A refusal moves the dossier to its final status; a prefilled amount is dropped."""

    decision = services_decisions.decider(
        dossier=instruit, par=comite, nature=nature, motif="Hors cible.", montant_accorde=6000,
        date_limite_bilan=_bilan(),
    )

    instruit.refresh_from_db()
    assert instruit.statut == nature
    assert (decision.montant_accorde, decision.date_limite_bilan) == (None, None)


def test_retenu_exige_un_montant_et_une_date_de_bilan(instruit, comite):
    """A retained dossier needs an amount and a future bilan date."""

    with pytest.raises(SaisieInvalide) as erreur:
        services_decisions.decider(dossier=instruit, par=comite, nature="retenu")

    assert set(erreur.value.erreurs) == {"montant_accorde", "date_limite_bilan"}


def test_un_instructeur_ne_decide_pas(instruit):
    """Instructors never decide."""
    instructeur = UtilisateurFactory(instructeur=True)

    with pytest.raises(ErreurMetier, match="comité"):
        services_decisions.decider(
            dossier=instruit, par=instructeur, nature="non_retenu", motif="Non."
        )


@pytest.mark.parametrize("trait", ["depose", "en_instruction", "a_corriger", "retire"])
def test_decider_refuse_avant_la_fin_de_l_instruction(comite, trait):
    """Only an instructed dossier receives a decision: the table refuses the others."""
    dossier = DossierFactory(**{trait: True})

    with pytest.raises(ErreurMetier, match="ne peut pas passer"):
        services_decisions.decider(dossier=dossier, par=comite, nature="non_retenu", motif="Non.")

    assert not Decision.objects.filter(dossier=dossier).exists()


def test_decider_deux_fois_refuse(instruit, comite):
    """A dossier is decided once."""
    services_decisions.decider(dossier=instruit, par=comite, nature="non_retenu", motif="Non.")

    with pytest.raises(ErreurMetier, match="déjà reçu une décision"):
        services_decisions.decider(
            dossier=instruit, par=comite, nature="non_retenu", motif="Encore non."
        )


def test_decider_en_lot_tout_ou_rien(comite):
    """A batch with one refused row records nothing, and says which row failed."""
    premier = dossier_instruit()
    second = dossier_instruit(appel=premier.appel)

    with pytest.raises(services_decisions.ErreurLot) as erreur:
        services_decisions.decider_en_lot(
            lignes=[
                {"dossier": premier, "nature": "retenu", "montant_accorde": 5000,
                 "date_limite_bilan": _bilan()},
                {"dossier": second, "nature": "non_retenu", "motif": ""},
            ],
            par=comite,
        )

    assert erreur.value.index == 1
    assert not Decision.objects.exists()
    premier.refresh_from_db()
    assert premier.statut == Statut.INSTRUIT


def test_notification_et_lettre_d_attribution(
    instruit, comite, membre, django_capture_on_commit_callbacks, executer_taches):
    """The letter is rendered by the worker, not in the decision; the structure receives it; it
    carries reference, action, amount and date."""
    # A fixed day and month, in a year always to come: the date must lie in the future.
    echeance = datetime.date(timezone.localdate().year + 2, 6, 30)

    with django_capture_on_commit_callbacks(execute=True):
        decision = services_decisions.decider(
            dossier=instruit, par=comite, nature="retenu", montant_accorde=5000,
            conditions="Mentionner le soutien du contrat de ville.",
            date_limite_bilan=echeance,
        )

    decision.refresh_from_db()
    assert not decision.lettre and mail.outbox == []
    executer_taches()
    decision.refresh_from_db()
    assert decision.lettre and decision.lettre_generee_le
    [courriel] = [m for m in mail.outbox if "décision" in m.subject]
    assert courriel.to == [membre.utilisateur.email]
    nom, contenu, type_mime = courriel.attachments[0]
    assert (nom, type_mime) == (f"decision-{instruit.reference}.pdf", "application/pdf")
    texte = _texte_pdf(contenu)
    assert instruit.reference in texte
    assert "1.1.1.a" in texte
    assert "5 000 €" in texte
    assert f"30 juin {echeance.year}" in texte
    assert "notification d'attribution" in texte
    assert "Mentionner le soutien du contrat de ville." in texte


def test_lettre_de_refus_avec_motif(instruit, comite):
    """A refusal letter states the motive and the means of appeal."""
    decision = services_decisions.decider(
        dossier=instruit, par=comite, nature="non_retenu", motif="Public hors des QPV."
    )

    texte = _texte_pdf(generer_lettre(decision=decision))

    assert "notification de refus" in texte
    assert "Public hors des QPV." in texte
    assert "tribunal administratif de Nîmes" in texte


def test_la_lettre_est_conservee_et_relue(instruit, comite):
    """The letter is rendered once and the same bytes come back afterwards."""
    decision = services_decisions.decider(
        dossier=instruit, par=comite, nature="non_retenu", motif="Public hors des QPV."
    )
    premiere = generer_lettre(decision=decision)

    seconde = generer_lettre(decision=decision)

    assert seconde == premiere


RENDU_LETTRE = "evaluation.instruction.pdf.rendre_lettre"


def _interdit(*args, **kwargs):
    raise AssertionError("La lettre a été rendue pendant la requête.")


def test_la_page_de_la_lettre_ne_la_rend_pas(
    client, instruit, comite, django_capture_on_commit_callbacks, executer_taches
):
    """Before the worker ran, the letter's address says it is being prepared (no rendering in
    the request, nothing written on a GET); long after the decision, the page offers to ask the
    worker again, and the button does; then the file."""
    decision = services_decisions.decider(
        dossier=instruit, par=comite, nature="non_retenu", motif="Public hors des QPV."
    )
    client.force_login(comite)
    adresse = reverse("evaluation:lettre", args=[instruit.pk])
    with mock.patch(RENDU_LETTRE, side_effect=_interdit):
        with django_capture_on_commit_callbacks(execute=True) as rappels:
            reponse = client.get(adresse)
        assert reponse.status_code == 200
        assert "La lettre de décision est en préparation" in reponse.content.decode()
        assert rappels == []  # just decided: the notification task is about to render it

        Decision.objects.filter(pk=decision.pk).update(
            decidee_le=timezone.now() - datetime.timedelta(hours=1)
        )
        with django_capture_on_commit_callbacks(execute=True) as rappels:
            reponse = client.get(adresse)
        assert rappels == []  # a GET never queues anything
        assert "Relancer la préparation de la lettre" in reponse.content.decode()
        with django_capture_on_commit_callbacks(execute=True) as rappels:
            reponse = client.post(adresse, follow=True)
        assert len(rappels) == 1
        assert "La préparation de la lettre de décision est relancée." in reponse.content.decode()
    etat = reverse("evaluation:lettre_etat", args=[instruit.pk])
    assert client.get(etat).json()["fichier"] == ""  # what the page polls

    executer_taches()
    assert client.get(etat).json()["fichier"] == adresse
    reponse = client.get(adresse)
    contenu = b"".join(reponse.streaming_content)
    assert reponse["Content-Type"] == "application/pdf"
    assert "notification de refus" in _texte_pdf(contenu)
