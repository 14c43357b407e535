"""Default names of exported files: opaque ids and a date, never a client's name.

A file name outlives the record (it shows in folder listings, recent-file lists, backups),
so it carries only what the store's own files carry. The name inside a report is shown on
purpose; the name on the file is not.
"""

from __future__ import annotations

from datetime import datetime

from bodymap.core.session import Session

SHORT_ID = 10
"""Characters of a session id kept in a file name (``s-`` and 8 hex digits)."""


def session_stem(session: Session) -> str:
    """E.g. ``c-1a2b3c4d5e6f_2026-03-04_s-0123abcd``."""
    return f"{session.client_id}_{local_date(session.started)}_{session.id[:SHORT_ID]}"


def session_filename(session: Session, kind: str, suffix: str) -> str:
    """E.g. ``session_filename(s, "report", "pdf")`` -> ``c-…_2026-03-04_s-…_report.pdf``."""
    return f"{session_stem(session)}_{kind}.{suffix}"


def client_filename(client_id: str, when: datetime, kind: str, suffix: str) -> str:
    """E.g. ``c-1a2b3c4d5e6f_2026-03-04_record.json`` (``when``: the day of the export)."""
    return f"{client_id}_{local_date(when)}_{kind}.{suffix}"


def compare_filename(before: Session, after: Session, suffix: str = "pdf") -> str:
    """E.g. ``c-…_2026-03-04_to_2026-04-01_compare.pdf``."""
    return (
        f"{after.client_id}_{local_date(before.started)}_to_{local_date(after.started)}"
        f"_compare.{suffix}"
    )


def local_date(time: datetime) -> str:
    """The date in this machine's time zone, ``YYYY-MM-DD``."""
    return time.astimezone().strftime("%Y-%m-%d")


def local_time(time: datetime | None) -> str:
    """``YYYY-MM-DD HH:MM`` in this machine's time zone with its UTC offset; ``""`` for none."""
    if time is None:
        return ""
    local = time.astimezone()
    offset = local.strftime("%z")
    return local.strftime("%Y-%m-%d %H:%M") + f" (UTC{offset[:3]}:{offset[3:]})"
