"""The ``bodymap`` command: the app by default, and headless subcommands.

    bodymap [--mesh FILE] [--store DIR] [--client NAME]
                                          open the app (on another body mesh; on a new
                                          session for a client of the store)
    bodymap atlas [--mesh FILE] [--json]  print the region atlas
    bodymap sessions [--store DIR] [--client ID] [--json]
                                          list clients and their sessions
    bodymap stats SESSION [--store DIR] [--json]
                                          extent and intensity per tag and region
    bodymap verify [--store DIR] [--json] check every file of the store (exit 1 on a problem)
    bodymap compare SESSION_A SESSION_B [--tag TAG] [--store DIR] [--json]
                                          what is new, resolved and persisting from A to B
    bodymap trends --client ID [--tag TAG] [--from DATE] [--to DATE] [--store DIR] [--json]
                                          extent, intensity, rhythm and events per visit
    bodymap export SESSION --png DIR [--views anterior,...] [--size WxH] [--no-sheet]
    bodymap export SESSION --csv F | --stats-json F | --json F | --ply F | --glb F
    bodymap export --client ID --json FILE
                                          images, statistics, the record, the painted body
    bodymap report SESSION --pdf FILE [--no-emotional-content] [--page a4|letter]
    bodymap report --compare A B --pdf FILE [--page a4|letter]
                                          PDF reports (headless: no display needed)

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
    parser.add_argument("--store", type=Path, help="the session store folder")
    parser.add_argument("--client", help="open the app on a new session for this client")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    atlas = commands.add_parser("atlas", help="print the region atlas of a body")
    atlas.add_argument("--mesh", type=Path, dest="atlas_mesh", help="a body mesh file")
    atlas.add_argument("--json", action="store_true", help="print JSON")
    sessions = commands.add_parser("sessions", help="list clients and their sessions")
    sessions.add_argument("--client", dest="sub_client", help="one client (id or name)")
    stats = commands.add_parser("stats", help="extent and intensity per tag and region")
    stats.add_argument("session", help="a session id, or the path of a session .h5 file")
    verify = commands.add_parser("verify", help="check every file of the store")
    compare = commands.add_parser("compare", help="compare two visits of one client")
    compare.add_argument("session_a", help="the earlier session (id or .h5 path)")
    compare.add_argument("session_b", help="the later session (id or .h5 path)")
    compare.add_argument("--tag", help="one tag key (default: every tag, and all together)")
    trends = commands.add_parser("trends", help="one client's findings across visits")
    trends.add_argument("--client", dest="sub_client", help="the client (id or name)")
    trends.add_argument("--tag", help="one tag key (default: every painted tag)")
    trends.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD")
    trends.add_argument("--to", dest="date_to", help="last day, YYYY-MM-DD")
    for command in (sessions, stats, verify, compare, trends):
        command.add_argument("--store", type=Path, dest="sub_store", help="the store folder")
        command.add_argument("--json", action="store_true", help="print JSON")
    from bodymap.export.commands import add_export_parsers

    add_export_parsers(commands)
    return parser


def open_store(folder: Path | None):
    """The store (``--store``, ``BODYMAP_STORE``...), which must exist already."""
    from bodymap.store import Store, store_location

    root = store_location(folder)
    if not root.is_dir():
        raise CommandError(f"no session store at {root}")
    return Store(root)


def command_sessions(folder: Path | None, client: str | None, as_json: bool) -> int:
    from bodymap.cli_report import format_sessions, sessions_listing

    listing = sessions_listing(open_store(folder), client)
    print(
        json.dumps(listing, indent=1, ensure_ascii=False) if as_json else format_sessions(listing)
    )
    return 0


def command_stats(folder: Path | None, session_ref: str, as_json: bool) -> int:
    from bodymap.analysis.lookup import session_body
    from bodymap.analysis.stats import session_stats
    from bodymap.cli_report import format_stats
    from bodymap.store import Store, store_location
    from bodymap.store.session_file import read_session

    path = Path(session_ref)
    if session_ref.endswith(".h5") or path.is_file():
        session, _ = read_session(path)
        root = store_location(folder)
        store = Store(root) if root.is_dir() else None
    else:
        store = open_store(folder)
        session = store.load(session_ref)
        log_open(store, session)
    stats = session_stats(session, *session_body(session.mesh_hash, store)).to_dict()
    print(json.dumps(stats, indent=1, ensure_ascii=False) if as_json else format_stats(stats))
    return 0


def log_open(store, session) -> None:
    """Record the read in the audit log; a read-only store only earns a warning."""
    from bodymap.store import StoreError

    try:
        store.log("open", session.client_id, session.id)
    except StoreError as error:
        print(f"bodymap: warning: not recorded in the audit log ({error})", file=sys.stderr)


def load_session_ref(folder: Path | None, ref: str):
    """(session, store or None) for a session id in the store, or a session .h5 file."""
    from bodymap.store import Store, store_location
    from bodymap.store.session_file import read_session

    path = Path(ref)
    if ref.endswith(".h5") or path.is_file():
        session, _ = read_session(path)
        root = store_location(folder)
        return session, Store(root) if root.is_dir() else None
    store = open_store(folder)
    session = store.load(ref)
    log_open(store, session)
    return session, store


def command_compare(folder: Path | None, refs: tuple[str, str], tag: str | None, as_json: bool):
    from bodymap.analysis.comparison import compare
    from bodymap.analysis.lookup import SessionBodies
    from bodymap.cli_report import comparison_dict, format_compare

    before, store = load_session_ref(folder, refs[0])
    after, other = load_session_ref(folder, refs[1])
    result = comparison_dict(compare(before, after, SessionBodies(store or other), tag or None))
    print(json.dumps(result, indent=1, ensure_ascii=False) if as_json else format_compare(result))
    return 0


def command_trends(folder: Path | None, args: argparse.Namespace) -> int:
    from bodymap.analysis.trends import trends
    from bodymap.cli_report import format_trends, parse_day, trends_dict

    client = args.sub_client or args.client
    if not client:
        raise CommandError("trends needs --client ID (a client id or part of a name)")
    store = open_store(folder)
    days = parse_day(args.date_from, "--from"), parse_day(args.date_to, "--to")
    result = trends_dict(trends(store, client, args.tag or None, *days))
    log_reads(store, result["client"]["id"], [s["id"] for s in result["sessions"]])
    print(json.dumps(result, indent=1, ensure_ascii=False) if args.json else format_trends(result))
    return 0


def log_reads(store, client_id: str, session_ids: list[str]) -> None:
    """An ``open`` entry per session read in part; a read-only store earns one warning."""
    from bodymap.store import StoreError

    try:
        for session_id in session_ids:
            store.log("open", client_id, session_id)
    except StoreError as error:
        print(f"bodymap: warning: not recorded in the audit log ({error})", file=sys.stderr)


def command_verify(folder: Path | None, as_json: bool) -> int:
    report = open_store(folder).verify()
    if as_json:
        print(json.dumps(report.to_dict(), indent=1, ensure_ascii=False))
    else:
        print("\n".join(report.lines()))
    return 0 if report.ok else EXIT_FAILED


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


def run_store_command(args: argparse.Namespace) -> int:
    """``sessions``, ``stats``, ``verify``, ``compare`` and ``trends``; store errors become
    one line on stderr."""
    from bodymap.store import StoreError

    folder = args.sub_store or args.store
    try:
        if args.command == "sessions":
            return command_sessions(folder, args.sub_client or args.client, args.json)
        if args.command == "stats":
            return command_stats(folder, args.session, args.json)
        if args.command == "compare":
            return command_compare(folder, (args.session_a, args.session_b), args.tag, args.json)
        if args.command == "trends":
            return command_trends(folder, args)
        return command_verify(folder, args.json)
    except StoreError as error:
        raise CommandError(str(error)) from error


def run_export(args: argparse.Namespace) -> int:
    """``export`` and ``report`` (:mod:`bodymap.export.commands`); errors become one line."""
    from bodymap.export.commands import run_export_command
    from bodymap.export.errors import ExportError
    from bodymap.store import StoreError

    try:
        return run_export_command(args)
    except (ExportError, StoreError) as error:
        raise CommandError(str(error)) from error


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``bodymap`` console and GUI scripts."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "atlas":
            return command_atlas(args.atlas_mesh or args.mesh, args.json)
        if args.command in ("sessions", "stats", "verify", "compare", "trends"):
            return run_store_command(args)
        if args.command in ("export", "report"):
            return run_export(args)
        from bodymap.ui.app import run_app

        # Passed only when given, so run_app keeps working before it takes these keywords.
        extra = {"store_dir": args.store, "client": args.client}
        return run_app(args.mesh, **{k: v for k, v in extra.items() if v is not None})
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
