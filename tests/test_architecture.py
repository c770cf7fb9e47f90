"""The layout holds: layers, no import cycle, modules of a readable size.

Read from the AST of the application packages (every import, at module level or inside a
function), so a cycle hidden behind a function-level import is found too.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

APPLICATIONS = ("contrat_ville", "referentiel", "candidatures", "evaluation")
# Each app may import from the apps listed for it, and from itself.
COUCHES = {
    "referentiel": set(),
    "candidatures": {"referentiel"},
    "evaluation": {"referentiel", "candidatures"},
    "contrat_ville": {"referentiel", "candidatures", "evaluation"},
}
TAILLE_MAX = 400
# Modules allowed above TAILLE_MAX, each with its reason.
GRANDS_MODULES = {}


def _modules():
    racine = Path(settings.BASE_DIR)
    for application in APPLICATIONS:
        for chemin in sorted((racine / application).rglob("*.py")):
            relatif = chemin.relative_to(racine)
            if "migrations" in relatif.parts:
                continue
            parties = list(relatif.with_suffix("").parts)
            est_paquet = parties[-1] == "__init__"
            if est_paquet:
                parties.pop()
            yield ".".join(parties), chemin, est_paquet


MODULES = {nom: (chemin, est_paquet) for nom, chemin, est_paquet in _modules()}


def _cible(nom_importe):
    """The application module an imported dotted name lands in (a name inside a module too)."""
    while nom_importe:
        if nom_importe in MODULES:
            return nom_importe
        nom_importe = nom_importe.rpartition(".")[0]
    return None


def _imports(module):
    chemin, est_paquet = MODULES[module]
    paquet = module if est_paquet else module.rpartition(".")[0]
    for noeud in ast.walk(ast.parse(chemin.read_text(), str(chemin))):
        if isinstance(noeud, ast.Import):
            for alias in noeud.names:
                yield alias.name
        elif isinstance(noeud, ast.ImportFrom):
            if noeud.level:
                base = paquet.split(".")
                base = base[: len(base) - (noeud.level - 1)]
                origine = ".".join([*base, noeud.module] if noeud.module else base)
            else:
                origine = noeud.module
            for alias in noeud.names:
                yield f"{origine}.{alias.name}"


def _graphe():
    graphe = {}
    for module in MODULES:
        cibles = {_cible(nom) for nom in _imports(module)}
        # A package's __init__ re-exporting its own modules is not a dependency on itself.
        graphe[module] = {c for c in cibles if c and c != module}
    return graphe


def test_les_couches_sont_respectees():
    """referentiel imports nothing of the two others; candidatures nothing of evaluation."""
    fautes = []
    for module, cibles in _graphe().items():
        application = module.split(".")[0]
        for cible in cibles:
            autre = cible.split(".")[0]
            if autre != application and autre not in COUCHES[application]:
                fautes.append(f"{module} importe {cible}")
    assert fautes == []


def _composantes_fortes(graphe):
    """Tarjan's strongly connected components with more than one module."""
    index, bas, pile, sur_pile, composantes = {}, {}, [], set(), []

    def visiter(sommet):
        index[sommet] = bas[sommet] = len(index)
        pile.append(sommet)
        sur_pile.add(sommet)
        for voisin in graphe.get(sommet, ()):
            if voisin not in index:
                visiter(voisin)
                bas[sommet] = min(bas[sommet], bas[voisin])
            elif voisin in sur_pile:
                bas[sommet] = min(bas[sommet], index[voisin])
        if bas[sommet] == index[sommet]:
            composante = set()
            while True:
                dernier = pile.pop()
                sur_pile.discard(dernier)
                composante.add(dernier)
                if dernier == sommet:
                    break
            if len(composante) > 1:
                composantes.append(sorted(composante))

    for sommet in sorted(graphe):
        if sommet not in index:
            visiter(sommet)
    return composantes


def _sans_reexportations(graphe):
    """Drop the edges from a package to its own sub-modules: re-exports, not dependencies."""
    return {
        module: {c for c in cibles if not (MODULES[module][1] and c.startswith(module + "."))}
        for module, cibles in graphe.items()
    }


def test_aucun_cycle_d_imports():
    assert _composantes_fortes(_sans_reexportations(_graphe())) == []


def test_le_detecteur_de_cycles_en_trouve_un():
    """The check above is not vacuous: a two-module cycle is found."""
    assert _composantes_fortes({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_taille_des_modules(module):
    lignes = len(MODULES[module][0].read_text().splitlines())
    if module in GRANDS_MODULES:
        return
    assert lignes <= TAILLE_MAX, f"{module} : {lignes} lignes (au plus {TAILLE_MAX})"


def test_les_exceptions_de_taille_existent_encore():
    assert set(GRANDS_MODULES) <= set(MODULES)
