"""`manage.py generer_volume`: a realistic call for demos and benchmarks."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.timezone import localtime

from candidatures.dossiers.selectors import totaux_budget
from candidatures.models import Dossier, LigneBudget, Statut
from evaluation.management.commands.generer_volume import AVEC_BILAN, RETENUS
from evaluation.models import Bilan, Decision, Instruction, RealisationIndicateur
from referentiel.models import Action, Contrat, Indicateur, Objectif, Orientation, Pilier, Renvoi

pytestmark = pytest.mark.django_db

DECIDES = [*RETENUS, Statut.NON_RETENU, Statut.CLASSE_SANS_SUITE]


def test_genere_des_dossiers_decides_et_des_bilans():
    """The call gets the dossiers asked for, with decisions and F/H values reported."""

    call_command("generer_volume", dossiers=40, annee=2023, stdout=StringIO())

    dossiers = Dossier.objects.filter(appel__annee=2023)
    assert dossiers.count() == 40
    assert dossiers.filter(statut=Statut.CLOTURE).exists()
    assert Decision.objects.filter(dossier__appel__annee=2023, nature="retenu").exists()
    assert LigneBudget.objects.filter(dossier__appel__annee=2023).exists()
    assert RealisationIndicateur.objects.filter(
        bilan__dossier__appel__annee=2023, valeur_femmes__isnull=False
    ).exists()
    assert set(dossiers.values_list("reference", flat=True)) >= {"AAP-2023-0001", "AAP-2023-0040"}
    # Instructed dossiers have a concluded instruction: the programmation lists them.
    instruits = dossiers.filter(statut__in=[Statut.INSTRUIT, Statut.NON_RETENU, Statut.CLOTURE])
    assert instruits.exists()
    assert not instruits.filter(instruction__conclue_le__isnull=True).exists()
    assert not dossiers.filter(statut=Statut.DEPOSE, instruction__isnull=False).exists()
    # The requested amount the queue sorts on is that of the budget lines.
    for dossier in dossiers:
        assert dossier.montant_demande == totaux_budget(dossier).montant_demande > 0


def test_si_vide_ne_genere_pas_deux_fois():
    """With --si-vide, a call that already has dossiers is left as it is."""

    call_command("generer_volume", dossiers=10, annee=2022, stdout=StringIO())
    sortie = StringIO()

    call_command("generer_volume", dossiers=10, annee=2022, si_vide=True, stdout=sortie)

    assert Dossier.objects.filter(appel__annee=2022).count() == 10
    assert "rien n'est généré" in sortie.getvalue()


def test_sans_si_vide_ajoute_au_meme_appel():
    """Without --si-vide, new dossiers are added to the same call with the next references."""

    call_command("generer_volume", dossiers=5, annee=2021, stdout=StringIO())

    call_command("generer_volume", dossiers=5, annee=2021, stdout=StringIO())

    assert Dossier.objects.filter(appel__annee=2021).count() == 10


def test_copies_creent_des_contrats_complets_avec_leurs_dossiers():
    """--copies N: N new contracts, each with the source's tree, its own QPV, call and dossiers."""
    source = Contrat.objects.par_defaut()

    call_command("generer_volume", dossiers=12, annee=2020, copies=2, stdout=StringIO())

    copies = list(Contrat.objects.filter(code__startswith="volume-").order_by("code"))
    assert [c.code for c in copies] == ["volume-01", "volume-02"]
    for copie in copies:
        assert copie.territoire.code == copie.code and not copie.par_defaut
        for modele in (Pilier, Orientation, Objectif, Action):
            assert list(modele.objects.filter(contrat=copie).values_list("code", flat=True)) \
                == list(modele.objects.filter(contrat=source).values_list("code", flat=True))
        assert Indicateur.objects.filter(objectif__contrat=copie).count() \
            == Indicateur.objects.filter(objectif__contrat=source).count()
        renvois = Renvoi.objects.filter(objectif__contrat=copie)
        assert renvois.count() == Renvoi.objects.filter(objectif__contrat=source).count()
        assert all(r.cible.contrat_id == copie.pk for r in renvois)
        assert copie.quartiers.count() == source.quartiers.count()
        assert not set(copie.quartiers.all()) & set(source.quartiers.all())
        dossiers = Dossier.objects.filter(appel__contrat=copie, appel__annee=2020)
        assert dossiers.count() == 12
        assert not dossiers.exclude(action_principale__contrat=copie).exists()
        assert not dossiers.filter(quartiers__in=source.quartiers.all()).exists()
    assert Dossier.objects.filter(appel__contrat=source, appel__annee=2020).count() == 12
    assert Dossier.objects.filter(appel__annee=2020).values("reference").distinct().count() == 36


def test_copies_suivantes_prennent_les_codes_libres():
    """A second run adds contracts after the ones already there instead of failing."""
    call_command("generer_volume", dossiers=2, annee=2019, copies=1, stdout=StringIO())

    call_command("generer_volume", dossiers=2, annee=2019, copies=1, stdout=StringIO())

    assert set(Contrat.objects.filter(code__startswith="volume-").values_list("code", flat=True)) \
        == {"volume-01", "volume-02"}


def _empreinte(contrat, annee):
    return [
        (d.numero, d.statut, d.action_principale.code, d.structure.raison_sociale,
         sorted(d.lignes_budget.values_list("code", "montant")),
         sorted(q.code for q in d.quartiers.all()))
        for d in Dossier.objects.filter(appel__contrat=contrat, appel__annee=annee)
        .select_related("action_principale", "structure").order_by("numero")
    ]


def test_un_contrat_recoit_les_memes_dossiers_seul_ou_parmi_des_copies():
    """The benchmark compares one contract alone and among others: its dossiers are the same."""
    contrat = Contrat.objects.par_defaut()
    call_command("generer_volume", dossiers=30, annee=2017, stdout=StringIO())

    call_command("generer_volume", dossiers=30, annee=2018, copies=3, stdout=StringIO())

    assert _empreinte(contrat, 2017) == _empreinte(contrat, 2018)
    copie = Contrat.objects.get(code="volume-01")
    assert _empreinte(copie, 2018) != _empreinte(contrat, 2018)


def test_contrat_choisi_par_son_code():
    """--contrat CODE fills that contract's call, with references of its own."""
    call_command("generer_volume", dossiers=1, annee=2016, copies=1, stdout=StringIO())
    copie = Contrat.objects.get(code="volume-01")

    call_command("generer_volume", dossiers=4, annee=2015, contrat="volume-01", stdout=StringIO())

    dossiers = Dossier.objects.filter(appel__annee=2015)
    assert dossiers.count() == 4
    assert set(dossiers.values_list("appel__contrat", flat=True)) == {copie.pk}
    assert dossiers.filter(reference=f"AAP{copie.pk}-2015-0001").exists()


def test_contrat_inconnu_est_refuse_clairement():
    with pytest.raises(CommandError, match="Aucun contrat n'a le code « inconnu »"):
        call_command("generer_volume", dossiers=1, contrat="inconnu", stdout=StringIO())
    assert not Dossier.objects.exists()


def test_dates_dans_l_annee_de_l_appel_et_comptes_coherents():
    """Decisions, instructions concluded and bilans are dated within the call's year (in the
    portal's time zone); every decided dossier has one decision, every bilan its dossier."""
    call_command("generer_volume", dossiers=200, annee=2024, stdout=StringIO())

    dossiers = Dossier.objects.filter(appel__annee=2024)
    decisions = Decision.objects.filter(dossier__appel__annee=2024)
    bilans = Bilan.objects.filter(dossier__appel__annee=2024)
    assert dossiers.count() == 200
    assert decisions.count() == dossiers.filter(statut__in=DECIDES).count() > 0
    assert bilans.count() == dossiers.filter(statut__in=AVEC_BILAN).count() > 0
    assert Instruction.objects.filter(dossier__appel__annee=2024).count() == dossiers.filter(
        statut__in=[*DECIDES, Statut.INSTRUIT, Statut.EN_INSTRUCTION]
    ).count()
    dates = [
        *(localtime(d).date() for d in decisions.values_list("decidee_le", flat=True)),
        *(localtime(d).date() for d in Instruction.objects.filter(
            dossier__appel__annee=2024, conclue_le__isnull=False
        ).values_list("conclue_le", flat=True)),
        *(localtime(d).date() for champ in ("cree_le", "depose_le", "valide_le")
          for d in bilans.exclude(**{f"{champ}__isnull": True}).values_list(champ, flat=True)),
    ]
    assert dates and {d.year for d in dates} == {2024}
    # Each decision comes after its instruction's conclusion, each bilan after the decision.
    for decision in decisions.select_related("dossier__instruction"):
        assert decision.decidee_le > decision.dossier.instruction.conclue_le
    for bilan in bilans.select_related("dossier__decision"):
        assert bilan.cree_le > bilan.dossier.decision.decidee_le
        assert bilan.depose_le is None or bilan.depose_le >= bilan.cree_le
        assert bilan.valide_le is None or bilan.valide_le > bilan.depose_le
