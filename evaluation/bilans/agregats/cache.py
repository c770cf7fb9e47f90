"""The annual bilan of a scope, kept in the database under the fingerprint of its data.

The dashboard shows the same figures until a dossier of the scope changes: the aggregation
runs once per change, and a view of unchanged data costs the fingerprint and one read.
"""

import pickle
import zlib

from django.db.models import Subquery
from django.utils import timezone

from ...models import AgregatBilanAnnuel
from .annuel import agreger
from .perimetre import empreinte_et


def bilan_annuel(perimetre):
    """``agreger(perimetre)``, read back when its data did not change since the last time."""
    cle = perimetre.cle()
    gardes = AgregatBilanAnnuel.objects.filter(cle=cle)
    # The fingerprint and what is kept, in one query.
    actuelle, empreinte_gardee, gardees = empreinte_et(
        perimetre,
        empreinte_gardee=Subquery(gardes.values("empreinte")[:1]),
        donnees_gardees=Subquery(gardes.values("donnees")[:1]),
    )
    if gardees is not None and empreinte_gardee == actuelle:
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
