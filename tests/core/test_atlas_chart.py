"""The atlas is true to the Lund-Browder chart on every shipped body."""

from __future__ import annotations

import pytest

from bodymap.core.chart import (
    LUND_BROWDER,
    chart_comparison,
    chart_labels,
    chart_share,
    mosteller_m2,
    part_shares,
)
from bodymap.io.default_body import list_bodies, load_body

TOLERANCE_PP = 2.0


@pytest.fixture(scope="module")
def bodies():
    return [(entry, *load_body(entry["id"])) for entry in list_bodies()]


def test_chart_columns_add_up_to_the_whole_body() -> None:
    for age in (0.0, 0.75, 1.0, 2.0, 6.0, 15.0, 40.0):
        total = sum(
            chart_share(label.split(" left")[0].split(" right")[0], age) for label in chart_labels()
        )
        assert total == pytest.approx(100.0), age
    assert chart_share("head", 3.0) == pytest.approx(15.0)  # halfway from 1 y (17) to 5 y (13)
    with pytest.raises(KeyError):
        chart_share("tail", 30.0)
    assert set(LUND_BROWDER) >= {"head", "thigh", "buttock", "genitalia"}


def test_every_part_is_within_two_points_of_the_chart_on_every_body(bodies) -> None:
    for entry, mesh, atlas in bodies:
        for row in chart_comparison(mesh, atlas, entry["age_years"]):
            assert abs(row["difference"]) <= TOLERANCE_PP, (entry["id"], row)


def test_shares_cover_the_skin_and_sides_match(bodies) -> None:
    for entry, mesh, atlas in bodies:
        shares = part_shares(mesh, atlas)
        assert sum(shares.values()) == pytest.approx(100.0, abs=0.01), entry["id"]
        for part in ("buttock", "upper arm", "forearm", "hand", "thigh", "leg", "foot"):
            assert shares[f"{part} left"] == pytest.approx(shares[f"{part} right"], abs=1e-6)


def test_trunk_takes_the_buttocks_and_the_hip_is_trochanteric(bodies) -> None:
    entry, mesh, atlas = next(b for b in bodies if b[0]["id"] == "adult_female")
    shares = part_shares(mesh, atlas)
    trunk = sum(shares[k] for k in ("anterior trunk", "posterior trunk", "genitalia"))
    trunk += shares["buttock left"] + shares["buttock right"]
    assert trunk == pytest.approx(32.0, abs=2.0)  # 31 % before the genitalia, as the chart
    areas = atlas.region_areas_cm2(mesh)
    hip = areas[atlas.region_by_key("hip_l")] / (mesh.skin_area * 1e4) * 100
    assert hip < 1.6  # the trochanteric part only, no longer the whole side of the pelvis


def test_skin_area_is_within_five_percent_of_mosteller(bodies) -> None:
    for entry, mesh, _ in bodies:
        expected = mosteller_m2(entry["height_m"], entry["weight_kg"])
        assert mesh.skin_area == pytest.approx(expected, rel=0.05), entry["id"]
