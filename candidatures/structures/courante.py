"""The structure a user is working for, kept in the session and shown in the header."""

from .selectors import structures_de

CLE_SESSION = "structure_courante"


def structure_courante(request):
    """The current structure of the signed-in user: the one chosen, else their first one."""
    user = getattr(request, "user", None)  # absent on some error pages
    if user is None or not user.is_authenticated:
        return None
    if hasattr(request, "_structure_courante"):
        return request._structure_courante
    structures = structures_de(request.user)
    choisie = request.session.get(CLE_SESSION)
    structure = (structures.filter(pk=choisie).first() if choisie else None) or structures.first()
    if structure is not None and structure.pk != choisie:
        request.session[CLE_SESSION] = structure.pk
    request._structure_courante = structure
    return structure


def definir_structure_courante(request, structure):
    """Remember ``structure`` (which the user must belong to) as the current one."""
    request.session[CLE_SESSION] = structure.pk
    request._structure_courante = structure
