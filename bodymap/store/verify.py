"""``bodymap verify``: check every file of a store, and the audit chain.

What is checked, per file:

* sessions and drafts: the file opens; it is a BodyMap session of a schema this version
  reads; its ids match its place (file name, client folder, draft flag); the session
  decodes and every other dataset is read in full, so every chunk's fletcher32 checksum
  is checked, each dataset once; the content digest (SHA-256 over every dataset and
  attribute) matches; the index at the file's head, if it has one, is whole and agrees with
  what HDF5 reads (:mod:`bodymap.store.file_index`). A finalised
  session's file SHA-256 must equal the one the audit log recorded when it was finalised.
* amendments: parse, match their own SHA-256, belong to an existing finalised session
  whose file still has the SHA-256 they amend, and appear in the audit log.
* clients: parse, match their own SHA-256 (schema 2), and their id matches the file name.
  Meshes: open, content digest, and the geometry hash matches the file name.
* against the audit log (:mod:`bodymap.store.ledger`): every session, amendment and
  client the log vouches for exists unless the log records its deletion; each holds the
  content the log last recorded (not an older copy put back, nor an edit from outside);
  no session is there that the log never recorded or recorded as deleted.
* the audit log: the hash chain (changed, removed, inserted or reordered lines), a line
  cut short, and changes interrupted and not yet resolved.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from bodymap.store.amendments import MAX_AMENDMENT_BYTES, read_amendment
from bodymap.store.audit import AuditProblem
from bodymap.store.base import backend_read
from bodymap.store.clients import MAX_CLIENT_BYTES, read_client
from bodymap.store.errors import SessionReadError, StoreError
from bodymap.store.file_index import index_problem
from bodymap.store.hdf5_image import content_digest, file_items
from bodymap.store.info import check_identity
from bodymap.store.ledger import Ledger, ledger_of
from bodymap.store.limits import allowance, reading
from bodymap.store.mesh_store import read_mesh
from bodymap.store.session_file import (
    SessionHeader,
    decode_session,
    file_bytes,
    open_file,
    stored_digest,
)


@dataclass(frozen=True)
class FileCheck:
    """The outcome for one file: ``problem`` is ``None`` when it is fine."""

    path: str
    kind: str
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass
class VerifyReport:
    """Everything ``verify`` found in one store."""

    root: Path
    files: list[FileCheck] = field(default_factory=list)
    audit_problems: list[AuditProblem] = field(default_factory=list)
    audit_entries: int = 0
    audit_head: str = ""

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files) and not self.audit_problems

    @property
    def problems(self) -> list[str]:
        found = [f"{f.path}: {f.problem}" for f in self.files if not f.ok]
        return found + [f"audit.jsonl {p}" for p in self.audit_problems]

    def to_dict(self) -> dict:
        return {
            "store": str(self.root),
            "ok": self.ok,
            "files": [
                {"path": f.path, "kind": f.kind, "ok": f.ok, "problem": f.problem}
                for f in self.files
            ],
            "audit": {
                "ok": not self.audit_problems,
                "entries": self.audit_entries,
                "last_hash": self.audit_head,
                "problems": [{"line": p.line, "problem": p.message} for p in self.audit_problems],
            },
        }

    def lines(self) -> list[str]:
        """A plain report, one line per file, for people."""
        out = [_line(f) for f in self.files]
        if self.audit_problems:
            out += [f"FAIL  audit.jsonl {p}" for p in self.audit_problems]
        else:
            head = f"{self.audit_entries} entries, last hash {self.audit_head}"
            out.append(f"OK    audit.jsonl ({head})")
        bad = len(self.problems)
        out.append(
            f"{len(self.files) + 1} files checked: " + (f"{bad} problem(s)" if bad else "OK")
        )
        return out


def _line(check: FileCheck) -> str:
    return f"OK    {check.path}" if check.ok else f"FAIL  {check.path}: {check.problem}"


def check_session_file(path: Path, draft: bool = False, data: bytes | None = None) -> str | None:
    """Why a session (or draft) file fails a full check, or ``None`` when it passes.

    ``data``: the file's bytes through the store's seam (read from disk without it)."""
    return session_check(path, draft, data)[0]


def session_check(
    path: Path, draft: bool = False, data: bytes | None = None
) -> tuple[str | None, SessionHeader | None]:
    """:func:`check_session_file`'s answer, and the file's header when it could be read.

    One pass: the session is decoded (each layer chunk's fletcher32 checked), then every
    other dataset and every attribute is read for the content digest; what the decode
    read is not read again."""
    header = None
    try:
        with reading(path):
            data = file_bytes(path, data)
            with open_file(path, data) as h5:

                def identity(found: SessionHeader) -> None:
                    check_identity(found, path, path.parent.name, draft=draft)

                _, header, read = decode_session(h5, path, data, identity)
                limit = max(allowance(h5), header.n_vertices)
                with reading(path, "data"):
                    items = list(file_items(h5, limit, known=read))
                stored = stored_digest(h5)
                with reading(path, "index"):
                    index = index_problem(h5, data)
            if stored is None:
                return "no content digest attribute", header
            if content_digest(items) != stored:
                changed = "content changed: the content digest does not match"
                return f"{changed} (edited outside BodyMap?)", header
            if index is not None:
                return f"{index} (edited outside BodyMap?)", header
    except SessionReadError as error:
        return error.reason, header
    return None, header


def _session_problem(path: Path, ledger: Ledger, backend) -> str | None:
    try:
        data = backend_read(backend, path)
    except SessionReadError as error:
        return error.reason
    problem, header = session_check(path, data=data)
    if problem is not None:
        return problem
    is_final = header.finalised_at is not None
    record = ledger.sessions.get(path.stem)
    if record is None:
        return "not recorded in the audit log (placed here from outside BodyMap?)"
    if record.deleted:
        return "the audit log records it as deleted, yet it is here (restored from outside?)"
    sha = hashlib.sha256(data).hexdigest()
    if is_final:
        if record.finalised_sha256 is None:
            return "finalised, but the audit log has no finalise entry for it"
        if sha != record.finalised_sha256:
            return "changed since it was finalised (its SHA-256 differs from the audit log)"
    elif record.finalised_sha256 is not None:
        return "the audit log records it as finalised, but this file is not signed"
    if record.sha256 is not None and sha != record.sha256:
        return (
            "not the content the audit log last recorded (an older copy put back, or an "
            "edit from outside BodyMap)"
        )
    return None


def _draft_problem(path: Path, backend) -> str | None:
    try:
        return check_session_file(path, draft=True, data=backend_read(backend, path))
    except SessionReadError as error:
        return error.reason


def _amendment_problem(path: Path, root: Path, ledger: Ledger, backend) -> str | None:
    try:
        amendment = read_amendment(path, backend_read(backend, path, MAX_AMENDMENT_BYTES))
    except SessionReadError as error:
        return error.reason
    if amendment.session_id != path.parent.name or amendment.client_id != path.parent.parent.name:
        return "its ids do not match the folder it is in"
    session = root / "sessions" / amendment.client_id / f"{amendment.session_id}.h5"
    if not session.is_file():
        return "the session it amends is missing"
    if backend.sha256(session) != amendment.original_sha256:
        return "the session file it amends has changed since"
    record = ledger.amendments.get(amendment.id)
    if record is None or record.deleted or record.sha256 != backend.sha256(path):
        return "not recorded (or recorded differently) in the audit log"
    return None


def _client_problem(path: Path, ledger: Ledger, backend) -> str | None:
    try:
        read_client(path, backend_read(backend, path, MAX_CLIENT_BYTES))
    except SessionReadError as error:
        return error.reason
    record = ledger.clients.get(path.stem)
    if record is None:
        return None  # clients created before the log recorded them cannot be vouched for
    if record.deleted:
        return "the audit log records this client as erased, yet the file is here"
    if record.sha256 is not None and backend.sha256(path) != record.sha256:
        return "not the content the audit log last recorded (edited outside BodyMap?)"
    return None


def _missing(layout, ledger: Ledger) -> list[tuple[Path, str, str]]:
    """Records the audit log vouches for (not deleted) whose files are gone."""
    missing = []
    for session_id, record in ledger.sessions.items():
        path = _quiet(lambda r=record, s=session_id: layout.session_file(r.client_id, s))
        if record.deleted or path is None or layout.exists(path):
            continue
        what = "a finalised session" if record.finalised_sha256 else "a saved session"
        missing.append((path, "session", f"missing: the audit log records {what} here"))
    for amendment_id, record in ledger.amendments.items():
        folder = _quiet(lambda r=record: layout.amendment_folder(r.client_id, r.session_id))
        named = [p for p in layout.amendment_files(folder) if p.stem.endswith(amendment_id)]
        if record.deleted or folder is None or named:
            continue
        path = folder / f"{amendment_id}.json"
        missing.append((path, "amendment", "missing: the audit log records this amendment"))
    for client_id, record in ledger.clients.items():
        path = _quiet(lambda c=client_id: layout.client_file(c))
        if record.deleted or path is None or layout.exists(path):
            continue
        missing.append((path, "client", "missing: the audit log records this client"))
    return missing


def _quiet(make):
    try:
        return make()
    except StoreError:
        return None


def _mesh_problem(path: Path, backend=None) -> str | None:
    try:
        with reading(path):
            data = None if backend is None else backend_read(backend, path)
            read_mesh(path, data)
            with open_file(path, data) as h5, reading(path, "data"):
                items, stored = list(file_items(h5)), stored_digest(h5)
    except SessionReadError as error:
        return error.reason
    return None if content_digest(items) == stored else "content digest does not match"


def verify_store(store) -> VerifyReport:
    """Check every file of ``store`` (a :class:`bodymap.store.Store`); see the module doc."""
    layout, root = store.layout, store.root
    report = VerifyReport(root=root)
    entries = store.audit.entries()
    ledger = ledger_of(entries)

    def add(path: Path, kind: str, problem: str | None) -> None:
        report.files.append(FileCheck(path.relative_to(root).as_posix(), kind, problem))

    for path in layout.files("sessions"):
        add(path, "session", _session_problem(path, ledger, store.backend))
    for path in layout.files("drafts"):
        add(path, "draft", _draft_problem(path, store.backend))
    for path in layout.all_amendment_files():
        add(path, "amendment", _amendment_problem(path, root, ledger, store.backend))
    for path in layout.client_files():
        add(path, "client", _client_problem(path, ledger, store.backend))
    for path in layout.mesh_files():
        add(path, "mesh", _mesh_problem(path, store.backend))
    for path, kind, problem in _missing(layout, ledger):
        add(path, kind, problem)
    report.audit_problems = store.audit.verify()
    for txn in ledger.pending:
        report.audit_problems.append(
            AuditProblem(0, f"change {txn} was interrupted and is not resolved yet")
        )
    report.audit_entries = len(store.audit.read_lines())
    report.audit_head = str(entries[-1].get("hash", "")) if entries else ""
    return report
