"""A kill at every step of every change: the next open resolves it and verify is clean.

Each operation is first run normally to learn the sequence of disk steps it takes; then,
for every step and every way of dying there (before it, halfway through a write, right
after it), a fresh copy of the store runs the operation in a forked child that is killed
at that point. Opening the store afterwards must leave ``verify`` clean, keep every record
that was complete before, and leave the change either wholly done or wholly undone.
"""

from __future__ import annotations

import os
import shutil

import pytest
from kill_points import MODES, Steps, run_killed
from store_helpers import full_session

from bodymap.store import Store
from bodymap.store.ledger import ledger_of

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")


@pytest.fixture(scope="module")
def base_store(tmp_path_factory):
    """A store with a client, an open session, a finalised one with an amendment, a draft."""
    root = tmp_path_factory.mktemp("kills") / "base"
    store = Store(root)
    client = store.create_client("Kill Test")
    open_session = full_session(client.id, seed=1)
    store.save(open_session)
    signed = full_session(client.id, seed=2)
    store.finalise(signed)
    store.amend(signed.id, "a correction", "Zoë")
    store.save_draft(full_session(client.id, seed=3))
    return root, client.id, open_session.id, signed.id


def _save(root, client_id, open_id, signed_id):
    store = Store(root)
    session = store.load(open_id)
    session.notes.plan = "changed by the killed process"
    session.overlays.values[:5, 0] = 77
    store.save(session)


def _create_session(root, client_id, open_id, signed_id):
    Store(root).save(full_session(client_id, seed=9))


def _finalise(root, client_id, open_id, signed_id):
    Store(root).finalise(open_id)


def _amend(root, client_id, open_id, signed_id):
    Store(root).amend(signed_id, "a second correction", "Zoë")


def _create_client(root, client_id, open_id, signed_id):
    Store(root).create_client("Somebody New")


def _edit_client(root, client_id, open_id, signed_id):
    Store(root).edit_client(client_id, contact="new@example.org")


def _delete_session(root, client_id, open_id, signed_id):
    Store(root).delete_session(open_id)


def _erase_client(root, client_id, open_id, signed_id):
    Store(root).delete_client(client_id)


OPERATIONS = {
    "save": _save,
    "create session": _create_session,
    "finalise": _finalise,
    "amend": _amend,
    "create client": _create_client,
    "edit client": _edit_client,
    "delete session": _delete_session,
    "erase client": _erase_client,
}


def _steps_of(operation, base, tmp_path, monkeypatch) -> list[str]:
    root = tmp_path / "dry-run"
    shutil.copytree(base[0], root)
    Store(root)  # opening alone takes no step on a consistent store
    with monkeypatch.context() as patch:
        steps = Steps(patch)
        operation(root, *base[1:])
    return steps.calls


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_a_kill_at_every_step_leaves_a_store_that_verifies(name, base_store, tmp_path, monkeypatch):
    operation = OPERATIONS[name]
    steps = _steps_of(operation, base_store, tmp_path, monkeypatch)
    assert steps, f"{name} took no disk step"
    before = Store(base_store[0])
    kept = _records(before)
    cases = 0
    for index, label in enumerate(steps):
        for mode in MODES:
            if mode == "half" and not label.endswith("write_all"):
                continue
            root = tmp_path / f"{index}-{mode}"
            shutil.copytree(base_store[0], root)
            code = run_killed(
                lambda r=root: operation(r, *base_store[1:]), pytest.MonkeyPatch, index, mode
            )
            assert code == 137, f"{name}: the child did not die at step {index} ({label})"
            store = Store(root)  # recovery happens here
            report = store.verify()
            assert report.ok, f"{name}, killed {mode} step {index} ({label}): {report.problems}"
            assert not ledger_of(store.audit.entries()).pending
            after = _records(store)
            lost = {key for key in kept if key not in after} - _meant_to_go(name, base_store)
            assert not lost, f"{name}, killed {mode} step {index}: lost {lost}"
            cases += 1
    assert cases >= len(steps)


def _records(store: Store) -> set[tuple[str, str]]:
    """Every complete record of the store, as (kind, id)."""
    found = {("client", c.id) for c in store.clients()}
    for client in store.clients():
        for info in store.sessions(client.id):
            if info.readable:
                found.add(("session", info.id))
                found |= {("amendment", a.id) for a in store.amendments(info.id)}
    return found


def _meant_to_go(name: str, base) -> set[tuple[str, str]]:
    """What the operation itself removes, if it completes."""
    _, client_id, open_id, signed_id = base
    if name == "delete session":
        return {("session", open_id)}
    if name == "erase client":
        store = Store(base[0])
        return _records(store)
    return set()
