"""Export a client's whole record (client, every session, amendments) as one JSON file.

A long history takes a while, so the exporter reports progress and can be cancelled:
``progress(done, total, label)`` is called before each session and once at the end;
returning ``False`` stops the export cleanly: the temporary file is removed, nothing
appears at the target, nothing is logged, and :class:`ExportCancelled` is raised.

Qt-free: the app runs it on the store worker and drives a ``QProgressDialog`` from the
callback (:mod:`bodymap.ui.export_actions`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bodymap.export.errors import ExportCancelled, ExportError
from bodymap.export.files import StreamingOutput, streaming_output
from bodymap.export.naming import client_filename, local_date
from bodymap.export.record_json import CLIENT_KIND, dumps, envelope, session_entry
from bodymap.export.source import log_export
from bodymap.store.errors import SessionReadError, StoreError
from bodymap.store.store import Store

Progress = Callable[[int, int, str], bool]
"""``progress(done, total, label) -> keep going``."""


def default_client_filename(client_id: str) -> str:
    """``<client id>_<today>_record.json``: no name in the file name."""
    return client_filename(client_id, datetime.now(UTC), "record", "json")


def export_client_json(
    store: Store, client_id: str, target: Path, progress: Progress | None = None
) -> Path:
    """Write the client's whole record to ``target`` (atomically) and log the export.

    Sessions that cannot be read are listed under ``unreadable_sessions`` with the reason,
    never silently left out. Drafts are not exported (they are not records yet).

    Raises
    ------
    ExportCancelled
        ``progress`` returned ``False``: nothing was written.
    ExportError
        The file could not be written or the export could not be logged.
    """
    target = Path(target)
    client = store.client(client_id)
    infos = store.sessions(client_id)
    total = len(infos)
    exported: list[str] = []
    unreadable: list[dict] = []

    def commit(stream: StreamingOutput) -> None:
        log_export(store, client_id, None, "client-json", stream.sha256)
        for session_id in exported:
            log_export(store, client_id, session_id, "client-json")

    with streaming_output(target, before_commit=commit) as out:
        head = {**envelope(CLIENT_KIND), "client": client.to_dict()}
        out.write(dumps(head)[:-1].encode("utf-8") + b',"sessions":[\n')
        for index, info in enumerate(infos):
            when = local_date(info.started) if info.started else "undated"
            _ask(progress, index, total, f"Session {index + 1} of {total} ({when})")
            entry = _entry(store, info) if info.readable else info.reason or "cannot be read"
            if isinstance(entry, str):  # why it cannot be read: listed, never dropped
                unreadable.append({"id": info.id, "reason": entry})
                continue
            out.write((b",\n" if exported else b"") + dumps(entry).encode("utf-8"))
            exported.append(info.id)
        out.write(b'\n],"unreadable_sessions":' + dumps(unreadable).encode("utf-8") + b"}\n")
        _ask(progress, total, total, "Finishing")
    return target


def _entry(store: Store, info) -> dict | str:
    """The session's export entry, or why it cannot be read."""
    try:
        session = store.load(info.id)
        return session_entry(session, store.amendments(info.id), store.content_sha256(info.id))
    except SessionReadError as error:
        return error.reason
    except StoreError as error:
        return str(error)
    except OSError as error:
        raise ExportError(f"could not read session {info.id} ({error})") from error


def _ask(progress: Progress | None, done: int, total: int, label: str) -> None:
    if progress is not None and progress(done, total, label) is False:
        raise ExportCancelled()
