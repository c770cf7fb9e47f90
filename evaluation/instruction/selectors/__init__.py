"""Reads of the instruction: queue, checks, checklist, corrections, trail, thread, programmation."""
