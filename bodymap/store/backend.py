"""The store's one seam for file access: read, write whole, append, list, remove, lock.

Everything the store does to the disk goes through a :class:`LocalFolder` (see
``docs/SESSION_FORMAT.md``): reading a file's bytes, replacing a file whole and atomically,
appending a line to the audit log whole or not at all, listing a folder, removing a file
or a folder, and the store's cross-process write lock. A server backend (HSDS, for a
clinic) can take its place by offering the same methods; nothing else in the store opens,
renames or deletes a file.

Paths are absolute paths inside the store folder; a backend that is not a local folder
maps them with ``path.relative_to(root)``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import filelock

from bodymap.store import atomic, crypto
from bodymap.store.atomic import PRIVATE_FILE, PRIVATE_FOLDER, write_all
from bodymap.store.errors import StoreBusyError, StoreError, write_error
from bodymap.store.layout import remove_file, remove_tree

LOCK_NAME = ".bodymap-write.lock"
LOCK_TIMEOUT_S = 20.0
"""How long a writer waits for another process's change (each holds it for milliseconds)."""

try:  # POSIX; on Windows the store's write lock serialises appends
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None


class FileTooLargeError(OSError):
    """A file is larger than the caller allows: it is not read at all."""


class LocalFolder:
    """A store kept in a folder of the local disk.

    Parameters
    ----------
    root : Path
        The store folder.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = filelock.FileLock(
            str(self.root / LOCK_NAME), timeout=LOCK_TIMEOUT_S, thread_local=False
        )

    sealed = False
    """Whether record files are encrypted (see :class:`SealedFolder`)."""

    # ----- reading -------------------------------------------------------------------
    def read_bytes(self, path: Path, limit: int | None = None) -> bytes:
        """A record file's content; :class:`FileTooLargeError` above ``limit`` bytes.

        The size is checked before anything is read, so a huge file costs nothing.
        """
        return self.read_plain(path, limit)

    def read_plain(self, path: Path, limit: int | None = None) -> bytes:
        """A file kept in the clear in every store (the audit log), as it is on disk."""
        with open(path, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if limit is not None and size > limit:
                raise FileTooLargeError(
                    errno.EFBIG, f"{size:,} bytes, more than the {limit:,} allowed"
                )
            return stream.read()

    def sha256(self, path: Path) -> str | None:
        """SHA-256 of a record's content (what BodyMap wrote, before any encryption);
        ``None`` when the file is missing or cannot be read. The audit log records these."""
        try:
            return hashlib.sha256(self.read_bytes(path)).hexdigest()
        except (OSError, StoreError):
            return None

    def size(self, path: Path) -> int | None:
        """The size of a file in bytes; ``None`` when it does not exist."""
        try:
            return os.stat(path).st_size
        except OSError:
            return None

    def exists(self, path: Path) -> bool:
        return os.path.isfile(path)

    def list(self, folder: Path, suffix: str = "") -> list[Path]:
        """The files directly in ``folder`` whose names end with ``suffix``, sorted."""
        with contextlib.suppress(OSError):
            entries = list(os.scandir(folder))
            names = [e.name for e in entries if e.is_file(follow_symlinks=False)]
            return [Path(folder) / n for n in sorted(names) if n.endswith(suffix)]
        return []

    def folders(self, folder: Path) -> list[Path]:
        """The folders directly in ``folder``, sorted."""
        with contextlib.suppress(OSError):
            entries = list(os.scandir(folder))
            return sorted(Path(e.path) for e in entries if e.is_dir(follow_symlinks=False))
        return []

    # ----- writing -------------------------------------------------------------------
    def ensure_folder(self, folder: Path) -> None:
        """Create ``folder`` and the folders above it up to the store, all private (0700)."""
        atomic.ensure_folder(folder)

    def prepare(self, path: Path, data: bytes) -> bytes:
        """The bytes to store at ``path`` for the record content ``data`` (sealed in an
        encrypted store); give them to :meth:`write_atomic`."""
        return bytes(data)

    def write_atomic(
        self,
        path: Path,
        stored: bytes,
        mode: int = PRIVATE_FILE,
        ready: Callable[[], None] | None = None,
    ) -> None:
        """Replace ``path`` with ``stored`` (from :meth:`prepare`) whole or not at all;
        ``ready()`` is waited for right before the rename (see :func:`atomic.write_atomic`)."""
        atomic.write_atomic(path, stored, mode=mode, ready=ready)

    def write_record(
        self,
        path: Path,
        data: bytes,
        mode: int = PRIVATE_FILE,
        ready: Callable[[], None] | None = None,
    ) -> None:
        """:meth:`prepare` then :meth:`write_atomic`."""
        self.write_atomic(path, self.prepare(path, data), mode=mode, ready=ready)

    def append(
        self,
        path: Path,
        build: Callable[[bytes, bytes], bytes],
        tail_bytes: int,
        sync: bool = True,
    ) -> bytes:
        """Append the bytes ``build(tail, cut)`` returns, whole or not at all, under a lock.

        ``tail`` is the file's last ``tail_bytes`` bytes, which end with a newline: a
        partial last line (a write cut short by a kill or a full disk) is cut off first
        and handed to ``build`` as ``cut`` (empty when the file was whole). If the write
        fails, the file is truncated back to where it was and the error is raised.
        With ``sync`` the line is on disk on return; without, it is written (a kill keeps
        it) but a power cut may lose it until the next :meth:`sync` or synced append.
        Returns ``cut``.
        """
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), PRIVATE_FILE)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            size = os.fstat(fd).st_size
            tail = _read_at(fd, max(0, size - tail_bytes), size)
            cut = b""
            if tail and not tail.endswith(b"\n"):
                keep = tail.rfind(b"\n") + 1
                cut, tail = tail[keep:], tail[:keep]
                size -= len(cut)
                os.ftruncate(fd, size)
            line = build(tail, cut)
            if not line and not cut:
                return cut
            try:
                os.lseek(fd, size, os.SEEK_SET)
                write_all(fd, line)
                if sync:
                    fsync_log(fd)
            except OSError:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, size)
                    os.fsync(fd)
                raise
            return cut
        finally:
            os.close(fd)  # closing releases the flock

    def sync(self, path: Path) -> None:
        """Flush what was appended to ``path`` without ``sync`` to the disk itself."""
        fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
        try:
            fsync_log(fd)
        finally:
            os.close(fd)

    def remove(self, path: Path) -> bool:
        """Delete one file (read-only ones too); whether it existed."""
        return remove_file(path)

    def remove_tree(self, folder: Path) -> None:
        """Delete a folder and everything in it."""
        remove_tree(folder)

    def remove_stale_temps(self, folders: Iterator[Path]) -> list[Path]:
        """Delete temporary files left by saves of processes that are gone."""
        return [p for folder in folders for p in atomic.remove_stale_temps(folder)]

    # ----- the write lock ------------------------------------------------------------
    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the store's cross-process write lock: one change at a time, per store.

        Raises
        ------
        StoreBusyError
            Another process held it for :data:`LOCK_TIMEOUT_S` seconds.
        StoreWriteError
            The lock file cannot be created (a read-only folder, a full disk).
        """
        try:
            self._lock.acquire()
        except filelock.Timeout as error:
            raise StoreBusyError(
                "another BodyMap window or command is changing this store right now; "
                "try again in a moment"
            ) from error
        except OSError as error:
            raise write_error(error, "the store's lock file") from error
        try:
            yield
        finally:
            self._lock.release()


class SealedFolder(LocalFolder):
    """A protected store: every record file is an AES-256-GCM envelope (:mod:`crypto`),
    bound to the store's id and the file's place in the store.

    Parameters
    ----------
    keys : StoreKeys
        The unlocked keys.
    accept_plain : bool
        While a store is being protected or unprotected, files not yet converted are
        still read as they are; otherwise a file in the clear is refused.
    """

    sealed = True

    def __init__(self, root: Path, keys, accept_plain: bool = False) -> None:
        super().__init__(root)
        self.keys = keys
        self.accept_plain = accept_plain

    def identity(self, path: Path) -> str:
        return f"{self.keys.store_id}/{Path(path).relative_to(self.root).as_posix()}"

    def prepare(self, path: Path, data: bytes) -> bytes:
        return crypto.seal(data, self.keys.data_key, self.identity(path))

    def read_bytes(self, path: Path, limit: int | None = None) -> bytes:
        raw = self.read_plain(path, None if limit is None else limit + crypto.OVERHEAD)
        if not crypto.is_sealed(raw):
            if self.accept_plain:
                return raw
            raise crypto.SealedFileError(
                "not encrypted, in a protected store (put here from outside BodyMap?)"
            )
        return crypto.unseal(raw, self.keys.data_key, self.identity(path))


def fsync_log(fd: int) -> None:
    """Flush the audit log's appended lines to disk (a module function: tests inject faults)."""
    os.fsync(fd)


def _read_at(fd: int, start: int, stop: int) -> bytes:
    os.lseek(fd, start, os.SEEK_SET)
    chunks, left = [], stop - start
    while left > 0:
        chunk = os.read(fd, left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


__all__ = ["FileTooLargeError", "LocalFolder", "PRIVATE_FOLDER", "SealedFolder"]
