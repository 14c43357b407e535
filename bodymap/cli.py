"""The ``bodymap`` command: the app by default, and headless subcommands.

    bodymap [--mesh FILE] [--store DIR] [--client NAME]
                                          open the app (on another body mesh; on a new
                                          session for a client of the store)
    bodymap bodies [--json]               the shipped bodies (female, male, older, child...)
    bodymap atlas [--body ID | --mesh FILE] [--json]
                                          the region atlas, each part's share beside the chart
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

    bodymap voice AUDIO.wav [--store DIR --session ID] [--json]
                                          spoken findings in a recording, as commands
    bodymap protect | unprotect | passphrase | backup DEST | restore ARCHIVE | erase CLIENT
                                          privacy: see bodymap.cli_privacy

A protected store's passphrase is read from --passphrase-file FILE or BODYMAP_PASSPHRASE_FILE,
else asked at the terminal. Errors are one line on stderr and a non-zero exit status, never a
traceback.
"""

from __future__ import annotations

import argparse
import json
import os
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
        epilog=STORE_EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"BodyMap {__version__}")
    parser.add_argument("--mesh", type=Path, help="open this body mesh instead of the default body")
    parser.add_argument("--store", type=Path, help="the session store folder")
    parser.add_argument("--client", help="open the app on a new session for this client")
    parser.add_argument("--body", help="a new client's body (an id from `bodymap bodies`)")
    parser.add_argument(
        "--passphrase-file",
        type=Path,
        dest="top_passphrase_file",
        help="read a protected store's passphrase from this file (or BODYMAP_PASSPHRASE_FILE)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    from bodymap.cli_bodies import add_parsers as add_body_parsers
    from bodymap.cli_privacy import add_parsers as add_privacy_parsers

    add_body_parsers(commands)
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
        command.add_argument("--passphrase-file", type=Path, help="a protected store's passphrase")
        command.add_argument("--json", action="store_true", help="print JSON")
    add_privacy_parsers(commands)
    from bodymap.voice.cli import add_parser as add_voice_parser

    add_voice_parser(commands)
    from bodymap.export.commands import add_export_parsers

    add_export_parsers(commands)
    return parser


STORE_EPILOG = (
    "Records are kept in the checkout's sessions/ folder when BodyMap runs from a source "
    "checkout, otherwise in the user data folder (~/.local/share/BodyMap/store on Linux, "
    "~/Library/Application Support/BodyMap/store on macOS, %%LOCALAPPDATA%%\\BodyMap\\store "
    "on Windows); --store DIR or BODYMAP_STORE choose another."
)
MAX_ARGUMENT = 4096
"""No id, name or path BodyMap takes is longer; a longer argument is refused at once."""


def open_store(folder: Path | None):
    """The store (``--store``, ``BODYMAP_STORE``...), which must exist already, unlocked
    with its passphrase when it is protected (see :func:`use_passphrase_file`)."""
    from bodymap.store.access import open_store as open_unlocked

    return open_unlocked(folder)


def use_passphrase_file(path: Path | None) -> None:
    """``--passphrase-file FILE``: this process reads the passphrase there, as it would
    from ``BODYMAP_PASSPHRASE_FILE`` (every command, the export commands and the app)."""
    if path is not None:
        from bodymap.store.access import PASSPHRASE_ENV

        os.environ[PASSPHRASE_ENV] = str(Path(path).expanduser().resolve())


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

    session, store = load_session_ref(folder, session_ref)
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
    from bodymap.store import store_location
    from bodymap.store.session_file import read_session

    path = Path(ref)
    if ref.endswith(".h5") or path.is_file():
        session, _ = read_session(path)
        root = store_location(folder)
        return session, open_store(folder) if root.is_dir() else None
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


def run_command(args: argparse.Namespace) -> int:
    """Run the command ``args`` names (the app when none); errors raise."""
    from bodymap.cli_privacy import COMMANDS as PRIVACY_COMMANDS

    if args.command in ("atlas", "bodies"):
        from bodymap import cli_bodies

        return cli_bodies.run(args)
    if args.command in ("sessions", "stats", "verify", "compare", "trends"):
        return run_store_command(args)
    if args.command in ("export", "report"):
        return run_export(args)
    if args.command == "voice":
        from bodymap.voice.cli import run as run_voice

        return run_voice(args)
    if args.command in PRIVACY_COMMANDS:
        from bodymap import cli_privacy
        from bodymap.store import StoreError

        try:
            return cli_privacy.run(args)
        except StoreError as error:
            raise CommandError(str(error)) from error
    from bodymap.ui.app import run_app

    # Passed only when given, so run_app keeps working before it takes these keywords.
    extra = {"store_dir": args.store, "client": args.client, "body": args.body}
    return run_app(args.mesh, **{k: v for k, v in extra.items() if v is not None})


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``bodymap`` console and GUI scripts."""
    parser = build_parser()
    arguments = sys.argv[1:] if argv is None else argv
    too_long = [a for a in arguments if len(a) > MAX_ARGUMENT]
    if too_long:
        print(
            f"bodymap: an argument of {len(too_long[0]):,} characters is longer than any id, "
            f"name or path BodyMap takes (at most {MAX_ARGUMENT:,})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    args = parser.parse_args(arguments)
    use_passphrase_file(getattr(args, "passphrase_file", None) or args.top_passphrase_file)
    try:
        return run_command(args)
    except CommandError as error:
        print(f"bodymap: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except OSError as error:  # a path the system refuses (too long, no permission...)
        where = f" ({error.filename})" if error.filename and len(str(error.filename)) < 200 else ""
        print(f"bodymap: {error.strerror or error}{where}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:  # noqa: BLE001 - the promise is one line, never a traceback
        print(f"bodymap: unexpected error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
