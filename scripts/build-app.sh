#!/usr/bin/env bash
# Build the one-folder BodyMap application with PyInstaller (packaging/bodymap.spec):
# dist/BodyMap/ on Linux and Windows, dist/BodyMap.app on macOS. PyInstaller is a build-time
# tool: it is installed here, into the build environment, never as a dependency of BodyMap.
#
#   bash scripts/build-app.sh [--dist DIR] [--work DIR]
#
# The build environment is .venv (made by scripts/setup.sh, as for the app), or the virtual
# environment named by BODYMAP_BUILD_VENV (which must hold BodyMap's dependencies already).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="$ROOT/dist"
WORK="$ROOT/build/pyinstaller"
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) DIST="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    *) echo "usage: bash scripts/build-app.sh [--dist DIR] [--work DIR]" >&2; exit 2 ;;
  esac
done

if [ -n "${BODYMAP_BUILD_VENV:-}" ]; then
  VENV="$BODYMAP_BUILD_VENV"
else
  source "$ROOT/scripts/setup.sh"
  bodymap_setup ""
  VENV="$ROOT/.venv"
fi
PYTHON="$VENV/bin/python"
[ -x "$PYTHON" ] || PYTHON="$VENV/Scripts/python.exe"  # Git Bash on Windows
[ -x "$PYTHON" ] || { echo "build-app: no Python in $VENV" >&2; exit 1; }

echo "build-app: installing PyInstaller into $VENV" >&2
"$PYTHON" -m pip install --quiet "pyinstaller>=6.10"
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$DIST" --workpath "$WORK" "$ROOT/packaging/bodymap.spec"

case "$(uname -s)" in
  Darwin) BUNDLE="$DIST/BodyMap.app"; CLI="$BUNDLE/Contents/MacOS/bodymap-cli" ;;
  MINGW*|MSYS*|CYGWIN*) BUNDLE="$DIST/BodyMap"; CLI="$BUNDLE/bodymap-cli.exe" ;;
  *) BUNDLE="$DIST/BodyMap"; CLI="$BUNDLE/bodymap" ;;
esac
"$CLI" --version
echo "build-app: $BUNDLE ($(du -sh "$BUNDLE" | cut -f1))" >&2
