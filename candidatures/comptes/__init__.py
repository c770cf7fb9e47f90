"""Accounts: sign-up, sign-in, profile, address change, portal roles."""
