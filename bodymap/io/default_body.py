"""Load the shipped default body and its region atlas from ``meshes/``."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from bodymap.core.atlas import Atlas, Band, Region
from bodymap.core.mesh import BodyMesh, MeshError
from bodymap.io.derived_cache import attach_derived
from bodymap.io.paths import meshes_dir

MESH_FILE = "default_body.npz"
ATLAS_FILE = "default_body_atlas.json"
DEFAULT_BODY_NAME = "Default body"


class DefaultBodyError(MeshError):
    """The shipped body files are missing or damaged (a broken installation)."""


def load_default_body(folder: Path | None = None) -> tuple[BodyMesh, Atlas]:
    """The default body (metres, +y up, +z anterior, +x the subject's left) and its atlas."""
    folder = folder or meshes_dir()
    try:
        with np.load(folder / MESH_FILE, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        catalogue = json.loads((folder / ATLAS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise DefaultBodyError(
            f"The default body in {folder} cannot be read ({error}); reinstall BodyMap."
        ) from error
    mesh = BodyMesh(arrays["vertices"], arrays["faces"], arrays["internal"], name=DEFAULT_BODY_NAME)
    if mesh.geometry_hash != catalogue.get("geometry_sha256"):
        raise DefaultBodyError(
            f"The default body in {folder} does not match its atlas (geometry hash differs); "
            "rebuild it with scripts/build_default_body.py or reinstall BodyMap."
        )
    attach_derived(mesh)
    atlas = Atlas(
        regions=tuple(Region(**r) for r in catalogue["regions"]),
        bands=tuple(Band(**b) for b in catalogue["bands"]),
        region_index=arrays["region_index"],
        band_index=arrays["band_index"],
    )
    return mesh, atlas
