"""``bodymap bodies`` and ``bodymap atlas [--body ID | --mesh FILE]``: the shipped bodies and the
atlas of one, with each body part's share of the skin beside the Lund-Browder chart.

``bodymap.cli`` wires these in with :func:`add_parsers` and hands the parsed arguments of either
command to :func:`run`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bodymap.core.bodies import DEFAULT_BODY_ID
from bodymap.core.chart import CHART_AGES, chart_comparison

ADULT_AGE = CHART_AGES[-1]


def add_parsers(subcommands: argparse._SubParsersAction) -> None:
    """Add ``bodies``, and ``--body`` to ``atlas`` (creating ``atlas`` when it is not there)."""
    bodies = subcommands.add_parser("bodies", help="list the shipped bodies")
    bodies.add_argument("--json", action="store_true", help="print JSON")
    atlas = subcommands.choices.get("atlas")
    if atlas is None:
        atlas = subcommands.add_parser("atlas", help="print the region atlas of a body")
        atlas.add_argument("--mesh", type=Path, dest="atlas_mesh", help="a body mesh file")
        atlas.add_argument("--json", action="store_true", help="print JSON")
    atlas.add_argument("--body", dest="body_id", help="a shipped body's id (see bodymap bodies)")


def run(args: argparse.Namespace) -> int:
    """Run ``bodies`` or ``atlas``; a failure is one line on stderr and exit status 1."""
    try:
        if args.command == "bodies":
            return _bodies(args.json)
        mesh_path = getattr(args, "atlas_mesh", None) or getattr(args, "mesh", None)
        return _atlas(getattr(args, "body_id", None), mesh_path, args.json)
    except (KeyError, ValueError, OSError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"bodymap: {message}", file=sys.stderr)
        return 1


def _bodies(as_json: bool) -> int:
    from bodymap.io.default_body import list_bodies

    entries = [_listing(entry) for entry in list_bodies()]
    if as_json:
        print(json.dumps(entries, indent=1))
        return 0
    print(f"{'id':14} {'name':22} {'sex':12} {'age':>6} {'m':>6} {'kg':>6} {'skin cm²':>9}")
    for e in entries:
        print(
            f"{e['id']:14} {e['name']:22} {e['sex']:12} {e['age_years']:6.2f} "
            f"{e['height_m']:6.3f} {e['weight_kg']:6.1f} {e['skin_area_cm2']:9.0f}"
        )
    print(f"all on topology {entries[0]['topology_id']}, {entries[0]['vertex_count']} vertices")
    return 0


def _listing(entry: dict) -> dict:
    keys = ("id", "name", "sex", "age_years", "height_m", "weight_kg", "skin_area_cm2")
    return {key: entry[key] for key in keys} | {
        "vertex_count": entry["vertex_count"],
        "topology_id": entry["topology_id"],
        "build": entry.get("build", {}),
    }


def _atlas(body_id: str | None, mesh_path: Path | None, as_json: bool) -> int:
    from bodymap.cli import format_atlas
    from bodymap.io.body_loading import LOAD_ERRORS, open_body
    from bodymap.io.default_body import list_bodies, load_body

    if body_id and mesh_path:
        raise ValueError("give either --body or --mesh, not both")
    if mesh_path:
        try:
            body = open_body(mesh_path)
        except LOAD_ERRORS as error:
            raise ValueError(str(error)) from error
        mesh, atlas, age, fitted, reason = (
            body.mesh,
            body.atlas,
            None,
            body.atlas_fitted,
            body.atlas_reason,
        )
        notes = list(body.notes)
    else:
        body_id = body_id or DEFAULT_BODY_ID
        mesh, atlas = load_body(body_id)
        age = next(e["age_years"] for e in list_bodies() if e["id"] == body_id)
        fitted, reason, notes = True, "", []
    summary = atlas.summary(mesh)
    summary |= {"atlas_fitted": fitted, "notes": notes, "body_id": body_id}
    if not fitted:
        summary["atlas_reason"] = reason
    summary["chart"] = {
        "reference": "Lund-Browder",
        "age_years": age,
        "age_assumed": age is None,
        "parts": chart_comparison(mesh, atlas, ADULT_AGE if age is None else age),
    }
    if as_json:
        print(json.dumps(summary, indent=1))
        return 0
    print(format_atlas(summary))
    print(f"body parts, % of skin, beside Lund-Browder at {age if age is not None else 'adult'}:")
    for row in summary["chart"]["parts"]:
        print(f"  {row['part']:20} {row['share_percent']:6.2f} {row['chart_percent']:6.2f}")
    return 0
