"""A session's life in the real window: start for a client, paint, save, reopen exactly,
autosave draft and recovery, finalise (read-only), and a failed save that loses nothing."""

from __future__ import annotations

import errno

import numpy as np
import pytest
from gui_support import centre_offset, drag, window_on_store
from PyQt6.QtWidgets import QMessageBox

from bodymap.core.annotations import Pin, SurfacePoint
from bodymap.core.edits import AnnotationEdit
from bodymap.store import Store
from bodymap.ui.main_window import MainWindow
from bodymap.ui.undo import push_edit

pytestmark = pytest.mark.gui


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "store")


@pytest.fixture
def window(qtbot, store):
    return window_on_store(qtbot, store, (1280, 720))


def paint_a_stroke(window):
    widget = window.viewer.interactor
    drag(widget, centre_offset(widget, -0.1), centre_offset(widget, 0.1))


def test_start_paint_save_and_reopen_exactly(window: MainWindow, store, qtbot):
    sessions = window.sessions
    assert sessions.start_for_client_name("Ada Example")
    [client] = store.clients()
    assert client.name == "Ada Example" and "Ada Example" in window.windowTitle()
    paint_a_stroke(window)
    document = window.document
    pin = Pin(SurfacePoint(document.mesh.vertices[0], 0), "pain", note="sore here")
    push_edit(window.undo_stack, document, AnnotationEdit(None, pin))
    window.notes_panel.editors["subjective"].setPlainText("Headache since Tuesday")
    assert sessions.dirty
    sessions.save().result()
    qtbot.waitUntil(lambda: not sessions.dirty)
    saved = document.session
    [info] = store.sessions(client.id)
    assert info.has_thumbnail
    assert sessions.close_session()
    assert window.document is None
    assert sessions.open_saved(saved.id)
    reopened = window.document.session
    assert reopened is not saved and reopened.same_record(saved)
    assert reopened.notes.subjective == "Headache since Tuesday"
    assert np.array_equal(
        reopened.overlays.layer("restriction"), saved.overlays.layer("restriction")
    )


def test_autosave_draft_is_offered_after_a_crash(window: MainWindow, store, qtbot, monkeypatch):
    sessions = window.sessions
    sessions.start_for_client_name("Ben Example")
    paint_a_stroke(window)
    sessions.save_draft().result()
    session_id = window.document.session.id
    painted = window.document.session.overlays.values.copy()
    # A crash: the window goes away without saving; a new app finds the draft.
    window.document.unsubscribe(sessions._on_change)
    window.set_document(None)
    [draft] = store.drafts()
    assert draft.session_id == session_id
    assert sessions.recover(session_id)
    assert np.array_equal(window.document.session.overlays.values[:, : painted.shape[1]], painted)
    assert sessions.dirty


def test_finalised_sessions_refuse_paint(window: MainWindow, store, monkeypatch):
    sessions = window.sessions
    sessions.start_for_client_name("Cy Example")
    paint_a_stroke(window)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert sessions.finalise()
    document = window.document
    assert not document.editable and not sessions.save_action.isEnabled()
    before = document.session.overlays.values.copy()
    paint_a_stroke(window)
    assert np.array_equal(document.session.overlays.values, before)
    assert window.notes_panel.editors["subjective"].isReadOnly()
    assert store.session_info(document.session.id).finalised


def test_a_full_disk_keeps_the_work(window: MainWindow, store, qtbot, monkeypatch):
    from bodymap.store import atomic

    sessions = window.sessions
    sessions.start_for_client_name("Di Example")
    paint_a_stroke(window)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text: warnings.append(text))

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(Exception):  # noqa: B017 - the future carries the store's error
        sessions.save().result()
    qtbot.waitUntil(lambda: bool(warnings))
    assert "disk is full" in warnings[0]
    assert sessions.dirty and not window.document.session.overlays.is_empty()
    assert store.sessions(window.document.session.client_id) == []


def test_compare_visits_opens_on_the_clients_sessions(window: MainWindow, store, qtbot):
    sessions = window.sessions
    assert not window.compare_action.isEnabled()
    sessions.start_for_client_name("Eve Example")
    assert window.compare_action.isEnabled()
    paint_a_stroke(window)
    sessions.save().result()
    qtbot.waitUntil(lambda: not sessions.dirty)
    first = window.document.session.id
    assert sessions.start_new(window.document.session.client_id, carry_over=True)
    assert window.document.session.carried_over_from == first
    assert "carried over" in window.windowTitle()
    sessions.save().result()
    qtbot.waitUntil(lambda: not sessions.dirty)
    compare = window.compare_visits()
    assert compare is not None and compare.isVisible()
    compare.open_session_requested.emit(first)
    assert window.document.session.id == first
    compare.close_views()
    compare.close()
