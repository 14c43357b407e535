"""Where BodyMap finds its shipped files and keeps its caches.

BodyMap runs from a source checkout (``meshes/`` beside the ``bodymap`` package), from an
installed wheel (the same files inside the package, as ``bodymap/meshes``) or from a
PyInstaller bundle (the files collected to ``bodymap/meshes`` in the bundle).
"""

from __future__ import annotations

import os
import re
import sys
from importlib import resources
from pathlib import Path

import platformdirs

APP_NAME = "BodyMap"
PROJECT_ROOT = Path(__file__).resolve().parents[2]

INSTALL_FOLDER_NAMES = frozenset({"site-packages", "dist-packages"})
"""Folders that hold installed packages: never a checkout, whatever else they contain."""

_PROJECT_NAME = re.compile(r'^name\s*=\s*"bodymap"\s*$', re.MULTILINE)


def checkout_root(package_parent: Path | None = None) -> Path | None:
    """The source checkout BodyMap runs from, or ``None`` when installed or bundled.

    A checkout is the folder holding the ``bodymap`` package and a ``pyproject.toml`` that
    names this project. An installed copy's parent (``site-packages``) and a bundle never are,
    so stray files there cannot make an installed BodyMap use a checkout's folders.

    Parameters
    ----------
    package_parent : Path, optional
        The folder holding the ``bodymap`` package (for tests); the real one by default.
    """
    if getattr(sys, "frozen", False):
        return None
    root = package_parent or PROJECT_ROOT
    if root.name.lower() in INSTALL_FOLDER_NAMES or not (root / "bodymap").is_dir():
        return None
    try:
        pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return root if _PROJECT_NAME.search(pyproject) else None


def meshes_dir() -> Path:
    """The folder holding the shipped bodies and atlases (``BODYMAP_MESHES`` overrides).

    ``meshes/`` of the checkout when running from one; otherwise the package's
    ``bodymap/meshes``, found through :mod:`importlib.resources`.
    """
    override = os.environ.get("BODYMAP_MESHES")
    if override:
        return Path(override)
    root = checkout_root()
    if root is not None and (root / "meshes").is_dir():
        return root / "meshes"
    # A wheel or a bundle installs real files, so the resource is a folder on disk.
    return Path(str(resources.files("bodymap").joinpath("meshes")))


def demo_dir() -> Path:
    """The shipped sample client's record set (``BODYMAP_DEMO`` overrides): the checkout's
    ``demo/`` when running from one, otherwise the package's ``bodymap/demo``."""
    override = os.environ.get("BODYMAP_DEMO")
    if override:
        return Path(override)
    root = checkout_root()
    if root is not None and (root / "demo").is_dir():
        return root / "demo"
    return Path(str(resources.files("bodymap").joinpath("demo")))


def cache_dir() -> Path:
    """Derived data that can always be rebuilt (``BODYMAP_CACHE_DIR`` overrides)."""
    override = os.environ.get("BODYMAP_CACHE_DIR")
    return (
        Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    )
