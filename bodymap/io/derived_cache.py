"""A cache of a mesh's derived arrays (adjacency, normals, areas), keyed by its geometry hash.

The cache is a convenience: a missing, stale or unreadable entry is rebuilt, never trusted.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from bodymap.core.mesh import BodyMesh
from bodymap.io.paths import cache_dir

CACHE_VERSION = 1


def cache_path(mesh: BodyMesh, folder: Path | None = None) -> Path:
    return (folder or cache_dir()) / f"mesh-{mesh.geometry_hash[:32]}-v{CACHE_VERSION}.npz"


def attach_derived(mesh: BodyMesh, folder: Path | None = None) -> bool:
    """Give ``mesh`` its derived arrays from the cache, or compute and store them.

    Returns True when the cache was used.
    """
    path = cache_path(mesh, folder)
    try:
        with np.load(path, allow_pickle=False) as stored:
            # The file keeps the edges (its format is unchanged) but they are not read:
            # the adjacency is what the app uses.
            mesh.adopt_derived({name: stored[name] for name in stored.files if name != "edges"})
        return True
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        pass
    arrays = mesh.derived_arrays()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only or full cache folder only costs the next start a little time
    return False
