"""Settings of the pages benchmark: production settings, plus the floor page (benchmarks only).

The floor is a view that answers a few bytes through the whole middleware stack (sessions,
authentication, CSRF, security headers) without touching the database beyond the session: a
page's time divided by the floor's is what the page itself costs.
"""

from contrat_ville.settings.production import *  # noqa: F403

ROOT_URLCONF = "benchmarks.pages_urls"
