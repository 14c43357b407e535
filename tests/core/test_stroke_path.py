"""Joining mouse samples: a fast stroke becomes evenly spaced dabs with no gaps."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bodymap.core.stroke_path import interpolate_samples, spacing_for


def dab_points(samples: list[tuple[float, float]], spacing: float) -> list[tuple[float, float]]:
    points = [samples[0]]
    for previous, current in zip(samples, samples[1:], strict=False):
        points.extend(interpolate_samples(previous, current, spacing))
    return points


def test_a_fast_sparse_stroke_leaves_no_gaps() -> None:
    samples = [(10.0, 10.0), (180.0, 40.0), (185.0, 41.0), (20.0, 300.0), (20.0, 300.0)]
    points = dab_points(samples, 6.0)
    steps = [math.dist(a, b) for a, b in zip(points, points[1:], strict=False)]
    assert max(steps) <= 6.0 + 1e-9
    assert points[0] == samples[0] and points[-1] == samples[-1]
    for sample in samples:  # every mouse sample is dabbed exactly where it was
        assert sample in points
    length = sum(math.dist(a, b) for a, b in zip(samples, samples[1:], strict=False))
    assert len(points) >= length / 6.0


def test_points_are_evenly_spaced_and_end_on_the_current_sample() -> None:
    points = interpolate_samples((0.0, 0.0), (10.0, 0.0), 3.0)
    assert [x for x, _ in points] == pytest.approx([2.5, 5.0, 7.5, 10.0])
    assert all(y == 0.0 for _, y in points)
    assert points[-1] == (10.0, 0.0)


@pytest.mark.parametrize("current", [(5.0, 7.0), (5.5, 7.0)])
def test_a_short_or_zero_move_gives_just_the_current_point(current) -> None:
    assert interpolate_samples((5.0, 7.0), current, 2.0) == [current]


@pytest.mark.parametrize(
    ("previous", "current", "spacing"),
    [((0, 0), (1, 1), 0.0), ((0, 0), (1, 1), -2.0), ((0, 0), (math.nan, 1), 1.0)],
)
def test_bad_input_is_refused(previous, current, spacing) -> None:
    with pytest.raises(ValueError):
        interpolate_samples(previous, current, spacing)


def test_spacing_is_a_quarter_of_the_radius_on_screen_and_at_least_a_pixel() -> None:
    assert spacing_for(0.05, 2000.0) == pytest.approx(25.0)
    assert spacing_for(0.05, 2000.0, fraction=0.5) == pytest.approx(50.0)
    assert spacing_for(0.001, 100.0) == 1.0
    assert spacing_for(0.0, 100.0) == 1.0


coordinate = st.floats(-5000.0, 5000.0)


@given(
    previous=st.tuples(coordinate, coordinate),
    current=st.tuples(coordinate, coordinate),
    spacing=st.floats(0.5, 200.0),
)
def test_property_spacing_bound_and_count(previous, current, spacing) -> None:
    points = interpolate_samples(previous, current, spacing)
    assert points[-1] == (float(current[0]), float(current[1]))
    length = math.dist(previous, current)
    assert len(points) == max(1, math.ceil(length / spacing))
    path = [previous, *points]
    steps = [math.dist(a, b) for a, b in zip(path, path[1:], strict=False)]
    assert max(steps) <= spacing * (1 + 1e-9) + 1e-9
    assert max(steps) - min(steps) <= 1e-6 * (1 + length)  # even spacing
