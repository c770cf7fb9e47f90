"""Conventions, schedules, payments and recoveries: the services' rules."""

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from candidatures.commun.erreurs import ErreurMetier, SaisieInvalide
from evaluation.conventions import modele, services
from evaluation.models import Convention, LigneCompteRendu, Paiement

from .factories import BilanFactory, UtilisateurFactory, dossier_retenu

pytestmark = pytest.mark.django_db

HIER = timezone.localdate() - datetime.timedelta(days=1)
IL_Y_A_UN_MOIS = timezone.localdate() - datetime.timedelta(days=30)


def _convention(dossier, par, **champs):
    valeurs = {
        "reference": "CONV-2026-001", "date_signature": IL_Y_A_UN_MOIS,
        "signataires": "Le président d'Alès Agglomération ; la présidente de l'association",
        "deliberation": "COPIL-2026-04", "part_avance": 50,
    } | champs
    return services.enregistrer_convention(dossier=dossier, par=par, **valeurs)


def _payer(convention, par, nature="avance", montant=3000, date=HIER):
    return services.enregistrer_paiement(
        convention=convention, par=par, nature=nature, date=date, montant=montant
    )


def test_convention_enregistree_avec_l_echeancier(instructeur):
    """The convention keeps the granted amount and splits it: advance at signature, balance."""
    dossier = dossier_retenu(accorde=6000)

    convention = _convention(dossier, instructeur, part_avance=40)

    assert convention.montant_accorde == 6000
    assert (convention.montant_avance, convention.montant_solde) == (2400, 3600)
    assert convention.reste_a_verser == 6000


def test_echeancier_par_defaut_de_l_appel_et_versement_unique(instructeur):
    """Without a part, the call's default applies; a decision « unique » means 100 %."""
    echelonne = dossier_retenu(accorde=6000, versement="echelonne")
    unique = dossier_retenu(accorde=6000, appel=echelonne.appel, versement="unique")
    services.parametrer_conventions(
        appel=echelonne.appel, par=UtilisateurFactory(administrateur=True), part_avance=70,
        modele_texte="Convention {reference} : {montant_accorde}.",
    )
    echelonne.appel.refresh_from_db()

    a = _convention(echelonne, instructeur, part_avance=None)
    b = _convention(unique, instructeur, part_avance=None, reference="CONV-2")

    assert a.part_avance == 70 and not a.versement_unique
    assert b.part_avance == 100 and b.versement_unique


def test_convention_saisie_invalide_champ_par_champ(instructeur):
    """Missing reference, a date to come: a French message per field, nothing written."""
    dossier = dossier_retenu()

    with pytest.raises(SaisieInvalide) as refus:
        _convention(dossier, instructeur, reference=" ",
                    date_signature=timezone.localdate() + datetime.timedelta(days=3))

    assert set(refus.value.erreurs) == {"reference", "date_signature"}
    assert not Convention.objects.exists()


def test_le_comite_ne_saisit_ni_convention_ni_paiement():
    """The comité reads; recording is for instructors and administrators."""
    dossier = dossier_retenu()
    comite = UtilisateurFactory(comite=True)

    with pytest.raises(ErreurMetier):
        _convention(dossier, comite)


def test_paiements_jamais_au_dela_du_montant_accorde(instructeur):
    """The advance and instalments add up; a payment beyond the grant is refused."""
    convention = _convention(dossier_retenu(accorde=6000), instructeur)
    _payer(convention, instructeur, montant=3000)
    _payer(convention, instructeur, nature="acompte", montant=2000)

    with pytest.raises(SaisieInvalide) as refus:
        _payer(convention, instructeur, nature="acompte", montant=1001)

    assert "reste 1\xa0000\xa0€" in refus.value.erreurs["montant"]
    convention.refresh_from_db()
    assert convention.montant_verse == 5000
    assert Paiement.objects.count() == 2


def test_la_base_refuse_un_verse_au_dela_de_l_accorde(instructeur):
    """The database holds the rule too, whatever code writes."""
    convention = _convention(dossier_retenu(accorde=6000), instructeur)

    with pytest.raises(IntegrityError), transaction.atomic():
        Convention.objects.filter(pk=convention.pk).update(montant_verse=6001)


def test_solde_bloque_tant_que_le_bilan_n_est_pas_valide(instructeur):
    """The balance waits for the validated bilan; then it is paid and nothing remains."""
    dossier = dossier_retenu(accorde=6000)
    convention = _convention(dossier, instructeur)
    _payer(convention, instructeur, montant=3000)
    bilan = BilanFactory(dossier=dossier, depose_le=timezone.now())

    with pytest.raises(SaisieInvalide) as refus:
        _payer(convention, instructeur, nature="solde", montant=3000)
    assert "validation du bilan" in refus.value.erreurs["nature"]

    bilan.valide_le = timezone.now()
    bilan.save()
    _payer(convention, instructeur, nature="solde", montant=3000)

    convention.refresh_from_db()
    assert convention.solde_verse and convention.reste_a_verser == 0
    with pytest.raises(SaisieInvalide):
        _payer(convention, instructeur, nature="acompte", montant=1)


def test_solde_non_du_quand_le_bilan_est_refuse(instructeur):
    """Balance declared not due: it is refused even once a bilan is validated."""
    dossier = dossier_retenu(accorde=6000)
    convention = _convention(dossier, instructeur)
    _payer(convention, instructeur, montant=3000)

    services.renoncer_au_solde(convention=convention, par=instructeur, motif="Bilan refusé.")
    BilanFactory(dossier=dossier, depose_le=timezone.now(), valide_le=timezone.now())

    with pytest.raises(SaisieInvalide) as refus:
        _payer(convention, instructeur, nature="solde", montant=3000)
    assert "pas dû" in refus.value.erreurs["nature"]
    convention.refresh_from_db()
    assert convention.reste_a_verser == 0


def test_paiement_date_avant_la_convention_refusee(instructeur):
    convention = _convention(dossier_retenu(), instructeur)

    with pytest.raises(SaisieInvalide) as refus:
        _payer(convention, instructeur, date=IL_Y_A_UN_MOIS - datetime.timedelta(days=1))

    assert "date" in refus.value.erreurs


def test_a_recouvrer_quand_les_depenses_sont_inferieures_au_verse(instructeur):
    """Titre de recette: what was paid beyond the actual spending of the compte rendu."""
    dossier = dossier_retenu(accorde=6000)
    convention = _convention(dossier, instructeur, part_avance=100)
    _payer(convention, instructeur, montant=6000)
    bilan = BilanFactory(dossier=dossier, depose_le=timezone.now())
    LigneCompteRendu.objects.create(bilan=bilan, code="64", prevu=5000, realise=3500)
    LigneCompteRendu.objects.create(bilan=bilan, code="60", prevu=2500, realise=1200)
    # A product line is not spending.
    LigneCompteRendu.objects.create(bilan=bilan, code="74_etat_pv", prevu=4000, realise=4000)
    convention.refresh_from_db()

    depenses = services.depenses_realisees(dossier)

    assert depenses == 4700
    assert services.a_recouvrer(convention, depenses) == 1300


def test_action_non_realisee_tout_le_verse_est_a_recouvrer(instructeur):
    convention = _convention(dossier_retenu(accorde=6000), instructeur)
    _payer(convention, instructeur, montant=3000)

    convention = services.renoncer_au_solde(
        convention=convention, par=instructeur, motif="Action annulée.", action_non_realisee=True
    )

    assert services.a_recouvrer(convention, None) == 3000


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite sérialise toutes les écritures : la concurrence se vérifie sur PostgreSQL.",
)
def test_deux_paiements_simultanes_ne_depassent_pas_l_accorde():
    """Two instructors pay the remaining amount at once: one payment only goes through."""
    instructeur = UtilisateurFactory(instructeur=True)
    convention = _convention(dossier_retenu(accorde=6000), instructeur, part_avance=100)
    resultats = []
    depart = threading.Barrier(2)

    def payer():
        depart.wait()
        try:
            _payer(convention, instructeur, montant=4000)
            resultats.append("ok")
        except SaisieInvalide:
            resultats.append("refus")
        finally:
            connection.close()

    fils = [threading.Thread(target=payer) for _ in range(2)]
    for f in fils:
        f.start()
    for f in fils:
        f.join()

    assert sorted(resultats) == ["ok", "refus"]
    assert Convention.objects.get(pk=convention.pk).montant_verse == 4000


def test_modele_de_convention_refuse_les_champs_inconnus():
    """Only the listed {champs}: anything else is named in a French message."""
    erreurs = modele.erreurs_du_modele("Montant : {montant_accorde}. {__class__} {objet.x} {")

    assert len(erreurs) == 2
    assert "{__class__}" in erreurs[0] and "{objet.x}" in erreurs[0]
    assert "accolade" in erreurs[1]
    assert modele.erreurs_du_modele("{montant_accorde} pour {objet}") == []


def test_modele_rempli_et_echappe():
    """Values go in as text: a structure named with HTML stays text in the PDF."""
    html = modele.paragraphes_html(
        "À {beneficiaire}\n\nMontant : {montant_accorde}",
        {"beneficiaire": "<b>Asso</b>", "montant_accorde": "6 000 €"},
    )

    assert html == "<p>À &lt;b&gt;Asso&lt;/b&gt;</p><p>Montant : 6 000 €</p>"


def test_parametres_refusent_un_modele_invalide():
    dossier = dossier_retenu()

    with pytest.raises(SaisieInvalide) as refus:
        services.parametrer_conventions(
            appel=dossier.appel, par=UtilisateurFactory(administrateur=True), part_avance=50,
            modele_texte="{inconnu}",
        )

    assert "{inconnu}" in refus.value.erreurs["modele"]
