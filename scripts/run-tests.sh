#!/usr/bin/env bash
# Install everything the tests need (once), lint, and run the whole test suite.
# The GUI tests start their own Xvfb (pytest-xvfb); no display or GPU is needed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
bodymap_setup "[test]"
cd "$ROOT"
"$ROOT/.venv/bin/ruff" check bodymap tests scripts
exec "$ROOT/.venv/bin/python" -m pytest "$@"
