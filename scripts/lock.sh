#!/usr/bin/env bash
# Write constraints.txt: the exact version of every package a fresh floating install of ruralsim[test]
# gets now (with the Python that setup.sh finds). Move the lock forward with it, run the tests, commit both.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
VENV="$tmp/venv" bash scripts/setup.sh --test --floating
{
  echo "# The exact versions ruralsim is tested with (and its reports are made with): a pip constraints file,"
  echo "# used by scripts/setup.sh (--floating ignores it). Written by scripts/lock.sh on $(date -u +%Y-%m-%d)"
  echo "# with Python $("$tmp/venv/bin/python" -c 'import platform; print(platform.python_version())') on $(uname -sm)."
  "$tmp/venv/bin/python" -m pip freeze --exclude-editable
} > constraints.txt
echo "constraints.txt: $(grep -vc '^#' constraints.txt) packages"
