"""Where BodyMap finds its shipped files and keeps its caches."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "BodyMap"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def meshes_dir() -> Path:
    """The folder holding the shipped default body (``meshes/`` of the checkout)."""
    override = os.environ.get("BODYMAP_MESHES")
    return Path(override) if override else PROJECT_ROOT / "meshes"


def cache_dir() -> Path:
    """Derived data that can always be rebuilt (``BODYMAP_CACHE_DIR`` overrides)."""
    override = os.environ.get("BODYMAP_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME))
