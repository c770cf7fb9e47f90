"""The annual bilan of a scope, kept in the database under the fingerprint of its data.

The dashboard shows the same figures until a dossier of the scope changes: the aggregation
runs once per change, and a view of unchanged data costs the fingerprint and one read.
"""

import pickle
import zlib

from django.utils import timezone

from ...models import AgregatBilanAnnuel
from .annuel import agreger
from .perimetre import empreinte


def bilan_annuel(perimetre):
    """``agreger(perimetre)``, read back when its data did not change since the last time."""
    actuelle = empreinte(perimetre)
    cle = perimetre.cle()
    gardees = (
        AgregatBilanAnnuel.objects.filter(cle=cle, empreinte=actuelle)
        .values_list("donnees", flat=True).first()
    )
    if gardees is not None:
        return pickle.loads(zlib.decompress(gardees))  # noqa: S301 — written by this module only
    bilan = agreger(perimetre)
    donnees = zlib.compress(pickle.dumps(bilan, protocol=pickle.HIGHEST_PROTOCOL))
    # One statement, whoever wrote the same scope meanwhile: the newest figures win.
    AgregatBilanAnnuel.objects.bulk_create(
        [AgregatBilanAnnuel(cle=cle, contrat_id=perimetre.contrat_id, empreinte=actuelle,
                            donnees=donnees, calcule_le=timezone.now())],
        update_conflicts=True, unique_fields=["cle"],
        update_fields=["empreinte", "donnees", "calcule_le"],
    )
    return bilan
