"""Damaged mesh files of every supported format through the public loader.

Small valid files are written in each format, then mutated from fixed seeds (byte flips,
truncation, zeroed ranges). Each must load as a valid body mesh or fail with a one-line
:class:`MeshLoadError` naming the file, never another exception, within a generous alarm.
Integer glTF positions and meshes of no human size in any unit are refused.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import pyvista as pv
import trimesh
from time_limits import alarm

from bodymap.io.mesh_io import LoadedMesh, MeshLoadError, load_mesh

CASE_SECONDS = 10
HEIGHT_M = 1.7


def ball() -> trimesh.Trimesh:
    sphere = trimesh.creation.icosphere(1, radius=HEIGHT_M / 2)
    return trimesh.Trimesh(np.round(sphere.vertices, 4), sphere.faces, process=False)


def via_trimesh(**options) -> Callable[[Path], None]:
    return lambda path: ball().export(path, **options)


def via_pyvista(binary: bool) -> Callable[[Path], None]:
    mesh = ball()
    return lambda path: pv.PolyData.from_regular_faces(mesh.vertices, mesh.faces).save(
        path, binary=binary
    )


WRITERS = {
    "obj": (".obj", via_trimesh()),
    "ply-binary": (".ply", via_trimesh()),
    "ply-ascii": (".ply", via_trimesh(encoding="ascii")),
    "stl-binary": (".stl", via_trimesh()),
    "stl-ascii": (".stl", via_trimesh(file_type="stl_ascii")),
    "glb": (".glb", via_trimesh()),
    "gltf-embedded": (".gltf", lambda path: path.write_bytes(ball().export(file_type="gltf",
                                                             embed_buffers=True)["model.gltf"])),
    "vtp-binary": (".vtp", via_pyvista(True)),
    "vtp-ascii": (".vtp", via_pyvista(False)),
    "vtk-binary": (".vtk", via_pyvista(True)),
    "vtk-ascii": (".vtk", via_pyvista(False)),
}  # fmt: skip


def mutants(data: bytes, seed: int) -> list[bytes]:
    """Byte flips, truncations and zeroed ranges of ``data``, from a fixed seed."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(10):
        flipped = bytearray(data)
        for at in rng.integers(0, len(data), rng.integers(1, 9)):
            flipped[at] ^= 1 << int(rng.integers(0, 8))
        out.append(bytes(flipped))
    out += [data[: int(rng.integers(1, len(data)))] for _ in range(4)]
    for _ in range(6):
        start, length = int(rng.integers(0, len(data))), int(rng.integers(4, 512))
        zeroed = bytearray(data)
        zeroed[start : start + length] = bytes(len(zeroed[start : start + length]))
        out.append(bytes(zeroed))
    return out


def outcome(path: Path) -> str | None:
    """``None`` when the file loads as a valid mesh or fails with a clean one-line error."""
    try:
        with alarm(CASE_SECONDS):
            loaded = load_mesh(path)
    except MeshLoadError as error:
        text = str(error)
        if "\n" in text or not text.startswith(f'Cannot open body mesh "{path.name}": '):
            return f"not one line naming the file: {text[:200]!r}"
        return None
    except Exception as error:  # noqa: BLE001 - any other exception is what is tested
        return f"{type(error).__name__}: {str(error)[:200]}"
    if not isinstance(loaded, LoadedMesh) or loaded.mesh.n_vertices < 3:
        return "loaded something that is not a mesh"
    height = float(np.ptp(loaded.mesh.vertices[:, 1]))
    size = float(np.ptp(loaded.mesh.vertices, axis=0).max())
    if not (0.45 <= size <= 2.6 or 1.2 <= height <= 2.3):
        return f"loaded a mesh {size:.3g} m across"
    return None


@pytest.mark.parametrize("variant", sorted(WRITERS))
def test_damaged_mesh_files_load_or_fail_in_one_line(tmp_path: Path, variant: str) -> None:
    suffix, write = WRITERS[variant]
    original = tmp_path / f"original{suffix}"
    write(original)
    assert outcome(original) is None
    failures = []
    for index, data in enumerate(mutants(original.read_bytes(), sum(map(ord, variant)))):
        path = tmp_path / f"mutant{index}{suffix}"
        path.write_bytes(data)
        problem = outcome(path)
        if problem is not None:
            failures.append(f"{path.name}: {problem}")
    assert not failures, f"{variant}: {len(failures)} of 20 mutants failed\n" + "\n".join(failures)


def glb(positions: np.ndarray, component: int, indices: np.ndarray) -> bytes:
    """A one-primitive GLB with ``positions`` stored under glTF ``component`` type."""
    blob = positions.tobytes() + indices.astype("<u2").tobytes()
    blob += b"\0" * (-len(blob) % 4)
    document = {
        "asset": {"version": "2.0"},
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
        "buffers": [{"byteLength": len(blob)}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": positions.nbytes},
            {"buffer": 0, "byteOffset": positions.nbytes, "byteLength": 2 * indices.size},
        ],
        "accessors": [
            {"bufferView": 0, "componentType": component, "count": len(positions),
             "type": "VEC3", "min": positions.min(0).tolist(), "max": positions.max(0).tolist()},
            {"bufferView": 1, "componentType": 5123, "count": indices.size, "type": "SCALAR"},
        ],
    }  # fmt: skip
    text = json.dumps(document).encode()
    text += b" " * (-len(text) % 4)
    chunks = struct.pack("<I4s", len(text), b"JSON") + text
    chunks += struct.pack("<I4s", len(blob), b"BIN\0") + blob
    return struct.pack("<4sII", b"glTF", 2, 12 + len(chunks)) + chunks


def test_a_glb_with_int8_positions_is_refused(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    positions = rng.integers(-128, 128, (45, 3)).astype(np.int8)
    faces = rng.integers(0, 45, (40, 3))
    path = tmp_path / "quantised.glb"
    path.write_bytes(glb(np.repeat(positions, 1, axis=0), 5120, faces))
    with pytest.raises(MeshLoadError, match='"quantised.glb": its vertex positions are stored '
                       "as int8, which a body mesh cannot use"):  # fmt: skip
        load_mesh(path)
    # The same body with float32 positions, scaled to a person, opens.
    scaled = positions.astype(np.float32) * np.float32(HEIGHT_M / 255)
    path.write_bytes(glb(scaled, 5126, faces))
    assert load_mesh(path).mesh.n_vertices == 45


@pytest.mark.parametrize("variant", ["obj", "ply-binary", "stl-binary", "glb", "vtp-binary"])
@pytest.mark.parametrize(("scale", "refused"), [(1e-3, True), (100.0, False), (1e5, True)])
def test_a_mesh_of_no_human_size_is_refused_in_every_format(
    tmp_path: Path, variant: str, scale: float, refused: bool
) -> None:
    suffix, _ = WRITERS[variant]
    mesh = ball()
    scaled = trimesh.Trimesh(mesh.vertices * scale, mesh.faces, process=False)
    path = tmp_path / f"scaled{suffix}"
    if suffix == ".vtp":
        pv.PolyData.from_regular_faces(scaled.vertices, scaled.faces).save(path)
    else:
        scaled.export(path)
    if refused:
        with pytest.raises(MeshLoadError, match="not the size of a human body"):
            load_mesh(path)
    else:
        loaded = load_mesh(path)
        assert np.ptp(loaded.mesh.vertices[:, 1]) == pytest.approx(HEIGHT_M, rel=1e-4)
        assert any("converted from centimetres" in note for note in loaded.notes)


def test_vertex_positions_stored_as_integers_are_refused(tmp_path: Path) -> None:
    header = "ply\nformat ascii 1.0\nelement vertex 3\nproperty char x\nproperty char y\n"
    header += "property char z\nelement face 1\nproperty list uchar int vertex_indices\n"
    path = tmp_path / "chars.ply"
    path.write_text(header + "end_header\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n")
    with pytest.raises(MeshLoadError, match="its vertex positions are char numbers"):
        load_mesh(path)
    points = "0 0 0 100 0 0 0 100 0 0 0 100"
    (tmp_path / "ints.vtp").write_text(
        '<VTKFile type="PolyData" version="1.0" byte_order="LittleEndian"><PolyData>'
        '<Piece NumberOfPoints="4" NumberOfPolys="2"><Points><DataArray type="Int8" '
        f'NumberOfComponents="3" format="ascii">{points}</DataArray></Points><Polys>'
        '<DataArray type="Int32" Name="connectivity" format="ascii">0 1 2 0 2 3</DataArray>'
        '<DataArray type="Int32" Name="offsets" format="ascii">3 6</DataArray></Polys>'
        "</Piece></PolyData></VTKFile>"
    )
    with pytest.raises(MeshLoadError, match="its vertex positions are int8 numbers"):
        load_mesh(tmp_path / "ints.vtp")
