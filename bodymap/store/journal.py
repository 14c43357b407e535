"""A record change and its audit entry succeed or fail as one.

Every change (a session saved, created or finalised, an amendment, a client created or
edited, a deletion) runs under the store's cross-process write lock in three steps:

1. the audit log takes the *intent*: the action, the ids, the SHA-256 of the new file, a
   fresh ``txn`` id and ``phase=intent``;
2. the file is written (atomically) or removed;
3. ``commit`` (or, when the write failed, ``rollback``) naming the ``txn`` is appended.

The intent is on disk before the file changes: a session save appends it unflushed and
flushes it (:meth:`Journal.settle`, on a worker thread) while the temporary file is
written and flushed, and waits for that flush right before the rename. The commit is
written but not flushed: a kill keeps it (the kernel holds the line), and if a power cut
loses it, the intent and the file on disk prove the change, which the next open then
commits as below. A rollback is flushed: without it a deletion's intent would be finished.

A kill can fall between any two steps. When the store next opens, :func:`recover` looks
at every intent that has neither a commit nor a rollback: a write whose file holds the
intended SHA-256 happened and is committed; one whose file does not was never completed
(the old file is intact: writes are atomic) and is rolled back; a deletion is finished and
committed. Each of these is logged with ``by=recovery``, so ``bodymap verify`` is clean
again and nothing completed is lost.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from bodymap.store.errors import StoreError
from bodymap.store.ledger import ledger_of


@dataclass(frozen=True)
class Recovery:
    """What opening the store did about one interrupted change."""

    action: str
    client_id: str
    session_id: str
    outcome: str  # "completed" or "rolled back"

    def __str__(self) -> str:
        what = self.session_id or self.client_id
        return f"an interrupted {self.action} of {what} was {self.outcome}"


class Journal:
    """Begin, commit and roll back changes in an :class:`~bodymap.store.audit.AuditLog`."""

    def __init__(self, audit) -> None:
        self.audit = audit

    def begin(
        self,
        action: str,
        client_id: str,
        session_id: str | None,
        txn: str = "",
        durable: bool = True,
        **ids,
    ) -> str:
        """Log the intent of a change; its ``txn`` id (a write error if the log is full).

        Pass the ``txn`` of a change already begun to add a further intent to it (an
        erasure logs each session it removes); one commit then confirms them all. With
        ``durable=False`` the intent is only written: call :meth:`settle` before the change
        touches a file.
        """
        txn = txn or secrets.token_hex(8)
        self.audit.append(
            action, client_id, session_id, durable=durable, txn=txn, phase="intent", **ids
        )
        return txn

    def settle(self) -> None:
        """Put the intents begun with ``durable=False`` on disk (a write error if not)."""
        self.audit.flush()

    def commit(self, txn: str, **ids) -> None:
        """Confirm a change, unflushed (see the module docs). If this append fails the
        change stands anyway (the intent and the file prove it) and the next open of the
        store logs the commit."""
        with contextlib.suppress(StoreError):
            self.audit.append("commit", None, None, durable=False, txn=txn, **ids)

    def rollback(self, txn: str, **ids) -> None:
        """Record that a change did not happen (best effort, like :meth:`commit`)."""
        with contextlib.suppress(StoreError):
            self.audit.append("rollback", None, None, txn=txn, **ids)


def recover(store) -> list[Recovery]:
    """Resolve every pending change of ``store`` (call under its write lock)."""
    done = []
    for txn, intents in ledger_of(store.audit.entries()).pending.items():
        intent = intents[0]
        action = str(intent.get("action"))
        client_id = str(intent.get("client_id") or "")
        session_id = str(intent.get("session_id") or "")
        if action == "delete":  # a deletion the user confirmed: finish all of it
            for each in intents:
                store._remove_records(str(each.get("client_id")), str(each.get("session_id")))
            happened = True
        else:
            target = _target(store, intent)
            expected = intent.get("sha256")
            happened = target is not None and expected and store.backend.sha256(target) == expected
        entry = "commit" if happened else "rollback"
        store.audit.append(entry, None, None, txn=txn, by="recovery")
        outcome = "completed" if happened else "rolled back"
        done.append(Recovery(action, client_id, session_id, outcome))
    return done


def _target(store, intent: dict) -> Path | None:
    """The file an intent meant to write."""
    layout = store.layout
    client_id = str(intent.get("client_id") or "")
    session_id = str(intent.get("session_id") or "")
    try:
        if intent.get("action") == "amend":
            folder = layout.amendment_folder(client_id, session_id)
            wanted = str(intent.get("amendment_id"))
            found = [p for p in layout.amendment_files(folder) if p.stem.endswith(wanted)]
            return found[0] if found else None
        if session_id:
            return layout.session_file(client_id, session_id)
        return layout.client_file(client_id)
    except StoreError:
        return None
