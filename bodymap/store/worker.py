"""One background thread for all store I/O, so the GUI thread never waits on the disk.

libhdf5 is not thread-safe: h5py serialises every call behind one global lock, so two
threads doing HDF5 work only queue behind each other. The app therefore sends *all* store
I/O through one :class:`StoreWorker` (a ``ThreadPoolExecutor`` with one thread) and never
calls the store from the GUI thread while the worker runs; the store's own lock is only a
safety net. Do not fork while a store call is in progress. Qt-free: a Qt app turns the
returned ``Future`` into a signal with ``future.add_done_callback``.

Saves and drafts take a snapshot of the session on the calling thread first (copies of the
layers and of the record lists: about 2 ms at 1M vertices), so painting can go on while the
worker writes. Autosave drafts of one session coalesce: a draft still waiting in the queue
is replaced by the newer one rather than written twice.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from bodymap.core.session import Session, SoapNotes
from bodymap.store.store import Store


def snapshot(session: Session) -> Session:
    """A copy of ``session`` that later edits of the original cannot reach.

    Layers are copied; lists and dicts are copied shallowly (their items are frozen).
    """
    return dataclasses.replace(
        session,
        tags=session.tags.copy(),
        overlays=session.overlays.copy(),
        pins=dict(session.pins),
        vectors=dict(session.vectors),
        events=list(session.events),
        notes=SoapNotes(**session.notes.to_dict()),
        rhythm=list(session.rhythm),
        strokes=list(session.strokes),
    )


class _PendingDraft:
    def __init__(self, session: Session, thumbnail: bytes | None) -> None:
        self.session = session
        self.thumbnail = thumbnail


class StoreWorker:
    """Runs store calls on one background thread and returns ``Future`` objects.

    Parameters
    ----------
    store : Store
        The store every call goes to. From now on, use it only through this worker.

    Examples
    --------
    >>> worker = StoreWorker(store)                       # doctest: +SKIP
    >>> future = worker.save(session)                     # doctest: +SKIP
    >>> future.add_done_callback(on_saved)                # doctest: +SKIP
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bodymap-store")
        self._lock = threading.Lock()
        self._queued: dict[str, tuple[_PendingDraft, Future]] = {}

    def submit(self, call: Callable, *args, **kwargs) -> Future:
        """Run ``call(*args, **kwargs)`` on the worker (e.g. ``worker.submit(store.sessions,
        client_id)``); the ``Future`` holds its result or its exception."""
        return self._executor.submit(call, *args, **kwargs)

    def save(self, session: Session, thumbnail: bytes | None = None) -> Future:
        """Save a snapshot of ``session``; ``Future`` of the file's path."""
        self._close_draft_slot(session.id)
        return self.submit(self.store.save, snapshot(session), thumbnail)

    def finalise(self, session: Session, thumbnail: bytes | None = None) -> Future:
        """Finalise a snapshot of ``session``; ``Future`` of the signed snapshot.

        The original is not changed: on success, set its ``finalised_at`` from the result
        on the GUI thread.
        """
        self._close_draft_slot(session.id)
        return self.submit(self.store.finalise, snapshot(session), thumbnail)

    def save_draft(self, session: Session, thumbnail: bytes | None = None) -> Future:
        """Autosave a snapshot of ``session`` as a draft; ``Future`` of the draft's path.

        If a draft of the same session is still waiting, it is replaced by this one and
        the same ``Future`` is returned.
        """
        copy = snapshot(session)
        with self._lock:
            queued = self._queued.get(session.id)
            if queued is not None:
                queued[0].session, queued[0].thumbnail = copy, thumbnail
                return queued[1]
            pending = _PendingDraft(copy, thumbnail)
            future = self._executor.submit(self._write_draft, session.id, pending)
            self._queued[session.id] = (pending, future)
            return future

    def _close_draft_slot(self, session_id: str) -> None:
        """A draft queued before a save keeps its snapshot; later drafts queue after the save."""
        with self._lock:
            self._queued.pop(session_id, None)

    def _write_draft(self, session_id: str, pending: _PendingDraft) -> Path:
        with self._lock:
            if self._queued.get(session_id, (None,))[0] is pending:
                del self._queued[session_id]
            session, thumbnail = pending.session, pending.thumbnail
        return self.store.save_draft(session, thumbnail)

    def close(self, wait: bool = True) -> None:
        """Finish (``wait``) or drop the queued calls and stop the thread."""
        self._executor.shutdown(wait=wait, cancel_futures=not wait)

    def __enter__(self) -> StoreWorker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
