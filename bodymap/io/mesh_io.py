"""Open a body mesh from a file (OBJ, PLY, STL, GLB, glTF, VTP, legacy VTK).

Every failure becomes a :class:`MeshLoadError` whose message is one line naming the file and the
problem. Vertex order is kept as the file gives it (per-vertex overlays depend on it), except
that STL and glTF, which repeat a vertex for every triangle or at every seam, have coincident
vertices merged in order of first use.
"""

from __future__ import annotations

import io
import json
import re
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bodymap.core.mesh import BodyMesh, MeshError, validate_surface
from bodymap.io.mesh_formats import FormatError, Surface, read_obj, read_stl
from bodymap.io.vtk_formats import read_vtk_legacy, read_vtp

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".obj", ".ply", ".stl", ".glb", ".gltf", ".vtp", ".vtk")
MESH_FILE_FILTER = "Body meshes (" + " ".join(f"*{ext}" for ext in SUPPORTED_EXTENSIONS) + ")"

# The units body meshes are written in (MakeHuman uses decimetres), tried in this order: the
# first in which the mesh is as tall as an adult (1.2 m to 2.3 m, along +y) wins; failing
# that, the first in which its largest extent is a human body's, lying or seated, infant to
# tall adult with arms out (0.45 m to 2.6 m). A mesh that is neither in any unit is refused.
_UNITS = (("metres", 1.0), ("decimetres", 0.1), ("centimetres", 0.01), ("millimetres", 0.001))
_HUMAN_HEIGHT_M = (1.2, 2.3)
_HUMAN_SIZE_M = (0.45, 2.6)
# glTF component types: the only ones a body's positions and triangle indices may use.
_GLTF_FLOAT = 5126
_GLTF_INDEX_TYPES = (5121, 5123, 5125)
_GLTF_NAMES = {5120: "int8", 5121: "uint8", 5122: "int16", 5123: "uint16", 5125: "uint32",
               5126: "float32"}  # fmt: skip
_PLY_FLOATS = ("float", "double", "float32", "float64")
_MERGED_FORMATS = (".stl", ".glb", ".gltf")
_TRUNCATED = "the file ends early: it is truncated"


class MeshLoadError(MeshError):
    """A file that cannot be opened as a body mesh.

    Parameters
    ----------
    path : str or Path
        The file.
    reason : str
        Why, in words a person can act on (starts in lower case, no final full stop).
    """

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f'Cannot open body mesh "{self.path.name}": {reason}')

    def __reduce__(self):
        return type(self), (self.path, self.reason)


@dataclass(frozen=True)
class LoadedMesh:
    """A body mesh read from a file, and notes on what was done to it on the way in."""

    mesh: BodyMesh
    path: Path
    notes: tuple[str, ...] = ()


def load_mesh(path: str | Path) -> LoadedMesh:
    """Read a body mesh, triangulated, in metres.

    Parameters
    ----------
    path : str or Path
        A file with one of :data:`SUPPORTED_EXTENSIONS`.

    Returns
    -------
    LoadedMesh
        The mesh (named after the file) with notes such as unit conversions.

    Raises
    ------
    MeshLoadError
        For any file that is missing, unreadable, damaged or not a usable surface.
    """
    path = Path(path)
    data = _read_bytes(path)
    suffix = path.suffix.lower()
    try:
        surface = _READERS[suffix](data, path)
        vertices, faces, notes = _prepare(surface, suffix)
        mesh = BodyMesh(vertices, faces, name=path.name)
    except (FormatError, MeshError) as exc:
        raise MeshLoadError(path, str(exc)) from exc
    except MemoryError as exc:
        raise MeshLoadError(path, "it is too large to load into memory") from exc
    except Exception as exc:  # a reader's bug or an odd file: still one readable line
        raise MeshLoadError(path, f"it could not be read ({_describe(exc)})") from exc
    return LoadedMesh(mesh, path, notes)


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise MeshLoadError(path, "the file does not exist")
    if path.is_dir():
        raise MeshLoadError(path, "it is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        what = f'the "{suffix}" format' if suffix else "a file without an extension"
        supported = ", ".join(SUPPORTED_EXTENSIONS)
        raise MeshLoadError(path, f"{what} is not supported (use one of {supported})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MeshLoadError(path, f"it cannot be read ({exc.strerror or exc})") from exc
    if not data:
        raise MeshLoadError(path, "the file is empty (0 bytes)")
    return data


def _prepare(surface: Surface, suffix: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Check the surface, merge split vertices where the format splits them, fix the units."""
    validate_surface(np.asarray(surface.vertices), np.asarray(surface.faces))
    vertices = np.asarray(surface.vertices, dtype=np.float64)
    faces = np.asarray(surface.faces, dtype=np.int64)
    notes = list(surface.notes)
    if suffix in _MERGED_FORMATS:
        vertices, faces, merged = merge_coincident_vertices(vertices, faces)
        if merged:
            notes.append(f"merged {merged:,} duplicate vertices")
    scale, unit = guess_unit_scale(vertices)
    if scale != 1.0:
        height = float(np.ptp(vertices[:, 1]))
        vertices = vertices * scale
        notes.append(
            f"converted from {unit} to metres (it is {height:.4g} units tall, "
            f"so {height * scale:.2f} m)"
        )
    return vertices, faces, tuple(notes)


def merge_coincident_vertices(
    vertices: np.ndarray, faces: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int]:
    """Merge vertices with identical coordinates, keeping the order of first appearance.

    Returns
    -------
    vertices, faces, merged : the new arrays and how many vertices were removed.
    """
    order = np.lexsort(vertices.T[::-1])  # stable: equal rows stay in file order
    ordered = vertices[order]
    starts_group = np.ones(len(order), dtype=bool)
    starts_group[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
    merged = len(vertices) - int(np.count_nonzero(starts_group))
    if merged == 0:
        return vertices, faces, 0
    group = np.empty(len(order), dtype=np.int64)
    group[order] = np.cumsum(starts_group) - 1
    first = order[starts_group]  # each group's first appearance in the file
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return vertices[np.sort(first)], rank[group][faces], merged


def guess_unit_scale(vertices: np.ndarray) -> tuple[float, str]:
    """The factor to metres, and the unit's name, of a mesh the size of a human body.

    Raises
    ------
    MeshError
        When the mesh is no human body's size in metres, decimetres, centimetres or
        millimetres (see ``_UNITS``).
    """
    height = float(np.ptp(vertices[:, 1]))
    size = float(np.ptp(vertices, axis=0).max())
    for bound, extent in ((_HUMAN_HEIGHT_M, height), (_HUMAN_SIZE_M, size)):
        for unit, scale in _UNITS:
            if bound[0] <= extent * scale <= bound[1]:
                return scale, unit
    raise MeshError(
        f"it is {size:.4g} units across: not the size of a human body in metres, "
        "decimetres, centimetres or millimetres"
    )


def _read_trimesh(data: bytes, path: Path) -> Surface:
    """PLY, GLB and glTF through trimesh, never letting it merge or reorder vertices."""
    import trimesh  # deferred: it is slow to import and only these formats need it

    kind = path.suffix.lower().lstrip(".")
    if kind == "ply":
        _check_ply(data)
    else:
        _check_gltf_types(data if kind == "gltf" else _glb_json(data))
    try:
        if kind == "gltf":  # its buffers may live in files beside it
            json.loads(data)  # trimesh hides bad JSON behind a search for "model.gltf"
            loaded = trimesh.load(str(path), file_type=kind, process=False)
        else:
            options = {"fix_texture": False} if kind == "ply" else {}
            loaded = trimesh.load(io.BytesIO(data), file_type=kind, process=False, **options)
    except Exception as exc:
        raise FormatError(_explain_trimesh(exc, kind)) from exc
    parts = loaded.dump() if isinstance(loaded, trimesh.Scene) else [loaded]
    meshes = [g for g in parts if isinstance(g, trimesh.Trimesh) and len(g.faces)]
    if not meshes and parts:
        raise FormatError("it has no triangle faces (a point cloud or lines are not a surface)")
    if not meshes:
        raise FormatError("it contains no geometry")
    if len(meshes) == 1:
        return Surface(np.asarray(meshes[0].vertices), np.asarray(meshes[0].faces))
    joined = trimesh.util.concatenate(meshes)
    note = f"joined {len(meshes)} meshes of the scene into one"
    return Surface(np.asarray(joined.vertices), np.asarray(joined.faces), (note,))


def _check_ply(data: bytes) -> None:
    """Refuse vertex positions that are not floating point, and an ASCII PLY with fewer
    lines than its header declares elements: trimesh reads such a cut-short file without
    complaint, or fails with an unrelated message."""
    end = data.find(b"end_header")
    header = data[:end].decode("ascii", "replace")
    vertex = re.search(r"^element\s+vertex\b(.*?)(?=^element|\Z)", header, re.M | re.S)
    axes = re.findall(r"^property\s+(\w+)\s+[xyz]\s*$", vertex[1] if vertex else "", re.M)
    for kind in axes:
        if kind not in _PLY_FLOATS:
            raise FormatError(f"its vertex positions are {kind} numbers, not floating point")
    if end < 0 or not re.search(r"^format\s+ascii", header, re.MULTILINE):
        return  # binary PLY: trimesh checks the length itself
    declared = sum(int(n) for n in re.findall(r"^element\s+\w+\s+(\d+)", header, re.MULTILINE))
    lines = data[end:].split(b"\n")[1:]
    if sum(1 for line in lines if line.strip()) < declared:
        raise FormatError(_TRUNCATED)


def _glb_json(data: bytes) -> bytes | None:
    """The JSON chunk of a GLB file, or ``None`` when its header is not GLB's (trimesh then
    says what is wrong)."""
    if len(data) < 20 or data[:4] != b"glTF" or data[16:20] != b"JSON":
        return None
    length = int.from_bytes(data[12:16], "little")
    return data[20 : 20 + length] if 20 + length <= len(data) else None


def _check_gltf_types(document: bytes | None) -> None:
    """Refuse glTF positions that are not float32 (quantised or integer positions would be
    read as a body hundreds of metres tall) and triangle indices that are not unsigned."""
    try:
        gltf = json.loads(document) if document else None
        accessors = gltf.get("accessors", []) if isinstance(gltf, dict) else []
        primitives = [p for m in gltf.get("meshes", []) for p in m.get("primitives", [])]
    except (ValueError, TypeError, AttributeError, RecursionError):
        return  # not glTF JSON: trimesh's own error says so
    for primitive in primitives:
        uses = [("positions", primitive.get("attributes", {}).get("POSITION"), (_GLTF_FLOAT,))]
        uses.append(("triangle indices", primitive.get("indices"), _GLTF_INDEX_TYPES))
        for what, index, allowed in uses:
            if not isinstance(index, int) or not 0 <= index < len(accessors):
                continue
            component = accessors[index].get("componentType")
            if component not in allowed:
                name = _GLTF_NAMES.get(component, f"glTF component type {component}")
                raise FormatError(f"its vertex {what} are stored as {name}, which a body "
                                  "mesh cannot use")  # fmt: skip


def _explain_trimesh(exc: Exception, kind: str) -> str:
    message = str(exc).lower()
    if isinstance(exc, FileNotFoundError):
        return f'a file it refers to is missing ("{Path(exc.filename or str(exc)).name}")'
    if isinstance(exc, KeyError) and kind == "gltf":
        return f"a file it refers to is missing or damaged ({exc})"
    if isinstance(exc, EOFError | struct.error) or "length" in message or "truncat" in message:
        return _TRUNCATED
    if "not a ply" in message:
        return 'it is not a PLY file (it does not start with "ply")'
    if "header" in message and kind == "glb":
        return "it is not a GLB file (its header is wrong)"
    if isinstance(exc, json.JSONDecodeError | UnicodeDecodeError):
        return f"it is not valid glTF JSON text, or it is truncated ({_describe(exc)})"
    return f"it is damaged or not a valid {kind.upper()} file ({_describe(exc)})"


def _describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:120]}" if text else type(exc).__name__


_READERS = {
    ".obj": lambda data, path: read_obj(data),
    ".stl": lambda data, path: read_stl(data),
    ".vtp": lambda data, path: read_vtp(data),
    ".vtk": lambda data, path: read_vtk_legacy(data),
    ".ply": _read_trimesh,
    ".glb": _read_trimesh,
    ".gltf": _read_trimesh,
}
