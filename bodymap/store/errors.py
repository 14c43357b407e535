"""What can go wrong in the store, each with a one-line message fit to show a person."""

from __future__ import annotations

import errno
from pathlib import Path

from bodymap.core.session import SessionFinalisedError


class StoreError(Exception):
    """Base of every store failure; ``str(error)`` is one line for the user."""


class NotFoundError(StoreError, LookupError):
    """No client, session, draft or mesh with that id in the store."""


class SessionReadError(StoreError):
    """A session (or draft, mesh, client) file cannot be read: corrupt, truncated, foreign,
    or written by a newer BodyMap. It is never overwritten."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


class MeshMismatchError(StoreError):
    """The session was recorded on another body mesh than the one it is opened against."""


class TargetUnreadableError(StoreError):
    """Saving would replace a file that exists but cannot be read: refused, never replaced."""


class FinalisedError(StoreError, SessionFinalisedError):
    """A save, draft or delete was attempted on a finalised (signed) session.

    Also a :class:`bodymap.core.session.SessionFinalisedError`, so code that already
    catches the core error catches this one.
    """


class ConflictError(StoreError):
    """The record changed (or went) since this window read it: saving would undo another
    window's or process's work, so the save is refused and the work stays in memory."""


class StoreLockedError(StoreError):
    """The store is protected by a passphrase and was opened without its keys."""


class StoreBusyError(StoreError):
    """Another BodyMap process kept the store's write lock for too long."""


class NotFinalisedError(StoreError):
    """An amendment was asked for on a session that is not finalised: edit it instead."""


class StoreWriteError(StoreError):
    """A write failed; the previous file is intact unless ``replaced`` is true.

    Attributes
    ----------
    errno : int or None
        The operating system's error number.
    replaced : bool
        True when the new file was already in place and only flushing its folder failed.
    """

    def __init__(self, message: str, errno_: int | None = None, replaced: bool = False) -> None:
        super().__init__(message)
        self.errno = errno_
        self.replaced = replaced


class DiskFullError(StoreWriteError):
    """No space left on the device (ENOSPC) or over quota (EDQUOT)."""


class ReadOnlyStoreError(StoreWriteError):
    """The store folder is read-only or not writable by this user (EROFS, EACCES, EPERM)."""


_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


def write_error(error: OSError, what: str, replaced: bool = False) -> StoreWriteError:
    """The :class:`StoreWriteError` subclass that says in one line why ``what`` failed."""
    code = error.errno
    reason = error.strerror or str(error) or type(error).__name__
    if replaced:
        return StoreWriteError(
            f"{what} was written but its folder could not be flushed to disk ({reason}); "
            "save again to be sure",
            code,
            replaced=True,
        )
    if code in _FULL:
        return DiskFullError(f"the disk is full: could not save {what} ({reason})", code)
    if code in _READ_ONLY:
        return ReadOnlyStoreError(
            f"the store folder is read-only or not writable: could not save {what} ({reason})",
            code,
        )
    return StoreWriteError(f"could not save {what} ({reason})", code)
