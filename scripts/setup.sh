#!/usr/bin/env bash
# Create .venv with Python 3.12 and install the locked dependencies: requirements.lock, every package
# at its exact version, checked against its hashes (again only when the lock or pyproject changes).
# The project itself is not installed: manage.py, pytest and the scripts run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."

trouver_python() {
  local version
  version=$(cat .python-version)
  for candidat in "${PYTHON:-}" "$HOME/.pyenv/versions/$version/bin/python" "python${version%.*}" python3.12 python3; do
    [ -n "$candidat" ] || continue
    if command -v "$candidat" >/dev/null 2>&1 \
       && "$candidat" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; then
      command -v "$candidat"; return 0
    fi
  done
  echo "Python 3.12 est introuvable : installez-le (pyenv install $version) ou indiquez-le avec PYTHON=/chemin/python3.12." >&2
  return 1
}

if [ ! -x .venv/bin/python ]; then
  py=$(trouver_python)
  echo "Création de l'environnement virtuel .venv avec $py"
  "$py" -m venv .venv
fi

empreinte=$(cat pyproject.toml requirements.lock | sha256sum | cut -d' ' -f1)
if [ "$(cat .venv/.empreinte 2>/dev/null || true)" != "$empreinte" ]; then
  echo "Installation des dépendances verrouillées (requirements.lock)…"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes \
    -r requirements.lock
  echo "$empreinte" > .venv/.empreinte
fi
