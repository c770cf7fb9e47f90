#!/usr/bin/env bash
# Set up and run the test suite (SQLite by default; DATABASE_URL=postgres://… for PostgreSQL).
# Browser tests use /usr/bin/chromium (Debian package `chromium`); EXIGER_NAVIGATEUR=1 fails them if absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
