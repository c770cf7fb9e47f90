"""Structures (porteurs de projet): identity, members, invitations, join requests, documents."""
