#!/usr/bin/env bash
# Set up and start the portal on http://127.0.0.1:8000 (SQLite in var/, demo data loaded).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-contrat_ville.settings.dev}"
py=.venv/bin/python
$py manage.py migrate --noinput -v0
$py manage.py charger_referentiel
$py manage.py demo
# A past call with decisions and bilans, so the queue and the annual bilans have figures to show.
$py manage.py generer_volume --dossiers 150 --annee "$(( $(date +%Y) - 2 ))" --si-vide
$py manage.py demo_conventions
# The background worker (récépissés, large bilan files) runs beside the web server and stops with it.
$py manage.py db_worker --no-startup-delay >> "${VAR_DIR:-var}/worker.log" 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
echo
echo "Le portail démarre sur http://127.0.0.1:${PORT:-8000}/  (Ctrl+C pour l'arrêter)"
echo "Tâches de fond (récépissés, gros bilans) : journal dans ${VAR_DIR:-var}/worker.log"
$py manage.py runserver "127.0.0.1:${PORT:-8000}"
