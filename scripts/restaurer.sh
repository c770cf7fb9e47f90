#!/usr/bin/env bash
# Restore an archive written by scripts/sauvegarder.sh into the database of DATABASE_URL and the
# documents folder MEDIA_ROOT, after checking the SHA-256 of every file against its manifest.
#   scripts/restaurer.sh archive.tar.gz [--ecraser]
# Refuses a database or a folder that is not empty, unless --ecraser (their content is then lost).
# Stop the portal (web server and db_worker) first. Exit code: 0 restored and schema up to date;
# 3 restored but `manage.py migrate` is due (backup of an older version); anything else: refused or
# failed, with a message in French. PORTAIL_PYTHON as for scripts/sauvegarder.sh.
# See docs/exploitation.md.
set -euo pipefail
racine="$(cd "$(dirname "$0")/.." && pwd)"
python="${PORTAIL_PYTHON:-$racine/.venv/bin/python}"
if [ ! -x "$python" ]; then
  echo "Échec de la restauration : Python du portail introuvable ($python). Lancez scripts/setup.sh ou indiquez-le avec PORTAIL_PYTHON=/chemin/du/venv/bin/python." >&2
  exit 1
fi
exec "$python" "$racine/manage.py" restaurer "$@"
