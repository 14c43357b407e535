"""The shipped default body and its atlas: the invariants the foundation promises."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import numpy as np
import pytest

from bodymap.core.atlas import BODY_PARTS, NO_REGION
from bodymap.io.default_body import DefaultBodyError, load_default_body
from bodymap.io.paths import meshes_dir

REQUIRED = [
    "frontal", "parietal_l", "parietal_r", "temporal_l", "temporal_r", "sphenoid_l", "sphenoid_r",
    "occipital", "face", "ear_l", "ear_r", "jaw", "tmj_l", "tmj_r", "neck_anterior",
    "neck_posterior", "shoulder_l", "upper_arm_l", "elbow_l", "forearm_l", "hand_l", "hand_r",
    "thorax_anterior_upper_l", "thorax_anterior_lower_r", "thorax_posterior_upper_l",
    "thorax_posterior_lower_r", "abdomen_upper", "abdomen_lower", "lumbar_l", "sacrum",
    "gluteal_l", "gluteal_r", "perineum", "hip_l", "thigh_anterior_l", "thigh_posterior_r",
    "knee_l", "leg_anterior_l", "leg_posterior_r", "foot_l", "foot_r",
]  # fmt: skip


@pytest.fixture(scope="module")
def body():
    return load_default_body()


def test_mesh_is_a_fine_watertight_body_in_metres(body) -> None:
    mesh, _ = body
    assert mesh.n_vertices <= 250_000
    assert mesh.edge_lengths.max() <= 0.0061  # vertex spacing at most about 6 mm everywhere
    height = np.ptp(mesh.vertices[:, 1])
    assert 1.6 < height < 1.75
    # Watertight: every edge is shared by exactly two faces.
    a = mesh.faces.astype(np.int64)
    pairs = np.sort(np.concatenate([a[:, [0, 1]], a[:, [1, 2]], a[:, [2, 0]]]), axis=1)
    _, uses = np.unique(pairs[:, 0] << 32 | pairs[:, 1], return_counts=True)
    assert np.all(uses == 2)
    # The face looks toward +z and the skin area matches the DuBois BSA within a few percent.
    head = mesh.vertices[mesh.vertices[:, 1] > 0.6]
    nose, back_of_head = head[np.argmax(head[:, 2])], head[np.argmin(head[:, 2])]
    assert nose[2] - back_of_head[2] > 0.15
    assert abs(nose[0]) < 1e-6
    assert 1.50 < mesh.skin_area < 1.62


def test_internal_cavities_are_excluded(body) -> None:
    mesh, atlas = body
    assert 0 < mesh.internal.sum() < 0.05 * mesh.n_vertices
    assert np.all(atlas.region_index[mesh.internal] == NO_REGION)


def test_every_external_vertex_has_exactly_one_region(body) -> None:
    mesh, atlas = body
    assert np.all(atlas.region_index[mesh.external] >= 0)


def test_catalogue_covers_what_practitioners_need(body) -> None:
    _, atlas = body
    keys = {r.key for r in atlas.regions}
    assert len(atlas.regions) >= 50
    assert not set(REQUIRED) - keys
    assert {b.key for b in atlas.bands} == {
        "pelvic", "respiratory", "thoracic_inlet", "hyoid", "cranial_base",
    }  # fmt: skip
    for region in atlas.regions:
        assert region.body_part in BODY_PARTS
        assert region.name and region.name[0].isupper()


def test_every_region_and_band_is_on_the_body(body) -> None:
    mesh, atlas = body
    areas = atlas.region_areas_cm2(mesh)
    small = [r.key for r, a in zip(atlas.regions, areas, strict=True) if a < 5.0]
    assert not small, f"regions too small to paint: {small}"
    assert np.all(atlas.band_areas_cm2(mesh) > 20.0)


def test_left_and_right_regions_mirror_with_equal_areas(body) -> None:
    mesh, atlas = body
    areas = dict(zip((r.key for r in atlas.regions), atlas.region_areas_cm2(mesh), strict=True))
    pairs = [k[:-2] for k in areas if k.endswith("_l")]
    assert len(pairs) >= 20
    for stem in pairs:
        assert areas[f"{stem}_l"] == pytest.approx(areas[f"{stem}_r"], rel=1e-9), stem
    # Vertex for vertex: the mirror of a left-region vertex is in the matching right region.
    v = mesh.vertices
    order = np.lexsort((v[:, 2], v[:, 1], v[:, 0]))
    mirrored = np.lexsort((v[:, 2], v[:, 1], -v[:, 0]))
    np.testing.assert_array_equal(v[order] * [-1, 1, 1], v[mirrored])
    keys = [r.key for r in atlas.regions]
    swap = {"_l": "_r", "_r": "_l"}
    twin = np.array(
        [keys.index(k[:-2] + swap[k[-2:]]) if k[-2:] in swap else i for i, k in enumerate(keys)]
    )
    left_labels = atlas.region_index[order]
    right_labels = atlas.region_index[mirrored]
    assigned = left_labels >= 0
    np.testing.assert_array_equal(twin[left_labels[assigned]], right_labels[assigned])


def test_sides_follow_the_sign_of_x(body) -> None:
    mesh, atlas = body
    sides = np.array([r.side for r in atlas.regions])[atlas.region_index[mesh.external]]
    x = mesh.vertices[mesh.external, 0]
    assert np.all(x[sides == "left"] > 0)  # +x is the subject's left
    assert np.all(x[sides == "right"] < 0)


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ((0.0, 0.849, 0.03), "Sagittal suture"),  # the crown
        ((0.0, 0.70, 0.17), "Face"),  # the nose
        ((0.085, 0.71, 0.04), "Left ear"),
        ((-0.085, 0.71, 0.04), "Right ear"),
        ((0.0, 0.72, -0.05), "Occipital"),
        ((0.0, 0.08, -0.09), "Sacrum / coccyx"),
        ((0.0, 0.18, 0.15), "Abdomen"),
        ((-0.09, -0.25, -0.10), "Right thigh, posterior"),
        ((0.13, -0.37, 0.10), "Left knee"),
        ((-0.22, -0.80, 0.15), "Right foot"),
        ((0.45, 0.20, 0.25), "Left hand"),
    ],
)
def test_landmarks_fall_in_the_expected_region(body, point, expected) -> None:
    mesh, atlas = body
    skin = np.flatnonzero(mesh.external)
    nearest = skin[np.argmin(np.linalg.norm(mesh.vertices[skin] - point, axis=1))]
    assert atlas.region_of(nearest).name.startswith(expected)


def test_regions_are_mostly_connected_patches(body) -> None:
    """Each region is dominated by one connected patch (no confetti)."""
    mesh, atlas = body
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    indptr, indices = mesh.adjacency
    owners = np.repeat(np.arange(mesh.n_vertices), np.diff(indptr))
    same = atlas.region_index[owners] == atlas.region_index[indices]
    graph = csr_matrix((np.ones(same.sum()), (owners[same], indices[same])), (mesh.n_vertices,) * 2)
    _, component = connected_components(graph, directed=False)
    for index, region in enumerate(atlas.regions):
        members = component[atlas.region_index == index]
        largest = Counter(members.tolist()).most_common(1)[0][1]
        assert largest >= 0.9 * len(members), region.key


def test_damaged_default_body_gives_a_clear_error(tmp_path) -> None:
    for name in ("default_body.npz", "default_body_atlas.json"):
        shutil.copy(meshes_dir() / name, tmp_path / name)
    catalogue = json.loads((tmp_path / "default_body_atlas.json").read_text())
    catalogue["geometry_sha256"] = "0" * 64
    (tmp_path / "default_body_atlas.json").write_text(json.dumps(catalogue))
    with pytest.raises(DefaultBodyError, match="does not match"):
        load_default_body(tmp_path)
    (tmp_path / "default_body.npz").write_bytes(b"truncated")
    with pytest.raises(DefaultBodyError, match="cannot be read"):
        load_default_body(tmp_path)


def test_derived_arrays_are_cached_and_reused(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("BODYMAP_CACHE_DIR", str(tmp_path / "cache"))
    first, _ = load_default_body()
    assert list((tmp_path / "cache").glob("mesh-*.npz"))
    second, _ = load_default_body()
    np.testing.assert_array_equal(first.adjacency[1], second.adjacency[1])
    np.testing.assert_allclose(first.vertex_normals, second.vertex_normals)
