#!/usr/bin/env bash
# Regenerate the lock files from the direct dependencies of pyproject.toml, with uv (itself locked, in
# .venv): requirements.lock (runtime + test + dev tools, what scripts/setup.sh installs) and
# requirements-production.lock (runtime only, at the same versions). Python 3.12, Linux x86_64.
# Versions already locked are kept unless asked otherwise: extra arguments go to uv pip compile,
# e.g. --upgrade (everything) or --upgrade-package django.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/uv ] || bash scripts/setup.sh
if [ ! -x .venv/bin/uv ]; then
  echo "uv est introuvable dans .venv : lancez scripts/setup.sh (uv fait partie des dépendances « dev »)." >&2
  exit 1
fi

options=(--quiet --generate-hashes --python-version 3.12 --python-platform x86_64-unknown-linux-gnu
         --custom-compile-command scripts/verrouiller.sh)
echo "Verrouillage des dépendances de développement et de test (requirements.lock)…"
.venv/bin/uv pip compile pyproject.toml --extra test --extra dev "${options[@]}" "$@" \
  -o requirements.lock
echo "Verrouillage des dépendances de production (requirements-production.lock)…"
.venv/bin/uv pip compile pyproject.toml "${options[@]}" -c requirements.lock \
  -o requirements-production.lock
# Install what was just locked, so that .venv matches it.
bash scripts/setup.sh
echo "Fait : vérifiez les changements (git diff requirements*.lock) et enregistrez-les avec pyproject.toml."
