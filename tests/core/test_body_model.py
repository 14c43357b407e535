"""Body specs, topology ids and the macro blend, without the shipped files."""

from __future__ import annotations

import numpy as np
import pytest

from bodymap.core import body_model
from bodymap.core.bodies import BodySpec, enclosed_volume_m3, topology_id


def test_body_spec_round_trips_and_rejects_bad_input() -> None:
    spec = BodySpec("adult_male", height_m=1.8, weight_kg=80.0, muscle=0.6)
    assert BodySpec.from_dict(spec.to_dict()) == spec
    assert BodySpec.from_dict({"body_id": "child"}) == BodySpec("child")
    assert BodySpec("child").is_shipped and not spec.is_shipped
    assert BodySpec.with_bmi("adult_female", 1.6, 25.0).weight_kg == pytest.approx(64.0)
    with pytest.raises(ValueError, match="height_m"):
        BodySpec("adult_male", height_m=3.0)
    with pytest.raises(ValueError, match="unknown"):
        BodySpec.from_dict({"body_id": "x", "colour": "red"})
    with pytest.raises(ValueError, match="body_id"):
        BodySpec.from_dict({})


def test_topology_id_depends_on_faces_and_vertex_count_only() -> None:
    faces = np.array([[0, 1, 2], [0, 2, 3]])
    assert topology_id(faces, 4) == topology_id(faces.astype(np.int64), 4)
    assert topology_id(faces, 4) != topology_id(faces, 5)
    assert topology_id(faces, 4) != topology_id(faces[:, ::-1], 4)


def test_reference_blend_is_the_base_and_weights_follow_macro_json() -> None:
    assert body_model.relative_weights(body_model.REFERENCE) == {}
    weights = body_model.target_weights(body_model.Macros(gender=1.0, age=0.75))
    assert weights["caucasian-male-young"] == pytest.approx(0.5 / 3)
    assert weights["caucasian-male-old"] == pytest.approx(0.5 / 3)
    assert weights["universal-male-old-averagemuscle-averageweight"] == pytest.approx(0.5)
    assert not any("female" in name for name in weights)
    muscular = body_model.target_weights(body_model.Macros(muscle=1.0, weight=0.25))
    assert muscular["universal-female-young-maxmuscle-minweight"] == pytest.approx(0.5)
    assert muscular["universal-female-young-maxmuscle-averageweight"] == pytest.approx(0.5)


def test_age_macro_follows_makehuman_years() -> None:
    assert body_model.age_macro(1.0) == 0.0
    assert body_model.age_macro(11.0) == pytest.approx(0.1875)
    assert body_model.age_macro(25.0) == pytest.approx(0.5)
    assert body_model.age_macro(90.0) == pytest.approx(1.0)
    assert body_model.age_macro(0.5) < 0.0  # infants extrapolate the baby-child segment


def test_blend_and_volume() -> None:
    base = np.zeros((4, 3))
    target = {"a": np.ones((4, 3))}
    assert np.allclose(body_model.blend(base, target, {"a": 0.5}), 0.5)
    with pytest.raises(KeyError):
        body_model.blend(base, target, {"b": 1.0})
    tetra = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], float)
    faces = np.array([[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]])
    assert enclosed_volume_m3(tetra, faces) == pytest.approx(1 / 6)
