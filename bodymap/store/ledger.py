"""What the audit log vouches for: every record that must exist, with its last content.

The log is replayed in order. An entry without a ``txn`` (written by BodyMap 0.1) takes
effect at once; an entry with ``phase=intent`` takes effect when a ``commit`` names its
``txn`` and never when a ``rollback`` does; an intent with neither is *pending* (a change
interrupted by a kill, resolved when the store next opens: :mod:`bodymap.store.journal`).

``bodymap verify`` compares the store with the ledger: a record the log vouches for that
is missing, a record whose content is not the last content logged (a rollback to an old
copy, or an edit from outside BodyMap), and a record the log never heard of.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Recorded:
    """One record as the log last left it."""

    client_id: str
    session_id: str = ""
    sha256: str | None = None
    finalised_sha256: str | None = None
    deleted: bool = False


@dataclass
class Ledger:
    """Sessions, clients and amendments by id, and the changes still pending by ``txn``."""

    sessions: dict[str, Recorded] = field(default_factory=dict)
    clients: dict[str, Recorded] = field(default_factory=dict)
    amendments: dict[str, Recorded] = field(default_factory=dict)
    pending: dict[str, list[dict]] = field(default_factory=dict)
    """The intents of each unfinished change (an erasure has one per session, then one
    for the client), by ``txn``."""

    def apply(self, entry: dict) -> None:
        """Let one effective entry (a plain one, or a committed intent) take effect."""
        action = entry.get("action")
        client_id = str(entry.get("client_id") or "")
        session_id = str(entry.get("session_id") or "")
        sha = entry.get("sha256")
        sha = str(sha) if sha else None
        if action in ("create", "save", "finalise"):
            if session_id:
                record = self.sessions.setdefault(session_id, Recorded(client_id, session_id))
                record.client_id, record.sha256, record.deleted = client_id, sha, False
                if action == "finalise":
                    record.finalised_sha256 = sha
            elif client_id:
                record = self.clients.setdefault(client_id, Recorded(client_id))
                record.deleted = False
                record.sha256 = sha
        elif action == "amend" and entry.get("amendment_id"):
            amendment = Recorded(client_id, session_id, sha)
            self.amendments[str(entry["amendment_id"])] = amendment
        elif action == "delete":
            self._delete(client_id, session_id)

    def _delete(self, client_id: str, session_id: str) -> None:
        if session_id:
            gone = [r for sid, r in self.sessions.items() if sid == session_id]
        else:
            gone = [r for r in self.sessions.values() if r.client_id == client_id]
            if client_id in self.clients:
                self.clients[client_id].deleted = True
        for record in gone:
            record.deleted = True
        sessions = {r.session_id for r in gone} | ({session_id} if session_id else set())
        for amendment in self.amendments.values():
            if amendment.session_id in sessions or (
                not session_id and amendment.client_id == client_id
            ):
                amendment.deleted = True


def ledger_of(entries: list[dict]) -> Ledger:
    """Replay the log's entries (in order) into a :class:`Ledger`."""
    ledger = Ledger()
    for entry in entries:
        txn = entry.get("txn")
        action = entry.get("action")
        if action in ("commit", "rollback"):
            intents = ledger.pending.pop(str(txn), [])
            if action == "commit":
                for intent in intents:
                    ledger.apply(intent)
        elif txn and entry.get("phase") == "intent":
            ledger.pending.setdefault(str(txn), []).append(entry)
        else:
            ledger.apply(entry)
    return ledger
