"""What a year's annual bilan PDF adds to its figures: partners, logo, the comité's comment."""

from django.db import transaction

from candidatures.commun.erreurs import ErreurMetier, SaisieInvalide
from evaluation.models import COMMENTAIRE_MAX, PARTENAIRES_MAX, DocumentBilanAnnuel

from ..permissions import peut_commenter_bilan_annuel, peut_presenter_bilan_annuel

# Sentinel: a field the user may not change is left as it is.
INCHANGE = object()


def _verifier_longueurs(partenaires, commentaire):
    erreurs = {}
    if partenaires is not INCHANGE and len(partenaires) > PARTENAIRES_MAX:
        erreurs["partenaires"] = f"Au plus {PARTENAIRES_MAX} caractères."
    if commentaire is not INCHANGE and len(commentaire) > COMMENTAIRE_MAX:
        erreurs["commentaire"] = f"Au plus {COMMENTAIRE_MAX} caractères."
    if erreurs:
        raise SaisieInvalide(erreurs)


@transaction.atomic
def enregistrer_document(*, appel, par, commentaire=INCHANGE, partenaires=INCHANGE,
                         logo=INCHANGE):
    """Save what ``par`` may change: the comment (comité, administrators), the partners and the
    logo (administrators; ``logo=None`` removes it). Fields left ``INCHANGE`` are kept."""
    if not peut_commenter_bilan_annuel(par, appel):
        raise ErreurMetier(
            "Seuls le comité et les administrateurs du contrat préparent le bilan annuel."
        )
    if (partenaires is not INCHANGE or logo is not INCHANGE) and not (
        peut_presenter_bilan_annuel(par, appel)
    ):
        raise ErreurMetier(
            "Seuls les administrateurs du contrat nomment les partenaires et déposent le logo."
        )
    _verifier_longueurs(partenaires, commentaire)
    document, _ = DocumentBilanAnnuel.objects.select_for_update().get_or_create(appel=appel)
    if commentaire is not INCHANGE:
        document.commentaire = commentaire.strip()
    if partenaires is not INCHANGE:
        document.partenaires = "\n".join(
            ligne.strip() for ligne in partenaires.splitlines() if ligne.strip()
        )
    if logo is not INCHANGE:
        if document.logo:
            document.logo.delete(save=False)
        if logo is not None:
            document.logo.save(logo.name, logo, save=False)
    document.modifie_par = par
    document.save()
    return document
