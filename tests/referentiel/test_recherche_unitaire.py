"""Folding and highlighting used by the catalogue search."""

from referentiel.selectors import plier, surligner, termes_de


def test_plier_retire_accents_et_majuscules_sans_changer_la_longueur():
    """Folding keeps one character per character, so match positions map back to the text."""

    texte = "Égalité des CHANCES, œuvre"

    assert plier(texte) == "egalite des chances, œuvre"
    assert len(plier(texte)) == len(texte)


def test_surligner_garde_le_texte_original():
    """The highlighted text is the original one, accents included."""

    assert str(surligner("L'égalité des chances", ["egalite"])) == (
        "L&#x27;<mark>égalité</mark> des chances"
    )


def test_surligner_fusionne_les_zones_qui_se_chevauchent():
    """Overlapping terms give one highlight, not nested marks."""

    assert str(surligner("santé mentale", ["sante", "ante m"])) == "<mark>santé m</mark>entale"


def test_surligner_echappe():
    """Markup in the text is escaped."""

    assert str(surligner("<b>égal</b>", ["egal"])) == "&lt;b&gt;<mark>égal</mark>&lt;/b&gt;"


def test_termes_ignores_les_mots_d_une_lettre():
    """One-letter words do not restrict the search."""

    assert termes_de("accès à l'emploi") == ["acces", "l'emploi"]
