"""Dossiers: the sectioned form, submission, withdrawal, renewal, status changes."""
