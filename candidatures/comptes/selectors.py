"""Reads of the roles pages: who administers what, which accounts and habilitations one sees.

The rule for a territory administrator (an ``administrateur`` habilitation, not a portal one):

- its *scope* is every contract it administers: each contract of a territory it administers as a
  whole, and each contract it administers alone;
- it sees the accounts holding a habilitation that touches its scope (on one of its contracts,
  or on the whole territory of one of them), and only those habilitations; plus, searched by
  its exact e-mail address, any other active account, to give a new colleague a first role;
- it grants and removes instructeur and comité habilitations only: on one of its contracts, or
  on a whole territory it administers as a whole. Administrators and portal roles are the
  portal administrators' business.
"""

from dataclasses import dataclass

from django.db.models import Prefetch, Q

from referentiel.models import Contrat, Territoire

from ..models import Habilitation, Role, Utilisateur

ROLES_DELEGUES = frozenset({Role.INSTRUCTEUR, Role.COMITE})
RESULTATS_RECHERCHE = 20


@dataclass(frozen=True)
class Portee:
    """What a user administers: everything (portal), or contracts and whole territories."""

    tout: bool = False
    contrats: frozenset = frozenset()
    territoires: frozenset = frozenset()
    territoires_des_contrats: frozenset = frozenset()

    @property
    def administre(self):
        return self.tout or bool(self.contrats)

    def roles_accordables(self):
        """The habilitation roles this administrator may grant, in the model's order."""
        return [
            (valeur, libelle) for valeur, libelle in Habilitation.ROLES
            if self.tout or valeur in ROLES_DELEGUES
        ]

    def filtre_habilitations(self):
        """Habilitations touching the scope (seen on the roles pages)."""
        if self.tout:
            return Q()
        return Q(contrat_id__in=self.contrats) | Q(
            contrat__isnull=True, territoire_id__in=self.territoires_des_contrats
        )

    def peut_retirer(self, habilitation):
        if self.tout:
            return True
        if habilitation.role not in ROLES_DELEGUES:
            return False
        if habilitation.contrat_id:
            return habilitation.contrat_id in self.contrats
        return habilitation.territoire_id in self.territoires

    def refus_accord(self, role, territoire, contrat):
        """Why this grant is refused, as ``{field: French message}``; empty when allowed."""
        if self.tout:
            return {}
        if role not in ROLES_DELEGUES:
            return {"role": "Seul un administrateur du portail accorde le rôle d'administrateur."}
        if contrat is not None:
            if contrat.pk not in self.contrats:
                return {"contrat": f"Vous n'administrez pas le contrat « {contrat} »."}
            return {}
        if territoire.pk in self.territoires:
            return {}
        if territoire.pk in self.territoires_des_contrats:
            return {"contrat": (
                f"Vous n'administrez que certains contrats du territoire {territoire} : "
                "choisissez l'un d'eux."
            )}
        return {"territoire": f"Vous n'administrez pas le territoire {territoire}."}


def portee_administration(user):
    """The scope ``user`` administers (nothing for anonymous visitors and other roles)."""
    if not user.is_authenticated:
        return Portee()
    if user.est_administrateur_portail:
        return Portee(tout=True)
    habilitations = list(
        user.habilitations.filter(role=Role.ADMINISTRATEUR).values_list(
            "territoire_id", "contrat_id"
        )
    )
    if not habilitations:
        return Portee()
    territoires = frozenset(t for t, c in habilitations if c is None)
    contrats = {c for _t, c in habilitations if c is not None}
    if territoires:
        contrats |= set(
            Contrat.objects.filter(territoire_id__in=territoires).values_list("pk", flat=True)
        )
    return Portee(
        contrats=frozenset(contrats),
        territoires=territoires,
        territoires_des_contrats=territoires | {t for t, _c in habilitations},
    )


def _habilitations(portee):
    return Habilitation.objects.filter(portee.filtre_habilitations()).select_related(
        "territoire", "contrat__generation"
    ).order_by("territoire__nom", "contrat__nom", "role")


def comptes_visibles(portee, recherche=""):
    """Accounts the administrator sees, matching ``recherche``, with their groups and the
    habilitations it may see (prefetched: constant queries whatever the page size)."""
    recherche = (recherche or "").strip()
    comptes = Utilisateur.objects.all()
    if recherche:
        texte = (
            Q(email__icontains=recherche) | Q(nom__icontains=recherche)
            | Q(prenom__icontains=recherche)
        )
    else:
        texte = Q()
    if portee.tout:
        comptes = comptes.filter(texte)
    elif portee.administre:
        dans_la_portee = Q(
            pk__in=Habilitation.objects.filter(portee.filtre_habilitations()).values(
                "utilisateur_id"
            )
        ) & texte
        if recherche:
            dans_la_portee |= Q(email__iexact=recherche, is_active=True)
        comptes = comptes.filter(dans_la_portee)
    else:
        comptes = comptes.none()
    return comptes.prefetch_related(
        "groups", Prefetch("habilitations", queryset=_habilitations(portee))
    ).order_by("email")


def compte_visible(portee, compte, email=""):
    """Whether the administrator may open ``compte``'s page: in its scope, or named exactly."""
    if portee.tout:
        return True
    if not portee.administre:
        return False
    if email and compte.is_active and email.strip().lower() == compte.email.lower():
        return True
    return Habilitation.objects.filter(portee.filtre_habilitations(), utilisateur=compte).exists()


def habilitations_du_compte(portee, compte):
    """The habilitations of ``compte`` the administrator sees, each with ``retirable`` set."""
    habilitations = list(_habilitations(portee).filter(utilisateur=compte))
    for habilitation in habilitations:
        habilitation.retirable = portee.peut_retirer(habilitation)
    return habilitations


# --- Territories and contracts, searched by code or name ------------------------------------


def territoires_accordables(portee):
    if portee.tout:
        return Territoire.objects.all()
    return Territoire.objects.filter(pk__in=portee.territoires_des_contrats)


def contrats_accordables(portee):
    contrats = Contrat.objects.select_related("territoire", "generation")
    if portee.tout:
        return contrats
    return contrats.filter(pk__in=portee.contrats)


# No code or name is longer; a huge text would also be a LIKE pattern SQLite refuses.
LONGUEUR_MAX = 255


def _texte(recherche):
    recherche = (recherche or "").strip()
    if not recherche:
        return Q()
    if len(recherche) > LONGUEUR_MAX:
        return Q(pk__in=[])
    return Q(code__icontains=recherche) | Q(nom__icontains=recherche)


def rechercher_territoires(territoires, recherche, limite=RESULTATS_RECHERCHE):
    return list(territoires.filter(_texte(recherche)).order_by("nom", "code")[:limite])


def rechercher_contrats(contrats, recherche, territoire=None, limite=RESULTATS_RECHERCHE):
    contrats = contrats.filter(_texte(recherche))
    if territoire is not None:
        contrats = contrats.filter(territoire=territoire)
    return list(
        contrats.select_related("territoire", "generation")
        .order_by("territoire__nom", "-annee_debut", "code")[:limite]
    )


def trouver(objets, texte):
    """The one object whose code, else whose name, is ``texte`` (any case); None otherwise."""
    texte = (texte or "").strip()
    if not texte or len(texte) > LONGUEUR_MAX:
        return None
    trouve = objets.filter(code__iexact=texte).first()
    if trouve is None:
        memes_noms = list(objets.filter(nom__iexact=texte)[:2])
        trouve = memes_noms[0] if len(memes_noms) == 1 else None
    return trouve


def libelle_contrat(contrat):
    """A contract as the pickers show it: name, territory, generation and code."""
    return f"{contrat.nom} — {contrat.territoire.nom}, {contrat.generation.nom} ({contrat.code})"
