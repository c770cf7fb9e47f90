"""Dossier pages: lists, the detail page, the sectioned form, print and files."""
