"""What every part of the store shares: folders, locks, the audit log, the checks made
before a record is replaced, and the transaction every change runs in."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import threading
from pathlib import Path

from bodymap.core.session import Session
from bodymap.store.audit import AuditLog
from bodymap.store.backend import LocalFolder, SealedFolder
from bodymap.store.errors import (
    ConflictError,
    FinalisedError,
    MeshMismatchError,
    NotFoundError,
    SessionReadError,
    StoreError,
    StoreLockedError,
    StoreWriteError,
    TargetUnreadableError,
)
from bodymap.store.journal import Journal, Recovery, recover
from bodymap.store.keys import StoreKeys, is_protected, key_state
from bodymap.store.layout import StoreLayout
from bodymap.store.location import location_warnings, store_location
from bodymap.store.session_file import SessionHeader, read_header

MAX_HELD_HEADERS = 65_536
"""Session headers a store holds (a listing holds those it read; a few hundred bytes each)."""


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


def sha256_or_none(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None


def backend_read(backend, path: Path, limit: int | None = None) -> bytes:
    """A record file's bytes through the store's seam; any failure a one-line
    :class:`SessionReadError` (missing, too large, does not decrypt, disk error)."""
    try:
        return backend.read_bytes(path, limit)
    except FileNotFoundError:
        raise SessionReadError(path, "the file does not exist") from None
    except OSError as error:
        raise SessionReadError(path, error.strerror or str(error)) from None
    except StoreError as error:
        raise SessionReadError(path, str(error)) from None


def finalised_error(session_id: str) -> FinalisedError:
    return FinalisedError(
        f"session {session_id} is finalised and read-only; add an amendment instead"
    )


class StoreBase:
    """Folders, locks, audit log and the checks made before replacing a session file.

    Opening a store (under its cross-process write lock) removes temporary files of
    crashed saves, cuts off an audit line cut short, and finishes or rolls back changes
    interrupted by a kill (:mod:`bodymap.store.journal`); ``recovered`` and ``repaired``
    say what was done. A store that cannot be written (a read-only folder) still opens,
    for reading, with a warning.
    """

    def __init__(self, root: str | Path | None = None, keys: StoreKeys | None = None) -> None:
        self.root = store_location(root)
        self.layout = StoreLayout(self.root)
        self.keys = keys
        self.backend = self._backend(keys)
        self.layout.backend = self.backend
        audit_key = keys.audit_key if keys is not None and self._audit_keyed() else None
        self.audit = AuditLog(self.layout.audit, self.backend, key=audit_key)
        self.journal = Journal(self.audit)
        self._lock = threading.RLock()
        self._known: dict[Path, tuple[tuple[int, int, int], SessionHeader]] = {}
        self._base: dict[str, tuple[str, tuple[int, int, int] | None]] = {}
        """Session id -> (SHA-256 of its content, the file's (inode, size, mtime)) as this
        store last read or wrote it: what a save of it may replace."""
        self._warnings = location_warnings(self.root)
        self.removed_temps: list[Path] = []
        self.recovered: list[Recovery] = []
        self.repaired = 0
        for folder in (self.root, *self.layout.folders()):
            self.backend.ensure_folder(folder)
        try:
            with self._writing():
                self.removed_temps = self.backend.remove_stale_temps(self.layout.temp_folders())
                self.repaired = self.audit.repair()
                self.recovered = recover(self)
        except StoreWriteError as error:
            self._warnings.append(f"the store can only be read here: {error}")

    def _read_record(self, path: Path, limit: int | None = None) -> bytes:
        """A record file's bytes through this store's seam (see :func:`backend_read`)."""
        return backend_read(self.backend, path, limit)

    def adopt_keys(self, keys: StoreKeys | None) -> None:
        """Use the store as it is now on disk, after it was protected or unprotected in
        place (:mod:`bodymap.store.protection`): with ``keys``, or none."""
        with self._lock:
            self.keys = keys
            self.backend = self._backend(keys)
            self.layout.backend = self.backend
            self.audit.backend = self.backend
            keyed = keys is not None and self._audit_keyed()
            self.audit.key = keys.audit_key if keyed else None
            self._known.clear()

    @property
    def protected(self) -> bool:
        """Whether the store's records are encrypted (opened with its keys)."""
        return self.backend.sealed

    def _backend(self, keys: StoreKeys | None) -> LocalFolder:
        if not is_protected(self.root):
            return LocalFolder(self.root)
        if keys is None:
            raise StoreLockedError(
                f"the store {self.root} is protected by a passphrase: unlock it first"
            )
        state = key_state(self.root)["state"]
        return SealedFolder(self.root, keys, accept_plain=state != "protected")

    def _audit_keyed(self) -> bool:
        return is_protected(self.root) and key_state(self.root)["audit_keyed"]

    @contextlib.contextmanager
    def _writing(self):
        """One change at a time: this store's thread lock and the cross-process lock."""
        with self._lock, self.backend.write_lock():
            yield

    def warnings(self) -> list[str]:
        """Why this store's folder may be unsafe (network or synced folder); best effort."""
        return list(self._warnings)

    def _session_path(self, session_id: str) -> Path:
        path = self.layout.find("sessions", session_id)
        if path is None:
            raise NotFoundError(f"no session {session_id} in the store")
        return path

    def _remember(
        self, path: Path, header: SessionHeader, key: tuple[int, int, int] | None = None
    ) -> None:
        """Hold ``header`` for ``path`` while the file keeps its (inode, size, mtime):
        ``key``, taken before the header was read, or the file's now."""
        key = key or stat_key(path)
        if key is not None:
            if len(self._known) >= MAX_HELD_HEADERS:  # listings of many clients: bounded
                self._known.clear()
            self._known[path] = (key, header)

    def _forget(self, path: Path) -> None:
        self._known.pop(path, None)

    def _header(self, path: Path) -> SessionHeader:
        """A session file's header, from memory when the file has not changed since."""
        known = self._known.get(path)
        if known is not None and known[0] == stat_key(path):
            return known[1]
        header = read_header(path, self._read_record(path))
        self._remember(path, header)
        return header

    def _existing(self, path: Path, session: Session) -> SessionHeader | None:
        """The header of the file a save would replace, after checking it may be replaced.

        A file is replaced only if it is the one this store last read or wrote (its
        SHA-256 is unchanged), or, when this store has not read it, if it reads back whole.

        Raises
        ------
        ConflictError
            Another window or process changed or deleted the file since it was read here.
        TargetUnreadableError
            The file exists but cannot be read, or holds another record.
        FinalisedError
            The stored session is finalised.
        MeshMismatchError
            The stored session was recorded on another mesh.
        """
        known = self._base.get(session.id)
        base = known[0] if known is not None else None
        key = stat_key(path)
        if known is not None and key is not None and key == known[1]:
            current = base  # the very file this store wrote or read: os.replace makes a new one
        else:
            current = self.backend.sha256(path) if key is not None else None
        if current is None:
            if base is not None:
                raise ConflictError(
                    f"session {session.id} was deleted by another BodyMap window or process "
                    "since it was opened here; save it as a new session to keep this work"
                )
            return None
        if base is not None and current != base:
            raise ConflictError(_conflict_message(session.id, self._header_or_none(path)))
        try:
            header = self._header(path)
            if base is None:
                self._check_whole(path)
        except SessionReadError as error:
            raise TargetUnreadableError(
                f"refusing to save over {path.name}: it cannot be read ({error.reason}); "
                "it stays as it is: save this work as a new session"
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

    def _check_whole(self, path: Path) -> None:
        """Raise :class:`SessionReadError` unless the file reads back whole (as verify does)."""
        problem = self._full_check(path)
        if problem is not None:
            raise SessionReadError(path, problem)

    def _keep_revision(self, session_id: str, sha: str, path: Path | None) -> None:
        """Remember what a later save of ``session_id`` may replace (see :meth:`_existing`):
        its content digest, and the file's identity (``path``; ``None``: compare digests)."""
        self._base[session_id] = (sha, stat_key(path) if path is not None else None)

    def _full_check(self, path: Path) -> str | None:
        """Why a session file fails verify's full check, or ``None`` (through the seam)."""
        from bodymap.store.verify import check_session_file

        try:
            return check_session_file(path, data=self._read_record(path))
        except SessionReadError as error:
            return error.reason

    def _quiet_thumbnail(self, path: Path) -> bytes | None:
        from bodymap.store.session_file import read_thumbnail

        try:
            return read_thumbnail(path, self._read_record(path))
        except SessionReadError:
            return None

    def _header_or_none(self, path: Path) -> SessionHeader | None:
        try:
            return self._header(path)
        except SessionReadError:
            return None


def _conflict_message(session_id: str, header: SessionHeader | None) -> str:
    now = ""
    if header is not None and header.finalised_at is not None:
        now = " (it is now finalised)"
    return (
        f"session {session_id} was changed by another BodyMap window or process since it "
        f"was opened here{now}; saving would undo that work: save this as a new session, "
        "or reopen the session"
    )
