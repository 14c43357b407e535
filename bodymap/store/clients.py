"""Client files: one small JSON file per client, ``clients/<client_id>.json``, written atomically.

The file name is the client's opaque id; the name and contact details live only inside the
file, so that deleting it removes them (the audit log and every other file name hold ids).

Schema 2 adds ``content_sha256``: SHA-256 of the canonical JSON of every other field, so a
changed byte shows in ``bodymap verify``. Schema 1 files (no digest) still open.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from bodymap.core.session import Client
from bodymap.store.errors import SessionReadError
from bodymap.store.limits import parse_json, reading

CLIENT_FORMAT = "bodymap-client"
CLIENT_SCHEMA = 2
EDITABLE = ("name", "born", "contact", "notes", "body")
MAX_CLIENT_BYTES = 1_000_000
"""A client file is a few hundred bytes; anything near this size is not one."""


def content_sha256(document: dict) -> str:
    """SHA-256 of the canonical JSON of a record's fields (clients and amendments)."""
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def client_bytes(client: Client) -> bytes:
    document = {"format": CLIENT_FORMAT, "schema_version": CLIENT_SCHEMA, **client.to_dict()}
    document["content_sha256"] = content_sha256(document)
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def read_record_json(path: Path, data: bytes, kind: str, limit: int) -> dict:
    """A small JSON record's top-level object from the file's bytes (read through the
    store's seam); every failure a :class:`SessionReadError`.

    The size is checked before parsing, and a document nested too deeply (which would
    exhaust the parser's recursion) is refused, so no file can make a listing hang.
    """
    with reading(path, f"{kind} file"):
        document = parse_json(data, f"the {kind} file", max_bytes=limit)
    if not isinstance(document, dict):
        raise SessionReadError(path, f"not a BodyMap {kind} file (foreign)")
    return document


def read_client(path: Path, data: bytes) -> Client:
    """The client in ``data`` (the bytes of ``path``); :class:`SessionReadError` when it
    cannot be read, is foreign, newer, or its content does not match its digest."""
    document = read_record_json(path, data, "client", MAX_CLIENT_BYTES)
    try:
        if document.get("format") != CLIENT_FORMAT:
            raise SessionReadError(path, "not a BodyMap client file (foreign)")
        version = document.get("schema_version")
        if not isinstance(version, int) or version < 1:
            raise SessionReadError(path, "damaged client file (no valid schema_version)")
        if version > CLIENT_SCHEMA:
            raise SessionReadError(path, "written by a newer BodyMap: update BodyMap to read it")
        if version >= 2:
            stored = document.pop("content_sha256", None)
            if stored != content_sha256(document):
                raise SessionReadError(
                    path, "its content does not match its SHA-256 (changed outside BodyMap)"
                )
        client = Client.from_dict(document)
    except SessionReadError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise SessionReadError(path, f"damaged client file ({_short(error)})") from error
    if client.id != path.stem:
        raise SessionReadError(path, f"holds client {client.id[:60]!r}, not {path.stem!r}")
    return client


def _short(error: BaseException) -> str:
    """An exception's text on one short line."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def list_clients(paths: list[Path], read) -> tuple[list[Client], list[SessionReadError]]:
    """The readable clients of these files sorted by name (then id), and the unreadable.

    ``read(path, limit)`` gives a file's bytes (the store's seam) or raises
    :class:`SessionReadError`.
    """
    good, bad = [], []
    for path in paths:
        try:
            good.append(read_client(path, read(path, MAX_CLIENT_BYTES)))
        except SessionReadError as error:
            bad.append(error)
    good.sort(key=lambda c: (c.name.casefold(), c.id))
    return good, bad


def matches(client: Client, text: str) -> bool:
    """Whether ``text`` is a case-insensitive substring of the client's name or id."""
    needle = text.strip().casefold()
    return needle in client.name.casefold() or needle in client.id.casefold()
