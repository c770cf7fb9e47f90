"""Services of habilitations and portal roles, one role of the one who acts at a time."""

import pytest

from candidatures.commun.erreurs import ErreurMetier, SaisieInvalide
from candidatures.comptes import services as services_comptes
from candidatures.models import Habilitation, Role
from referentiel.models import Contrat

from .contrats import administrateur_de, creer_contrat
from .factories import UtilisateurFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def monde():
    """Territory A (Alès, the default contract and a second one), territory B (Nîmes)."""
    ales = Contrat.objects.par_defaut()
    ales_2024 = creer_contrat(
        "ales-agglomeration-2024", nom="Contrat de ville d'Alès 2024",
        territoire=ales.territoire,
    )["contrat"]
    nimes = creer_contrat()
    return {
        "ales": ales, "ales_2024": ales_2024, "territoire_a": ales.territoire,
        "nimes": nimes["contrat"], "territoire_b": nimes["territoire"],
        "portail": UtilisateurFactory(administrateur=True),
        "admin_a": administrateur_de(territoire=ales.territoire),
        "admin_contrat_a": administrateur_de(contrat=ales),
        "instructeur": UtilisateurFactory(instructeur=True),
        "cible": UtilisateurFactory(porteur=True),
    }


def _roles(utilisateur):
    return set(
        utilisateur.habilitations.values_list("role", "territoire__code", "contrat__code")
    )


def test_l_administrateur_du_portail_accorde_tout_partout(monde):
    """Any role, on a whole territory or on one contract, of any territory."""
    cible, par = monde["cible"], monde["portail"]

    services_comptes.accorder_habilitation(
        utilisateur=cible, role=Role.ADMINISTRATEUR, territoire=monde["territoire_b"], par=par
    )
    services_comptes.accorder_habilitation(
        utilisateur=cible, role=Role.COMITE, contrat=monde["ales"], par=par
    )

    assert _roles(cible) == {
        ("administrateur", "nimes-metropole", None),
        ("comite", "ales-agglomeration", "ales-agglomeration-2015"),
    }
    assert cible.est_administrateur_de(monde["nimes"].pk)
    assert cible.est_comite_de(monde["ales"].pk)
    assert not cible.est_comite_de(monde["ales_2024"].pk)


def test_l_administrateur_du_territoire_accorde_sur_son_territoire(monde):
    """Instructeur on the whole territory A, comité on one of its contracts."""
    cible, par = monde["cible"], monde["admin_a"]

    services_comptes.accorder_habilitation(
        utilisateur=cible, role=Role.INSTRUCTEUR, territoire=monde["territoire_a"], par=par
    )
    services_comptes.accorder_habilitation(
        utilisateur=cible, role=Role.COMITE, contrat=monde["ales_2024"], par=par
    )

    assert _roles(cible) == {
        ("instructeur", "ales-agglomeration", None),
        ("comite", "ales-agglomeration", "ales-agglomeration-2024"),
    }


@pytest.mark.parametrize(
    ("portee", "champ", "message"),
    [
        ({"territoire": "territoire_b"}, "territoire",
         "Vous n'administrez pas le territoire Nîmes Métropole."),
        ({"contrat": "nimes"}, "contrat",
         "Vous n'administrez pas le contrat « Contrat de ville de Nîmes Métropole »."),
    ],
)
def test_l_administrateur_du_territoire_a_ne_touche_pas_a_b(monde, portee, champ, message):
    """Territory B is out of A's administrator's reach: refused, nothing written."""
    with pytest.raises(SaisieInvalide) as erreur:
        services_comptes.accorder_habilitation(
            utilisateur=monde["cible"], role=Role.INSTRUCTEUR, par=monde["admin_a"],
            **{cle: monde[valeur] for cle, valeur in portee.items()},
        )

    assert erreur.value.erreurs == {champ: message}
    assert not monde["cible"].habilitations.exists()


def test_l_administrateur_du_territoire_n_accorde_pas_le_role_d_administrateur(monde):
    with pytest.raises(SaisieInvalide) as erreur:
        services_comptes.accorder_habilitation(
            utilisateur=monde["cible"], role=Role.ADMINISTRATEUR,
            territoire=monde["territoire_a"], par=monde["admin_a"],
        )

    assert erreur.value.erreurs == {
        "role": "Seul un administrateur du portail accorde le rôle d'administrateur."
    }
    assert not monde["cible"].habilitations.exists()


def test_l_administrateur_d_un_contrat_n_accorde_pas_tout_le_territoire(monde):
    """Administering one contract of A gives no right on A's other contracts."""
    par = monde["admin_contrat_a"]

    with pytest.raises(SaisieInvalide) as erreur:
        services_comptes.accorder_habilitation(
            utilisateur=monde["cible"], role=Role.INSTRUCTEUR,
            territoire=monde["territoire_a"], par=par,
        )
    with pytest.raises(SaisieInvalide):
        services_comptes.accorder_habilitation(
            utilisateur=monde["cible"], role=Role.INSTRUCTEUR, contrat=monde["ales_2024"], par=par
        )
    services_comptes.accorder_habilitation(
        utilisateur=monde["cible"], role=Role.INSTRUCTEUR, contrat=monde["ales"], par=par
    )

    assert "choisissez l'un d'eux" in erreur.value.erreurs["contrat"]
    assert _roles(monde["cible"]) == {
        ("instructeur", "ales-agglomeration", "ales-agglomeration-2015")
    }


@pytest.mark.parametrize("acteur", ["instructeur", "cible"])
def test_sans_droit_d_administrateur_rien_n_est_accorde(monde, acteur):
    with pytest.raises(ErreurMetier, match="Seuls les administrateurs accordent"):
        services_comptes.accorder_habilitation(
            utilisateur=monde["cible"], role=Role.INSTRUCTEUR,
            territoire=monde["territoire_a"], par=monde[acteur],
        )

    assert not monde["cible"].habilitations.exists()


def test_contrat_hors_du_territoire_refuse(monde):
    with pytest.raises(SaisieInvalide) as erreur:
        services_comptes.accorder_habilitation(
            utilisateur=monde["cible"], role=Role.INSTRUCTEUR, territoire=monde["territoire_a"],
            contrat=monde["nimes"], par=monde["portail"],
        )

    assert "n'appartient pas au territoire Alès Agglomération" in erreur.value.erreurs["contrat"]


def test_doublons_refuses_et_territoire_entier_remplace_ses_contrats(monde):
    """The same role twice is refused; the whole territory replaces its contracts' rows."""
    cible, par = monde["cible"], monde["portail"]
    services_comptes.accorder_habilitation(
        utilisateur=cible, role=Role.INSTRUCTEUR, contrat=monde["ales"], par=par
    )
    with pytest.raises(ErreurMetier, match="déjà instructeur sur le contrat"):
        services_comptes.accorder_habilitation(
            utilisateur=cible, role=Role.INSTRUCTEUR, contrat=monde["ales"], par=par
        )

    services_comptes.accorder_habilitation(
        utilisateur=cible, role=Role.INSTRUCTEUR, territoire=monde["territoire_a"], par=par
    )

    assert _roles(cible) == {("instructeur", "ales-agglomeration", None)}
    with pytest.raises(ErreurMetier, match="déjà instructeur sur tous les contrats"):
        services_comptes.accorder_habilitation(
            utilisateur=cible, role=Role.INSTRUCTEUR, contrat=monde["ales_2024"], par=par
        )


def test_compte_desactive_refuse(monde):
    monde["cible"].is_active = False
    monde["cible"].save()

    with pytest.raises(ErreurMetier, match="désactivé"):
        services_comptes.accorder_habilitation(
            utilisateur=monde["cible"], role=Role.COMITE, territoire=monde["territoire_a"],
            par=monde["portail"],
        )


# --- Removing -------------------------------------------------------------------------------


def _habilitation(utilisateur, role, **portee):
    territoire = portee.get("territoire") or portee["contrat"].territoire
    return Habilitation.objects.create(
        utilisateur=utilisateur, role=role, territoire=territoire, contrat=portee.get("contrat")
    )


def test_retraits_de_l_administrateur_du_territoire(monde):
    """It removes instructeur and comité habilitations of its territory, nothing else."""
    par, cible = monde["admin_a"], monde["cible"]
    sur_a = _habilitation(cible, Role.INSTRUCTEUR, contrat=monde["ales_2024"])
    sur_b = _habilitation(cible, Role.INSTRUCTEUR, territoire=monde["territoire_b"])
    admin_sur_a = _habilitation(cible, Role.ADMINISTRATEUR, contrat=monde["ales"])

    services_comptes.retirer_habilitation(habilitation=sur_a, par=par)
    for refusee in (sur_b, admin_sur_a):
        with pytest.raises(ErreurMetier, match="sort de ce que vous administrez"):
            services_comptes.retirer_habilitation(habilitation=refusee, par=par)

    assert set(cible.habilitations.all()) == {sur_b, admin_sur_a}


def test_l_administrateur_d_un_contrat_ne_retire_pas_une_habilitation_de_territoire(monde):
    tout_a = _habilitation(monde["cible"], Role.COMITE, territoire=monde["territoire_a"])

    with pytest.raises(ErreurMetier):
        services_comptes.retirer_habilitation(habilitation=tout_a, par=monde["admin_contrat_a"])

    assert Habilitation.objects.filter(pk=tout_a.pk).exists()


def test_un_instructeur_ne_retire_rien(monde):
    habilitation = _habilitation(monde["cible"], Role.COMITE, territoire=monde["territoire_a"])

    with pytest.raises(ErreurMetier):
        services_comptes.retirer_habilitation(habilitation=habilitation, par=monde["instructeur"])

    assert Habilitation.objects.filter(pk=habilitation.pk).exists()


def test_l_administrateur_du_portail_retire_tout(monde):
    habilitation = monde["admin_a"].habilitations.get()

    services_comptes.retirer_habilitation(habilitation=habilitation, par=monde["portail"])

    assert not monde["admin_a"].habilitations.exists()
    monde["admin_a"].oublier_roles()
    assert not monde["admin_a"].est_administrateur


def test_on_ne_retire_pas_son_dernier_droit_d_administrateur(monde):
    """A portal administrator keeps its last right; with a territory right, it may drop one."""
    portail = monde["portail"]

    with pytest.raises(ErreurMetier, match="dernier droit d'administrateur"):
        services_comptes.definir_roles_portail(
            utilisateur=portail, roles=[Role.PORTEUR], par=portail
        )
    assert portail.groups.filter(name=Role.ADMINISTRATEUR).exists()

    habilitation = services_comptes.accorder_habilitation(
        utilisateur=portail, role=Role.ADMINISTRATEUR, territoire=monde["territoire_b"],
        par=portail,
    )
    services_comptes.retirer_habilitation(habilitation=habilitation, par=portail)
    habilitation = services_comptes.accorder_habilitation(
        utilisateur=portail, role=Role.ADMINISTRATEUR, territoire=monde["territoire_b"],
        par=portail,
    )
    services_comptes.definir_roles_portail(utilisateur=portail, roles=[], par=portail)
    portail.refresh_from_db()
    portail.oublier_roles()

    with pytest.raises(ErreurMetier):
        services_comptes.retirer_habilitation(habilitation=habilitation, par=portail)
    assert not portail.est_administrateur_portail
    assert portail.est_administrateur_de(monde["nimes"].pk)


# --- Portal roles ---------------------------------------------------------------------------


def test_roles_du_portail(monde):
    """Porteur and administrateur du portail, the latter with the Django administration."""
    cible = monde["cible"]

    services_comptes.definir_roles_portail(
        utilisateur=cible, roles=[Role.PORTEUR, Role.ADMINISTRATEUR], par=monde["portail"]
    )
    cible.refresh_from_db()
    assert set(cible.groups.values_list("name", flat=True)) == {"porteur", "administrateur"}
    assert cible.is_staff and cible.is_superuser

    services_comptes.definir_roles_portail(utilisateur=cible, roles=[], par=monde["portail"])
    cible.refresh_from_db()
    assert not cible.groups.exists()
    assert not cible.is_staff and not cible.is_superuser


@pytest.mark.parametrize("acteur", ["admin_a", "instructeur"])
def test_seul_le_portail_donne_les_roles_du_portail(monde, acteur):
    with pytest.raises(ErreurMetier, match="Seuls les administrateurs du portail"):
        services_comptes.definir_roles_portail(
            utilisateur=monde["cible"], roles=[Role.ADMINISTRATEUR], par=monde[acteur]
        )

    assert not monde["cible"].groups.filter(name=Role.ADMINISTRATEUR).exists()


def test_role_du_portail_inconnu(monde):
    with pytest.raises(ErreurMetier, match="Rôle du portail inconnu : instructeur"):
        services_comptes.definir_roles_portail(
            utilisateur=monde["cible"], roles=[Role.INSTRUCTEUR], par=monde["portail"]
        )
