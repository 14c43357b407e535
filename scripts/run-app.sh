#!/usr/bin/env bash
# Install everything BodyMap needs (once) and open it on the shipped default body.
# Extra arguments go to the app, e.g. scripts/run-app.sh --mesh other_body.obj
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
bodymap_setup ""
# The shipped demo client's signed visits are recorded in this checkout's audit log (which git
# does not track), so that `bodymap verify` accepts them; quick and idempotent.
"$ROOT/.venv/bin/python" "$ROOT/scripts/build_demo_store.py" >/dev/null ||
  echo "bodymap: could not prepare the demo client (the app still works)" >&2
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "bodymap: no display found (DISPLAY is unset); start it from a desktop session, or try it under a virtual screen: xvfb-run -s '-screen 0 1600x1000x24' $0" >&2
  exit 1
fi
exec "$ROOT/.venv/bin/bodymap" "$@"
