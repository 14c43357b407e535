"""The ``bodymap export`` and ``bodymap report`` subcommands (parsers and what they run).

Headless: images and PDFs render off-screen and draw with Qt's offscreen platform, so these
work over SSH and on servers with no display. Each written path is printed on stdout.
An output given as an existing folder gets the default file name (ids and date, no names).
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

from bodymap.export.errors import ExportError

EXPORT_USAGE = (
    "export SESSION (--png DIR | --csv F | --stats-json F | --json F | --ply F | --glb F)"
)
DEFAULT_VIEWS = "anterior,posterior,left,right"


def add_export_parsers(commands) -> list[argparse.ArgumentParser]:
    """Add ``export`` and ``report`` to the subcommands; returns the two parsers."""
    export = commands.add_parser(
        "export", help="export a session (PNG, CSV, JSON, PLY, GLB) or a client's whole record"
    )
    export.add_argument("session", nargs="?", help="a session id, or the path of a session .h5")
    export.add_argument(
        "--client",
        dest="export_client",
        metavar="ID",
        help="export this client's whole record (with --json FILE)",
    )
    export.add_argument("--png", type=Path, metavar="DIR", help="PNG images into this folder")
    export.add_argument(
        "--views",
        default=DEFAULT_VIEWS,
        help=f"views for --png, comma separated, or 'all' ({DEFAULT_VIEWS})",
    )
    export.add_argument("--size", help="WxH pixels of each view image (default 600x900)")
    export.add_argument(
        "--no-sheet", action="store_true", help="with --png: no sheet of the views side by side"
    )
    export.add_argument("--csv", type=Path, metavar="FILE", help="statistics per tag and region")
    export.add_argument("--stats-json", type=Path, metavar="FILE", help="the statistics as JSON")
    export.add_argument(
        "--json",
        type=Path,
        metavar="FILE",
        dest="json_file",
        help="the complete session (or with --client, record) as JSON",
    )
    export.add_argument(
        "--include-audio",
        action="store_true",
        help="also write each spoken note's audio as a WAV file beside the export (and keep "
        "the notes in an --hdf5 copy, which otherwise leaves them out)",
    )
    export.add_argument("--ply", type=Path, metavar="FILE", help="the painted body as PLY")
    export.add_argument("--glb", type=Path, metavar="FILE", help="the painted body as GLB")
    export.add_argument(
        "--hdf5",
        type=Path,
        metavar="FILE",
        help="a plain copy of the session file (decrypted), for h5dump or HDFView; spoken "
        "notes only with --include-audio",
    )
    report = commands.add_parser("report", help="a PDF report of a session, or of two compared")
    report.add_argument("session", nargs="?", help="a session id, or the path of a session .h5")
    report.add_argument(
        "--compare",
        nargs=2,
        metavar=("A", "B"),
        help="compare two sessions (ids or .h5 paths) instead",
    )
    report.add_argument("--pdf", type=Path, metavar="FILE", required=True, help="the PDF to write")
    report.add_argument(
        "--no-emotional-content",
        action="store_true",
        help="leave out what the client said and felt (for reports that leave the practice)",
    )
    report.add_argument("--page", choices=("a4", "letter"), default="a4", help="paper size")
    for command in (export, report):
        command.add_argument(
            "--store", type=Path, dest="sub_store", metavar="DIR", help="the store folder"
        )
        command.add_argument("--passphrase-file", type=Path, help="a protected store's passphrase")
    return [export, report]


def run_export_command(args: argparse.Namespace) -> int:
    """Run ``export`` or ``report``; raises ExportError / StoreError with one-line reasons."""
    folder = getattr(args, "sub_store", None) or getattr(args, "store", None)
    if args.command == "report":
        return _report(args, folder)
    if args.export_client:
        return _client_export(args, folder)
    return _session_export(args, folder)


def open_export_store(folder: Path | None, required: bool):
    """The store at ``--store`` (or the usual place); ``None`` if absent and not required."""
    from bodymap.store import store_location
    from bodymap.store.access import open_store

    root = store_location(folder)
    if root.is_dir():
        return open_store(root)  # unlocked with $BODYMAP_PASSPHRASE_FILE or at the terminal
    if required:
        raise ExportError(f"no session store at {root}")
    return None


def _source(reference: str, folder: Path | None):
    from bodymap.export.source import resolve_source

    is_file = reference.endswith(".h5") or Path(reference).is_file()
    return resolve_source(reference, open_export_store(folder, required=not is_file))


def _target(path: Path, default_name: str) -> Path:
    return path / default_name if path.is_dir() else path


def _session_export(args: argparse.Namespace, folder: Path | None) -> int:
    from bodymap.export import data
    from bodymap.export.naming import session_filename

    if not args.session:
        raise ExportError(f"give a session: bodymap {EXPORT_USAGE}, or --client ID --json FILE")
    wanted = (args.png, args.csv, args.stats_json, args.json_file, args.ply, args.glb, args.hdf5)
    if not any(wanted):
        raise ExportError(
            "nothing to export: give --png, --csv, --stats-json, --json, --ply, --glb or --hdf5"
        )
    source = _source(args.session, folder)
    session = source.session
    written: list[Path] = []
    if args.png:
        written += _pngs(source, args)
    singles = (
        (args.csv, "findings", "csv", data.write_findings_csv),
        (args.stats_json, "findings", "json", data.write_findings_json),
        (args.json_file, "session", "json", data.write_session_json),
        (args.ply, "body", "ply", data.write_model),
        (args.glb, "body", "glb", data.write_model),
        (
            args.hdf5,
            "session",
            "h5",
            functools.partial(data.write_session_hdf5, include_audio=args.include_audio),
        ),
    )
    for path, kind, suffix, write in singles:
        if path:
            written.append(write(source, _target(path, session_filename(session, kind, suffix))))
    if args.include_audio and written:
        from bodymap.export.clips import write_clip_wavs

        written += write_clip_wavs(session, written[-1])
    _print(written)
    return 0


def _pngs(source, args: argparse.Namespace) -> list[Path]:
    from bodymap.export.images import DEFAULT_VIEW_SIZE, parse_size, parse_views, write_view_pngs

    try:
        views = parse_views(args.views)
        size = parse_size(args.size) if args.size else DEFAULT_VIEW_SIZE
    except ValueError as error:
        raise ExportError(str(error)) from error
    return write_view_pngs(source, args.png, views, size, sheet=not args.no_sheet)


def _client_export(args: argparse.Namespace, folder: Path | None) -> int:
    from bodymap.analysis.lookup import pick_client
    from bodymap.export.client_record import default_client_filename, export_client_json

    if args.session:
        raise ExportError("give either a session or --client, not both")
    if not args.json_file:
        raise ExportError("a client's record is exported as JSON: give --json FILE")
    store = open_export_store(folder, required=True)
    client = pick_client(store, args.export_client)
    target = _target(args.json_file, default_client_filename(client.id))
    _print([export_client_json(store, client.id, target, progress=_terminal_progress())])
    return 0


def _report(args: argparse.Namespace, folder: Path | None) -> int:
    from bodymap.export.naming import compare_filename, session_filename

    emotional = not args.no_emotional_content
    if args.compare:
        if args.session:
            raise ExportError("give either a session or --compare A B, not both")
        from bodymap.export.compare_report import write_compare_pdf

        first, second = (_source(ref, folder) for ref in args.compare)
        before, after = sorted((first, second), key=lambda source: source.session.started)
        target = _target(args.pdf, compare_filename(before.session, after.session))
        path = write_compare_pdf(before, after, target, page=args.page)
    else:
        if not args.session:
            raise ExportError("give a session (or --compare A B) to report on")
        from bodymap.export.session_report import write_session_pdf

        source = _source(args.session, folder)
        target = _target(args.pdf, session_filename(source.session, "report", "pdf"))
        path = write_session_pdf(source, target, page=args.page, emotional_content=emotional)
    _print([path])
    return 0


def _terminal_progress():
    """Progress on stderr when it is a terminal (one updating line); silent otherwise."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int, label: str) -> bool:
        print(f"\r{label} ({done}/{total})".ljust(60), end="", file=sys.stderr, flush=True)
        if done >= total:
            print(file=sys.stderr)
        return True

    return show


def _print(paths: list[Path]) -> None:
    for path in paths:
        print(path)
