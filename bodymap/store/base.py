"""What every part of the store shares: folders, the lock, the audit log, file checks."""

from __future__ import annotations

import functools
import hashlib
import os
import threading
from pathlib import Path

from bodymap.core.session import Session
from bodymap.store.atomic import ensure_folder, remove_stale_temps
from bodymap.store.audit import AuditLog
from bodymap.store.errors import (
    FinalisedError,
    MeshMismatchError,
    NotFoundError,
    SessionReadError,
    TargetUnreadableError,
)
from bodymap.store.layout import StoreLayout
from bodymap.store.location import location_warnings, store_location
from bodymap.store.session_file import SessionHeader, read_header


def locked(method):
    """Run a store method under the store's lock (a safety net: see the module docs)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


def stat_key(path: Path) -> tuple[int, int, int] | None:
    """(inode, size, mtime) of a file, to notice that it changed; ``None`` if absent."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def file_sha256(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def finalised_error(session_id: str) -> FinalisedError:
    return FinalisedError(
        f"session {session_id} is finalised and read-only; add an amendment instead"
    )


class StoreBase:
    """Folders, lock, audit log and the checks made before replacing a session file."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = store_location(root)
        self.layout = StoreLayout(self.root)
        self.audit = AuditLog(self.layout.audit)
        self._lock = threading.RLock()
        self._known: dict[Path, tuple[tuple[int, int, int], SessionHeader]] = {}
        for folder in self.layout.folders():
            ensure_folder(folder)
        self.removed_temps = [p for f in self.layout.temp_folders() for p in remove_stale_temps(f)]
        self._warnings = location_warnings(self.root)

    def warnings(self) -> list[str]:
        """Why this store's folder may be unsafe (network or synced folder); best effort."""
        return list(self._warnings)

    def _session_path(self, session_id: str) -> Path:
        path = self.layout.find("sessions", session_id)
        if path is None:
            raise NotFoundError(f"no session {session_id} in the store")
        return path

    def _remember(self, path: Path, header: SessionHeader) -> None:
        key = stat_key(path)
        if key is not None:
            self._known[path] = (key, header)

    def _forget(self, path: Path) -> None:
        self._known.pop(path, None)

    def _header(self, path: Path) -> SessionHeader:
        """A session file's header, from memory when the file has not changed since."""
        known = self._known.get(path)
        if known is not None and known[0] == stat_key(path):
            return known[1]
        header = read_header(path)
        self._remember(path, header)
        return header

    def _existing(self, path: Path, session: Session) -> SessionHeader | None:
        """The header of the file a save would replace, after checking it may be replaced.

        Raises
        ------
        TargetUnreadableError
            The file exists but cannot be read, or holds another record.
        FinalisedError
            The stored session is finalised.
        MeshMismatchError
            The stored session was recorded on another mesh.
        """
        if stat_key(path) is None:
            return None
        try:
            header = self._header(path)
        except SessionReadError as error:
            raise TargetUnreadableError(
                f"refusing to save over {path.name}: it cannot be read ({error.reason}); "
                "move it aside or ask for help first"
            ) from error
        if header.session_id != session.id or header.client_id != session.client_id:
            raise TargetUnreadableError(f"refusing to save over {path.name}: another record")
        if header.draft:
            raise TargetUnreadableError(f"refusing to save over {path.name}: a draft")
        if header.finalised_at is not None:
            raise finalised_error(session.id)
        if header.mesh_hash != session.mesh_hash:
            raise MeshMismatchError(
                f"session {session.id} is stored for another body mesh; it cannot be saved "
                "onto a different one"
            )
        return header
