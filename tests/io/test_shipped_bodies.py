"""The shipped bodies: one topology, exact symmetry, their own measured geometry."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.spatial import ConvexHull

from bodymap.core.bodies import (
    DEFAULT_BODY_ID,
    BodyRecipe,
    BodySpec,
    stature_m,
    topology_id,
    weight_from_volume_kg,
)
from bodymap.core.mirror import mirror_map
from bodymap.io.body_loading import body_of
from bodymap.io.default_body import (
    ATLAS_FILE,
    list_bodies,
    load_body,
    load_default_body,
    shared_topology,
)
from bodymap.io.paths import meshes_dir

EXPECTED_IDS = {
    "adult_female",
    "adult_male",
    "older_female",
    "older_male",
    "child",
    "toddler",
    "infant",
}
FLIP = np.array([-1.0, 1.0, 1.0], dtype=np.float32)


@pytest.fixture(scope="module")
def bodies():
    return {entry["id"]: (entry, *load_body(entry["id"])) for entry in list_bodies()}


def test_the_catalogue_lists_every_body_of_the_issue(bodies) -> None:
    assert set(bodies) == EXPECTED_IDS
    ages = {key: entry["age_years"] for key, (entry, _, _) in bodies.items()}
    assert ages["infant"] < 1 and 1.5 <= ages["toddler"] <= 2.5 and 5 <= ages["child"] <= 7
    assert ages["older_female"] >= 60 and ages["adult_male"] < 40


def test_default_body_is_byte_identical(bodies) -> None:
    catalogue = json.loads((meshes_dir() / ATLAS_FILE).read_text())
    entry, mesh, atlas = bodies[DEFAULT_BODY_ID]
    default, default_atlas = load_default_body()
    assert mesh.geometry_hash == catalogue["geometry_sha256"] == entry["geometry_sha256"]
    assert mesh.vertices.tobytes() == default.vertices.tobytes()
    assert atlas is default_atlas or np.array_equal(atlas.region_index, default_atlas.region_index)


def test_every_body_has_the_default_topology_masks_and_atlas(bodies) -> None:
    default, default_atlas = load_default_body()
    expected = topology_id(default.faces, default.n_vertices)
    hashes = set()
    for entry, mesh, atlas in bodies.values():
        assert entry["topology_id"] == expected == topology_id(mesh.faces, mesh.n_vertices)
        assert np.array_equal(mesh.faces, default.faces)
        assert np.array_equal(mesh.internal, default.internal)
        assert np.array_equal(atlas.region_index, default_atlas.region_index)
        assert np.array_equal(atlas.band_index, default_atlas.band_index)
        assert entry["vertex_count"] == mesh.n_vertices == default.n_vertices
        assert mesh.geometry_hash == entry["geometry_sha256"]
        hashes.add(mesh.geometry_hash)
    assert len(hashes) == len(bodies)  # only positions differ, but they do differ


def test_every_body_is_exactly_mirror_symmetric(bodies) -> None:
    mirror = shared_topology().mirror
    for _, mesh, _ in bodies.values():
        assert np.array_equal(mesh.vertices[mirror] * FLIP, mesh.vertices)
        assert np.array_equal(mirror_map(mesh), mirror)  # the same map, found on its geometry
        assert np.all(mesh.vertices[mirror == np.arange(len(mirror)), 0] == 0.0)


def test_listed_figures_are_measured_on_each_bodys_own_geometry(bodies) -> None:
    for entry, mesh, _ in bodies.values():
        assert entry["height_m"] == pytest.approx(stature_m(mesh.vertices), abs=1e-3)
        assert entry["weight_kg"] == pytest.approx(
            weight_from_volume_kg(mesh.vertices, mesh.faces), rel=1e-3
        )
        assert entry["skin_area_cm2"] == pytest.approx(mesh.skin_area * 1e4, abs=0.1)
    heights = {key: entry["height_m"] for key, (entry, _, _) in bodies.items()}
    assert heights["infant"] < heights["toddler"] < heights["child"] < heights["adult_female"]
    assert heights["adult_male"] > heights["adult_female"]


def test_adult_build_controls_morph_the_shape() -> None:
    spec = BodySpec("adult_male", height_m=1.75, weight_kg=70.0, muscle=0.8)
    mesh, atlas = load_body(spec)
    assert stature_m(mesh.vertices) == pytest.approx(1.75, abs=0.005)
    assert weight_from_volume_kg(mesh.vertices, mesh.faces) == pytest.approx(70.0, rel=0.02)
    mirror = shared_topology().mirror
    assert np.array_equal(mesh.vertices[mirror] * FLIP, mesh.vertices)
    heavier, _ = load_body(BodySpec("adult_male", height_m=1.75, weight_kg=78.0))
    assert weight_from_volume_kg(heavier.vertices, heavier.faces) > 76.0
    slim = BodySpec.with_bmi("adult_female", 1.70, 19.0)
    slim_mesh, _ = load_body(slim)
    assert weight_from_volume_kg(slim_mesh.vertices, slim_mesh.faces) == pytest.approx(
        19.0 * 1.70**2, rel=0.02
    )


def test_build_controls_refuse_what_they_cannot_do() -> None:
    with pytest.raises(ValueError, match="adult"):
        load_body(BodySpec("child", height_m=1.2))
    with pytest.raises(ValueError, match="outside what"):
        load_body(BodySpec("adult_female", weight_kg=200.0))
    with pytest.raises(KeyError, match="no body"):
        load_body("centaur")


def head_circumference_m(mesh) -> float:
    """The largest perimeter of the head's horizontal slices (the tape over brow and occiput)."""
    v = mesh.vertices.astype(np.float64)
    bottom, height = v[:, 1].min(), np.ptp(v[:, 1])
    best = 0.0
    for level in np.linspace(0.86, 0.97, 45):
        near = (np.abs(v[:, 1] - (bottom + level * height)) < 0.002) & mesh.external
        if near.sum() > 10:
            best = max(best, ConvexHull(v[near][:, [0, 2]]).area)  # a 2-D hull's area: perimeter
    return best


def test_the_infant_has_an_infants_head_and_build(bodies) -> None:
    entry, mesh, _ = bodies["infant"]
    # WHO head circumference-for-age median at 11 months: boys 45.8 cm, girls 44.6 cm.
    assert head_circumference_m(mesh) == pytest.approx(0.452, abs=0.008)
    assert head_circumference_m(bodies["adult_female"][1]) == pytest.approx(0.555, abs=0.02)
    assert entry["height_m"] == pytest.approx(0.736, abs=0.002)
    assert entry["weight_kg"] == pytest.approx(9.05, abs=0.05)  # WHO weight-for-age median
    recipe = BodyRecipe.from_entry(entry)
    assert recipe.modifiers and all(name.startswith("head/") for name, _ in recipe.modifiers)
    assert recipe.age_value == entry["build"]["age_macro"]
    assert BodyRecipe.from_entry(dict(entry, build={})).modifiers == ()  # a catalogue before them


def test_a_shipped_body_is_loaded_once_and_kept() -> None:
    first = body_of("infant")
    assert body_of(BodySpec("infant")) is first  # a switch back to it costs nothing
    assert first.mesh.geometry_hash == bodies_by_id()["infant"]["geometry_sha256"]
    assert body_of("adult_male").mesh is not first.mesh
    with pytest.raises(KeyError, match="no body"):
        body_of("centaur")  # a failure is not kept: the next call says it again
    with pytest.raises(KeyError, match="no body"):
        body_of("centaur")


def bodies_by_id() -> dict[str, dict]:
    return {entry["id"]: entry for entry in list_bodies()}
