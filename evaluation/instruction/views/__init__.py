"""Pages of the instruction: queue, instruction of a dossier, follow-up page, decisions."""
