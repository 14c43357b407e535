"""Replace a file whole or not at all: temporary file, fsync, rename, fsync of the folder.

A save writes the new bytes to a temporary file in the target's folder, flushes and fsyncs
it, renames it over the target with :func:`os.replace` (atomic on POSIX and Windows), then
fsyncs the folder so the rename itself survives a power cut. A crash at any moment leaves
either the old file or the new one, never a mix; at worst a temporary file is left behind,
and :func:`remove_stale_temps` deletes those when the store opens.

Temporary files are named ``.<target name>.<pid>.<16 hex>.bmtmp``; nothing else is ever
removed. The pid lets a store skip the temporary files of a save still running in another
live process.

Each step is a module-level function (:func:`open_temp`, :func:`write_all`,
:func:`fsync_file`, :func:`replace_file`, :func:`fsync_folder`) so tests can inject faults.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from bodymap.store.errors import StoreWriteError, write_error

TEMP_SUFFIX = ".bmtmp"
TEMP_PATTERN = re.compile(r"^\..+\.(\d+)\.[0-9a-f]{16}\.bmtmp$")
PRIVATE_FILE = 0o600
READ_ONLY_FILE = 0o400
PRIVATE_FOLDER = 0o700


def temp_path_for(target: Path) -> Path:
    """A fresh temporary path beside ``target`` matching :data:`TEMP_PATTERN`."""
    return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(8)}{TEMP_SUFFIX}")


def open_temp(path: Path, mode: int) -> int:
    """Create ``path`` exclusively; the file descriptor, open for writing."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    return os.open(path, flags, mode)


def write_all(fd: int, data: bytes | memoryview) -> None:
    """Write every byte (``os.write`` may write fewer than asked)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def fsync_file(fd: int) -> None:
    """Flush a file to the disk itself (on macOS ``fsync`` stops at the drive's cache:
    ``F_FULLFSYNC`` goes through it)."""
    if FULLFSYNC is not None:
        try:
            fcntl.fcntl(fd, FULLFSYNC)
            return
        except OSError:
            pass  # not supported on this file system: a plain fsync
    os.fsync(fd)


WINDOWS = os.name == "nt"
try:
    import fcntl

    FULLFSYNC = getattr(fcntl, "F_FULLFSYNC", None)
except ImportError:  # Windows
    fcntl, FULLFSYNC = None, None
REPLACE_RETRIES = 10
"""On Windows a rename over a file that another program holds open (a virus scanner, a
backup tool, HDFView) fails with a sharing violation for a moment: retry, then give up."""


def replace_file(source: Path, target: Path) -> None:
    """Rename ``source`` over ``target`` atomically (retrying briefly on Windows)."""
    for attempt in range(REPLACE_RETRIES if WINDOWS else 1):
        try:
            os.replace(source, target)
            return
        except PermissionError as error:
            if not WINDOWS:
                raise
            if attempt == REPLACE_RETRIES - 1:
                raise OSError(
                    error.errno,
                    "the file is open in another program (close it there and save again)",
                ) from error
            time.sleep(0.05 * (attempt + 1))


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (the rename) to disk; a no-op where folders cannot be opened
    (Windows), and where the file system refuses to fsync a folder (EINVAL: some network
    and FUSE file systems, macOS exFAT)."""
    if WINDOWS or os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def write_atomic(
    target: Path,
    data: bytes | memoryview,
    mode: int = PRIVATE_FILE,
    ready: Callable[[], None] | None = None,
) -> None:
    """Replace ``target`` with ``data`` atomically and durably.

    Parameters
    ----------
    target : Path
        The file to create or replace; its folder must exist.
    data : bytes
        The whole new content.
    mode : int
        Permission bits of the new file (private by default; read-only for signed records).
    ready : callable, optional
        Called once the temporary file is on disk, right before the rename; whatever must
        be durable before the new file takes the target's place (the audit log's intent
        entry) is waited for here. If it raises, nothing is renamed.

    Raises
    ------
    StoreWriteError
        With a one-line reason. Before the rename the previous file is untouched and the
        temporary file is removed. If only the final folder fsync fails, the new file is
        already in place: the error has ``replaced=True``.
    """
    temp = temp_path_for(target)
    what = target.name
    try:
        fd = open_temp(temp, mode)
    except OSError as error:
        raise write_error(error, what) from error
    try:
        try:
            write_all(fd, data)
            fsync_file(fd)
        finally:
            os.close(fd)
        if ready is not None:
            ready()
        replace_file(temp, target)
    except OSError as error:
        _remove_quietly(temp)
        raise write_error(error, what) from error
    except BaseException:
        _remove_quietly(temp)
        raise
    try:
        fsync_folder(target.parent)
    except OSError as error:
        raise write_error(error, what, replaced=True) from error


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return False  # os.kill would terminate the process on Windows: never probe there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, but belongs to someone else
    return True


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete temporary files left by crashed saves in ``folder`` (not recursive).

    Only names matching :data:`TEMP_PATTERN` whose writing process is gone are removed.
    Returns the paths removed.
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = TEMP_PATTERN.match(entry.name)
        if not match or not entry.is_file(follow_symlinks=False):
            continue
        if _process_alive(int(match.group(1))):
            continue
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


def ensure_folder(folder: Path) -> None:
    """Create ``folder`` and any missing folders above it, each private (0700).

    ``mkdir(parents=True)`` would create the missing parents with the default mode (0755
    under the usual umask): each missing level is created here, then set to 0700 whatever
    the umask.
    """
    folder = Path(folder)
    missing = []
    for level in (folder, *folder.parents):
        if level.is_dir():
            break
        missing.append(level)
    try:
        for level in reversed(missing):
            try:
                level.mkdir(mode=PRIVATE_FOLDER)
            except FileExistsError:
                if not level.is_dir():
                    raise
                continue
            with contextlib.suppress(OSError):
                os.chmod(level, PRIVATE_FOLDER)
    except OSError as error:
        raise write_error(error, f"the folder {folder}") from error


__all__ = [
    "StoreWriteError",
    "TEMP_PATTERN",
    "ensure_folder",
    "remove_stale_temps",
    "temp_path_for",
    "write_atomic",
]
