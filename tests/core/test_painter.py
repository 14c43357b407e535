"""Painting into overlays: the stroke rule, erase, fill, and exact undo data."""

import numpy as np
import pytest

from bodymap.core.overlays import MAX_VALUE, Overlays, intensity_to_value
from bodymap.core.painter import Painter


def overlays(n=10, keys=("a", "b")):
    return Overlays(n, keys)


def test_intensity_maps_to_tenths():
    assert intensity_to_value(6) == 60
    assert intensity_to_value(12) == MAX_VALUE
    assert intensity_to_value(-1) == 0


def test_overlapping_dabs_of_one_stroke_do_not_pile_up():
    o = overlays()
    p = Painter(o)
    p.begin_stroke(("a",), 60)
    for _ in range(5):
        p.dab(np.array([1, 2]), np.array([0.5, 1.0], np.float32))
    edit = p.end_stroke()
    assert o.layer("a")[[1, 2]].tolist() == [30, 60]
    assert edit.keys == ("a",) and edit.ids.tolist() == [1, 2]
    assert edit.before.ravel().tolist() == [0, 0] and edit.after.ravel().tolist() == [30, 60]


def test_painting_lower_over_higher_lowers_towards_target():
    o = overlays()
    p = Painter(o)
    p.fill(("a",), np.array([3]), 80)
    p.begin_stroke(("a",), 20)
    p.dab(np.array([3]), np.array([0.5], np.float32))
    p.end_stroke()
    assert o.layer("a")[3] == 50


def test_pressure_scales_what_reaches_the_layer():
    o = overlays()
    p = Painter(o)
    p.begin_stroke(("a",), 100)
    p.dab(np.array([0]), np.array([1.0], np.float32), pressure=0.3)
    p.end_stroke()
    assert o.layer("a")[0] == 30


def test_erase_all_and_revert_restores_exactly():
    o = overlays()
    p = Painter(o)
    p.fill(("a",), np.arange(5), 70)
    p.fill(("b",), np.arange(3, 8), 40)
    snapshot = o.values.copy()
    edit = p.fill(("a", "b"), np.arange(10), 0)
    assert not o.values.any()
    edit.revert(o)
    assert np.array_equal(o.values, snapshot)
    edit.apply(o)
    assert not o.values.any()
    assert edit.ids.tolist() == list(range(8))  # vertices 8, 9 never changed


def test_a_stroke_that_changes_nothing_is_no_edit():
    o = overlays()
    p = Painter(o)
    p.begin_stroke(("a",), 0)
    p.dab(np.array([1, 2]), np.ones(2, np.float32))
    assert p.end_stroke() is None
    assert p.fill(("a",), np.array([], np.int32), 50) is None


def test_cancel_restores_and_strokes_cannot_nest():
    o = overlays()
    p = Painter(o)
    p.begin_stroke(("a",), 50)
    with pytest.raises(RuntimeError):
        p.begin_stroke(("a",), 50)
    p.dab(np.array([4]), np.ones(1, np.float32))
    assert p.cancel_stroke().tolist() == [4]
    assert o.is_empty() and not p.in_stroke
    with pytest.raises(RuntimeError):
        p.dab(np.array([4]), np.ones(1, np.float32))


def test_new_tags_get_layers_and_equality_ignores_empty_layers():
    o = overlays()
    p = Painter(o)
    p.fill(("new",), np.array([1]), 10)
    assert o.keys == ("a", "b", "new")
    other = Overlays(10, ("new",))
    other.set_layer("new", o.layer("new"))
    assert o.equals(other) and o.painted_keys() == ["new"]
    with pytest.raises(ValueError):
        other.set_layer("new", np.full(10, 200))


def test_painted_keys_see_paint_in_any_row():
    for n in (0, 5, 256, 1000, 1283):
        o = Overlays(n, ("a", "b", "c"))
        assert o.painted_keys() == [] and o.is_empty()
        if n:
            o.values[n - 1, 2] = 1
            o.values[0, 0] = 1
            assert o.painted_keys() == ["a", "c"]
    assert Overlays(10).is_empty()
