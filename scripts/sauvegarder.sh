#!/usr/bin/env bash
# Back up the portal into one dated archive, sauvegarde-portail-AAAA-MM-JJTHHMMSS.tar.gz: the database
# (pg_dump for PostgreSQL, the online backup API for SQLite), the documents folder (MEDIA_ROOT:
# uploaded documents and generated files) and a manifest with the SHA-256 of every file.
#   scripts/sauvegarder.sh [dossier_de_destination] [--garder N]
# Destination by default: VAR_DIR/sauvegardes. --garder N keeps the N most recent archives there.
# Runs with the portal's environment (DJANGO_SETTINGS_MODULE, DATABASE_URL, MEDIA_ROOT, VAR_DIR…);
# PORTAIL_PYTHON is the Python of its virtual environment (default: .venv/bin/python of the clone).
# Exit code 0 once the archive is complete under its final name; otherwise ≠ 0, a message in French,
# and no archive. See docs/exploitation.md.
set -euo pipefail
racine="$(cd "$(dirname "$0")/.." && pwd)"
python="${PORTAIL_PYTHON:-$racine/.venv/bin/python}"
if [ ! -x "$python" ]; then
  echo "Échec de la sauvegarde : Python du portail introuvable ($python). Lancez scripts/setup.sh ou indiquez-le avec PORTAIL_PYTHON=/chemin/du/venv/bin/python." >&2
  exit 1
fi
exec "$python" "$racine/manage.py" sauvegarder "$@"
