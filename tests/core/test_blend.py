"""Colours are derived from the layers: exact composites, and style never changes data."""

import numpy as np

from bodymap.core.blend import MIN_ALPHA_SHARE, LayerStyle, blend_rows, blend_vertices
from bodymap.core.overlays import Overlays
from bodymap.core.tags import Tag, TagSet

SKIN = np.array([[200, 180, 160, 255]], dtype=np.uint8)


def setup(values_a, values_b, **tag_b):
    tags = TagSet([Tag("a", "A", (0, 0, 255), opacity=1.0), Tag("b", "B", (255, 0, 0), **tag_b)])
    overlays = Overlays(len(values_a), tags.keys())
    overlays.set_layer("a", np.array(values_a, np.uint8))
    overlays.set_layer("b", np.array(values_b, np.uint8))
    return tags, overlays


def test_unpainted_vertices_show_skin():
    tags, overlays = setup([0, 0], [0, 0])
    rgba = blend_rows(overlays.values, LayerStyle.from_tags(tags, overlays), np.repeat(SKIN, 2, 0))
    assert (rgba == SKIN).all()


def test_full_intensity_full_opacity_is_the_tag_colour():
    tags, overlays = setup([100], [0])
    rgba = blend_rows(overlays.values, LayerStyle.from_tags(tags, overlays), SKIN)
    assert rgba[0].tolist() == [0, 0, 255, 255]


def test_low_intensity_is_still_visible_and_weaker():
    tags, overlays = setup([10, 100], [0, 0])
    rgba = blend_rows(overlays.values, LayerStyle.from_tags(tags, overlays), np.repeat(SKIN, 2, 0))
    alpha_low = MIN_ALPHA_SHARE + (1 - MIN_ALPHA_SHARE) * 0.1
    assert rgba[0, 2] == round(160 + (255 - 160) * alpha_low)
    assert rgba[0, 2] < rgba[1, 2]


def test_upper_layer_covers_lower_by_its_opacity():
    tags, overlays = setup([100], [100], opacity=0.5)
    rgba = blend_rows(overlays.values, LayerStyle.from_tags(tags, overlays), SKIN)
    assert rgba[0, :3].tolist() == [128, 0, 128]


def test_hidden_layers_are_not_drawn_and_data_is_untouched():
    tags, overlays = setup([100], [100])
    before = overlays.values.copy()
    tags.update("b", visible=False)
    rgba = blend_rows(overlays.values, LayerStyle.from_tags(tags, overlays), SKIN)
    assert rgba[0, :3].tolist() == [0, 0, 255]
    tags.move("a", 1)
    tags.update("a", opacity=0.0, color=(1, 2, 3))
    rgba = blend_rows(overlays.values, LayerStyle.from_tags(tags, overlays), SKIN)
    assert (rgba == SKIN).all()
    assert np.array_equal(overlays.values, before)


def test_rows_blend_like_the_whole():
    rng = np.random.default_rng(3)
    tags, overlays = setup(rng.integers(0, 101, 50), rng.integers(0, 101, 50), opacity=0.7)
    base = np.repeat(SKIN, 50, 0)
    style = LayerStyle.from_tags(tags, overlays)
    whole = blend_vertices(overlays, style, base)
    ids = np.array([3, 17, 42])
    assert np.array_equal(blend_vertices(overlays, style, base, ids), whole[ids])


def reference_blend(values, style, base):
    """The composite written out plainly: each shown layer over the result so far, per row."""
    out = base[:, :3].astype(np.float32)
    for layer, column in enumerate(style.columns):
        shown = values[:, column].astype(np.float32) * np.float32(0.01)
        alpha = np.where(shown > 0, MIN_ALPHA_SHARE + (1 - MIN_ALPHA_SHARE) * shown, 0.0)
        alpha = (alpha * style.opacities[layer]).astype(np.float32)[:, None]
        out += (style.colors[layer] - out) * alpha
    return np.concatenate([np.rint(out).astype(np.uint8), base[:, 3:]], axis=1)


def test_blending_matches_the_plain_composite_exactly():
    rng = np.random.default_rng(11)
    for _ in range(40):
        rows, columns = int(rng.integers(1, 400)), int(rng.integers(1, 9))
        values = rng.integers(0, 101, (rows, columns)).astype(np.uint8)
        values[rng.random((rows, columns)) < 0.5] = 0
        values[:, rng.integers(columns)] = 0  # a layer no row shows (skipped)
        shown = int(rng.integers(0, columns + 1))
        style = LayerStyle(
            columns=rng.permutation(columns)[:shown].astype(np.intp),
            colors=rng.integers(0, 256, (shown, 3)).astype(np.float32),
            opacities=rng.random(shown).astype(np.float32),
        )
        base = rng.integers(0, 256, (rows, 4)).astype(np.uint8)
        assert np.array_equal(blend_rows(values, style, base), reference_blend(values, style, base))
