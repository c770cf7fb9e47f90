#!/usr/bin/env bash
# Drive every URL of the portal, as every role, with random malformed input (hypothesis), many
# more times than CI does: no answer may be a server error, and a refused submission must leave
# the database as it was. Usage: scripts/fuzz.sh [drawings per URL and role, default 6]
# (6 drawings × 3 requests × about 90 URLs × 7 roles: more than 10,000 requests). Any database
# the tests accept works: DATABASE_URL=postgres://… scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
rapport=$(mktemp)
trap 'rm -f "$rapport"' EXIT
debut=$(date +%s)
statut=0
FUZZ_EXEMPLES="${1:-6}" FUZZ_ALEATOIRE=1 FUZZ_RAPPORT="$rapport" \
  .venv/bin/python -m pytest -q -p no:cacheprovider -n "${JOBS:-2}" tests/fuzz || statut=$?
total=$(awk '{s += $2} END {print s + 0}' "$rapport")
echo
echo "Requêtes envoyées : $total, en $(( $(date +%s) - debut )) s (par rôle : $(sort "$rapport" | awk '{printf "%s %s ; ", $1, $2}'))"
exit "$statut"
