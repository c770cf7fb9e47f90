"""Writes on dossiers: status machine, eligibility, drafts, submission, notifications."""
