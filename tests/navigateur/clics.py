"""Clicks that lead to another page, and the wait for that page."""


def ouvrir(element):
    """Click ``element`` (a link, or a button that submits a form) and return once the page it
    leads to has loaded.

    Playwright's ``click()`` returns as soon as the click is dispatched, before the browser has
    left the page. A step that reads the page right after (an axe run, above all) would otherwise
    read the page being left, or a document torn down under it: on a busy machine, axe then fails
    with « Cannot read properties of null (reading 'documentElement') » while nothing is wrong.
    The wait is for the outcome (the new page's load event), bounded only by the navigation
    timeout of the browser tests' conftest."""
    with element.page.expect_navigation():
        element.click()
