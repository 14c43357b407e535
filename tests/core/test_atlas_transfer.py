"""Transferring the atlas onto another body: exact on itself, close on a resampled copy, refused
on anything that is not the same body in the same frame, and never across a thin gap."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from bodymap.core.atlas import NO_BAND, NO_REGION, Atlas, Band, Region
from bodymap.core.atlas_transfer import AtlasTransfer, match_vertices, transfer_atlas
from bodymap.core.mesh import BodyMesh

RADIUS = 0.3  # a head-sized ball: its vertex spacing (about 2 cm) is like the default body's
OCTANTS = tuple(
    Region(f"octant{i}", f"Octant {i}", "left" if i & 1 else "right", "trunk anterior")
    for i in range(8)
)
CAVITY = Region("cavity", "Cavity", "midline", "head")
BANDS = (Band("upper", "Upper band"), Band("lower", "Lower band"))


def octant_of(vertices: np.ndarray) -> np.ndarray:
    v = np.asarray(vertices)
    return (v[:, 0] > 0) * 1 + (v[:, 1] > 0) * 2 + (v[:, 2] > 0) * 4


def band_of(vertices: np.ndarray) -> np.ndarray:
    y = np.asarray(vertices)[:, 1]
    return np.select([y > 0.1, y < -0.1], [0, 1], default=NO_BAND)


def ball(subdivisions: int = 4, internal: np.ndarray | None = None) -> BodyMesh:
    sphere = trimesh.creation.icosphere(subdivisions, radius=RADIUS)
    return BodyMesh(sphere.vertices, sphere.faces, internal=internal, name="ball")


def synthetic_atlas(mesh: BodyMesh) -> Atlas:
    regions = np.where(mesh.internal, NO_REGION, octant_of(mesh.vertices))
    bands = np.where(mesh.internal, NO_BAND, band_of(mesh.vertices))
    return Atlas(OCTANTS, BANDS, regions, bands)


@pytest.fixture(scope="module")
def source() -> BodyMesh:
    return ball(4)


@pytest.fixture(scope="module")
def atlas(source: BodyMesh) -> Atlas:
    return synthetic_atlas(source)


def assert_unfitted(result: AtlasTransfer, target: BodyMesh) -> None:
    assert not result.fitted
    assert result.reason.startswith("it is not a human body in the default frame")
    assert result.atlas.n_vertices == target.n_vertices
    assert not result.atlas.is_assigned
    assert np.all(result.atlas.band_index == NO_BAND)
    assert result.atlas.regions == OCTANTS and result.atlas.bands == BANDS


def test_same_mesh_gives_the_identical_atlas(source: BodyMesh, atlas: Atlas) -> None:
    result = transfer_atlas(source, atlas, source)
    assert result.fitted and result.reason == "" and result.coverage == 1.0
    np.testing.assert_array_equal(result.atlas.region_index, atlas.region_index)
    np.testing.assert_array_equal(result.atlas.band_index, atlas.band_index)


def test_a_copy_moved_by_a_micron_gets_the_identical_atlas(source: BodyMesh, atlas: Atlas) -> None:
    copy = BodyMesh(source.vertices + np.float32(1e-6), source.faces)  # the search path
    result = transfer_atlas(source, atlas, copy)
    assert result.fitted and result.coverage == 1.0
    np.testing.assert_array_equal(result.atlas.region_index, atlas.region_index)
    np.testing.assert_array_equal(result.atlas.band_index, atlas.band_index)


def test_a_finer_jittered_copy_gets_nearly_the_same_labels(source: BodyMesh, atlas: Atlas) -> None:
    fine = trimesh.creation.icosphere(5, radius=RADIUS)
    rng = np.random.default_rng(7)
    vertices = fine.vertices * (1 + rng.normal(0, 0.003, (len(fine.vertices), 1)))
    target = BodyMesh(vertices, fine.faces)
    result = transfer_atlas(source, atlas, target)
    assert result.fitted and result.coverage > 0.99
    assert np.mean(result.atlas.region_index == octant_of(target.vertices)) >= 0.95
    assert np.mean(result.atlas.band_index == band_of(target.vertices)) >= 0.95
    assert result.atlas.regions is atlas.regions or result.atlas.regions == atlas.regions


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda v, f: (v, f[:, ::-1]), id="flipped-normals"),
        pytest.param(lambda v, f: (v + [1.0, 0.0, 0.0], f), id="one-metre-away"),
        pytest.param(lambda v, f: (v * 2.0, f), id="twice-the-size"),
        pytest.param(lambda v, f: (v * 0.5, f), id="half-the-size"),
    ],
)
def test_another_body_or_frame_is_not_fitted(source: BodyMesh, atlas: Atlas, change) -> None:
    vertices, faces = change(source.vertices.astype(np.float64), source.faces)
    target = BodyMesh(vertices, faces)
    result = transfer_atlas(source, atlas, target)
    assert_unfitted(result, target)
    assert not np.any(result.internal)
    assert result.coverage < 0.9
    assert "%" in result.reason and "3 cm" in result.reason


def test_labelled_internal_source_vertices_never_give_labels() -> None:
    coarse = trimesh.creation.icosphere(4, radius=RADIUS)
    cavity = coarse.vertices[:, 2] > 0.25  # a cap at the front, like the mouth pocket
    source = BodyMesh(coarse.vertices, coarse.faces, internal=cavity)
    # A careless atlas that labels the cavity: the transfer must still never copy it.
    regions = np.where(cavity, len(OCTANTS), octant_of(source.vertices))
    atlas = Atlas(OCTANTS + (CAVITY,), BANDS, regions, band_of(source.vertices))
    fine = trimesh.creation.icosphere(5, radius=RADIUS)
    result = transfer_atlas(source, atlas, BodyMesh(fine.vertices, fine.faces))
    assert result.fitted
    assert not np.any(result.atlas.region_index == len(OCTANTS))
    # The target's part over the cavity is reported internal, as the cavity is in the source.
    deep_inside = fine.vertices[:, 2] > 0.27
    well_outside = fine.vertices[:, 2] < 0.23
    assert np.all(result.internal[deep_inside]) and not np.any(result.internal[well_outside])
    assert np.all(result.atlas.region_index[result.internal] == NO_REGION)
    assert np.all(result.atlas.region_index[~result.internal] != NO_REGION)
    # The same holds when the target is the source itself.
    itself = transfer_atlas(source, atlas, source)
    assert np.all(itself.atlas.region_index[cavity] == NO_REGION)
    np.testing.assert_array_equal(itself.internal, cavity)


def test_internal_target_vertices_stay_unassigned(source: BodyMesh, atlas: Atlas) -> None:
    fine = trimesh.creation.icosphere(5, radius=RADIUS)
    internal = fine.vertices[:, 1] < -0.2
    target = BodyMesh(fine.vertices, fine.faces, internal=internal)
    result = transfer_atlas(source, atlas, target)
    assert result.fitted
    assert np.all(result.atlas.region_index[internal] == NO_REGION)
    assert np.all(result.atlas.band_index[internal] == NO_BAND)
    assert np.all(result.atlas.region_index[~internal] != NO_REGION)
    np.testing.assert_array_equal(result.internal, internal)


def sheet(x: float, spacing: float, offset: float, facing: float) -> tuple[np.ndarray, np.ndarray]:
    """A flat 12 cm square grid in the plane x = ``x`` whose normals point along ``facing`` x."""
    ticks = np.arange(-0.06, 0.06 + 1e-9, spacing) + offset
    y, z = np.meshgrid(ticks, ticks, indexing="ij")
    vertices = np.column_stack([np.full(y.size, x), y.ravel(), z.ravel()])
    n = len(ticks)
    corner = (np.arange(n - 1)[:, None] * n + np.arange(n - 1)[None, :]).ravel()
    faces = np.concatenate(
        [np.column_stack([corner, corner + n, corner + 1]),
         np.column_stack([corner + 1, corner + n, corner + n + 1])]
    )  # fmt: skip
    return vertices, faces if facing > 0 else faces[:, ::-1]


def two_sheets(spacing: float, gap: float) -> tuple[BodyMesh, int]:
    """Two facing sheets a ``gap`` apart (like two fingers); the second is staggered."""
    va, fa = sheet(0.0, spacing, 0.0, facing=+1.0)
    vb, fb = sheet(gap, spacing, spacing / 2, facing=-1.0)
    mesh = BodyMesh(np.concatenate([va, vb]), np.concatenate([fa, fb + len(va)]))
    return mesh, len(va)


def test_labels_do_not_jump_a_thin_gap_between_opposite_facing_skin() -> None:
    source, n_first = two_sheets(spacing=0.02, gap=0.005)
    assert np.allclose(source.vertex_normals[:n_first], [1, 0, 0])
    assert np.allclose(source.vertex_normals[n_first:], [-1, 0, 0])
    regions = np.repeat([0, 1], [n_first, source.n_vertices - n_first])
    atlas = Atlas(OCTANTS, (), regions, np.full(source.n_vertices, NO_BAND))
    target, n_target_first = two_sheets(spacing=0.01, gap=0.005)
    expected = np.repeat([0, 1], [n_target_first, target.n_vertices - n_target_first])
    # Nearest-vertex transfer would leak: many target vertices are nearest the other sheet.
    from scipy.spatial import cKDTree

    naive = regions[cKDTree(source.vertices).query(target.vertices)[1]]
    assert np.count_nonzero(naive != expected) > 20
    result = transfer_atlas(source, atlas, target)
    assert result.fitted
    np.testing.assert_array_equal(result.atlas.region_index, expected)


def test_match_vertices_reports_misses_as_minus_one(source: BodyMesh) -> None:
    points = np.array([[0.0, RADIUS, 0.0], [0.0, RADIUS, 0.0], [0.0, 5.0, 0.0]])
    normals = np.array([[0.0, 1.0, 0.0], [0.0, -1.0, 0.0], [0.0, 1.0, 0.0]])
    donors = match_vertices(source, points, normals)
    assert donors[0] >= 0 and np.allclose(source.vertices[donors[0]], [0, RADIUS, 0])
    assert donors[1] == -1 and donors[2] == -1


def test_mismatched_source_atlas_is_refused(source: BodyMesh) -> None:
    with pytest.raises(ValueError, match="different vertex counts"):
        transfer_atlas(source, Atlas.unassigned(3, OCTANTS, BANDS), source)


def test_a_target_with_no_skin_is_not_fitted(source: BodyMesh, atlas: Atlas) -> None:
    target = BodyMesh(source.vertices, source.faces, internal=np.ones(source.n_vertices, bool))
    result = transfer_atlas(source, atlas, target)
    assert not result.fitted and result.coverage == 0.0
    assert "no skin vertices" in result.reason
    assert not result.atlas.is_assigned
