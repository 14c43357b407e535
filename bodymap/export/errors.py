"""What can go wrong in an export, as one-line messages."""

from __future__ import annotations


class ExportError(Exception):
    """An export could not be made; the message is one line, fit for a person."""


class ExportCancelled(ExportError):
    """The person cancelled a long export; nothing was written."""

    def __init__(self, message: str = "export cancelled: nothing was written") -> None:
        super().__init__(message)


class RecordFormatError(ExportError):
    """A file given to re-import is not a BodyMap export, is damaged, or is from a newer one."""
