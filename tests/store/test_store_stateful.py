"""Random sequences of paint, pins, save, draft, reload, finalise and amend (Hypothesis)."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from bodymap.core.annotations import Pin, SurfacePoint
from bodymap.core.painter import Painter
from bodymap.core.session import Session
from bodymap.store import FinalisedError, NotFinalisedError, Store, snapshot

N_VERTICES = 200
KEYS = ("restriction", "pain", "heat", "my_own_tag")


class SessionLifecycle(RuleBasedStateMachine):
    """The model is the in-memory session; the store must always give back what was saved."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="bodymap-stateful-"))
        self.store = Store(self.folder / "store")
        client = self.store.create_client("Stateful Client")
        self.session = Session(client.id, "ab" * 32, N_VERTICES)
        self.painter = Painter(self.session.overlays)
        self.saved: Session | None = None
        self.amendments = 0

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def file_sha(self) -> str:
        path = self.store.layout.session_file(self.session.client_id, self.session.id)
        return hashlib.sha256(path.read_bytes()).hexdigest()

    @precondition(lambda self: not self.session.finalised)
    @rule(
        keys=st.lists(st.sampled_from(KEYS), min_size=1, max_size=2, unique=True),
        rows=st.lists(st.integers(0, N_VERTICES - 1), min_size=1, max_size=30),
        value=st.integers(0, 100),
        weight=st.floats(0.05, 1.0),
    )
    def paint(self, keys, rows, value, weight) -> None:
        self.painter.begin_stroke(keys, value)
        self.painter.dab(np.array(rows), np.full(len(rows), weight, np.float32))
        self.painter.end_stroke()

    @precondition(lambda self: not self.session.finalised)
    @rule(vertex=st.integers(0, N_VERTICES - 1), note=st.text(max_size=20))
    def add_pin(self, vertex, note) -> None:
        pin = Pin(SurfacePoint((0.0, vertex / 100, 0.1), vertex), "pain", note=note)
        self.session.pins[pin.id] = pin

    @precondition(lambda self: not self.session.finalised and self.session.pins)
    @rule(data=st.data())
    def delete_pin(self, data) -> None:
        del self.session.pins[data.draw(st.sampled_from(sorted(self.session.pins)))]

    @precondition(lambda self: not self.session.finalised)
    @rule()
    def save(self) -> None:
        self.store.save(self.session)
        self.saved = snapshot(self.session)

    @precondition(lambda self: not self.session.finalised)
    @rule()
    def save_draft(self) -> None:
        self.store.save_draft(self.session)
        assert self.store.load_draft(self.session.id).same_record(self.session)

    @precondition(lambda self: self.saved is not None)
    @rule()
    def reload(self) -> None:
        """Go back to the saved version (what reopening the app does)."""
        self.session = self.store.load(self.session.id)
        self.painter = Painter(self.session.overlays)
        assert self.session.same_record(self.saved)

    @precondition(lambda self: not self.session.finalised)
    @rule()
    def finalise(self) -> None:
        self.store.finalise(self.session)
        self.saved = snapshot(self.session)

    @precondition(lambda self: self.session.finalised)
    @rule()
    def save_after_finalise_is_refused(self) -> None:
        try:
            self.store.save(self.session)
        except FinalisedError:
            return
        raise AssertionError("a finalised session was saved over")

    @precondition(lambda self: self.saved is not None)
    @rule(text=st.text(min_size=1, max_size=30).filter(str.strip))
    def amend(self, text) -> None:
        before = self.file_sha()
        try:
            self.store.amend(self.session.id, text, "Author")
        except NotFinalisedError:
            assert not self.saved.finalised
            return
        self.amendments += 1
        assert self.file_sha() == before
        assert [a.text for a in self.store.amendments(self.session.id)][-1] == text

    @invariant()
    def store_holds_the_last_saved_version(self) -> None:
        if self.saved is not None:
            assert self.store.load(self.session.id).same_record(self.saved)
            assert len(self.store.amendments(self.session.id)) == self.amendments


SessionLifecycle.TestCase.settings = settings(
    max_examples=20,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_session_lifecycle = SessionLifecycle.TestCase
