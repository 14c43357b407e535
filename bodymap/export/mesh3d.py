"""The painted body as a vertex-coloured 3D model: PLY and binary glTF (GLB).

Colours are exactly those the app draws (:func:`session_colors`), with the mesh's vertex
normals so that viewers shade it smoothly as the app does. Coordinates are metres
with +y up, which is glTF's convention too. Vertex colours are written as 8-bit sRGB, as
trimesh and most viewers (MeshLab, Blender's PLY import, the glTF sample viewers) treat
them.
"""

from __future__ import annotations

import numpy as np
import trimesh

from bodymap.core.colors import session_colors
from bodymap.export.errors import ExportError
from bodymap.export.source import SessionSource

FORMATS = ("ply", "glb")


def coloured_trimesh(source: SessionSource) -> trimesh.Trimesh:
    """The body with its blended colours per vertex; nothing merged or reordered."""
    mesh = source.mesh
    return trimesh.Trimesh(
        vertices=np.asarray(mesh.vertices, dtype=np.float64),
        faces=np.asarray(mesh.faces, dtype=np.int64),
        vertex_normals=np.asarray(mesh.vertex_normals, dtype=np.float64),
        vertex_colors=session_colors(source.session, mesh),
        process=False,
    )


def model_bytes(source: SessionSource, file_type: str) -> bytes:
    """The coloured body as ``"ply"`` (binary) or ``"glb"`` bytes."""
    if file_type not in FORMATS:
        raise ExportError(f"3D exports are {' or '.join(FORMATS)}, not {file_type!r}")
    model = coloured_trimesh(source)
    # The app's smooth shading comes from these normals: without them viewers shade flat.
    if file_type == "ply":
        data = model.export(file_type="ply", vertex_normal=True)
    else:
        data = model.export(file_type="glb", include_normals=True)
    return data if isinstance(data, bytes) else data.encode("utf-8")
