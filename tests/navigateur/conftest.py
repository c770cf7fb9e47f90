"""Browser tests: Playwright driving Debian's Chromium against the live server."""

import os
import shutil

import pytest

# Sync Playwright runs an event loop in this thread; the ORM must still be usable from the tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Every action and assertion waits for its outcome and returns as soon as it is there. The bound
# is only a guard against a hung page: CI's machine is often busy, and a bound of a few seconds
# (Playwright's default for assertions is 5 s) made a journey fail there while nothing was wrong.
ATTENTE_MAX_MS = 90_000
ARGUMENTS_CHROMIUM = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "navigateur" in str(item.path):
            item.add_marker(pytest.mark.navigateur)


@pytest.fixture(scope="session")
def navigateur():
    """One Chromium for the session; skipped only where no Chromium exists (CI forbids that)."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        if os.environ.get("EXIGER_NAVIGATEUR") == "1":
            pytest.fail(f"Chromium est introuvable ({CHROMIUM}) alors que EXIGER_NAVIGATEUR=1.")
        pytest.skip(f"Chromium est introuvable ({CHROMIUM}) : installez le paquet Debian chromium.")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=ATTENTE_MAX_MS)

    # Playwright gives Chromium a fresh, empty profile of its own.
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=ARGUMENTS_CHROMIUM, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(navigateur, live_server):
    """A fresh page (new context: no cookies) whose relative URLs point at the live server."""
    # Reduced motion: Bootstrap then scrolls at once and drops its transitions, so what a test
    # reads (a colour for axe, an element's place) is the final one, not a frame of an animation.
    contexte = navigateur.new_context(
        base_url=live_server.url, locale="fr-FR", reduced_motion="reduce"
    )
    onglet = contexte.new_page()
    onglet.set_default_timeout(ATTENTE_MAX_MS)
    onglet.set_default_navigation_timeout(ATTENTE_MAX_MS)
    erreurs_csp = []
    onglet.on(
        "console",
        lambda m: erreurs_csp.append(m.text)
        if "Content Security Policy" in m.text or "Content-Security-Policy" in m.text
        else None,
    )
    onglet.erreurs_csp = erreurs_csp
    yield onglet
    contexte.close()


@pytest.fixture
def referentiel_charge(transactional_db):
    """live_server tests run in a flushed database: tests/conftest.py loads the base data again."""
