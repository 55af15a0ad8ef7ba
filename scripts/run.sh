#!/usr/bin/env bash
# Install (first time) and run the default scenario: ten years of the default province.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/ruralsim run "$@"
