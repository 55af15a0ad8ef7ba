#!/usr/bin/env bash
# Install (first time) the project with its test tools and Chromium, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" "$@"
