"""Writes on dossiers, one module per step: status machine, eligibility, drafts, submission."""
