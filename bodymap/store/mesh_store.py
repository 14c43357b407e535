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
from bodymap.core.mesh import BodyMesh, MeshError
from bodymap.store.atomic import write_atomic
from bodymap.store.errors import SessionReadError
from bodymap.store.hdf5_image import FilePlan, build_image, read_text
from bodymap.store.session_file import READ_ERRORS, check_format, open_file

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


def write_mesh(path: Path, mesh: BodyMesh, atlas: Atlas | None = None) -> None:
    write_atomic(path, build_image(mesh_plan(mesh, atlas)))


def read_mesh(path: Path) -> tuple[BodyMesh, Atlas]:
    """The mesh and atlas in a mesh file, checked against the hash in its name."""
    with open_file(path) as h5:
        check_format(dict(h5.attrs), path, MESH_FORMAT, MESH_SCHEMA)
        try:
            mesh = BodyMesh(
                h5["vertices"][()],
                h5["faces"][()],
                h5["internal"][()].astype(bool),
                name=str(h5.attrs.get("name", "body")),
            )
            atlas = Atlas(
                regions=tuple(Region(**r) for r in json.loads(read_text(h5, "regions"))),
                bands=tuple(Band(**b) for b in json.loads(read_text(h5, "bands"))),
                region_index=h5["region_index"][()],
                band_index=h5["band_index"][()],
            )
        except (*READ_ERRORS, MeshError) as error:
            raise SessionReadError(path, f"damaged mesh file ({error})") from error
    if mesh.geometry_hash != path.stem:
        raise SessionReadError(path, "its geometry does not match the SHA-256 in its name")
    return mesh, atlas
