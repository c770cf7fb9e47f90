"""Second factor at sign-in: TOTP application and recovery codes (django-otp)."""
