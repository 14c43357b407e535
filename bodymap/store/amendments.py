"""Amendments: dated, immutable corrections linked to a finalised session.

Each is one small JSON file, written atomically and read-only, named
``<UTC time>-<id>.json`` in ``amendments/<client_id>/<session_id>/``. It names the session,
the SHA-256 of the finalised session file it amends (which stays untouched), and carries a
SHA-256 of its own content so that an edit shows in ``bodymap verify``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from bodymap.store.clients import content_sha256, read_record_json
from bodymap.store.errors import SessionReadError, StoreError

AMENDMENT_FORMAT = "bodymap-amendment"
AMENDMENT_SCHEMA = 1
MAX_SECTION = 100
MAX_AMENDMENT_BYTES = 2_000_000
SPOKEN_NOTE_SECTION = "spoken note"
"""The section of an amendment made from a spoken note on a finalised session (its
transcript; an amendment is text, so the audio is not kept)."""


@dataclass(frozen=True)
class Amendment:
    """One correction to a finalised session.

    Attributes
    ----------
    id, session_id, client_id : str
    created : datetime
        When it was written (UTC).
    author : str
        Who wrote it.
    section : str
        Which part it corrects ("" for the session as a whole, or e.g. "assessment").
    text : str
    original_sha256 : str
        SHA-256 of the finalised session file at the time of the amendment.
    path : Path or None
        Where it is stored.
    """

    id: str
    session_id: str
    client_id: str
    created: datetime
    author: str
    section: str
    text: str
    original_sha256: str
    path: Path | None = None

    def content(self) -> dict:
        """The stored fields (without the path and the content digest)."""
        data = asdict(self)
        data.pop("path")
        data["created"] = self.created.isoformat(timespec="microseconds")
        return {"format": AMENDMENT_FORMAT, "schema_version": AMENDMENT_SCHEMA, **data}


def new_amendment(
    session_id: str, client_id: str, text: str, author: str, section: str, original_sha256: str
) -> Amendment:
    if not text.strip():
        raise StoreError("an amendment needs some text")
    if not author.strip():
        raise StoreError("an amendment needs an author")
    if len(section) > MAX_SECTION:
        raise StoreError(f"an amendment's section name is at most {MAX_SECTION} characters")
    return Amendment(
        id="a-" + uuid.uuid4().hex,
        session_id=session_id,
        client_id=client_id,
        created=datetime.now(UTC),
        author=author,
        section=section,
        text=text,
        original_sha256=original_sha256,
    )


def amendment_bytes(amendment: Amendment) -> bytes:
    content = amendment.content()
    document = {**content, "content_sha256": content_sha256(content)}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def amendment_file(folder: Path, amendment: Amendment) -> tuple[Amendment, bytes]:
    """Where ``amendment`` goes in ``folder`` and its bytes: the stored amendment (with its
    path) and what to write there (the store writes it, atomically and read-only)."""
    stamp = amendment.created.strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"{stamp}-{amendment.id}.json"
    if path.exists():
        raise StoreError(f"amendment {path.name} exists already")
    return Amendment(**{**asdict(amendment), "path": path}), amendment_bytes(amendment)


def read_amendment(path: Path, data: bytes) -> Amendment:
    """One amendment (the bytes of ``path``), checked against its own content digest."""
    document = read_record_json(path, data, "amendment", MAX_AMENDMENT_BYTES)
    try:
        if document.get("format") != AMENDMENT_FORMAT:
            raise SessionReadError(path, "not a BodyMap amendment (foreign)")
        version = document.get("schema_version")
        if not isinstance(version, int) or version < 1:
            raise SessionReadError(path, "damaged amendment (no valid schema_version)")
        if version > AMENDMENT_SCHEMA:
            raise SessionReadError(path, "written by a newer BodyMap: update BodyMap to read it")
        stored = document.pop("content_sha256", None)
        if stored != content_sha256(document):
            raise SessionReadError(path, "its content does not match its SHA-256 (changed)")
        fields = {k: document[k] for k in Amendment.__dataclass_fields__ if k != "path"}
        if not all(isinstance(v, str) for v in fields.values()):
            raise SessionReadError(path, "damaged amendment (a field is not text)")
        fields["created"] = datetime.fromisoformat(fields["created"])
        return Amendment(**fields, path=path)
    except SessionReadError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise SessionReadError(path, f"damaged amendment ({error})") from error


def list_amendments(paths: list[Path], read) -> tuple[list[Amendment], list[SessionReadError]]:
    """The readable amendments among ``paths`` in date order, and the unreadable ones;
    ``read(path, limit)`` as for :func:`bodymap.store.clients.list_clients`."""
    good, bad = [], []
    for path in paths:
        try:
            good.append(read_amendment(path, read(path, MAX_AMENDMENT_BYTES)))
        except SessionReadError as error:
            bad.append(error)
    good.sort(key=lambda a: (a.created, a.id))
    return good, bad
