"""``bodymap bodies`` and ``bodymap atlas --body`` through their own argparse wiring."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from bodymap import cli_bodies


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bodymap")
    parser.add_argument("--mesh", type=Path)
    commands = parser.add_subparsers(dest="command")
    atlas = commands.add_parser("atlas")
    atlas.add_argument("--mesh", type=Path, dest="atlas_mesh")
    atlas.add_argument("--json", action="store_true")
    cli_bodies.add_parsers(commands)
    return parser.parse_args(argv)


def test_bodies_json_lists_every_body_with_its_measures(capsys) -> None:
    assert cli_bodies.run(parse(["bodies", "--json"])) == 0
    bodies = json.loads(capsys.readouterr().out)
    assert {b["id"] for b in bodies} >= {"adult_female", "adult_male", "child", "infant"}
    keys = {"id", "name", "sex", "age_years", "height_m", "weight_kg", "skin_area_cm2"}
    for body in bodies:
        assert keys | {"vertex_count", "topology_id"} <= set(body)
    assert len({b["topology_id"] for b in bodies}) == 1


def test_bodies_prints_a_table(capsys) -> None:
    assert cli_bodies.run(parse(["bodies"])) == 0
    out = capsys.readouterr().out
    assert "toddler" in out and "topology" in out


def test_atlas_of_a_body_reports_its_chart(capsys) -> None:
    assert cli_bodies.run(parse(["atlas", "--body", "child", "--json"])) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["body_id"] == "child"
    assert summary["chart"]["age_years"] == 6.0
    head = next(p for p in summary["chart"]["parts"] if p["part"] == "head")
    assert head["chart_percent"] == pytest.approx(12.6)
    assert abs(head["difference"]) <= 2.0
    assert summary["mesh"]["vertex_count"] == 168213


def test_atlas_defaults_to_the_default_body_with_the_adult_chart(capsys) -> None:
    assert cli_bodies.run(parse(["atlas", "--json"])) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["body_id"] == "adult_female"
    thigh = next(p for p in summary["chart"]["parts"] if p["part"] == "thigh left")
    assert thigh["chart_percent"] == 9.5


def test_an_unknown_body_is_one_line_and_exit_one(capsys) -> None:
    assert cli_bodies.run(parse(["atlas", "--body", "centaur"])) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "centaur" in err
