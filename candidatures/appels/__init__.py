"""Calls for projects: the public pages of a call, its administration, the demo calls."""
