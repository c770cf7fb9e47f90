"""The module Django's admin loads: it registers the administration of each area."""

from .appels import admin as appels_admin  # noqa: F401
from .comptes import admin as comptes_admin  # noqa: F401
from .dossiers import admin as dossiers_admin  # noqa: F401
from .structures import admin as structures_admin  # noqa: F401
