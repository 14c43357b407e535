"""The render package asks Mesa's llvmpipe to rasterise in the drawing thread (less memory)."""

from __future__ import annotations

import os
import subprocess
import sys

SHOW = "import os, bodymap.render; print(os.environ.get('LP_NUM_THREADS'))"


def _imported_with(value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "LP_NUM_THREADS"}
    if value is not None:
        env["LP_NUM_THREADS"] = value
    done = subprocess.run(
        [sys.executable, "-c", SHOW], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_rasteriser_threads_default_to_none() -> None:
    assert _imported_with(None) == "0"


def test_a_value_the_user_set_is_kept() -> None:
    assert _imported_with("4") == "4"
