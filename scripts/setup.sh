#!/usr/bin/env bash
# Create .venv with Python 3.12+ and install the project (and, with --test, its test tools and Chromium).
# Installs the exact versions of constraints.txt (the lock the tests and committed reports ran with);
# --floating (or RURALSIM_FLOATING=1) installs the newest versions pyproject.toml allows instead.
# VENV=DIR puts the environment elsewhere. Safe to run again: it reinstalls only when pyproject.toml,
# constraints.txt or the choice of lock changed.
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
floating=${RURALSIM_FLOATING:-0}
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    --floating) floating=1 ;;
    *) echo "setup.sh: unknown option $arg; allowed: --test, --floating" >&2; exit 2 ;;
  esac
done
venv=${VENV:-.venv}

find_python() {
  local c
  for c in "${PYTHON:-}" python3.13 python3.12 python3; do
    [ -n "$c" ] || continue
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  for c in "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.1[2-9]*/bin/python3 /usr/bin/python3.1[2-9] /usr/local/bin/python3.1[2-9]; do
    if [ -x "$c" ] && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      echo "$c"; return 0
    fi
  done
  return 1
}

if [ ! -x "$venv/bin/python" ]; then
  py=$(find_python) || { echo "ruralsim needs Python 3.12 or newer (Mesa 3.5 requires it). Install one, or point PYTHON=/path/to/python3.12 at it." >&2; exit 1; }
  echo "Creating $venv with $py"
  "$py" -m venv "$venv"
fi

extras=""
[ $want_test = 1 ] && extras="[test]"
lock=(-c constraints.txt)
[ "$floating" = 1 ] && lock=()
stamp="$venv/.installed$extras"
digest="$({ cat pyproject.toml; [ "$floating" = 1 ] || cat constraints.txt; } | sha256sum | cut -c1-16) floating=$floating"
if [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
  what="the locked versions of constraints.txt"
  [ "$floating" = 1 ] && what="the newest versions pyproject.toml allows"
  echo "Installing ruralsim$extras into $venv with $what (first time takes a few minutes)"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet "${lock[@]}" -e ".$extras"
  echo "$digest" > "$stamp"
fi

if [ $want_test = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || { echo "Could not install chromium with apt-get" >&2; exit 1; }
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
      || { echo "The browser tests need Debian's chromium: apt-get install chromium" >&2; exit 1; }
  fi
fi

# The project's bytecode, compiled ahead: where Python may not write it (PYTHONDONTWRITEBYTECODE, as on
# many containers and CI machines) every command and every batch's fork server would otherwise compile
# the project's modules again, about 0.2 s of a small batch's start. Only stale files are compiled.
"$venv/bin/python" -m compileall -q -j 0 abm agents experiments viz >/dev/null
