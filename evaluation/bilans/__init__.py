"""Bilans of the retained actions (Cerfa n°15059) and annual bilans (pages under /bilans/)."""
