"""What the administrators of a contract set for it: envelopes per pilier, default instructors
per pilier; and who is offered as an instructor (the contract's instructeurs, nobody else)."""

import pytest
from django.urls import reverse

from candidatures.models import EnveloppePilier, Role
from evaluation.instruction.selectors.commun import instructeurs
from evaluation.models import AffectationPilier
from referentiel.models import Contrat, Pilier
from tests.contrat_temoin import creer_contrat, habiliter

from .factories import AppelAProjetsFactory, UtilisateurFactory, dossier_depose

pytestmark = pytest.mark.django_db


@pytest.fixture
def contrats():
    defaut = Contrat.objects.par_defaut()
    return defaut, creer_contrat("Cévenol")


@pytest.fixture
def admin_a(contrats):
    return habiliter(UtilisateurFactory(nom="Admin A"), Role.ADMINISTRATEUR, contrats[0])


def test_l_administrateur_du_contrat_fixe_les_enveloppes(client, contrats, admin_a):
    """One amount per pilier of the call's contract; an emptied field removes the envelope;
    the programmation compares with them."""
    appel = AppelAProjetsFactory(contrat=contrats[0])
    piliers = list(Pilier.objects.filter(contrat=contrats[0]).order_by("ordre", "code"))
    EnveloppePilier.objects.create(appel=appel, pilier=piliers[1], montant=500)
    client.force_login(admin_a)
    url = reverse("evaluation:enveloppes", args=[appel.pk])

    page = client.get(url)
    reponse = client.post(url, {f"pilier_{piliers[0].pk}": "120000", f"pilier_{piliers[1].pk}": ""})

    assert [f.label for f in page.context["form"]] == [f"{p} (€)" for p in piliers]
    assert reponse.status_code == 302
    assert dict(EnveloppePilier.objects.filter(appel=appel).values_list("pilier", "montant")) == {
        piliers[0].pk: 120000
    }
    programmation = client.get(reverse("evaluation:programmation", args=[appel.pk]))
    assert programmation.context["prog"].piliers[0].enveloppe == 120000


def test_une_enveloppe_negative_est_signalee_sur_son_champ(client, contrats, admin_a):
    appel = AppelAProjetsFactory(contrat=contrats[0])
    pilier = Pilier.objects.filter(contrat=contrats[0]).first()
    client.force_login(admin_a)

    reponse = client.post(reverse("evaluation:enveloppes", args=[appel.pk]),
                          {f"pilier_{pilier.pk}": "-5"})

    assert reponse.status_code == 200
    assert reponse.context["form"].errors[f"pilier_{pilier.pk}"]
    assert reponse.context["form"][f"pilier_{pilier.pk}"].value() == "-5"
    assert not EnveloppePilier.objects.exists()


@pytest.mark.parametrize("role", [Role.INSTRUCTEUR, Role.COMITE])
def test_les_enveloppes_sont_aux_administrateurs(client, contrats, role):
    appel = AppelAProjetsFactory(contrat=contrats[0])
    client.force_login(habiliter(UtilisateurFactory(), role, contrats[0]))

    assert client.get(reverse("evaluation:enveloppes", args=[appel.pk])).status_code == 403


def test_les_instructeurs_par_pilier_d_un_contrat(client, contrats, admin_a):
    """The table lists the contract's piliers, and offers the contract's instructors only."""
    defaut, autre = contrats
    moi = habiliter(UtilisateurFactory(nom="Instructrice A"), Role.INSTRUCTEUR, defaut)
    ailleurs = habiliter(UtilisateurFactory(nom="Instructeur B"), Role.INSTRUCTEUR, autre)
    pilier = Pilier.objects.filter(contrat=defaut).order_by("ordre", "code").first()
    client.force_login(admin_a)
    url = reverse("evaluation:affectations")

    page = client.get(url)
    reponse = client.post(f"{url}?contrat={defaut.pk}", {f"pilier_{pilier.pk}": moi.pk})
    refus = client.post(f"{url}?contrat={defaut.pk}", {f"pilier_{pilier.pk}": ailleurs.pk})

    form = page.context["form"]
    assert page.context["contrat"] == defaut
    assert {f.name for f in form} == {
        f"pilier_{p.pk}" for p in Pilier.objects.filter(contrat=defaut)
    }
    assert list(form.fields[f"pilier_{pilier.pk}"].queryset) == [moi]
    assert reponse.status_code == 302
    assert AffectationPilier.objects.get(pilier=pilier).instructeur == moi
    assert refus.status_code == 200 and refus.context["form"].errors
    assert client.get(f"{url}?contrat={autre.pk}").status_code == 404


def test_un_administrateur_de_territoire_choisit_parmi_ses_contrats(client, contrats):
    """On a territory with two contracts, its administrator picks the contract; both listed."""
    defaut = contrats[0]
    successeur = creer_contrat("Successeur", territoire=defaut.territoire)
    admin = UtilisateurFactory()
    admin.habilitations.create(role=Role.ADMINISTRATEUR, territoire=defaut.territoire)
    client.force_login(admin)

    page = client.get(reverse("evaluation:affectations") + f"?contrat={successeur.pk}")

    assert page.status_code == 200
    assert page.context["contrat"] == successeur
    assert set(page.context["contrats"]) == {defaut, successeur}


def test_les_instructeurs_proposes_sont_ceux_du_contrat(contrats):
    """Instructors held on the contract or on its whole territory; not another contract's, not
    the comité, not a disabled account."""
    defaut, autre = contrats
    sur_le_contrat = habiliter(UtilisateurFactory(), Role.INSTRUCTEUR, defaut)
    sur_le_territoire = UtilisateurFactory(instructeur=True)
    habiliter(UtilisateurFactory(), Role.INSTRUCTEUR, autre)
    habiliter(UtilisateurFactory(), Role.COMITE, defaut)
    habiliter(UtilisateurFactory(is_active=False), Role.INSTRUCTEUR, defaut)

    assert set(instructeurs(defaut.pk)) == {sur_le_contrat, sur_le_territoire}


def test_la_file_propose_les_instructeurs_du_contrat(client):
    """The queue's instructor filter and a dossier's assignment list the contract's staff."""
    dossier = dossier_depose()  # on 1.1.1.a, before another contract reuses the code
    defaut, autre = Contrat.objects.par_defaut(), creer_contrat("Cévenol")
    instructeur = habiliter(UtilisateurFactory(nom="Instructrice A"), Role.INSTRUCTEUR, defaut)
    habiliter(UtilisateurFactory(nom="Instructeur B"), Role.INSTRUCTEUR, autre)
    client.force_login(instructeur)

    file = client.get(reverse("evaluation:file", args=[dossier.appel_id]))
    page = client.get(reverse("evaluation:instruction", args=[dossier.pk]))

    choix = dict(file.context["form"].fields["instructeur"].choices)
    assert str(instructeur) in choix.values() and "Personne Instructeur B" not in choix.values()
    assert list(page.context["affectation_form"].fields["instructeur"].queryset) == [instructeur]
