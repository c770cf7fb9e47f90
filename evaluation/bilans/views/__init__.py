"""Bilan pages: the list, the operator's bilan, its validation, the annual bilans, their files."""
