#!/usr/bin/env python
"""The demo client: invented sample data, so a first look at BodyMap has something to show.

    scripts/build_demo_store.py [--store DIR] [--force]     put the demo into a store
    scripts/build_demo_store.py --rebuild [--no-thumbnails] paint the shipped record set again

One client, "Sample client (demo data)", with five visits from September to November 2025
on the default body. Nothing in it is real. Its findings change as a course of treatment
might: a restriction at the occiput and cranial base that eases visit by visit, with a
release painted over it; left lumbar pain that shrinks and fades; an energy cyst on the
left thigh found at visit 3 (by a colleague: the practitioner changes) and released at
visit 5; rhythm readings whose rate creeps from 6 to 10 cycles a minute; events, pins, a
vector of force and SOAP notes. Visits 1 to 4 are finalised; visit 5 is left open. The
story is in ``demo_story.py``, painted with the real brush code (``demo_painter.py``).

The demo ships as a record set: ``demo/``, a small store of its own (client file, five
session files with thumbnails, and its audit log, all tracked by git), which
``bodymap verify --store demo`` passes exactly as cloned. Run without ``--rebuild``, this
script imports it into a store (the checkout's ``sessions/`` by default) through the store's
API (``Store.create_client``, ``Store.save``, ``Store.finalise`` with the story's times), so
that store's own audit log records every file: ``bodymap verify`` passes there too. A demo
file already in the store that passes its full check is kept; ``--force`` first erases the
demo client there (``Store.delete_client``, logged). Ids, dates and times are fixed, so the
files come out byte for byte the same on every run and in every store.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT, ROOT / "scripts"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from demo_story import CLIENT_ID, SESSION_IDS, build_sessions  # noqa: E402

from bodymap.core.session import Client  # noqa: E402
from bodymap.store import NotFoundError, Store  # noqa: E402
from bodymap.store.sample import (  # noqa: E402
    erase_sample,
    import_sample,
    put_client,
    put_session,
)

__all__ = ["CLIENT", "CLIENT_ID", "RECORDS", "SESSION_IDS", "build", "import_demo"]

RECORDS = ROOT / "demo"
"""The shipped record set (a store folder holding only the demo client)."""
CLIENT = Client(
    "Sample client (demo data)",
    id=CLIENT_ID,
    born="1985",
    notes="Invented sample data to show what BodyMap records: not a real person. "
    "Rebuild it with scripts/build_demo_store.py --rebuild.",
    created=datetime(2025, 9, 2, 9, 0, tzinfo=UTC),
)


def build(store_root: Path | None = None, force: bool = False, with_thumbnails: bool = True):
    """Paint the story and put it into a store; returns ``(store, sessions)``."""
    from bodymap.io.default_body import load_default_body

    store = Store(store_root)
    mesh, atlas = load_default_body()
    if force:
        erase_sample(store)
    sessions = build_sessions(mesh, atlas)
    if with_thumbnails:
        from bodymap.export.images import thumbnail_png

        images = [thumbnail_png(s, mesh) for s in sessions]
    else:
        images = [None] * len(sessions)
    put_client(store, CLIENT)
    for session, image in zip(sessions, images, strict=True):
        put_session(store, session, image)
    return store, sessions


def import_demo(store_root: Path | None = None, records: Path = RECORDS, force: bool = False):
    """Put the shipped record set's demo client into a store; returns ``(store, sessions)``."""
    store = Store(store_root)
    if force:
        erase_sample(store)
    try:
        return store, import_sample(store, records)
    except NotFoundError as error:
        raise SystemExit(f"{error}: run with --rebuild first") from None


def rebuild_records(records: Path = RECORDS, with_thumbnails: bool = True):
    """Paint the shipped record set again, from nothing: a fresh store folder."""
    import shutil

    if records.exists():
        shutil.rmtree(records)
    return build(records, with_thumbnails=with_thumbnails)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="the store folder (default: the checkout's)")
    parser.add_argument("--force", action="store_true", help="erase the demo client there first")
    parser.add_argument("--rebuild", action="store_true", help=f"paint {RECORDS.name}/ again")
    parser.add_argument("--no-thumbnails", action="store_true", help="with --rebuild: none")
    args = parser.parse_args(argv)
    if args.rebuild:
        store, sessions = rebuild_records(with_thumbnails=not args.no_thumbnails)
    else:
        store, sessions = import_demo(args.store, force=args.force)
    for session in sessions:
        path = store.layout.session_file(CLIENT_ID, session.id)
        state = "finalised" if session.finalised else "open"
        print(f"{path.relative_to(store.root)}  {path.stat().st_size:7d} bytes  {state}")
    print(f"demo client {CLIENT_ID} in {store.root}; check it with: bodymap verify")
    return 0


if __name__ == "__main__":
    sys.exit(main())

__all__ = [
    "CLIENT",
    "CLIENT_ID",
    "RECORDS",
    "SESSION_IDS",
    "build",
    "import_demo",
    "rebuild_records",
]
