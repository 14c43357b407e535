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
``fsync``.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bodymap.store.atomic import PRIVATE_FILE, write_all
from bodymap.store.errors import write_error

ACTIONS = ("open", "create", "save", "finalise", "amend", "export", "delete")
GENESIS = "0" * 64
ID_VALUE = re.compile(r"^[A-Za-z0-9_.:+-]{0,128}$")
ID_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RESERVED = {"seq", "time", "user", "action", "client_id", "session_id", "prev", "hash"}
TAIL_BYTES = 65_536

try:  # POSIX only; on Windows the store's lock serialises appends within one process
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None


@dataclass(frozen=True)
class AuditProblem:
    """Something wrong with the log at a 1-based ``line``."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def canonical(entry: dict) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def entry_hash(entry: dict) -> str:
    body = {key: value for key, value in entry.items() if key != "hash"}
    return hashlib.sha256(canonical(body).encode("ascii")).hexdigest()


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
    """The audit log file at ``path`` (created on the first append)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def append(
        self,
        action: str,
        client_id: str | None = None,
        session_id: str | None = None,
        **ids: str | None,
    ) -> dict:
        """Append one entry and return it.

        Parameters
        ----------
        action : str
            One of :data:`ACTIONS`.
        client_id, session_id : str, optional
            Opaque ids; ``""`` when not about a client or a session.
        **ids
            Further opaque ids (``sha256=...``, ``amendment_id=...``): letters, digits and
            ``_.:+-`` only, so that no name or note text can slip into the log.
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}; expected one of {ACTIONS}")
        main = {"client_id": client_id or "", "session_id": session_id or ""}
        fields = _checked_ids(main, reserved=True)
        fields |= _checked_ids(ids)
        try:
            return self._append(action, fields)
        except OSError as error:
            raise write_error(error, "the audit log") from error

    def _append(self, action: str, fields: dict) -> dict:
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
        fd = os.open(self.path, flags, PRIVATE_FILE)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            prev, seq, needs_newline = self._tail(fd)
            entry = {
                "seq": seq,
                "time": datetime.now(UTC).isoformat(timespec="microseconds"),
                "user": os_user(),
                "action": action,
                **fields,
                "prev": prev,
            }
            entry["hash"] = entry_hash(entry)
            line = ("\n" if needs_newline else "") + canonical(entry) + "\n"
            write_all(fd, line.encode("ascii"))
            os.fsync(fd)
            return entry
        finally:
            os.close(fd)  # closing releases the flock

    def _tail(self, fd: int) -> tuple[str, int, bool]:
        """(hash of the last entry, next seq, whether the file lacks a final newline)."""
        size = os.fstat(fd).st_size
        if size == 0:
            return GENESIS, 0, False
        start = max(0, size - TAIL_BYTES)
        os.lseek(fd, start, os.SEEK_SET)
        tail = os.read(fd, size - start)
        needs_newline = not tail.endswith(b"\n")
        lines = tail.rstrip(b"\n").split(b"\n")
        last = lines[-1]
        parsed = _parse(last)
        if parsed is not None and isinstance(parsed.get("seq"), int):
            return str(parsed.get("hash", "")), parsed["seq"] + 1, needs_newline
        # A damaged last line: chain to its raw bytes and count lines for the position.
        count = self._count_lines()
        return hashlib.sha256(last).hexdigest(), count, needs_newline

    def _count_lines(self) -> int:
        with open(self.path, "rb") as stream:
            return sum(1 for line in stream if line.strip())

    def read_lines(self) -> list[bytes]:
        """The raw lines (empty when there is no log yet)."""
        try:
            data = self.path.read_bytes()
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
        for number, raw in enumerate(self.read_lines(), start=1):
            entry = _parse(raw)
            if entry is None:
                problems.append(AuditProblem(number, "not a valid entry (damaged or edited)"))
                expected_prev, expected_seq = hashlib.sha256(raw).hexdigest(), expected_seq + 1
                continue
            problems += _check_entry(number, raw, entry, expected_prev, expected_seq)
            expected_prev = str(entry.get("hash"))
            seq = entry.get("seq")
            expected_seq = (seq if isinstance(seq, int) else expected_seq) + 1
        return problems

    def last_hash(self) -> str:
        entries = self.entries()
        return str(entries[-1].get("hash", "")) if entries else GENESIS


def _check_entry(number: int, raw: bytes, entry: dict, prev: str, seq: int) -> list:
    problems = []
    if entry.get("hash") != entry_hash(entry) or raw != canonical(entry).encode("ascii"):
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
