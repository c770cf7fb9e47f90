"""The accessibility helper really fails on an inaccessible page (it is not a rubber stamp)."""

import pytest

from tests.navigateur.accessibilite import verifier_accessibilite


def test_verifier_accessibilite_signale_un_champ_sans_etiquette(navigateur):
    """A form field without a label is a critical violation and fails the check."""
    page = navigateur.new_page()
    page.set_content(
        '<!doctype html><html lang="fr"><head><title>t</title></head>'
        '<body><main><h1>Formulaire</h1><input type="text" name="x"></main></body></html>'
    )

    with pytest.raises(AssertionError, match="label"):
        verifier_accessibilite(page, "page de contrôle")
    page.close()
