"""Instruction of submitted dossiers, up to the comité's decisions (pages under /instruction/)."""
