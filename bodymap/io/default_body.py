"""Load the shipped bodies and their region atlas from ``meshes/``.

The default body is ``default_body.npz``; the other bodies (``bodies.npz``) are coarse shapes
carried onto its topology by one shared sparse operator (see :mod:`bodymap.core.bodies`).
"""

from __future__ import annotations

import functools
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bodymap.core.atlas import Atlas, Band, Region
from bodymap.core.bodies import (
    DEFAULT_BODY_ID,
    BodyRecipe,
    BodySpec,
    SharedTopology,
    adult_shape,
)
from bodymap.core.mesh import BodyMesh, MeshError
from bodymap.io.derived_cache import attach_derived
from bodymap.io.paths import meshes_dir

if TYPE_CHECKING:  # scipy (with the fitting) is not imported with the app's start
    from bodymap.core.fitting import ShapeModel

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


# --- the other bodies on the default body's topology -------------------------------------------

BODIES_FILE = "bodies.npz"
CATALOGUE_FILE = "bodies.json"


def write_bodies(
    out: Path,
    topology: SharedTopology,
    base: np.ndarray,
    shapes: dict[str, np.ndarray],
    targets: dict[str, np.ndarray],
    catalogue: list[dict],
    arm_weights: np.ndarray,
    shoulders: np.ndarray,
) -> None:
    """Store the shared operator, each body's coarse shape and the adult targets (build time)."""
    op = topology.operator.tocsr()
    arrays = {
        "operator_data": op.data,
        "operator_indices": op.indices.astype(np.int32),
        "operator_indptr": op.indptr.astype(np.int32),
        "operator_shape": np.array(op.shape, dtype=np.int64),
        "mirror": topology.mirror.astype(np.int32),
        "midline": topology.midline,
        "coarse_faces": topology.coarse_faces.astype(np.int32),
        "base": base.astype(np.float32),
        "arm_weights": arm_weights.astype(np.float32),
        "shoulders": shoulders.astype(np.float64),
    }
    arrays |= {f"shape/{key}": value.astype(np.float32) for key, value in shapes.items()}
    arrays |= {f"target/{key}": value.astype(np.float32) for key, value in targets.items()}
    np.savez_compressed(out / BODIES_FILE, **arrays)
    document = {"format": "bodymap-bodies", "version": 1, "bodies": catalogue}
    (out / CATALOGUE_FILE).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")


@dataclass(frozen=True, eq=False)
class _Bodies:
    """Everything ``bodies.npz`` holds, read once per folder."""

    topology: SharedTopology
    base: np.ndarray
    shapes: dict[str, np.ndarray]
    targets: dict[str, np.ndarray]
    catalogue: tuple[dict, ...]
    arm_weights: np.ndarray  # (2, C) left and right arm skinning weight, for fitting a pose
    shoulders: np.ndarray  # (2, 3) left and right shoulder joints of the default body


@functools.lru_cache(maxsize=4)
def _read_bodies(folder: Path) -> _Bodies:
    try:
        with np.load(folder / BODIES_FILE, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        document = json.loads((folder / CATALOGUE_FILE).read_text(encoding="utf-8"))
        shape = tuple(int(n) for n in arrays["operator_shape"])
        from scipy.sparse import csr_matrix  # only for the shipped bodies, not at start-up

        operator = csr_matrix(
            (arrays["operator_data"], arrays["operator_indices"], arrays["operator_indptr"]),
            shape=shape,
        )
        default, _ = _default_cached(folder)
        topology = SharedTopology(
            operator,
            default.faces,
            default.internal,
            arrays["mirror"],
            arrays["midline"],
            arrays["coarse_faces"],
        )
        catalogue = tuple(document["bodies"])
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as error:
        raise DefaultBodyError(
            f"The bodies in {folder} cannot be read ({error}); reinstall BodyMap."
        ) from error
    return _Bodies(
        topology,
        arrays["base"],
        {k.removeprefix("shape/"): v for k, v in arrays.items() if k.startswith("shape/")},
        {k.removeprefix("target/"): v for k, v in arrays.items() if k.startswith("target/")},
        catalogue,
        arrays["arm_weights"],
        arrays["shoulders"].astype(np.float64),
    )


@functools.lru_cache(maxsize=4)
def _default_cached(folder: Path) -> tuple[BodyMesh, Atlas]:
    return load_default_body(folder)


def list_bodies(folder: Path | None = None) -> list[dict]:
    """The shipped bodies: id, name, sex, age, height, weight, skin area, vertex count..."""
    return [dict(entry) for entry in _read_bodies((folder or meshes_dir()).resolve()).catalogue]


def shared_topology(folder: Path | None = None) -> SharedTopology:
    """The operator, faces and masks every shipped body shares."""
    return _read_bodies((folder or meshes_dir()).resolve()).topology


def load_body(spec: BodySpec | str, folder: Path | None = None) -> tuple[BodyMesh, Atlas]:
    """The body of ``spec`` (or a shipped body's id) with its atlas, on the default topology.

    The default body (``adult_female`` with no build control) is ``default_body.npz`` byte for
    byte. Every body shares the default body's faces, masks and atlas; only positions differ.

    Raises
    ------
    KeyError
        For an unknown body id.
    ValueError
        For build controls a body cannot take (a child's, or an unreachable weight).
    """
    spec = BodySpec(spec) if isinstance(spec, str) else spec
    folder = (folder or meshes_dir()).resolve()
    default, atlas = _default_cached(folder)
    if spec.body_id == DEFAULT_BODY_ID and spec.is_shipped:
        return default, atlas
    bodies = _read_bodies(folder)
    entries = {entry["id"]: entry for entry in bodies.catalogue}
    if spec.body_id not in entries:
        known = ", ".join(entries)
        raise KeyError(f"no body {spec.body_id!r}; the shipped bodies are {known}")
    recipe = BodyRecipe.from_entry(entries[spec.body_id])
    if spec.is_shipped:
        coarse = bodies.shapes[spec.body_id]
    else:
        coarse = adult_shape(recipe, spec, bodies.base, bodies.targets, bodies.topology)
    return bodies.topology.mesh(coarse, recipe.name, like=default), atlas


def shape_model(folder: Path | None = None, samples: int = 6000) -> ShapeModel:
    """The fitting model: the default body plus each shipped body's difference from it."""
    return _shape_model((folder or meshes_dir()).resolve(), samples)


@functools.lru_cache(maxsize=2)
def _shape_model(folder: Path, samples: int) -> ShapeModel:
    from bodymap.core.fitting import ShapeModel  # with scipy: only when a body is fitted

    bodies = _read_bodies(folder)
    base = bodies.base.astype(np.float64)
    basis = np.stack(
        [
            shape.astype(np.float64) - base
            for key, shape in bodies.shapes.items()
            if key != DEFAULT_BODY_ID
        ]
    )
    skin = np.flatnonzero(~bodies.topology.internal)
    sample = skin[np.linspace(0, len(skin) - 1, samples).astype(np.int64)]
    arms = np.stack([bodies.arm_weights[0], bodies.arm_weights[1]]).astype(np.float64)
    return ShapeModel(bodies.topology.operator, base, basis, sample, arms, bodies.shoulders)
