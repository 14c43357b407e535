"""``bodymap verify``: check every file of a store, and the audit chain.

What is checked, per file:

* sessions and drafts: the file opens; it is a BodyMap session of a schema this version
  reads; its ids match its place (file name, client folder, draft flag); every dataset
  is read in full, so HDF5 checks every chunk's fletcher32 checksum; the content digest
  (SHA-256 over every dataset and attribute) matches; the session decodes. A finalised
  session's file SHA-256 must equal the one the audit log recorded when it was finalised.
* amendments: parse, match their own SHA-256, belong to an existing finalised session
  whose file still has the SHA-256 they amend, and appear in the audit log.
* clients: parse, and their id matches the file name. Meshes: open, content digest, and
  the geometry hash matches the file name.
* the audit log: the hash chain (changed, removed, inserted or reordered lines).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bodymap.store.amendments import read_amendment
from bodymap.store.audit import AuditProblem
from bodymap.store.base import file_sha256
from bodymap.store.clients import read_client
from bodymap.store.errors import SessionReadError
from bodymap.store.hdf5_image import content_digest, file_items
from bodymap.store.info import check_identity
from bodymap.store.limits import allowance, reading
from bodymap.store.mesh_store import read_mesh
from bodymap.store.session_file import (
    header_of,
    open_file,
    read_session,
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


def check_session_file(path: Path, draft: bool = False) -> str | None:
    """Why a session (or draft) file fails a full check, or ``None`` when it passes."""
    try:
        with reading(path):
            with open_file(path) as h5:
                header = header_of(h5, path)
                check_identity(header, path, path.parent.name, draft=draft)
                limit = max(allowance(h5), header.n_vertices)
                with reading(path, "data"):
                    items = list(file_items(h5, limit))
                stored = stored_digest(h5)
            if stored is None:
                return "no content digest attribute"
            if content_digest(items) != stored:
                return (
                    "content changed: the content digest does not match (edited outside BodyMap?)"
                )
            read_session(path)
    except SessionReadError as error:
        return error.reason
    return None


def _audit_index(entries: list[dict]) -> tuple[dict[str, str], dict[str, str]]:
    """(session id -> SHA-256 at finalising, amendment id -> SHA-256 of its file)."""
    finalised, amended = {}, {}
    for entry in entries:
        if entry.get("action") == "finalise":
            finalised[str(entry.get("session_id"))] = str(entry.get("sha256"))
        elif entry.get("action") == "amend" and entry.get("amendment_id"):
            amended[str(entry["amendment_id"])] = str(entry.get("sha256"))
    return finalised, amended


def _session_problem(path: Path, finalised: dict[str, str]) -> str | None:
    problem = check_session_file(path)
    if problem is not None:
        return problem
    with open_file(path) as h5:
        is_final = bool(str(h5.attrs.get("finalised_at", "")))
    if not is_final:
        return None
    expected = finalised.get(path.stem)
    if expected is None:
        return "finalised, but the audit log has no finalise entry for it"
    if file_sha256(path) != expected:
        return "changed since it was finalised (its SHA-256 differs from the audit log)"
    return None


def _amendment_problem(path: Path, root: Path, amended: dict[str, str]) -> str | None:
    try:
        amendment = read_amendment(path)
    except SessionReadError as error:
        return error.reason
    if amendment.session_id != path.parent.name or amendment.client_id != path.parent.parent.name:
        return "its ids do not match the folder it is in"
    session = root / "sessions" / amendment.client_id / f"{amendment.session_id}.h5"
    if not session.is_file():
        return "the session it amends is missing"
    if file_sha256(session) != amendment.original_sha256:
        return "the session file it amends has changed since"
    if amended.get(amendment.id) != file_sha256(path):
        return "not recorded (or recorded differently) in the audit log"
    return None


def _mesh_problem(path: Path) -> str | None:
    try:
        with reading(path):
            read_mesh(path)
            with open_file(path) as h5, reading(path, "data"):
                items, stored = list(file_items(h5)), stored_digest(h5)
    except SessionReadError as error:
        return error.reason
    return None if content_digest(items) == stored else "content digest does not match"


def verify_store(store) -> VerifyReport:
    """Check every file of ``store`` (a :class:`bodymap.store.Store`); see the module doc."""
    layout, root = store.layout, store.root
    report = VerifyReport(root=root)
    entries = store.audit.entries()
    finalised, amended = _audit_index(entries)

    def add(path: Path, kind: str, problem: str | None) -> None:
        report.files.append(FileCheck(path.relative_to(root).as_posix(), kind, problem))

    for path in layout.files("sessions"):
        add(path, "session", _session_problem(path, finalised))
    for path in layout.files("drafts"):
        add(path, "draft", check_session_file(path, draft=True))
    for path in sorted(layout.amendments.glob("*/*/*.json")):
        add(path, "amendment", _amendment_problem(path, root, amended))
    for path in sorted(layout.clients.glob("*.json")):
        try:
            read_client(path)
            add(path, "client", None)
        except SessionReadError as error:
            add(path, "client", error.reason)
    for path in sorted(layout.meshes.glob("*.h5")):
        add(path, "mesh", _mesh_problem(path))
    report.audit_problems = store.audit.verify()
    report.audit_entries = len(store.audit.read_lines())
    report.audit_head = str(entries[-1].get("hash", "")) if entries else ""
    return report
