"""The tag palette: readable for everyone, and editable without touching data."""

import numpy as np
import pytest

from bodymap.core import color_vision as cv
from bodymap.core.colors import SKIN_RGBA
from bodymap.core.tags import DEFAULT_TAGS, Tag, TagSet

PALETTE = np.array([t.color for t in DEFAULT_TAGS], dtype=float)
SKIN = np.array(SKIN_RGBA[:3], dtype=float)


def test_default_palette_has_the_domain_finding_types():
    names = [t.name for t in DEFAULT_TAGS]
    assert names == [
        "Restriction",
        "Release",
        "Energy cyst",
        "Pain",
        "Tension / holding",
        "Heat",
        "Pulsation",
    ]


@pytest.mark.parametrize("deficiency", [None, *cv.DEFICIENCIES])
def test_palette_colours_stay_apart_and_off_skin(deficiency):
    assert cv.min_difference(PALETTE, deficiency) >= 15.0
    shown = PALETTE if deficiency is None else cv.simulate(PALETTE, deficiency)
    skin = SKIN if deficiency is None else cv.simulate(SKIN, deficiency)
    assert cv.delta_e(shown, skin).min() >= 20.0


def test_simulation_keeps_greys_grey():
    grey = np.array([[128.0, 128.0, 128.0]])
    for deficiency in cv.DEFICIENCIES:
        assert np.allclose(cv.simulate(grey, deficiency), grey, atol=1.5)


def test_add_rename_recolour_hide_reorder():
    tags = TagSet()
    own = tags.add("Scar tissue", (10, 20, 30))
    assert own.key == "scar_tissue" and tags.keys()[-1] == "scar_tissue"
    assert tags.add("Scar tissue", (1, 2, 3)).key == "scar_tissue_2"
    tags.update("pain", name="Discomfort", color=(200, 0, 0), visible=False, opacity=0.5)
    pain = tags.get("pain")
    assert (pain.name, pain.color, pain.visible, pain.opacity) == (
        "Discomfort",
        (200, 0, 0),
        False,
        0.5,
    )
    tags.move("pain", 0)
    assert tags.keys()[0] == "pain"
    assert TagSet.from_list(tags.to_list()) == tags
    with pytest.raises(ValueError):
        tags.update("pain", key="other")


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(key="Bad Key", name="x", color=(0, 0, 0)),
        dict(key="ok", name=" ", color=(0, 0, 0)),
        dict(key="ok", name="x", color=(0, 0, 300)),
        dict(key="ok", name="x", color=(0, 0, 0), opacity=1.5),
    ],
)
def test_invalid_tags_are_refused(kwargs):
    with pytest.raises(ValueError):
        Tag(**kwargs)


def test_a_key_cannot_appear_twice():
    with pytest.raises(ValueError):
        TagSet([DEFAULT_TAGS[0], DEFAULT_TAGS[0]])


def test_odd_names_still_make_keys():
    tags = TagSet([])
    assert tags.add("3rd rib", (0, 0, 0)).key == "tag_3rd_rib"
    assert tags.add("!!!", (0, 0, 0)).key == "tag"
