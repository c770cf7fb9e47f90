"""Reusable accessibility check: axe-core on the current page, no serious or critical violation."""

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()
IMPACTS_BLOQUANTS = {"serious", "critical"}


def verifier_accessibilite(page, contexte=""):
    """Run axe-core on ``page`` and fail listing every serious or critical violation.

    Colours are read once every running transition has ended (a button just clicked and still
    hovered fades to its hover colours): measured mid-fade, a contrast is neither the one before
    nor the one after, and the check would fail by chance on a busy machine. (Endless
    animations, a spinner, are not waited for.)

    The page is read once it has loaded: a page reached by a form's answer is checked whole, not
    half parsed. (A click on a link goes through ``clics.ouvrir``, which waits for the new page:
    axe run on a page being left fails on a document torn down under it.)"""
    page.wait_for_load_state("load")
    page.evaluate(
        "() => Promise.all(document.getAnimations()"
        ".filter(a => a.effect && a.effect.getComputedTiming().iterations !== Infinity)"
        ".map(a => a.finished.catch(() => null)))"
    )
    resultats = _axe.run(page)
    bloquantes = [
        v for v in resultats.response["violations"] if v.get("impact") in IMPACTS_BLOQUANTS
    ]
    details = "\n".join(
        f"- [{v['impact']}] {v['id']}: {v['help']} — "
        + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                    for n in v["nodes"][:5])
        for v in bloquantes
    )
    assert not bloquantes, f"Violations d'accessibilité sur {contexte or page.url} :\n{details}"
    return resultats
