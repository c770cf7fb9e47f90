"""Who may do what: small predicates, one per action, each covered by a test."""

from .models import Membre, Role

# --- Comptes, rôles et structures (issue 3) ----------------------------------------------------


def est_administrateur(user):
    """Administrators (role or Django superuser) may do everything."""
    return user.is_authenticated and (user.is_superuser or user.a_role(Role.ADMINISTRATEUR))


def est_personnel(user):
    """Staff of the contrat de ville: instructeurs, comité de pilotage, administrateurs."""
    return est_administrateur(user) or (
        user.is_authenticated
        and (user.a_role(Role.INSTRUCTEUR) or user.a_role(Role.COMITE))
    )


def role_dans_structure(user, structure):
    """The user's role within the structure, or None when they are not a member."""
    if not user.is_authenticated or structure is None:
        return None
    cache = user.__dict__.setdefault("_roles_structures", {})
    if structure.pk not in cache:
        cache[structure.pk] = (
            Membre.objects.filter(structure=structure, utilisateur=user)
            .values_list("role", flat=True)
            .first()
        )
    return cache[structure.pk]


def oublier_roles_structures(user):
    """Drop the per-instance cache after a membership change."""
    user.__dict__.pop("_roles_structures", None)


def est_membre(user, structure):
    return role_dans_structure(user, structure) is not None


def est_responsable(user, structure):
    return role_dans_structure(user, structure) == Membre.Role.RESPONSABLE


def peut_voir_structure(user, structure):
    """Members and staff read a structure; nobody else knows it exists."""
    return est_personnel(user) or est_membre(user, structure)


def peut_modifier_structure(user, structure):
    """Identity and bank details: the structure's responsables and administrators."""
    return est_administrateur(user) or est_responsable(user, structure)


def peut_gerer_membres(user, structure):
    """Invite, accept, change roles, remove: responsables and administrators."""
    return est_administrateur(user) or est_responsable(user, structure)


def peut_deposer_document(user, structure):
    """Any member keeps the structure's documents up to date, and so may administrators."""
    return est_administrateur(user) or est_membre(user, structure)


def peut_telecharger_document(user, document):
    """Whoever may see the structure may download its documents."""
    return peut_voir_structure(user, document.structure)


def peut_quitter_structure(user, structure):
    return est_membre(user, structure)


def peut_gerer_roles(user, cible=None):
    """Only administrators assign the portal's roles and unlock accounts."""
    return est_administrateur(user)


# --- Appels à projets et dossiers (issue 4) ----------------------------------------------------


def peut_gerer_appels(user):
    """Calls for projects are opened and edited by administrators."""
    return est_administrateur(user)


def peut_creer_dossier(user, structure):
    """Any member of a structure may start a draft for it."""
    return est_membre(user, structure)


def peut_voir_dossier(user, dossier):
    """Members of the structure, always; staff, once the dossier has been submitted."""
    return est_membre(user, dossier.structure) or (
        est_personnel(user) and dossier.depose_le is not None
    )


def peut_modifier_dossier(user, dossier):
    """Members edit a draft, or the sections of a dossier opened for correction."""
    return est_membre(user, dossier.structure) and bool(dossier.sections_modifiables())


def peut_signer_declaration(user, dossier):
    """The déclaration sur l'honneur engages the structure: responsables only."""
    return est_responsable(user, dossier.structure) and "declaration" in (
        dossier.sections_modifiables()
    )


def peut_deposer_dossier(user, dossier):
    """Any member submits a draft or a corrected dossier (the declaration is a responsable's)."""
    return est_membre(user, dossier.structure) and dossier.statut in ("brouillon", "a_corriger")


def peut_retirer_dossier(user, dossier):
    """A responsable withdraws the dossier, before the decision only."""
    from .models import STATUTS_AVANT_DECISION

    return est_responsable(user, dossier.structure) and dossier.statut in STATUTS_AVANT_DECISION


def peut_renouveler_dossier(user, dossier):
    """Members renew a dossier that has been submitted (a draft is simply continued)."""
    return est_membre(user, dossier.structure) and dossier.depose_le is not None
