"""The audit log: an append-only, hash-chained record of who did what to which record.

One JSON object per line (``audit.jsonl`` in the store folder), written in canonical form
(sorted keys, no spaces, ASCII). Each entry holds::

    seq         0, 1, 2... its position in the log
    time        UTC, ISO 8601
    user        the operating-system user (getpass)
    action      open | create | save | finalise | amend | export | delete
    client_id   opaque ids only: never a client's name, never note text
    session_id
    sha256      (optional) SHA-256 of the file concerned
    ...         further opaque ids given by the caller
    prev        the ``hash`` of the entry before (64 zeros for the first)
    hash        SHA-256 of this entry's canonical JSON without ``hash``

A changed line no longer matches its own ``hash``; a removed, inserted or reordered line
breaks ``seq`` or ``prev``. Whoever can rewrite the whole file can forge a consistent
chain: keep a copy of the last hash (``bodymap verify`` prints it) somewhere else to
detect that too. Appends are one ``write`` each, under an exclusive ``flock`` (POSIX), then
``fsync`` (a change's intent is flushed by :meth:`AuditLog.flush` while its file is written,
and its commit is not flushed at all: see :mod:`bodymap.store.journal`); a failed append
is truncated away, so a line is whole or absent, and a partial last line found later (a
kill mid-write) is cut off and logged as a ``repair`` entry.

A record change is logged in two steps (see :mod:`bodymap.store.journal`): an entry with
``phase=intent`` and a ``txn`` id before the file is written, then ``commit`` (or
``rollback``) naming the same ``txn``.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bodymap.store.errors import write_error

ACTIONS = (
    "open",
    "create",
    "save",
    "finalise",
    "amend",
    "export",
    "delete",
    "commit",
    "rollback",
    "repair",
    "protect",
    "unprotect",
    "backup",
    "restore",
)
"""``commit`` and ``rollback`` close a change begun with ``phase=intent`` (see journal)."""
GENESIS = "0" * 64
ID_VALUE = re.compile(r"^[A-Za-z0-9_.:+-]{0,128}$")
ID_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RESERVED = {"seq", "time", "user", "action", "client_id", "session_id", "prev", "hash"}
TAIL_BYTES = 65_536


@dataclass(frozen=True)
class AuditProblem:
    """Something wrong with the log at a 1-based ``line``."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def canonical(entry: dict) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def entry_hash(entry: dict, key: bytes | None = None) -> str:
    """SHA-256 of the entry without ``hash``; an HMAC-SHA256 under ``key`` (a protected
    store), so that a rewritten log cannot be given a chain that verifies."""
    body = canonical({k: v for k, v in entry.items() if k != "hash"}).encode("ascii")
    if key is None:
        return hashlib.sha256(body).hexdigest()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _checked_ids(ids: dict, reserved: bool = False) -> dict:
    clean = {}
    for key, value in ids.items():
        if value is None:
            continue
        if not ID_KEY.match(key) or (key in RESERVED and not reserved):
            raise ValueError(f"audit field name {key!r} is not allowed")
        if not isinstance(value, str) or not ID_VALUE.match(value):
            raise ValueError(f"audit field {key!r} must be an opaque id, not free text")
        clean[key] = value
    return clean


class AuditLog:
    """The audit log file at ``path`` (created on the first append).

    Parameters
    ----------
    path : Path
    backend : LocalFolder, optional
        The store's file-access seam (a local folder by default).
    """

    def __init__(self, path: Path, backend=None, key: bytes | None = None) -> None:
        from bodymap.store.backend import LocalFolder

        self.path = Path(path)
        self.backend = backend or LocalFolder(self.path.parent)
        self.key = key
        """The HMAC key of a protected store's chain; ``None``: a plain SHA-256 chain."""

    def append(
        self,
        action: str,
        client_id: str | None = None,
        session_id: str | None = None,
        *,
        durable: bool = True,
        **ids: str | None,
    ) -> dict:
        """Append one entry, whole or not at all, and return it.

        Parameters
        ----------
        action : str
            One of :data:`ACTIONS`.
        client_id, session_id : str, optional
            Opaque ids; ``""`` when not about a client or a session.
        durable : bool
            On disk on return (the default); ``False``: written, so a kill keeps it, but a
            power cut may lose it until :meth:`flush` or the next durable append.
        **ids
            Further opaque ids (``sha256=...``, ``amendment_id=...``): letters, digits and
            ``_.:+-`` only, so that no name or note text can slip into the log.
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}; expected one of {ACTIONS}")
        main = {"client_id": client_id or "", "session_id": session_id or ""}
        fields = _checked_ids(main, reserved=True)
        fields |= _checked_ids(ids)
        written: list[dict] = []

        def build(tail: bytes, cut: bytes) -> bytes:
            written.clear()
            prev, seq = self._chain_end(tail)
            if cut:  # a line cut short by a kill or a full disk: say so in the log
                written.append(self._entry(prev, seq, "repair", _repair_fields(cut)))
                prev, seq = written[-1]["hash"], seq + 1
            written.append(self._entry(prev, seq, action, fields))
            return "".join(canonical(e) + "\n" for e in written).encode("ascii")

        try:
            self.backend.append(self.path, build, TAIL_BYTES, sync=durable)
        except OSError as error:
            raise write_error(error, "the audit log") from error
        return written[-1]

    def flush(self) -> None:
        """Put every entry appended with ``durable=False`` on disk (a write error if not)."""
        try:
            self.backend.sync(self.path)
        except OSError as error:
            raise write_error(error, "the audit log") from error

    def repair(self) -> int:
        """Cut off a partial last line (an append cut short) and log that; bytes removed."""

        def build(tail: bytes, cut: bytes) -> bytes:
            if not cut:
                return b""
            prev, seq = self._chain_end(tail)
            entry = self._entry(prev, seq, "repair", _repair_fields(cut))
            return (canonical(entry) + "\n").encode("ascii")

        if not self.path.exists():
            return 0
        try:
            return len(self.backend.append(self.path, build, TAIL_BYTES))
        except OSError as error:
            raise write_error(error, "the audit log") from error

    def _entry(self, prev: str, seq: int, action: str, fields: dict) -> dict:
        entry = {
            "seq": seq,
            "time": datetime.now(UTC).isoformat(timespec="microseconds"),
            "user": os_user(),
            "action": action,
            "client_id": "",
            "session_id": "",
            **fields,
            "prev": prev,
        }
        entry["hash"] = entry_hash(entry, self.key)
        return entry

    def _chain_end(self, tail: bytes) -> tuple[str, int]:
        """(hash of the last entry, next seq) from the log's whole last lines."""
        if not tail.strip():
            return GENESIS, 0
        last = tail.rstrip(b"\n").rsplit(b"\n", 1)[-1]  # only the last line is parsed
        parsed = _parse(last)
        if parsed is not None and isinstance(parsed.get("seq"), int):
            return str(parsed.get("hash", "")), parsed["seq"] + 1
        # A damaged last line: chain to its raw bytes and count lines for the position.
        return hashlib.sha256(last).hexdigest(), len(self.read_lines())

    def read_lines(self) -> list[bytes]:
        """The raw lines (empty when there is no log yet)."""
        try:
            data = self.backend.read_plain(self.path)
        except FileNotFoundError:
            return []
        return data.rstrip(b"\n").split(b"\n") if data else []

    def entries(self) -> list[dict]:
        """Every entry that parses, in file order (use :meth:`verify` to trust them)."""
        parsed = (_parse(line) for line in self.read_lines())
        return [entry for entry in parsed if entry is not None]

    def verify(self) -> list[AuditProblem]:
        """Every problem found walking the chain; empty when the log is intact."""
        problems: list[AuditProblem] = []
        expected_prev, expected_seq = GENESIS, 0
        lines = self.read_lines()
        for number, raw in enumerate(lines, start=1):
            entry = _parse(raw)
            if entry is None:
                problems.append(AuditProblem(number, "not a valid entry (damaged or edited)"))
                expected_prev, expected_seq = hashlib.sha256(raw).hexdigest(), expected_seq + 1
                continue
            problems += _check_entry(number, raw, entry, expected_prev, expected_seq, self.key)
            expected_prev = str(entry.get("hash"))
            seq = entry.get("seq")
            expected_seq = (seq if isinstance(seq, int) else expected_seq) + 1
        if lines and not self._ends_with_newline():
            problems.append(AuditProblem(len(lines), "the last line was cut short"))
        return problems

    def _ends_with_newline(self) -> bool:
        try:
            return self.backend.read_plain(self.path).endswith(b"\n")
        except OSError:
            return True

    def rekeyed_lines(self, key: bytes | None) -> bytes:
        """The whole log re-chained under ``key`` (protecting or unprotecting a store): the
        same entries in the same order, each ``prev`` and ``hash`` computed anew."""
        out, prev = [], GENESIS
        for entry in self.entries():
            entry = {**entry, "prev": prev}
            entry["hash"] = entry_hash(entry, key)
            prev = entry["hash"]
            out.append(canonical(entry) + "\n")
        return "".join(out).encode("ascii")

    def last_hash(self) -> str:
        entries = self.entries()
        return str(entries[-1].get("hash", "")) if entries else GENESIS


def _repair_fields(cut: bytes) -> dict:
    return {"removed_bytes": str(len(cut)), "removed_sha256": hashlib.sha256(cut).hexdigest()}


def _check_entry(
    number: int, raw: bytes, entry: dict, prev: str, seq: int, key: bytes | None
) -> list:
    problems = []
    if entry.get("hash") != entry_hash(entry, key) or raw != canonical(entry).encode("ascii"):
        problems.append(AuditProblem(number, "this entry was changed (its hash does not match)"))
    if entry.get("seq") != seq:
        problems.append(
            AuditProblem(
                number,
                f"out of sequence (seq {entry.get('seq')}, expected {seq}): "
                "a line was removed, inserted or moved here",
            )
        )
    elif entry.get("prev") != prev:
        problems.append(
            AuditProblem(number, "does not follow the line before: a line was changed or replaced")
        )
    if entry.get("action") not in ACTIONS:
        problems.append(AuditProblem(number, f"unknown action {entry.get('action')!r}"))
    return problems


def _parse(raw: bytes) -> dict | None:
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        value = json.loads(raw.decode("ascii"))
        if isinstance(value, dict):
            return value
    return None
