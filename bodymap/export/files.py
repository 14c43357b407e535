"""Writing export files whole or not at all, private to the user, and logged before they land.

Every export goes to a temporary file beside its target (named like the store's own
temporary files, ``.<name>.<pid>.<hex>.bmtmp``), is flushed and ``fsync``-ed, and only then
renamed over the target. An error or a cancellation at any step removes the temporary files
and any target this call already put in place: no partial export is ever left behind.

``before_commit`` runs after the bytes are safely on disk and before the rename: the audit
log entry is written there, so an export that could not be logged never appears.
Files are created ``0600``: exports hold health information.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bodymap.export.errors import ExportError
from bodymap.store.atomic import (
    PRIVATE_FILE,
    fsync_folder,
    open_temp,
    temp_path_for,
    write_all,
)


@dataclass(frozen=True)
class Output:
    """One file to write: where, and its whole content."""

    target: Path
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def write_outputs(
    outputs: list[Output], before_commit: Callable[[list[Output]], None] | None = None
) -> list[Path]:
    """Write every output, or none of them.

    Parameters
    ----------
    outputs : list of Output
        Their folders must exist.
    before_commit : callable, optional
        Called with ``outputs`` once every temporary file is written, before any rename; an
        exception from it aborts the export (nothing lands).

    Returns
    -------
    The target paths, in order.
    """
    temps: list[Path] = []
    placed: list[Path] = []
    try:
        for output in outputs:
            temps.append(_write_temp(output.target, output.data))
        if before_commit is not None:
            before_commit(outputs)
        for output, temp in zip(outputs, temps, strict=True):
            _replace(temp, output.target)
            placed.append(output.target)
        for folder in {o.target.parent for o in outputs}:
            with contextlib.suppress(OSError):
                fsync_folder(folder)
    except BaseException:
        for path in temps + placed:
            _remove_quietly(path)
        raise
    return [o.target for o in outputs]


class StreamingOutput:
    """A temporary file being written, with the SHA-256 of what went into it."""

    def __init__(self, target: Path, fd: int, temp: Path) -> None:
        self.target = target
        self.temp = temp
        self._fd = fd
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        try:
            write_all(self._fd, data)
        except OSError as error:
            raise _export_error(error, self.target) from error
        self._hash.update(data)
        self.size += len(data)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


@contextlib.contextmanager
def streaming_output(
    target: Path, before_commit: Callable[[StreamingOutput], None] | None = None
) -> Iterator[StreamingOutput]:
    """Write ``target`` piece by piece; it appears only if the ``with`` block completes.

    An exception in the block (``ExportCancelled`` included) removes the temporary file.
    """
    temp = temp_path_for(target)
    try:
        fd = open_temp(temp, PRIVATE_FILE)
    except OSError as error:
        raise _export_error(error, target) from error
    stream = StreamingOutput(target, fd, temp)
    try:
        try:
            yield stream
            os.fsync(fd)
        finally:
            os.close(fd)
        if before_commit is not None:
            before_commit(stream)
        _replace(temp, target)
    except OSError as error:
        _remove_quietly(temp)
        raise _export_error(error, target) from error
    except BaseException:
        _remove_quietly(temp)
        raise
    with contextlib.suppress(OSError):
        fsync_folder(target.parent)


def check_folder(folder: Path, create: bool = False) -> Path:
    """``folder``, which must exist (or is created, private, when ``create``)."""
    folder = Path(folder)
    if create:
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise _export_error(error, folder) from error
    if not folder.is_dir():
        raise ExportError(f"no folder {folder}")
    return folder


def _write_temp(target: Path, data: bytes) -> Path:
    if not target.parent.is_dir():
        raise ExportError(f"cannot write {target}: no folder {target.parent}")
    temp = temp_path_for(target)
    try:
        fd = open_temp(temp, PRIVATE_FILE)
    except OSError as error:
        raise _export_error(error, target) from error
    try:
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        _remove_quietly(temp)
        raise _export_error(error, target) from error
    except BaseException:
        _remove_quietly(temp)
        raise
    return temp


def _replace(temp: Path, target: Path) -> None:
    try:
        os.replace(temp, target)
    except OSError as error:
        raise _export_error(error, target) from error


def _export_error(error: OSError, target: Path) -> ExportError:
    reason = error.strerror or str(error) or type(error).__name__
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return ExportError(f"the disk is full: could not write {target} ({reason})")
    return ExportError(f"could not write {target} ({reason})")


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
