"""File > Export in the app: the actions over a stand-in window (no main window needed)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from export_helpers import SAID, export_entries
from pypdf import PdfReader
from PyQt6.QtWidgets import QFileDialog, QProgressDialog, QWidget

from bodymap.core.document import SessionDocument
from bodymap.export.record_json import read_client_json, read_session_record
from bodymap.store import StoreWorker
from bodymap.ui.export_actions import ExportActions, ProgressRelay, ReportDialog


class FakeSessions:
    """What ExportActions uses of the SessionManager."""

    def __init__(self, store, client) -> None:
        self.store = store
        self.client = client
        self.dirty = False
        self.worker = StoreWorker(store)

    def call(self, function, *args, **kwargs):
        return self.worker.submit(function, *args, **kwargs).result()


class FakeWindow(QWidget):
    def __init__(self, document, sessions) -> None:
        super().__init__()
        self.document = document
        self.sessions = sessions


@pytest.fixture
def window(stored, ball, qtbot):
    store, session = stored
    mesh, atlas = ball
    sessions = FakeSessions(store, store.client(session.client_id))
    window = FakeWindow(SessionDocument(store.load(session.id), mesh, atlas), sessions)
    qtbot.addWidget(window)
    yield window
    sessions.worker.close()


def save_as(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))


def test_the_menu_holds_every_export(window):
    actions = ExportActions(window)
    menu = actions.menu(window)
    texts = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
    assert len(texts) == 9 and all(a.isEnabled() for a in menu.actions())
    assert "Session report (PDF)…" in texts and "Client's whole record (JSON)…" in texts
    window.document = None
    actions.update_enabled()
    assert not actions.report_action.isEnabled() and actions.client_action.isEnabled()


def test_session_json_carries_hash_and_amendments_and_is_logged(window, tmp_path, monkeypatch):
    save_as(monkeypatch, tmp_path / "record")  # the suffix is added
    path = ExportActions(window).export_json()
    assert path == tmp_path / "record.json"
    record = read_session_record(path)
    assert record.session.same_record(window.document.session)
    assert record.file_sha256 is not None and len(record.amendments) == 1
    assert [e["kind"] for e in export_entries(window.sessions.store)] == ["json"]


def test_a_report_for_outside_the_practice(window, tmp_path, monkeypatch):
    monkeypatch.setattr(ReportDialog, "ask", classmethod(lambda cls, parent: ("letter", False)))
    save_as(monkeypatch, tmp_path / "shared.pdf")
    path = ExportActions(window).export_report()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())
    assert SAID not in text and "left out of this report" in text


def test_the_client_record_with_progress_and_cancel(window, tmp_path, monkeypatch):
    actions = ExportActions(window)
    save_as(monkeypatch, tmp_path / "client.json")
    path = actions.export_client()
    assert [r.session.id for r in read_client_json(path).sessions] == [window.document.session.id]
    path.unlink()

    def wait_for_cancel(self, done, total, label):  # the job waits until Cancel is seen
        deadline = time.monotonic() + 5
        while not self._cancelled and time.monotonic() < deadline:
            time.sleep(0.005)
        return original(self, done, total, label)

    original = ProgressRelay.__call__
    monkeypatch.setattr(ProgressRelay, "__call__", wait_for_cancel)
    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: True)
    assert actions.export_client() is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]  # no file, no temporary
    assert [e["session_id"] for e in export_entries(window.sessions.store)] == [
        "",
        window.document.session.id,
    ]  # only the first export was logged
