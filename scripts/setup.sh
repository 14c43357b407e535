#!/usr/bin/env bash
# Installs what BodyMap needs on Debian/Ubuntu, idempotently: the system libraries Qt and VTK
# load (xcb, Mesa GL/EGL), Xvfb for the tests, and a virtual environment in .venv with BodyMap
# installed in editable mode. Sourced by scripts/run-app.sh and scripts/run-tests.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
SYSTEM_PACKAGES=(
  xvfb xauth libgl1 libegl1 libglx-mesa0 libegl-mesa0 libgl1-mesa-dri
  libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0
  libdbus-1-3 libfontconfig1 libxrender1 libxext6 libxi6 libsm6 libice6 fonts-dejavu-core
  python3-venv espeak-ng sox libportaudio2
)

log() { printf 'bodymap setup: %s\n' "$*" >&2; }

install_system_packages() {
  command -v dpkg-query >/dev/null 2>&1 || { log "not a Debian/Ubuntu system: install the X/GL libraries yourself"; return 0; }
  local missing=()
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing system packages: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pick_python() {
  local candidate
  for candidate in "${BODYMAP_PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  log "BodyMap needs Python 3.11 or newer with venv (Debian 12, Ubuntu 24.04 or later)"; return 1
}

install_python_packages() {
  local extras="$1" stamp="$VENV/.bodymap-installed" want
  want="$(cat "$ROOT/pyproject.toml" | sha256sum | cut -c1-16)-$extras"
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV"
    "$(pick_python)" -m venv "$VENV"
  fi
  local have; have="$(cat "$stamp" 2>/dev/null || true)"
  # An install with the test extras also serves the app: never downgrade it.
  if [ "$have" != "$want" ] && [ "$have" != "${want%-*}-[test]" ]; then
    log "installing BodyMap and its Python dependencies into .venv"
    local pip_log="$VENV/pip-install.log"
    if ! { "$VENV/bin/python" -m pip install --upgrade pip &&
           "$VENV/bin/python" -m pip install -e "$ROOT$extras"; } >"$pip_log" 2>&1; then
      tail -n 30 "$pip_log" >&2
      log "installing the Python packages failed (full log: $pip_log)"
      return 1
    fi
    echo "$want" > "$stamp"
  fi
}

bodymap_setup() {
  # The tests also read session files with a stock h5dump, as any HDF5 user would.
  [ "${1:-}" = "[test]" ] && SYSTEM_PACKAGES+=(hdf5-tools)
  install_system_packages
  install_python_packages "${1:-}"
}
