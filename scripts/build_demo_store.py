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
import dataclasses
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT, ROOT / "scripts"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from demo_story import CLIENT_ID, SESSION_IDS, build_sessions  # noqa: E402

from bodymap.core.session import Client, Session  # noqa: E402
from bodymap.store import Store  # noqa: E402

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
OPEN_VISIT_SAVED_AFTER = timedelta(hours=1)


def build(store_root: Path | None = None, force: bool = False, with_thumbnails: bool = True):
    """Paint the story and put it into a store; returns ``(store, sessions)``."""
    from bodymap.io.default_body import load_default_body

    store = Store(store_root)
    mesh, atlas = load_default_body()
    if force:
        erase_demo(store)
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
    if not (records / "clients" / f"{CLIENT_ID}.json").is_file():
        raise SystemExit(f"no demo record set in {records}: run with --rebuild first")
    source, store = Store(records), Store(store_root)
    if force:
        erase_demo(store)
    put_client(store, source.client(CLIENT_ID))
    sessions = [source.load(session_id) for session_id in SESSION_IDS]
    for session in sessions:
        put_session(store, session, source.thumbnail(session.id))
    return store, sessions


def put_client(store: Store, client: Client) -> None:
    """Create the demo client (with its fixed id and details) unless the store has it."""
    if not store.layout.client_file(client.id).exists():
        details = {k: v for k, v in dataclasses.asdict(client).items() if k != "name"}
        store.create_client(client.name, **details)


def put_session(store: Store, session: Session, thumbnail: bytes | None) -> bool:
    """Save (or sign) ``session`` at the story's times; whether it was written.

    A file already there that passes its full check is kept. One that does not is never
    replaced (the store refuses): ``--force`` erases the demo client first.
    """
    from bodymap.store.verify import check_session_file

    path = store.layout.session_file(session.client_id, session.id)
    if path.is_file() and check_session_file(path) is None:
        return False
    if session.finalised:
        unsigned = dataclasses.replace(session, finalised_at=None)
        store.finalise(unsigned, thumbnail, finalised_at=session.finalised_at)
    else:
        store.save(session, thumbnail, saved_at=session.started + OPEN_VISIT_SAVED_AFTER)
    return True


def erase_demo(store: Store) -> None:
    """Erase the demo client from a store (its files, drafts and amendments), logged."""
    if (
        store.layout.client_file(CLIENT_ID).exists()
        or store.layout.client_sessions(CLIENT_ID).is_dir()
    ):
        store.delete_client(CLIENT_ID)


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
