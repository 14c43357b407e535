"""Benchmark meshes: the default body, denser versions of it (built once, cached), a test sphere.

A size token names a mesh: ``default`` (the shipped body), ``1M`` / ``2M`` / ``500k`` (the
default body refined to about that many vertices) or ``ico`` (a 10k-vertex sphere for smoke
runs). Denser bodies are made by longest-edge bisection of the default body to about a quarter
of the target, then one Loop step (which roughly quadruples the vertex count); both steps give
fine x coarse operators, so each fine vertex takes the region, band and internal flag of the
coarse vertex with the largest weight.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from bodymap.core.atlas import NO_BAND, Atlas, Region
from bodymap.core.brush import BrushGeometry
from bodymap.core.mesh import BodyMesh
from bodymap.core.overlays import Overlays
from bodymap.core.painter import Painter
from bodymap.core.subdivision import _longest_edge_split, loop_subdivide
from bodymap.core.tags import TagSet
from bodymap.io.default_body import load_default_body
from bodymap.io.derived_cache import attach_derived
from bodymap.io.paths import cache_dir

CACHE_VERSION = 1
SMOKE_SIZE = "ico"
DEFAULT_SIZES = ("default", "1M", "2M")
_TOKEN = re.compile(r"^(\d+(?:\.\d+)?)([kKmM])$")
_SPHERE_REGIONS = (
    Region("sphere_left", "Left half", "left", "trunk anterior"),
    Region("sphere_right", "Right half", "right", "trunk anterior"),
)


def target_vertices(token: str) -> int | None:
    """The vertex count a token asks for (``None`` for ``default`` and ``ico``)."""
    if token in ("default", SMOKE_SIZE):
        return None
    match = _TOKEN.match(token)
    if match is None:
        raise ValueError(f"unknown mesh size {token!r}: use default, ico, or e.g. 1M, 500k")
    scale = 1_000 if match[2] in "kK" else 1_000_000
    return int(float(match[1]) * scale)


def load_size(token: str, log=print) -> tuple[BodyMesh, Atlas]:
    """The mesh and atlas for a size token, building and caching denser bodies on first use."""
    if token == SMOKE_SIZE:
        return sphere_body()
    body, atlas = load_default_body()
    target = target_vertices(token)
    if target is None or target <= body.n_vertices:
        return body, atlas
    path = cache_dir() / f"bench-mesh-{body.geometry_hash[:16]}-{target}-v{CACHE_VERSION}.npz"
    arrays = _read_cached(path)
    if arrays is None:
        log(f"building the {token} body (once; cached in {path.parent}) ...")
        started = time.perf_counter()
        arrays = densify(body, atlas, target)
        _write_cached(path, arrays)
        log(f"  {len(arrays['vertices']):,} vertices in {time.perf_counter() - started:.0f} s")
    mesh = BodyMesh(arrays["vertices"], arrays["faces"], arrays["internal"], name=f"body {token}")
    attach_derived(mesh)
    fine_atlas = Atlas(atlas.regions, atlas.bands, arrays["region_index"], arrays["band_index"])
    return mesh, fine_atlas


def size_label(token: str, mesh: BodyMesh) -> str:
    """How the table names a mesh: the token, with the vertex count for the default body."""
    return f"{token} {mesh.n_vertices / 1e6:.2f}M" if token == "default" else token


def sphere_body() -> tuple[BodyMesh, Atlas]:
    """A 10,242-vertex sphere of radius 0.3 m, +x half left: tiny and fast, for smoke runs."""
    import pyvista as pv

    sphere = pv.Icosphere(radius=0.3, nsub=5, center=(0.0, 1.0, 0.0))
    vertices = np.asarray(sphere.points)
    mesh = BodyMesh(vertices, sphere.regular_faces, name="sphere")
    region = np.where(vertices[:, 0] >= 0, 0, 1)
    band = np.full(len(vertices), NO_BAND)
    return mesh, Atlas(_SPHERE_REGIONS, (), region, band)


def densify(body: BodyMesh, atlas: Atlas, target: int) -> dict[str, np.ndarray]:
    """The body refined to about ``target`` vertices, with its per-vertex labels carried."""
    vertices = body.vertices.astype(np.float64)
    faces = body.faces
    vertices, faces, refine_op = refine_to(vertices, faces, max(target // 4, body.n_vertices))
    vertices, faces, loop_op, _ = loop_subdivide(vertices, faces, 1)
    dominant = np.asarray((loop_op @ refine_op).tocsr().argmax(axis=1)).ravel()
    return {
        "vertices": vertices.astype(np.float32),
        "faces": faces.astype(np.int32),
        "internal": body.internal[dominant],
        "region_index": atlas.region_index[dominant],
        "band_index": atlas.band_index[dominant],
    }


def refine_to(
    vertices: np.ndarray, faces: np.ndarray, target: int, max_passes: int = 12
) -> tuple[np.ndarray, np.ndarray, sp.csr_matrix]:
    """Longest-edge bisection passes, longest edges first, until about ``target`` vertices.

    ``refine_long_edges`` runs to a fixed edge length and has a long tail of passes that
    each split a few edges (minutes at 1M vertices); here each pass picks its threshold so
    that it adds at most the vertices still missing, and stops within 1% of the target.
    """
    operator = sp.identity(len(vertices), format="csr")
    for _ in range(max_passes):
        missing = target - len(vertices)
        if missing <= 0.01 * target:
            break
        lengths = _terminal_edge_lengths(vertices, faces)
        if len(lengths) == 0:
            break
        threshold = np.sort(lengths)[::-1][min(missing, len(lengths) - 1)]
        step = _longest_edge_split(vertices, faces, float(threshold))
        if step is None:
            break
        vertices, faces, step_operator, _ = step
        operator = (step_operator @ operator).tocsr()
    return vertices, faces, operator


def _terminal_edge_lengths(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Lengths of the edges that are the longest of both their faces (one pass can split)."""
    f = faces.astype(np.int64)
    pairs = np.stack([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]], axis=1).reshape(-1, 2)
    keys = np.minimum(pairs[:, 0], pairs[:, 1]) << 32 | np.maximum(pairs[:, 0], pairs[:, 1])
    unique_keys, face_edges = np.unique(keys, return_inverse=True)
    face_edges = face_edges.reshape(-1, 3)
    a, b = unique_keys >> 32, unique_keys & 0xFFFFFFFF
    lengths = np.linalg.norm(vertices[a] - vertices[b], axis=1)
    # Same tie-break as the core: by (length, edge id).
    order = np.lexsort((face_edges.ravel(), lengths[face_edges.ravel()])).argsort()
    longest = face_edges[np.arange(len(faces)), order.reshape(-1, 3).argmax(axis=1)]
    return lengths[np.bincount(longest, minlength=len(lengths)) == 2]


def _read_cached(path: Path) -> dict[str, np.ndarray] | None:
    try:
        with np.load(path, allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None


def _write_cached(path: Path, arrays: dict[str, np.ndarray]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
        os.replace(temporary, path)
    except OSError as error:
        print(f"  (could not cache the mesh: {error})")


def bench_tags() -> TagSet:
    """The seven default tags and one of the practitioner's own: eight layers."""
    tags = TagSet()
    tags.add("Scar tissue", (120, 120, 120))
    return tags


def paint_layers(
    mesh: BodyMesh, tags: TagSet, painted: int, seed: int = 7, strokes: int = 12
) -> Overlays:
    """Overlays with a layer per tag, the first ``painted`` holding a few soft-brushed patches.

    Each painted layer gets ``strokes`` dabs of 3 to 12 cm at random skin vertices and
    intensities, as a session's findings look: smooth patches, mostly unpainted skin.
    """
    rng = np.random.default_rng(seed)
    overlays = Overlays(mesh.n_vertices, tags.keys())
    geometry = BrushGeometry(mesh)
    painter = Painter(overlays)
    skin = np.flatnonzero(mesh.external)
    for key in tags.keys()[:painted]:
        for seed_vertex in rng.choice(skin, size=strokes, replace=False):
            painter.begin_stroke((key,), int(rng.integers(20, 101)))
            center = mesh.vertices[seed_vertex].astype(np.float64)
            footprint = geometry.footprint(center, int(seed_vertex), rng.uniform(0.03, 0.12), None)
            painter.dab(footprint.ids, footprint.weights)
            painter.end_stroke()
    return overlays
