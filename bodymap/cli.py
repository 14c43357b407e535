"""The ``bodymap`` command: the app by default, and headless subcommands.

    bodymap [--mesh FILE]                 open the app (on another body mesh)
    bodymap atlas [--mesh FILE] [--json]  print the region atlas

Errors are one line on stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bodymap import __version__

EXIT_USAGE = 2
EXIT_FAILED = 1


class CommandError(Exception):
    """A failure to report as one line on stderr."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bodymap",
        description="BodyMap: chart CranioSacral and SomatoEmotional findings on a 3D body.",
    )
    parser.add_argument("--version", action="version", version=f"BodyMap {__version__}")
    parser.add_argument("--mesh", type=Path, help="open this body mesh instead of the default body")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    atlas = commands.add_parser("atlas", help="print the region atlas of a body")
    atlas.add_argument("--mesh", type=Path, dest="atlas_mesh", help="a body mesh file")
    atlas.add_argument("--json", action="store_true", help="print JSON")
    return parser


def command_atlas(mesh_path: Path | None, as_json: bool) -> int:
    from bodymap.io.body_loading import LOAD_ERRORS, default_body, open_body

    try:
        body = open_body(mesh_path) if mesh_path else default_body()
    except LOAD_ERRORS as error:
        raise CommandError(str(error)) from error
    summary = body.atlas.summary(body.mesh)
    summary["atlas_fitted"] = body.atlas_fitted
    if not body.atlas_fitted:
        summary["atlas_reason"] = body.atlas_reason
    summary["notes"] = list(body.notes)
    if as_json:
        print(json.dumps(summary, indent=1))
    else:
        print(format_atlas(summary))
    return 0


def format_atlas(summary: dict) -> str:
    """A plain table of the atlas, for people."""
    mesh = summary["mesh"]
    lines = [
        f"{mesh['name']}: {mesh['vertex_count']} vertices, skin {mesh['skin_area_cm2']:.0f} cm², "
        f"geometry SHA-256 {mesh['geometry_sha256']}"
    ]
    if not summary["atlas_fitted"]:
        lines.append(f"Regions unassigned: {summary.get('atlas_reason', '')}")
    lines.append(f"{'region':40} {'side':8} {'body part':18} {'cm²':>8} {'vertices':>9}")
    for r in summary["regions"]:
        lines.append(
            f"{r['name']:40} {r['side']:8} {r['body_part']:18} "
            f"{r['area_cm2']:8.1f} {r['vertex_count']:9d}"
        )
    lines.append("diaphragm bands:")
    for b in summary["diaphragm_bands"]:
        lines.append(f"  {b['name']:38} {b['area_cm2']:8.1f} {b['vertex_count']:9d}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``bodymap`` console and GUI scripts."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "atlas":
            return command_atlas(args.atlas_mesh or args.mesh, args.json)
        from bodymap.ui.app import run_app

        return run_app(args.mesh)
    except CommandError as error:
        print(f"bodymap: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 - the promise is one line, never a traceback
        print(f"bodymap: unexpected error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
