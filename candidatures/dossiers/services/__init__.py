"""Writes on dossiers: errors, status machine, eligibility, drafts, submission, notifications."""
