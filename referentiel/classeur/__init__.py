"""A whole contract in one Excel workbook: its format, reading, writing, loading and copying.

The modules that touch no database (format, contenu, erreurs, lecture, verification, ecriture,
exemple) can be used without Django set up: ``python -m referentiel.classeur.exemple`` relies on
it. Nothing is imported here for that reason.
"""
