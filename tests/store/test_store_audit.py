"""The audit log: a hash chain that shows changed, removed, inserted and reordered lines."""

from __future__ import annotations

import json
import os

import pytest
from store_helpers import NOTE_MARKER, full_session

from bodymap.store.audit import ACTIONS, AuditLog


@pytest.fixture
def log(tmp_path) -> AuditLog:
    audit = AuditLog(tmp_path / "audit.jsonl")
    for n in range(6):
        audit.append(ACTIONS[n % len(ACTIONS)], f"c-{n}", f"s-{n}", sha256="f" * 64)
    return audit


def lines(log: AuditLog) -> list[str]:
    return log.path.read_text(encoding="ascii").splitlines()


def write(log: AuditLog, rows: list[str]) -> None:
    log.path.write_text("\n".join(rows) + "\n", encoding="ascii")


def test_intact_chain_verifies(log):
    assert log.verify() == []
    entries = log.entries()
    assert [e["seq"] for e in entries] == list(range(6))
    assert entries[0]["prev"] == "0" * 64
    assert all(b["prev"] == a["hash"] for a, b in zip(entries, entries[1:], strict=False))
    assert {"time", "user", "action", "client_id", "session_id", "sha256"} <= set(entries[0])


def test_changed_line_is_reported_by_number(log):
    rows = lines(log)
    rows[2] = rows[2].replace('"client_id":"c-2"', '"client_id":"c-9"')
    write(log, rows)
    (problem,) = log.verify()
    assert problem.line == 3 and "changed" in problem.message


def test_changed_line_with_recomputed_hash_breaks_the_next_link(log):
    from bodymap.store.audit import canonical, entry_hash

    rows = lines(log)
    entry = json.loads(rows[2])
    entry["action"] = "open"
    entry["hash"] = entry_hash(entry)
    rows[2] = canonical(entry)
    write(log, rows)
    (problem,) = log.verify()
    assert problem.line == 4 and "does not follow" in problem.message


def test_removed_line_is_reported(log):
    rows = lines(log)
    del rows[3]
    write(log, rows)
    problems = log.verify()
    assert [p.line for p in problems] == [4] and "removed" in problems[0].message


def test_inserted_line_is_reported(log):
    rows = lines(log)
    rows.insert(2, rows[4])
    write(log, rows)
    assert [p.line for p in log.verify()][0] == 3


def test_reordered_lines_are_reported(log):
    rows = lines(log)
    rows[1], rows[2] = rows[2], rows[1]
    write(log, rows)
    assert [p.line for p in log.verify()][:2] == [2, 3]


def test_a_line_cut_short_is_repaired_and_logged_by_the_next_append(log):
    with log.path.open("a", encoding="ascii") as stream:
        stream.write('{"torn": ')  # a write cut short, no newline
    assert log.verify()[-1].message == "the last line was cut short"
    log.append("open", "c-1", "s-1")
    assert log.verify() == []
    entries = log.entries()
    assert len(lines(log)) == 8 and [e["seq"] for e in entries] == list(range(8))
    assert entries[-2]["action"] == "repair" and entries[-2]["removed_bytes"] == "9"
    assert entries[-1]["action"] == "open"


def test_repair_on_open_cuts_a_partial_line(log):
    with log.path.open("ab") as stream:
        stream.write(b'{"seq":6,"act')
    assert log.repair() == len(b'{"seq":6,"act')
    assert log.verify() == [] and log.entries()[-1]["action"] == "repair"
    assert log.repair() == 0  # a whole log is left alone


def test_a_failed_append_leaves_the_log_as_it_was(log, monkeypatch):
    import errno as errno_module

    from bodymap.store import backend as backend_module
    from bodymap.store.errors import DiskFullError

    before = log.path.read_bytes()

    def half_then_full(fd, data):
        os.write(fd, bytes(data)[: len(data) // 2])
        raise OSError(errno_module.ENOSPC, "No space left on device")

    monkeypatch.setattr(backend_module, "write_all", half_then_full)
    with pytest.raises(DiskFullError):
        log.append("open", "c-1", "s-1")
    assert log.path.read_bytes() == before and log.verify() == []


def test_only_ids_are_accepted(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    with pytest.raises(ValueError, match="opaque id"):
        log.append("open", "c-1", "s-1", note="the client said something")
    with pytest.raises(ValueError, match="unknown audit action"):
        log.append("peek", "c-1", "s-1")
    with pytest.raises(ValueError, match="not allowed"):
        log.append("open", "c-1", "s-1", hash="0" * 64)
    assert not log.path.exists()


def test_store_actions_are_logged_without_names_or_notes(store, client):
    session = full_session(client.id)
    store.save(session)
    store.save(session)
    store.finalise(session)
    store.amend(session.id, f"amended {NOTE_MARKER}", "Zoë Ångström", section="plan")
    store.log("export", client.id, session.id, export_id="pdf-1")
    store.log("open", client.id, session.id)
    entries = store.audit.entries()
    actions = [e["action"] for e in entries if e["action"] != "commit"]
    assert actions == ["create", "create", "save", "finalise", "amend", "export", "open"]
    # Each change is an intent followed at once by its commit (the journal's two steps).
    intents = [e for e in entries if e.get("phase") == "intent"]
    assert len(intents) == 5
    for intent in intents:
        following = entries[entries.index(intent) + 1]
        assert following["action"] == "commit" and following["txn"] == intent["txn"]
    text = store.layout.audit.read_text(encoding="utf-8")
    for secret in (NOTE_MARKER, "Ada", "Lovelace", "Zoë", "ada@example.org", "sacrum"):
        assert secret not in text
    assert store.verify_audit() == []
    tampered = text.replace('"action":"amend"', '"action":"save"')
    store.layout.audit.write_text(tampered, encoding="utf-8")
    problems = store.verify_audit()
    line = [i for i, e in enumerate(entries, start=1) if e["action"] == "amend"][0]
    assert problems and problems[0].line == line
    assert not store.verify().ok
