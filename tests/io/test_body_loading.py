"""Opening a body without a window: mesh loading, atlas transfer, and what the user is told."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from bodymap.core.atlas import Atlas, Band, Region
from bodymap.core.mesh import BodyMesh
from bodymap.io.body_loading import LOAD_ERRORS, Body, MeshLoadError, open_body

REGION = Region("whole", "Whole body", "midline", "trunk anterior")

# An octahedron: the smallest closed surface worth opening.
VERTICES = np.array(
    [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], dtype=float
)
FACES = np.array(
    [[0, 2, 4], [2, 1, 4], [1, 3, 4], [3, 0, 4], [2, 0, 5], [1, 2, 5], [3, 1, 5], [0, 3, 5]]
)


def reference_body() -> Body:
    mesh = BodyMesh(VERTICES * 0.9, FACES, name="reference")
    atlas = Atlas((REGION,), (Band("b", "Band"),), np.zeros(6), np.full(6, -1))
    return Body(mesh=mesh, atlas=atlas)


def write_obj(path: Path) -> Path:
    lines = [f"v {x} {y} {z}" for x, y, z in VERTICES]
    lines += [f"f {a + 1} {b + 1} {c + 1}" for a, b, c in FACES]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def fake_transfer(monkeypatch) -> list[tuple]:
    """Replace the atlas transfer by one that records its calls and cannot fit."""
    calls: list[tuple] = []

    def transfer_atlas(default_mesh, default_atlas, new_mesh):
        calls.append((default_mesh, default_atlas, new_mesh))
        atlas = Atlas.unassigned(new_mesh.n_vertices, default_atlas.regions, default_atlas.bands)
        return SimpleNamespace(atlas=atlas, fitted=False, reason="it is not a standing human")

    module = types.ModuleType("bodymap.core.atlas_transfer")
    module.transfer_atlas = transfer_atlas
    monkeypatch.setitem(sys.modules, "bodymap.core.atlas_transfer", module)
    return calls


def test_open_body_transfers_the_reference_atlas(tmp_path: Path, fake_transfer) -> None:
    reference = reference_body()
    body = open_body(write_obj(tmp_path / "ball.obj"), reference)
    assert body.name == "ball.obj"
    assert body.path == tmp_path / "ball.obj"
    assert body.mesh.n_vertices == 6
    (default_mesh, default_atlas, new_mesh), *_ = fake_transfer
    assert default_mesh is reference.mesh
    assert default_atlas is reference.atlas
    assert new_mesh is body.mesh
    assert not body.atlas_fitted
    assert body.atlas_reason == "it is not a standing human"
    assert body.atlas.describe(0) == "Unassigned region"
    assert isinstance(body.notes, tuple)


def test_a_bad_file_raises_a_one_line_error_before_any_transfer(
    tmp_path: Path, fake_transfer
) -> None:
    bad = tmp_path / "notes.obj"
    bad.write_text("hello\n", encoding="utf-8")
    with pytest.raises(MeshLoadError) as caught:
        open_body(bad, reference_body())
    assert "notes.obj" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, LOAD_ERRORS)
    assert fake_transfer == []


def test_a_missing_file_is_a_load_error(tmp_path: Path, fake_transfer) -> None:
    with pytest.raises(LOAD_ERRORS):
        open_body(tmp_path / "nowhere.obj", reference_body())


def test_a_body_refuses_an_atlas_of_another_mesh() -> None:
    reference = reference_body()
    with pytest.raises(ValueError, match="vertices"):
        Body(mesh=reference.mesh, atlas=Atlas.unassigned(7))


@pytest.mark.skipif(
    importlib.util.find_spec("bodymap.core.atlas_transfer") is None,
    reason="bodymap.core.atlas_transfer is not written yet",
)
def test_open_body_with_the_real_transfer(tmp_path: Path) -> None:
    body = open_body(write_obj(tmp_path / "ball.obj"), reference_body())
    assert body.atlas.n_vertices == body.mesh.n_vertices
    assert body.atlas_fitted or body.atlas_reason


@pytest.mark.skipif(
    importlib.util.find_spec("bodymap.io.default_body") is None,
    reason="bodymap.io.default_body is not written yet",
)
def test_the_default_body_has_its_atlas() -> None:
    from bodymap.io.body_loading import default_body

    body = default_body()
    assert body.path is None
    assert body.atlas_fitted
    assert body.atlas.is_assigned
    assert body.atlas.n_vertices == body.mesh.n_vertices


def test_reopened_default_body_keeps_its_cavities_out_of_the_skin(tmp_path) -> None:
    """The default body saved as OBJ (no internal mask in the file) gets it back by transfer."""
    import numpy as np

    from bodymap.io.body_loading import default_body, open_body

    reference = default_body()
    path = tmp_path / "body.obj"
    with path.open("w") as out:
        np.savetxt(out, reference.mesh.vertices, fmt="v %.7f %.7f %.7f")
        np.savetxt(out, reference.mesh.faces + 1, fmt="f %d %d %d")
    body = open_body(path, reference=reference)
    assert body.atlas_fitted
    np.testing.assert_array_equal(body.mesh.internal, reference.mesh.internal)
    np.testing.assert_array_equal(body.atlas.region_index, reference.atlas.region_index)


def _foreign_male(tmp_path: Path, t_pose: bool = False) -> tuple[Path, np.ndarray, np.ndarray]:
    """The adult male's coarse mesh (another topology: 13k vertices), its vertices shuffled,
    turned Z-up and written in millimetres; with each vertex's true region. ``t_pose`` raises
    both arms about 45 degrees, rigidly (not the fitting model's blended rig)."""
    from bodymap.io.default_body import _read_bodies, load_default_body, shared_topology
    from bodymap.io.paths import meshes_dir

    bodies = _read_bodies(meshes_dir().resolve())
    male = bodies.shapes["adult_male"].astype(np.float64)
    if t_pose:
        for side, sign in ((0, 1.0), (1, -1.0)):
            arm = bodies.arm_weights[side] > 0.5
            pivot = bodies.shoulders[side] * [1.1, 1.08, 1.0]
            c, s = np.cos(sign * 0.8), np.sin(sign * 0.8)
            turn = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
            male[arm] = (male[arm] - pivot) @ turn.T + pivot
    faces = shared_topology().coarse_faces
    _, atlas = load_default_body()
    # Loop subdivision keeps the coarse vertices first, so their labels are the atlas's own.
    truth = atlas.region_index[: len(male)]
    order = np.random.default_rng(7).permutation(len(male))
    z_up = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    vertices = (male @ z_up.T * 1000.0 + [250.0, -40.0, 900.0])[order]
    rank = np.argsort(order)
    path = tmp_path / "scan.obj"
    with path.open("w") as out:
        np.savetxt(out, vertices, fmt="v %.3f %.3f %.3f")
        np.savetxt(out, rank[faces] + 1, fmt="f %d %d %d")
    return path, truth[order], vertices


@pytest.mark.parametrize("t_pose", [False, True], ids=["A-pose", "T-pose"])
def test_a_z_up_millimetre_body_of_another_topology_is_fitted_and_labelled(
    tmp_path, t_pose
) -> None:
    path, truth, _ = _foreign_male(tmp_path, t_pose)
    steps: list[float] = []
    body = open_body(path, progress=lambda fraction, message: steps.append(fraction))
    assert body.atlas_fitted, body.atlas_reason
    skin = body.mesh.external
    assigned = skin & (body.atlas.region_index >= 0)
    assert assigned.sum() >= 0.9 * skin.sum()
    areas = body.mesh.vertex_areas
    right = assigned & (body.atlas.region_index == truth)
    assert (areas * right).sum() >= 0.85 * (areas * (skin & (truth >= 0))).sum()
    # It opens upright in metres, facing +z: the face above the feet, the nose in front.
    vertices = body.mesh.vertices
    assert np.ptp(vertices[:, 1]) == pytest.approx(1.81, abs=0.02)
    face = body.atlas.region_index == body.atlas.region_by_key("face")
    occiput = body.atlas.region_index == body.atlas.region_by_key("occipital")
    assert vertices[face, 1].mean() > vertices[:, 1].min() + 0.85 * np.ptp(vertices[:, 1])
    assert vertices[face, 2].mean() > vertices[occiput, 2].mean() + 0.1
    assert steps and steps == sorted(steps) and steps[-1] == 1.0
    assert any("fitted the parametric body" in note for note in body.notes)


def test_a_body_that_cannot_be_fitted_keeps_its_regions_unassigned_with_a_reason(
    tmp_path,
) -> None:
    from bodymap.io.body_loading import default_body

    # A 1.7 m tall octahedron: a human height, but no human shape.
    path = tmp_path / "spindle.obj"
    lines = [f"v {x * 0.3} {y * 0.85} {z * 0.2}" for x, y, z in VERTICES]
    lines += [f"f {a + 1} {b + 1} {c + 1}" for a, b, c in FACES]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    body = open_body(path, reference=default_body())
    assert not body.atlas_fitted
    assert "not a human body" in body.atlas_reason
    assert not body.atlas.is_assigned


def test_body_of_gives_a_shipped_body_on_the_default_topology() -> None:
    from bodymap.core.bodies import BodySpec
    from bodymap.io.body_loading import body_of, default_body

    default = default_body()
    child = body_of(BodySpec("child"))
    assert child.name == "Child (6 years)"
    np.testing.assert_array_equal(child.mesh.faces, default.mesh.faces)
    np.testing.assert_array_equal(child.atlas.region_index, default.atlas.region_index)
    assert body_of("adult_female").mesh.geometry_hash == default.mesh.geometry_hash
    with pytest.raises(KeyError):
        body_of("centaur")
