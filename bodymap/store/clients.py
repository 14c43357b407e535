"""Client files: one small JSON file per client, ``clients/<client_id>.json``, written atomically.

The file name is the client's opaque id; the name and contact details live only inside the
file, so that deleting it removes them (the audit log and every other file name hold ids).
"""

from __future__ import annotations

import json
from pathlib import Path

from bodymap.core.session import Client
from bodymap.store.atomic import write_atomic
from bodymap.store.errors import SessionReadError

CLIENT_FORMAT = "bodymap-client"
CLIENT_SCHEMA = 1
EDITABLE = ("name", "born", "contact", "notes")


def client_bytes(client: Client) -> bytes:
    document = {"format": CLIENT_FORMAT, "schema_version": CLIENT_SCHEMA, **client.to_dict()}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def write_client(path: Path, client: Client) -> None:
    write_atomic(path, client_bytes(client))


def read_client(path: Path) -> Client:
    """The client in ``path``; :class:`SessionReadError` when it cannot be read."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(document, dict) or document.get("format") != CLIENT_FORMAT:
            raise SessionReadError(path, "not a BodyMap client file (foreign)")
        if int(document.get("schema_version", 0)) > CLIENT_SCHEMA:
            raise SessionReadError(path, "written by a newer BodyMap: update BodyMap to read it")
        client = Client.from_dict(document)
    except SessionReadError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SessionReadError(path, f"damaged client file ({error})") from error
    if client.id != path.stem:
        raise SessionReadError(path, f"holds client {client.id!r}, not {path.stem!r}")
    return client


def list_clients(folder: Path) -> tuple[list[Client], list[SessionReadError]]:
    """Readable clients sorted by name (then id), and the unreadable files."""
    good, bad = [], []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            good.append(read_client(path))
        except SessionReadError as error:
            bad.append(error)
    good.sort(key=lambda c: (c.name.casefold(), c.id))
    return good, bad


def matches(client: Client, text: str) -> bool:
    """Whether ``text`` is a case-insensitive substring of the client's name or id."""
    needle = text.strip().casefold()
    return needle in client.name.casefold() or needle in client.id.casefold()
