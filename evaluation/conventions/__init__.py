"""Conventions of retained dossiers, payment schedules, payments and recoveries."""
