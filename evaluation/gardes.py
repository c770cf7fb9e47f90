"""Aggregates kept in the database under the fingerprint of their data.

A page that shows figures over a whole call or contract (the annual bilan of the dashboard, the
programmation's totals) reads them back while their data did not change: the fingerprint and
the kept value come from one query, the aggregation runs once per change.
"""

import pickle
import zlib

from django.db.models import Subquery
from django.utils import timezone

from .models import AgregatBilanAnnuel


def garde(cle, contrat_id, empreinte_et, calculer):
    """``calculer()``, read back when the fingerprint did not change since it was kept.

    ``empreinte_et(**autres)`` returns the current fingerprint followed by the ``autres``
    expressions, read by the same query; ``cle`` names the aggregate (unique).
    """
    gardes = AgregatBilanAnnuel.objects.filter(cle=cle)
    actuelle, empreinte_gardee, gardees = empreinte_et(
        empreinte_gardee=Subquery(gardes.values("empreinte")[:1]),
        donnees_gardees=Subquery(gardes.values("donnees")[:1]),
    )
    if gardees is not None and empreinte_gardee == actuelle:
        return pickle.loads(zlib.decompress(gardees))  # noqa: S301 — written by this module only
    valeur = calculer()
    donnees = zlib.compress(pickle.dumps(valeur, protocol=pickle.HIGHEST_PROTOCOL))
    # One statement, whoever wrote the same aggregate meanwhile: the newest figures win.
    AgregatBilanAnnuel.objects.bulk_create(
        [AgregatBilanAnnuel(cle=cle, contrat_id=contrat_id, empreinte=actuelle,
                            donnees=donnees, calcule_le=timezone.now())],
        update_conflicts=True, unique_fields=["cle"],
        update_fields=["empreinte", "donnees", "calcule_le"],
    )
    return valeur
