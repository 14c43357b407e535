"""The sample client: invented records shipped with BodyMap, imported into any store.

The record set is a small store folder of its own (``demo/`` in the checkout, the
``bodymap.demo`` package data when installed): the client file, five session files with
thumbnails and their audit log. It is read here file by file (never opened as a store,
so a read-only installed copy is never written to) and put into a store through its API
(``create_client``, ``save``, ``finalise`` with the story's fixed times), so the store's
own audit log records every file and ``bodymap verify`` passes there. A sample file the
store already holds whole is kept.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

from bodymap.core.session import Client, Session
from bodymap.store.base import backend_read
from bodymap.store.clients import MAX_CLIENT_BYTES, read_client
from bodymap.store.errors import NotFoundError, StoreError
from bodymap.store.session_file import read_session, read_thumbnail
from bodymap.store.store import Store

SAMPLE_CLIENT_ID = "c-demo-sample"
OPEN_VISIT_SAVED_AFTER = timedelta(hours=1)
"""The open (last) visit is recorded as saved an hour after it started."""


def sample_folder() -> Path:
    """Where the shipped record set is (the checkout's ``demo/``, else the package's)."""
    from bodymap.io.paths import demo_dir

    return demo_dir()


def read_sample(folder: Path | None = None) -> tuple[Client, list[tuple[Session, bytes | None]]]:
    """The sample client and its sessions (with thumbnails), oldest first.

    Raises
    ------
    NotFoundError
        No record set there (a broken installation).
    """
    folder = Path(folder or sample_folder())
    client_file = folder / "clients" / f"{SAMPLE_CLIENT_ID}.json"
    if not client_file.is_file():
        raise NotFoundError(f"the sample client is not in {folder}: reinstall BodyMap")
    from bodymap.store.backend import LocalFolder

    reader = LocalFolder(folder)
    client = read_client(client_file, backend_read(reader, client_file, MAX_CLIENT_BYTES))
    sessions = []
    for path in reader.list(folder / "sessions" / SAMPLE_CLIENT_ID, ".h5"):
        data = backend_read(reader, path)
        session, _ = read_session(path, data)
        sessions.append((session, read_thumbnail(path, data)))
    sessions.sort(key=lambda pair: pair[0].started)
    return client, sessions


def import_sample(store: Store, folder: Path | None = None) -> list[Session]:
    """Put the sample client into ``store`` (kept where already whole); its sessions."""
    client, sessions = read_sample(folder)
    put_client(store, client)
    for session, thumbnail in sessions:
        put_session(store, session, thumbnail)
    return [session for session, _ in sessions]


def put_client(store: Store, client: Client) -> None:
    """Create ``client`` with its fixed id and details unless the store has it."""
    if not store.layout.exists(store.layout.client_file(client.id)):
        details = {k: v for k, v in dataclasses.asdict(client).items() if k != "name"}
        store.create_client(client.name, **details)


def put_session(store: Store, session: Session, thumbnail: bytes | None) -> bool:
    """Save (or sign) ``session`` at its own times; whether it was written.

    A file already in the store that passes its full check is kept; one that does not is
    never replaced (the store refuses): erase the sample client first (:func:`erase_sample`).
    """
    path = store.layout.session_file(session.client_id, session.id)
    if store.layout.exists(path) and store._full_check(path) is None:
        return False
    if session.finalised:
        unsigned = dataclasses.replace(session, finalised_at=None)
        store.finalise(unsigned, thumbnail, finalised_at=session.finalised_at)
    else:
        store.save(session, thumbnail, saved_at=session.started + OPEN_VISIT_SAVED_AFTER)
    return True


def erase_sample(store: Store) -> None:
    """Erase the sample client from a store (its files, drafts and amendments), logged."""
    try:
        store.client(SAMPLE_CLIENT_ID)
    except (NotFoundError, StoreError):
        if not store.layout.session_files(SAMPLE_CLIENT_ID):
            return
    store.delete_client(SAMPLE_CLIENT_ID)
