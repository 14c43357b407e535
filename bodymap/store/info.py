"""What a listing shows about a session or a draft, read from file attributes only."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bodymap.store.base import stat_key
from bodymap.store.errors import SessionReadError
from bodymap.store.limits import reading
from bodymap.store.session_file import SessionHeader, read_header

OLDEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class SessionInfo:
    """One session file as a listing shows it.

    ``readable`` is false (and ``reason`` says why in one line) for a file that is corrupt,
    truncated, foreign, from a newer BodyMap, recorded on another mesh (when the listing
    was asked for one mesh), or that failed a full check. Such a file is never overwritten.
    """

    id: str
    client_id: str
    path: Path
    readable: bool
    reason: str = ""
    started: datetime | None = None
    practitioner: str = ""
    finalised_at: datetime | None = None
    carried_over_from: str | None = None
    has_thumbnail: bool = False
    topology_id: str = ""
    n_layers: int = 0
    mesh_hash: str = ""
    saved_at: datetime | None = None
    n_vertices: int = 0
    stat: tuple[int, int, int] | None = field(default=None, compare=False, repr=False)
    """The file's (inode, size, mtime) when it was listed: while the file still has them,
    what this entry says holds, and a reader may skip the file's header."""

    def current(self) -> bool:
        """Whether the file is, by its (inode, size, mtime), the one this entry describes."""
        return self.readable and self.stat is not None and self.stat == stat_key(self.path)

    @property
    def finalised(self) -> bool:
        return self.finalised_at is not None

    def sort_key(self) -> tuple:
        return (self.started or _modified(self.path), self.id)

    def to_dict(self) -> dict:
        """JSON-ready (``bodymap sessions --json``)."""
        return {
            "id": self.id,
            "client_id": self.client_id,
            "readable": self.readable,
            "reason": self.reason,
            "started": _iso(self.started),
            "practitioner": self.practitioner,
            "finalised": self.finalised,
            "finalised_at": _iso(self.finalised_at),
            "carried_over_from": self.carried_over_from,
            "has_thumbnail": self.has_thumbnail,
            "topology_id": self.topology_id,
            "n_layers": self.n_layers,
            "mesh_sha256": self.mesh_hash,
            "saved_at": _iso(self.saved_at),
            "path": str(self.path),
        }


@dataclass(frozen=True)
class DraftInfo:
    """A recoverable autosave draft: newer than its saved session, or of an unsaved one."""

    session_id: str
    client_id: str
    saved_at: datetime | None
    path: Path
    has_saved_session: bool


def _iso(time: datetime | None) -> str | None:
    return None if time is None else time.isoformat()


def _modified(path: Path) -> datetime:
    try:
        return datetime.fromtimestamp(os.stat(path).st_mtime, UTC)
    except OSError:
        return OLDEST


def info_from_header(
    path: Path, header: SessionHeader, stat: tuple[int, int, int] | None = None
) -> SessionInfo:
    return SessionInfo(
        id=header.session_id,
        client_id=header.client_id,
        path=path,
        readable=True,
        started=header.started,
        practitioner=header.practitioner,
        finalised_at=header.finalised_at,
        carried_over_from=header.carried_over_from,
        has_thumbnail=header.has_thumbnail,
        topology_id=header.topology_id,
        n_layers=header.n_layers,
        mesh_hash=header.mesh_hash,
        saved_at=header.saved_at,
        n_vertices=header.n_vertices,
        stat=stat,
    )


def unreadable(path: Path, client_id: str, reason: str) -> SessionInfo:
    return SessionInfo(id=path.stem, client_id=client_id, path=path, readable=False, reason=reason)


def check_identity(header: SessionHeader, path: Path, client_id: str, draft: bool) -> None:
    """Raise :class:`SessionReadError` if the file is not what its place says it is."""
    if header.session_id != path.stem:
        raise SessionReadError(path, f"holds session {header.session_id!r}, not {path.stem!r}")
    if header.client_id != client_id:
        raise SessionReadError(path, f"belongs to client {header.client_id!r}, not {client_id!r}")
    if header.draft != draft:
        what = "an autosave draft" if header.draft else "a saved session, not a draft"
        raise SessionReadError(path, f"is {what} in the wrong folder")


def session_info(
    path: Path, client_id: str, mesh_hash: str | None = None, read=None, remember=None
) -> SessionInfo:
    """Listing entry for one session file: attributes only, never raises for a bad file.

    ``read(path)`` gives the file's bytes through the store's seam (from disk without it);
    ``remember(path, header, stat)`` is given the checked header of a readable file, with
    the file's (inode, size, mtime) from before it was read.
    """
    stat = stat_key(path)  # before the read: a file replaced meanwhile is then read again
    try:
        with reading(path):
            header = read_header(path, None if read is None else read(path))
            check_identity(header, path, client_id, draft=False)
    except SessionReadError as error:
        return unreadable(path, client_id, error.reason)
    if remember is not None and stat is not None:
        remember(path, header, stat)
    info = info_from_header(path, header, stat)
    if mesh_hash is not None and header.mesh_hash != mesh_hash:
        reason = f"recorded on another body mesh (SHA-256 {header.mesh_hash[:12]}...)"
        return SessionInfo(**{**info.__dict__, "readable": False, "reason": reason})
    return info
