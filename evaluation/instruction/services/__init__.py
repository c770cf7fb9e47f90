"""Writes of the instruction: assign, take in, checklist, corrections, conclude, messages, decide.

Every change of status goes through candidatures' ``changer_statut``: its transition table is the
only one, and it locks the dossier row.
"""
