"""The annual bilan of a scope, kept in the database under the fingerprint of its data.

The dashboard shows the same figures until a dossier of the scope changes: the aggregation
runs once per change, and a view of unchanged data costs the fingerprint and one read.
"""

from ...gardes import garde
from .annuel import agreger
from .perimetre import empreinte_et


def bilan_annuel(perimetre):
    """``agreger(perimetre)``, read back when its data did not change since the last time."""
    return garde(
        perimetre.cle(), perimetre.contrat_id,
        lambda **autres: empreinte_et(perimetre, **autres), lambda: agreger(perimetre),
    )
