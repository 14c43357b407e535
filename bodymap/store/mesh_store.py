"""The store's copy of each body mesh: ``meshes/<geometry sha256>.h5``, written once.

Sessions name their mesh by its geometry hash; keeping the mesh (with its atlas) in the
store means a session can be opened, and its findings measured, even if the mesh file it
was painted on is gone.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import bodymap
from bodymap.core.atlas import Atlas, Band, Region
from bodymap.core.mesh import MAX_FACES, BodyMesh
from bodymap.store.errors import SessionReadError
from bodymap.store.hdf5_image import FilePlan, build_image, read_dataset, read_text
from bodymap.store.limits import (
    Refused,
    checked_count,
    checked_vertex_count,
    guarded,
    parse_json,
    read_attributes,
    reading,
)
from bodymap.store.session_file import check_format, open_file

MESH_FORMAT = "bodymap-mesh"
MESH_SCHEMA = 1


def mesh_plan(mesh: BodyMesh, atlas: Atlas | None = None) -> FilePlan:
    """The contents of a mesh file: geometry, internal mask and the region atlas."""
    atlas = atlas or Atlas.unassigned(mesh.n_vertices)
    if atlas.n_vertices != mesh.n_vertices:
        raise ValueError("the atlas does not match the mesh's vertex count")
    plan = FilePlan()
    root = {
        "format": MESH_FORMAT,
        "schema_version": MESH_SCHEMA,
        "app_version": bodymap.__version__,
        "geometry_sha256": mesh.geometry_hash,
        "name": mesh.name,
        "n_vertices": mesh.n_vertices,
        "n_faces": mesh.n_faces,
        "length_unit": "m",
    }
    for name, value in root.items():
        plan.attr("/", name, value)
    plan.array("/vertices", mesh.vertices.astype(np.float32))
    plan.array("/faces", mesh.faces.astype(np.int32))
    plan.array("/internal", mesh.internal.astype(np.uint8))
    plan.array("/region_index", atlas.region_index.astype(np.int16))
    plan.array("/band_index", atlas.band_index.astype(np.int8))
    plan.text("/regions", json.dumps([r.__dict__ for r in atlas.regions], ensure_ascii=False))
    plan.text("/bands", json.dumps([b.__dict__ for b in atlas.bands], ensure_ascii=False))
    return plan


def mesh_image(mesh: BodyMesh, atlas: Atlas | None = None) -> bytes:
    """The bytes of a mesh file for ``mesh`` (the store writes them through its seam)."""
    return build_image(mesh_plan(mesh, atlas))


@guarded
def read_mesh(path: Path, data: bytes | None = None) -> tuple[BodyMesh, Atlas]:
    """The mesh and atlas in a mesh file, checked against the hash in its name.

    Every array's type and shape is checked against the counts in the file's header (at
    most :data:`~bodymap.core.mesh.MAX_VERTICES` vertices) before it is read.
    """
    with open_file(path, data) as h5:
        attrs = read_attributes(h5, ("format", "schema_version", "app_version", "name",
                                     "n_vertices", "n_faces"))  # fmt: skip
        check_format(attrs, path, MESH_FORMAT, MESH_SCHEMA)
        with reading(path, "mesh file"):
            n = checked_vertex_count(attrs.get("n_vertices"))
            m = checked_count(attrs.get("n_faces"), "n_faces", MAX_FACES, minimum=1)
            mesh = BodyMesh(
                read_dataset(h5, "vertices", 12 * n, np.float32, (n, 3)),
                read_dataset(h5, "faces", 12 * m, np.int32, (m, 3)),
                read_dataset(h5, "internal", n, np.uint8, (n,)).astype(bool),
                name=str(attrs.get("name", "body")),
            )
            atlas = Atlas(
                regions=tuple(Region(**r) for r in _records(h5, "regions")),
                bands=tuple(Band(**b) for b in _records(h5, "bands")),
                region_index=read_dataset(h5, "region_index", 2 * n, np.int16, (n,)),
                band_index=read_dataset(h5, "band_index", n, np.int8, (n,)),
            )
    if mesh.geometry_hash != path.stem:
        raise SessionReadError(path, "its geometry does not match the SHA-256 in its name")
    return mesh, atlas


def _records(h5, name: str) -> list[dict]:
    """A JSON list of objects (the atlas's regions or bands), checked before parsing."""
    records = parse_json(read_text(h5, name), name)
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise Refused(f"{name} is not a JSON list of objects")
    return records
