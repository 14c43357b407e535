"""Finalising makes a session read-only; corrections are amendments; deletion and erasure."""

from __future__ import annotations

import hashlib
import json
import os

import pytest
from store_helpers import full_session, last_change

from bodymap.core.session import SessionFinalisedError
from bodymap.store import FinalisedError, NotFinalisedError, StoreError


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_finalise_signs_and_logs_the_file_hash(store, client):
    session = full_session(client.id)
    store.save(session)
    signed = store.finalise(session)
    assert signed is session and session.finalised_at is not None
    path = store.layout.session_file(client.id, session.id)
    entry = last_change(store)
    assert entry["action"] == "finalise" and entry["sha256"] == sha(path)
    assert store.load(session.id).same_record(session)
    assert store.sessions(client.id)[0].finalised
    assert not os.stat(path).st_mode & 0o222  # read-only on disk too


def test_finalise_by_id(store, client):
    session = full_session(client.id)
    store.save(session)
    signed = store.finalise(session.id)
    assert signed.finalised and store.load(session.id).finalised_at == signed.finalised_at
    with pytest.raises(FinalisedError, match="finalised already"):
        store.finalise(session.id)


def test_store_refuses_to_save_over_a_finalised_session(store, client):
    session = full_session(client.id)
    store.finalise(session)
    before = sha(store.layout.session_file(client.id, session.id))
    with pytest.raises(SessionFinalisedError):
        store.save(session)
    stale = store.load(session.id)
    stale.finalised_at = None  # an old in-memory copy that missed the signing
    with pytest.raises(FinalisedError, match="amendment"):
        store.save(stale)
    with pytest.raises(FinalisedError):
        store.save_draft(session)
    assert sha(store.layout.session_file(client.id, session.id)) == before


def test_amendments_leave_the_original_untouched(store, client):
    session = full_session(client.id)
    store.finalise(session)
    path = store.layout.session_file(client.id, session.id)
    before_bytes, before_hash = path.read_bytes(), sha(path)
    first = store.amend(session.id, "Plan: three sessions, not two.", "Zoë", section="plan")
    second = store.amend(session.id, "Also: left, not right — ça va", "Zoë")
    assert path.read_bytes() == before_bytes and sha(path) == before_hash
    listed = store.amendments(session.id)
    assert [a.id for a in listed] == [first.id, second.id]
    assert listed[0].text == "Plan: three sessions, not two." and listed[0].section == "plan"
    assert listed[1].original_sha256 == before_hash and listed[1].session_id == session.id
    assert listed[0].created <= listed[1].created
    document = json.loads(first.path.read_text(encoding="utf-8"))
    assert document["original_sha256"] == before_hash
    assert last_change(store)["amendment_id"] == second.id
    assert store.verify().ok


def test_amending_a_session_that_is_not_finalised_is_refused(store, client):
    session = full_session(client.id)
    store.save(session)
    with pytest.raises(NotFinalisedError, match="edit it and save instead"):
        store.amend(session.id, "text", "Zoë")
    assert store.amendments(session.id) == []


def test_delete_session(store, client):
    draft_only = full_session(client.id)
    session = full_session(client.id, seed=3)
    store.save(session)
    store.save_draft(session)
    store.delete_session(session.id)
    assert store.sessions(client.id) == [] and store.drafts() == []
    store.save_draft(draft_only)
    assert [d.session_id for d in store.drafts()] == [draft_only.id]
    assert last_change(store)["action"] == "delete"


def test_finalised_session_is_deleted_only_by_erasure(store, client):
    session = full_session(client.id)
    store.finalise(session)
    store.amend(session.id, "correction", "Zoë")
    with pytest.raises(FinalisedError, match="erasure"):
        store.delete_session(session.id)
    store.delete_session(session.id, erase=True)
    assert store.sessions(client.id) == []
    assert not store.layout.amendment_folder(client.id, session.id).exists()


def test_delete_client_removes_every_copy(store, client):
    other = store.create_client("Other Person")
    kept = full_session(other.id)
    store.save(kept)
    signed, plain, unsaved = (full_session(client.id, seed=n) for n in range(3))
    store.finalise(signed)
    store.amend(signed.id, "fix", "Zoë")
    store.save(plain)
    store.save_draft(plain)
    store.save_draft(unsaved)
    store.delete_client(client.id)
    leftovers = [p for p in store.root.rglob("*") if client.id in str(p)]
    assert leftovers == []
    assert [c.id for c in store.clients()] == [other.id]
    assert [s.id for s in store.sessions(other.id)] == [kept.id]
    log = store.layout.audit.read_text(encoding="utf-8")
    assert "Ada" not in log and "Lovelace" not in log
    deleted = {e["session_id"] for e in store.audit.entries() if e["action"] == "delete"}
    assert {signed.id, plain.id, ""} <= deleted
    assert store.verify().ok


def test_unreadable_session_is_deleted_only_by_erasure(store, client):
    session = full_session(client.id)
    path = store.save(session)
    path.write_bytes(b"garbage")
    with pytest.raises(StoreError, match="erase=True"):
        store.delete_session(session.id)
    store.delete_session(session.id, erase=True)
    assert not path.exists()
