"""Opening body meshes: every format round-trips with its vertex order, units are fixed, and
every bad file gives one clear line naming the file and the problem."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import pyvista as pv
import trimesh
import vtk
from vtkmodules.util.numpy_support import vtk_to_numpy

from bodymap.core.mesh import MeshError
from bodymap.io.mesh_io import (
    MESH_FILE_FILTER,
    SUPPORTED_EXTENSIONS,
    LoadedMesh,
    MeshLoadError,
    load_mesh,
)

HEIGHT_M = 1.7


@pytest.fixture(scope="module")
def body() -> trimesh.Trimesh:
    """A closed ball as tall as a person, with its vertices shuffled so that order matters."""
    sphere = trimesh.creation.icosphere(2, radius=HEIGHT_M / 2)
    order = np.random.default_rng(3).permutation(len(sphere.vertices))
    rank = np.argsort(order)
    # Four decimals survive every text format exactly (after the cast to float32).
    vertices = np.round(sphere.vertices[order], 4)
    return trimesh.Trimesh(vertices, rank[sphere.faces], process=False)


def to_polydata(mesh: trimesh.Trimesh) -> pv.PolyData:
    return pv.PolyData.from_regular_faces(mesh.vertices, mesh.faces)


def vtp_writer(**options: str) -> Callable[[trimesh.Trimesh, Path], None]:
    """A writer for .vtp through VTK with, e.g., data_mode="Appended", compressor="LZMA"."""

    def write(mesh: trimesh.Trimesh, path: Path) -> None:
        writer = vtk.vtkXMLPolyDataWriter()
        writer.SetInputData(to_polydata(mesh))
        writer.SetFileName(str(path))
        getattr(writer, f"SetDataModeTo{options.get('data_mode', 'Binary')}")()
        getattr(writer, f"SetCompressorTypeTo{options.get('compressor', 'ZLib')}")()
        getattr(writer, f"SetHeaderTypeTo{options.get('header', 'UInt32')}")()
        getattr(writer, f"SetByteOrderTo{options.get('byte_order', 'LittleEndian')}")()
        writer.SetEncodeAppendedData(options.get("encode") == "base64")
        assert writer.Write() == 1

    return write


def legacy_writer(version: int, binary: bool, grid: bool = False):
    def write(mesh: trimesh.Trimesh, path: Path) -> None:
        data = to_polydata(mesh)
        writer = vtk.vtkUnstructuredGridWriter() if grid else vtk.vtkPolyDataWriter()
        writer.SetInputData(data.cast_to_unstructured_grid() if grid else data)
        writer.SetFileName(str(path))
        writer.SetFileVersion(version)
        writer.SetFileTypeToBinary() if binary else writer.SetFileTypeToASCII()
        assert writer.Write() == 1

    return write


def export(**options) -> Callable[[trimesh.Trimesh, Path], None]:
    return lambda mesh, path: mesh.export(path, **options)


def pyvista_save(binary: bool = True) -> Callable[[trimesh.Trimesh, Path], None]:
    return lambda mesh, path: to_polydata(mesh).save(path, binary=binary)


def embedded_gltf(mesh: trimesh.Trimesh, path: Path) -> None:
    files = trimesh.exchange.gltf.export_gltf(trimesh.Scene(mesh), embed_buffers=True)
    path.write_bytes(files["model.gltf"])


def ascii_stl(mesh: trimesh.Trimesh, path: Path) -> None:
    path.write_text(trimesh.exchange.stl.export_stl_ascii(mesh))


# (suffix, writer, whether the file keeps the vertex order and count exactly)
WRITERS = {
    "obj": (".obj", export(), True),
    "obj-pyvista": (".obj", pyvista_save(), True),
    "ply-binary": (".ply", export(), True),
    "ply-ascii": (".ply", export(encoding="ascii"), True),
    "ply-pyvista": (".ply", pyvista_save(), True),
    "stl-binary": (".stl", export(), False),
    "stl-ascii": (".stl", ascii_stl, False),
    "stl-pyvista": (".stl", pyvista_save(), False),
    "glb": (".glb", export(), True),
    "gltf-beside": (".gltf", export(), True),
    "gltf-embedded": (".gltf", embedded_gltf, True),
    "vtp-pyvista-binary": (".vtp", pyvista_save(True), True),
    "vtp-pyvista-ascii": (".vtp", pyvista_save(False), True),
    "vtp-inline-raw": (".vtp", vtp_writer(compressor="None"), True),
    "vtp-appended-raw-zlib": (".vtp", vtp_writer(data_mode="Appended"), True),
    "vtp-appended-raw": (".vtp", vtp_writer(data_mode="Appended", compressor="None"), True),
    "vtp-appended-base64": (".vtp", vtp_writer(data_mode="Appended", encode="base64"), True),
    "vtp-appended-base64-raw": (
        ".vtp", vtp_writer(data_mode="Appended", encode="base64", compressor="None"), True
    ),
    "vtp-lzma-uint64": (".vtp", vtp_writer(compressor="LZMA", header="UInt64"), True),
    "vtp-big-endian": (".vtp", vtp_writer(data_mode="Appended", byte_order="BigEndian"), True),
    "vtk-pyvista-binary": (".vtk", pyvista_save(True), True),
    "vtk-pyvista-ascii": (".vtk", pyvista_save(False), True),
    "vtk-4.2-binary": (".vtk", legacy_writer(42, True), True),
    "vtk-4.2-ascii": (".vtk", legacy_writer(42, False), True),
    "vtk-grid-5.1-binary": (".vtk", legacy_writer(51, True, grid=True), True),
    "vtk-grid-4.2-ascii": (".vtk", legacy_writer(42, False, grid=True), True),
}  # fmt: skip


@pytest.mark.parametrize("variant", sorted(WRITERS))
def test_every_format_round_trips(body: trimesh.Trimesh, tmp_path: Path, variant: str) -> None:
    suffix, write, exact = WRITERS[variant]
    path = tmp_path / f"body{suffix}"
    write(body, path)
    loaded = load_mesh(path)
    assert isinstance(loaded, LoadedMesh) and loaded.path == path
    mesh = loaded.mesh
    assert mesh.name == path.name
    assert mesh.n_vertices == len(body.vertices) and mesh.n_faces == len(body.faces)
    np.testing.assert_allclose(mesh.bounds, body.bounds, atol=1e-6)
    # The same triangles, in the same order and winding, whatever happened to the vertices.
    expected = body.vertices[body.faces].astype(np.float32)
    np.testing.assert_allclose(mesh.vertices[mesh.faces], expected, atol=1e-6)
    if exact:
        np.testing.assert_array_equal(mesh.vertices, body.vertices.astype(np.float32))
        np.testing.assert_array_equal(mesh.faces, body.faces)
    if suffix == ".stl":  # a triangle soup: each corner is its own vertex until merged
        assert loaded.notes == (
            f"merged {3 * mesh.n_faces - mesh.n_vertices:,} duplicate vertices",
        )
    else:
        assert loaded.notes == ()


def vtk_reader_points(path: Path) -> np.ndarray:
    """The points as VTK's own reader for the file's kind gives them, in its order."""
    if path.suffix == ".vtp":
        reader = vtk.vtkXMLPolyDataReader()
    else:
        reader = vtk.vtkDataSetReader()
        reader.ReadAllScalarsOn()
    reader.SetFileName(str(path))
    reader.Update()
    return vtk_to_numpy(reader.GetOutput().GetPoints().GetData())


@pytest.mark.parametrize("variant", sorted(v for v in WRITERS if v.startswith(("vtp", "vtk"))))
def test_vtk_readers_and_ours_keep_the_same_point_order(
    body: trimesh.Trimesh, tmp_path: Path, variant: str
) -> None:
    """The evidence a switch to VTK's readers would need: they keep the file's point order."""
    suffix, write, _exact = WRITERS[variant]
    path = tmp_path / f"body{suffix}"
    write(body, path)
    by_vtk = vtk_reader_points(path)
    np.testing.assert_array_equal(by_vtk, body.vertices.astype(by_vtk.dtype))
    np.testing.assert_array_equal(load_mesh(path).mesh.vertices, by_vtk.astype(np.float32))


@pytest.mark.parametrize("binary", [True, False])
def test_a_legacy_file_declaring_more_points_than_it_holds_is_refused(
    tmp_path: Path, binary: bool
) -> None:
    """Checked against the file's size before anything is read: VTK's legacy reader would
    first try to allocate what the header declares (18 GB here)."""
    body = b"\x00" * 96 if binary else b"0 0 0 1 0 0 0 1 0\n"
    header = f"# vtk DataFile Version 4.2\nhostile\n{'BINARY' if binary else 'ASCII'}\n"
    path = tmp_path / "hostile.vtk"
    path.write_bytes(header.encode() + b"DATASET POLYDATA\nPOINTS 1500000000 float\n" + body)
    with pytest.raises(MeshLoadError, match="the file ends early: it is truncated"):
        load_mesh(path)


def test_obj_keeps_the_file_vertex_order_through_groups_seams_and_polygons(
    tmp_path: Path,
) -> None:
    # Two groups with their own materials, a texture seam, a quad, a pentagon, negative indices,
    # vertex colours and CRLF line ends: trimesh would split this into a scene of two meshes.
    text = (
        "# made by hand\r\nmtllib none.mtl\r\n"
        "v 0 0 0 1 0 0\r\nv 1 0 0\r\nv 1 1 0\r\nv 0 1 0\r\nv 2 0 0\r\nv 2 1 0.5\r\n"
        "vt 0 0\r\nvt 1 0\r\nvt 1 1\r\nvt 0 1\r\nvt 0.5 0.5\r\nvn 0 0 1\r\n"
        "g front\r\nusemtl skin\r\nf 1/1/1 2/2/1 3/3/1 4/4/1\r\n"
        "g side\r\nusemtl other\r\nf -5/5 -2/1 -1//1 3//1\r\nl 1 2\r\n"
    )
    path = tmp_path / "groups.obj"
    path.write_bytes(text.encode())
    loaded = load_mesh(path)
    np.testing.assert_array_equal(
        loaded.mesh.vertices,
        np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [2, 0, 0], [2, 1, 0.5]], "f4"),
    )
    np.testing.assert_array_equal(loaded.mesh.faces, [[0, 1, 2], [0, 2, 3], [1, 4, 5], [1, 5, 2]])
    assert loaded.notes == ("split 2 quads or polygons into triangles",)


def test_polygons_and_strips_in_vtk_files_become_triangles(tmp_path: Path) -> None:
    box = pv.Box(bounds=(-0.2, 0.2, 0, HEIGHT_M, -0.1, 0.1), level=1, quads=True)
    strips = box.triangulate().strip()
    assert strips.n_strips > 0
    for name, data in (("quads.vtp", box), ("quads.vtk", box), ("strips.vtp", strips),
                       ("strips.vtk", strips)):  # fmt: skip
        data.save(tmp_path / name)
        loaded = load_mesh(tmp_path / name)
        mesh = loaded.mesh
        assert mesh.n_faces == 2 * box.n_cells, name
        assert mesh.skin_area == pytest.approx(box.area, rel=1e-6), name
        # Outward winding survives the fan and the strip flipping: normals point away.
        centroids = mesh.vertices[mesh.faces].mean(axis=1) - np.asarray(box.center)
        assert np.all(np.einsum("ij,ij->i", mesh.face_normals_unit, centroids) > 0), name
        assert ("split" in " ".join(loaded.notes)) == name.startswith("quads"), name


def test_a_scene_is_joined_with_its_transforms(tmp_path: Path) -> None:
    scene = trimesh.Scene()
    ball = trimesh.creation.icosphere(1, radius=0.1)
    scene.add_geometry(
        ball, node_name="head", transform=trimesh.transformations.translation_matrix([0, 1.6, 0])
    )
    scene.add_geometry(
        trimesh.creation.box((0.4, 1.4, 0.2)),
        node_name="trunk",
        transform=trimesh.transformations.translation_matrix([0, 0.8, 0]),
    )
    scene.add_geometry(
        ball,
        node_name="left hand",
        transform=trimesh.transformations.translation_matrix([0.5, 0.8, 0]),
    )
    scene.export(tmp_path / "parts.glb")
    loaded = load_mesh(tmp_path / "parts.glb")
    assert loaded.mesh.n_vertices == 2 * len(ball.vertices) + 8
    np.testing.assert_allclose(loaded.mesh.bounds, [[-0.2, 0.1, -0.1], [0.6, 1.7, 0.1]], atol=1e-6)
    assert "joined 3 meshes of the scene into one" in loaded.notes


@pytest.mark.parametrize(
    ("scale", "unit"),
    [(10.0, "decimetres"), (100.0, "centimetres"), (1000.0, "millimetres"), (1.0, None)],
)
def test_a_human_height_in_other_units_becomes_metres(
    body: trimesh.Trimesh, tmp_path: Path, scale: float, unit: str | None
) -> None:
    scaled = trimesh.Trimesh(body.vertices * scale, body.faces, process=False)
    scaled.export(tmp_path / "body.ply")
    loaded = load_mesh(tmp_path / "body.ply")
    height = float(np.ptp(loaded.mesh.vertices[:, 1]))
    assert height == pytest.approx(HEIGHT_M, rel=1e-5)
    if unit is None:
        assert loaded.notes == ()
    else:
        assert loaded.notes == (f"converted from {unit} to metres (it is {HEIGHT_M * scale:.4g} "
                                f"units tall, so {HEIGHT_M:.2f} m)",)  # fmt: skip


@pytest.mark.parametrize("height", [0.3, 3.5, 35.0, 40000.0])
def test_a_mesh_that_is_no_human_size_in_any_unit_is_refused(tmp_path: Path, height: float) -> None:
    ball = trimesh.creation.icosphere(1, radius=height / 2)
    ball.export(tmp_path / "thing.obj")
    with pytest.raises(MeshLoadError, match="not the size of a human body in metres, deci"):
        load_mesh(tmp_path / "thing.obj")


@pytest.mark.parametrize(("size", "unit"), [(0.6, None), (6.0, "decimetres"), (60.0, "centim")])
def test_a_child_or_a_lying_body_is_sized_by_its_largest_extent(
    tmp_path: Path, size: float, unit: str | None
) -> None:
    lying = trimesh.creation.box((size, size / 6, size / 4))  # no adult height along +y
    lying.export(tmp_path / "lying.ply")
    loaded = load_mesh(tmp_path / "lying.ply")
    assert np.ptp(loaded.mesh.vertices[:, 0]) == pytest.approx(0.6, rel=1e-5)
    if unit is None:
        assert loaded.notes == ()
    else:
        assert len(loaded.notes) == 1 and f"converted from {unit}" in loaded.notes[0]


def test_supported_extensions_and_the_file_dialog_filter() -> None:
    assert SUPPORTED_EXTENSIONS == (".obj", ".ply", ".stl", ".glb", ".gltf", ".vtp", ".vtk")
    assert MESH_FILE_FILTER.startswith("Body meshes (") and MESH_FILE_FILTER.endswith(")")
    assert all(f"*{ext}" in MESH_FILE_FILTER for ext in SUPPORTED_EXTENSIONS)


def test_upper_case_extensions_are_accepted(body: trimesh.Trimesh, tmp_path: Path) -> None:
    body.export(tmp_path / "BODY.OBJ", file_type="obj")
    assert load_mesh(str(tmp_path / "BODY.OBJ")).mesh.n_vertices == len(body.vertices)


def whole(name: str, write: Callable[[trimesh.Trimesh, Path], None]):
    def make(folder: Path, body: trimesh.Trimesh) -> Path:
        write(body, folder / name)
        return folder / name

    return make


def first_half(name: str, write: Callable[[trimesh.Trimesh, Path], None]):
    """The first half of a good file, as an interrupted copy or download leaves it."""

    def make(folder: Path, body: trimesh.Trimesh) -> Path:
        whole = folder / f"whole-{name}"
        write(body, whole)
        data = whole.read_bytes()
        (folder / name).write_bytes(data[: len(data) // 2])
        return folder / name

    return make


def obj_text(name: str, text: str):
    return lambda folder, body: _write_bytes(folder / name, text.encode())


def raw_bytes(name: str, data: bytes):
    return lambda folder, body: _write_bytes(folder / name, data)


def _write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def point_cloud(name: str):
    def make(folder: Path, body: trimesh.Trimesh) -> Path:
        pv.PolyData(body.vertices).save(folder / name)
        return folder / name

    return make


def with_bad_number(name: str, value: float):
    def make(folder: Path, body: trimesh.Trimesh) -> Path:
        vertices = body.vertices.copy()
        vertices[[5, 9]] = value
        trimesh.Trimesh(vertices, body.faces, process=False).export(folder / name)
        return folder / name

    return make


def gltf_without_buffer(folder: Path, body: trimesh.Trimesh) -> Path:
    body.export(folder / "body.gltf")
    for buffer in folder.glob("*.bin"):
        buffer.unlink()
    return folder / "body.gltf"


def volume_only(folder: Path, body: trimesh.Trimesh) -> Path:
    pv.Box().delaunay_3d().save(folder / "tetra.vtk")
    return folder / "tetra.vtk"


def image_data(folder: Path, body: trimesh.Trimesh) -> Path:
    pv.ImageData(dimensions=(3, 3, 3)).save(folder / "grid.vtk")
    return folder / "grid.vtk"


def grid_as_vtp(folder: Path, body: trimesh.Trimesh) -> Path:
    to_polydata(body).cast_to_unstructured_grid().save(folder / "grid.vtu")
    (folder / "grid.vtu").rename(folder / "grid.vtp")
    return folder / "grid.vtp"


def missing(name: str):
    return lambda folder, body: folder / name


def folder_named(name: str):
    def make(folder: Path, body: trimesh.Trimesh) -> Path:
        (folder / name).mkdir()
        return folder / name

    return make


RANDOM = np.random.default_rng(11).bytes(4096)
TEXT = "Session notes: client reports tension in the neck.\n" * 30
COLLINEAR = "v 0 0 0\nv 0.5 0.5 0.5\nv 1 1 1\nv 2 2 2\nf 1 2 3\nf 2 3 4\n"
ON_AXIS = "v 0 0 0\nv 0.5 0 0\nv 1 0 0\nv 2 0 0\nf 1 2 3\nf 2 3 4\n"
BAD_FILES = {
    "missing": (missing("nowhere.obj"), "the file does not exist"),
    "a-folder": (folder_named("body.obj"), "it is a folder, not a file"),
    "unsupported": (raw_bytes("body.fbx", b"Kaydara"), 'the ".fbx" format is not supported (use '
                    "one of .obj, .ply, .stl, .glb, .gltf, .vtp, .vtk)"),
    "no-extension": (raw_bytes("body", b"v 0 0 0"), "a file without an extension is not supp"),
    **{
        f"empty{ext}": (raw_bytes(f"empty{ext}", b""), "the file is empty (0 bytes)")
        for ext in SUPPORTED_EXTENSIONS
    },
    "truncated-ply": (first_half("cut.ply", export()), "the file ends early: it is truncated"),
    "truncated-stl": (first_half("cut.stl", export()), "holds only 8,042 bytes: it is truncated"),
    "truncated-ascii-stl": (first_half("cut.stl", ascii_stl), 'not end with "endsolid": the fi'),
    "truncated-glb": (first_half("cut.glb", export()), "the file ends early: it is truncated"),
    "truncated-gltf": (first_half("cut.gltf", embedded_gltf), "not valid glTF JSON text, or it"),
    "truncated-obj": (obj_text("cut.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0.25 0."),
                      "its last line is cut off: the file is truncated"),
    "truncated-obj-in-faces": (obj_text("cut.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\n"
                               "f 1 2 3\nf 1 3"), "its last line is cut off: the file is trunc"),
    "truncated-ascii-ply": (first_half("cut.ply", export(encoding="ascii")), "ends early"),
    "obj-faces-without-vertices": (
        obj_text("cut.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\nf 2 3 7\n"),
        "faces refer to vertices that do not exist (the file may be truncated)",
    ),
    "truncated-vtp": (first_half("cut.vtp", pyvista_save()), "the file ends early: it is trunc"),
    "truncated-vtp-appended": (first_half("cut.vtp", vtp_writer(data_mode="Appended")),
                               "the file ends early: it is truncated"),
    "truncated-vtk": (first_half("cut.vtk", pyvista_save()), "the file ends early: it is trunc"),
    "truncated-vtk-ascii": (first_half("cut.vtk", pyvista_save(False)), "ends early"),
    "obj-points-only": (obj_text("points.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\n"),
                        "it has no triangle faces (a point cloud or lines are not a surface)"),
    "obj-lines-only": (obj_text("lines.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nl 1 2 3\n"),
                       "it has no triangle faces"),
    "ply-points-only": (point_cloud("points.ply"), "it has no triangle faces"),
    "vtp-points-only": (point_cloud("points.vtp"), "it has no triangle faces"),
    "vtk-points-only": (point_cloud("points.vtk"), "it has no triangle faces"),
    "obj-nan": (with_bad_number("nan.obj", np.nan), "2 vertices have NaN or infinite coordinates"),
    "ply-inf": (with_bad_number("inf.ply", np.inf), "2 vertices have NaN or infinite coordinates"),
    "stl-nan": (with_bad_number("nan.stl", np.nan), "have NaN or infinite coordinates"),
    "obj-random": (raw_bytes("noise.obj", RANDOM), "it is a binary file, not a text OBJ file"),
    "ply-random": (raw_bytes("noise.ply", RANDOM), 'it is not a PLY file (it does not start'),
    "glb-random": (raw_bytes("noise.glb", RANDOM), "it is not a GLB file (its header is wrong)"),
    "stl-random": (raw_bytes("noise.stl", RANDOM), "it is not an STL file (neither STL"),
    "vtp-random": (raw_bytes("noise.vtp", RANDOM), "it is not a VTK XML file"),
    "vtk-random": (raw_bytes("noise.vtk", RANDOM), "it is not a legacy VTK file"),
    "obj-text": (raw_bytes("notes.obj", TEXT.encode()), 'it contains no vertices ("v" lines)'),
    "ply-text": (raw_bytes("notes.ply", TEXT.encode()), "it is not a PLY file"),
    "glb-text": (raw_bytes("notes.glb", TEXT.encode()), "it is not a GLB file"),
    "stl-text": (raw_bytes("notes.stl", TEXT.encode()), "it is a text file but not an ASCII STL"),
    "gltf-text": (raw_bytes("notes.gltf", TEXT.encode()), "it is not valid glTF JSON text"),
    "vtp-text": (raw_bytes("notes.vtp", TEXT.encode()), "it is not a VTK XML file"),
    "vtk-text": (raw_bytes("notes.vtk", TEXT.encode()), "it is not a legacy VTK file"),
    "obj-bad-number": (obj_text("bad.obj", "v 0 0 0\nv 1 zero 0\nv 0 1 0\nf 1 2 3\n"),
                       'a vertex line does not hold 3 numbers ("v 1 zero 0")'),
    "collinear-slanted": (obj_text("line.obj", COLLINEAR), "all vertices lie on a line or a poi"),
    "collinear-on-axis": (obj_text("line.obj", ON_AXIS), "all vertices lie on a line or a poi"),
    "gltf-missing-buffer": (gltf_without_buffer, 'a file it refers to is missing ("gltf_buffer'),
    "vtk-volume-cells": (volume_only, "it holds no surface cells"),
    "vtk-image": (image_data, "it holds a STRUCTURED_POINTS dataset, not a surface"),
    "vtp-lz4": (whole("lz4.vtp", vtp_writer(compressor="LZ4")), "compressed with vtkLZ4Data"),
    "vtp-holding-a-grid": (grid_as_vtp, 'it holds VTK "UnstructuredGrid" data, not PolyData'),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_give_one_clear_line(body: trimesh.Trimesh, tmp_path: Path, case: str) -> None:
    make, expected = BAD_FILES[case]
    path = make(tmp_path, body)
    with pytest.raises(MeshLoadError) as caught:
        load_mesh(path)
    error = caught.value
    message = str(error)
    assert message.startswith(f'Cannot open body mesh "{path.name}": ')
    assert expected in message
    assert "\n" not in message and len(message) < 300
    assert isinstance(error, MeshError) and isinstance(error, ValueError)
    assert error.path == path and error.reason == message.split('": ', 1)[1]


def test_the_error_survives_pickling(tmp_path: Path) -> None:
    error = MeshLoadError(tmp_path / "torso.obj", "it has no triangle faces")
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error) == 'Cannot open body mesh "torso.obj": it has no triangle faces'
    assert copy.path == error.path and copy.reason == error.reason


def test_obj_whose_last_face_line_lacks_a_newline_still_opens(tmp_path) -> None:
    path = tmp_path / "hand_written.obj"
    path.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 2 3\nf 1 3 4")
    loaded = load_mesh(path)
    assert loaded.mesh.n_faces == 2
