"""Writes of the bilans: settings, open, save a draft, documents, submit, correct, validate, remind.

Every change of status goes through candidatures' ``changer_statut``.
"""
