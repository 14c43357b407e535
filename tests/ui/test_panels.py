"""The session panels and dialogs (no VTK): notes, rhythm, timeline, pins, findings, undo."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
from PyQt6.QtCore import QEvent, Qt
from PyQt6.QtGui import QFocusEvent, QGuiApplication, QUndoStack
from PyQt6.QtWidgets import QFileDialog, QWidget

from bodymap.core.annotations import ForceVector, Pin, SurfacePoint
from bodymap.core.atlas import Atlas
from bodymap.core.document import SessionDocument
from bodymap.core.edits import Change, EventEdit
from bodymap.core.mesh import BodyMesh
from bodymap.core.session import (
    RhythmReading,
    Session,
    SessionEvent,
    SessionFinalisedError,
    SoapNotes,
    utc_now,
)
from bodymap.core.tags import ENERGY_CYST, TagSet
from bodymap.ui import events_panel as events_module
from bodymap.ui import findings_panel as findings_module
from bodymap.ui.events_panel import PLACED_MARK, EventDialog, EventsPanel
from bodymap.ui.export_actions import ExportActions
from bodymap.ui.findings_panel import FindingsPanel
from bodymap.ui.notes_panel import NotesPanel
from bodymap.ui.pin_dialog import PinDialog, VectorDialog
from bodymap.ui.rhythm_panel import AMPLITUDE, RATE, SYMMETRY, RhythmPanel
from bodymap.ui.undo import EditCommand, push_edit, undo_redo_actions

WAIT_MS = 2000


def grid_mesh(n: int = 5) -> BodyMesh:
    """A flat n x n grid: enough of a body for panels that never look at geometry."""
    xs = np.arange(n) * 0.01
    x, y = np.meshgrid(xs, xs, indexing="ij")
    vertices = np.stack([x.ravel(), y.ravel(), np.zeros(n * n)], axis=1)
    idx = np.arange(n * n).reshape(n, n)
    a, b, c, d = idx[:-1, :-1], idx[1:, :-1], idx[1:, 1:], idx[:-1, 1:]
    faces = np.concatenate([np.stack([a, b, c], -1), np.stack([a, c, d], -1)]).reshape(-1, 3)
    return BodyMesh(vertices, faces, name="grid")


def make_document(mesh: BodyMesh, atlas: Atlas | None = None) -> SessionDocument:
    session = Session(client_id="c-test", mesh_hash=mesh.geometry_hash, n_vertices=mesh.n_vertices)
    return SessionDocument(session, mesh, atlas or Atlas.unassigned(mesh.n_vertices))


@pytest.fixture
def document() -> SessionDocument:
    return make_document(grid_mesh())


@pytest.fixture
def finalised(document) -> SessionDocument:
    document.session.finalised_at = utc_now()
    return document


@pytest.fixture(scope="module")
def default_body():
    from bodymap.io.default_body import load_default_body

    return load_default_body()


# --- undo -------------------------------------------------------------------------------


def test_push_edit_applies_and_names_the_undo_action(qtbot, document):
    stack = QUndoStack()
    undo, redo = undo_redo_actions(stack, stack)
    event = SessionEvent("still_point", utc_now())
    push_edit(stack, document, EventEdit(None, event))
    assert document.session.events == [event]
    assert stack.undoText() == "add still point event"
    assert undo.text() == "Undo add still point event"
    stack.undo()
    assert document.session.events == []
    assert redo.text() == "Redo add still point event"


def test_an_already_applied_edit_is_not_applied_again(document):
    stack = QUndoStack()
    edit = EventEdit(None, SessionEvent("release", utc_now()))
    document.apply(edit)  # as a live brush stroke is, before its release pushes it
    revision = document.revision
    command = push_edit(stack, document, edit, already_applied=True)
    assert isinstance(command, EditCommand)
    assert len(document.session.events) == 1 and document.revision == revision
    stack.undo()
    assert document.session.events == []
    stack.redo()
    assert len(document.session.events) == 1


def test_a_finalised_session_takes_no_edit_from_the_stack(finalised):
    stack = QUndoStack()
    with pytest.raises(SessionFinalisedError):
        push_edit(stack, finalised, EventEdit(None, SessionEvent("release", utc_now())))
    assert stack.count() == 0 and finalised.session.events == []


# --- notes ------------------------------------------------------------------------------


@pytest.fixture
def notes_panel(qtbot, document) -> NotesPanel:
    panel = NotesPanel()
    qtbot.addWidget(panel)
    panel.set_document(document)
    return panel


def test_typing_reaches_the_notes_after_a_pause(qtbot, notes_panel, document):
    qtbot.keyClicks(notes_panel.editors["subjective"], "Headache since Monday")
    assert document.session.notes.subjective == ""  # not on every keystroke
    qtbot.waitUntil(
        lambda: document.session.notes.subjective == "Headache since Monday", timeout=WAIT_MS
    )


def test_leaving_a_field_writes_it_at_once(qtbot, notes_panel, document):
    editor = notes_panel.editors["plan"]
    qtbot.keyClicks(editor, "Return in two weeks")
    QGuiApplication.sendEvent(editor, QFocusEvent(QEvent.Type.FocusOut))
    assert document.session.notes.plan == "Return in two weeks"


def test_a_change_elsewhere_updates_only_its_field(qtbot, notes_panel, document):
    qtbot.keyClicks(notes_panel.editors["subjective"], "Tired")
    document.set_notes(SoapNotes(objective="Restriction at the occiput"))
    assert notes_panel.editors["objective"].toPlainText() == "Restriction at the occiput"
    assert notes_panel.editors["subjective"].toPlainText() == "Tired"  # typing survives
    notes_panel.flush()
    assert document.session.notes == SoapNotes("Tired", "Restriction at the occiput")


def test_a_finalised_sessions_notes_are_read_only(qtbot, finalised):
    finalised.session.notes = SoapNotes(assessment="Signed")
    panel = NotesPanel()
    qtbot.addWidget(panel)
    panel.set_document(finalised)
    assert all(editor.isReadOnly() for editor in panel.editors.values())
    assert panel.editors["assessment"].toPlainText() == "Signed"
    assert "read-only" in panel._notice.text() and not panel._notice.isHidden()


# --- rhythm -----------------------------------------------------------------------------


@pytest.fixture
def rhythm_panel(qtbot, document) -> RhythmPanel:
    panel = RhythmPanel()
    qtbot.addWidget(panel)
    panel.set_document(document)
    return panel


def test_adding_a_row_and_a_rate_reaches_the_session(qtbot, rhythm_panel, document):
    qtbot.mouseClick(rhythm_panel.add_button, Qt.MouseButton.LeftButton)
    assert document.session.rhythm == [RhythmReading("heels", "left")]
    rhythm_panel.cell(0, RATE).setValue(8.5)
    rhythm_panel.cell(0, SYMMETRY).setEditText("left restricted")
    qtbot.waitUntil(lambda: document.session.rhythm[0].rate == 8.5, timeout=WAIT_MS)
    reading = document.session.rhythm[0]
    assert reading.amplitude is None and reading.symmetry == "left restricted"
    rhythm_panel.add_reading()
    assert [(r.station, r.side) for r in document.session.rhythm][1] == ("heels", "right")
    rhythm_panel.remove_reading(0)
    assert [(r.station, r.side) for r in document.session.rhythm] == [("heels", "right")]


def test_readings_set_elsewhere_are_shown(rhythm_panel, document):
    document.set_rhythm([RhythmReading("head", "both", rate=7.0, amplitude=4.0, quality="weak")])
    assert rhythm_panel.table.rowCount() == 1
    assert rhythm_panel.cell(0, RATE).value() == 7.0
    assert rhythm_panel.cell(0, AMPLITUDE).value() == 4.0
    assert rhythm_panel.readings() == document.session.rhythm


def test_a_finalised_sessions_readings_are_read_only(qtbot, finalised):
    finalised.session.rhythm = [RhythmReading("ribs", "left", rate=9.0)]
    panel = RhythmPanel()
    qtbot.addWidget(panel)
    panel.set_document(finalised)
    assert panel.table.rowCount() == 1
    assert not panel.table.isEnabled() and not panel.add_button.isEnabled()


# --- events -----------------------------------------------------------------------------


@pytest.fixture
def stack() -> QUndoStack:
    return QUndoStack()


@pytest.fixture
def events_panel(qtbot, stack, document) -> EventsPanel:
    panel = EventsPanel(stack)
    qtbot.addWidget(panel)
    panel.set_document(document)
    return panel


def test_adding_an_event_now_is_one_undo_step(qtbot, events_panel, stack, document):
    qtbot.mouseClick(events_panel.add_buttons["still_point"], Qt.MouseButton.LeftButton)
    [event] = document.session.events
    assert event.kind == "still_point"
    assert stack.undoText() == "add still point event"
    assert events_panel.tree.topLevelItemCount() == 1
    assert events_panel.tree.topLevelItem(0).text(1) == "Still point"
    stack.undo()
    assert document.session.events == []
    assert events_panel.tree.topLevelItemCount() == 0


def test_the_delete_key_removes_the_selected_event(qtbot, events_panel, stack, document):
    event = events_panel.add_event("significance_detector")
    assert events_panel.selected_id() == event.id
    qtbot.keyClick(events_panel.tree, Qt.Key.Key_Delete)
    assert document.session.events == []
    assert stack.undoText() == "delete significance detector event"


def test_placing_an_event_on_the_body(qtbot, events_panel, stack, document):
    event = events_panel.add_event("release")
    with qtbot.waitSignal(events_panel.request_location) as asked:
        qtbot.mouseClick(events_panel.place_button, Qt.MouseButton.LeftButton)
    assert asked.args == [event.id]
    at = SurfacePoint((0.01, 0.02, 0.0), 7)
    events_panel.set_event_location(event.id, at)
    assert document.session.events[0].at == at
    assert events_panel.tree.topLevelItem(0).text(3) == PLACED_MARK
    assert stack.undoText() == "edit release event"


def test_editing_an_event_through_its_dialog(qtbot, events_panel, stack, document, monkeypatch):
    event = events_panel.add_event("release")
    dialog = EventDialog(event)
    qtbot.addWidget(dialog)
    assert not dialog.form.isRowVisible(dialog.dialogue)
    dialog.kind.setCurrentIndex(dialog.kind.findData("emotional_release"))
    assert dialog.form.isRowVisible(dialog.dialogue)
    dialog.dialogue.setPlainText("I was never allowed to cry")
    dialog.technique.setEditText("CV-4")
    edited = dialog.result_event()
    assert edited.id == event.id and edited.time == event.time
    monkeypatch.setattr(events_module.EventDialog, "edit", classmethod(lambda *a, **k: edited))
    events_panel.show()
    qtbot.waitExposed(events_panel)
    tree = events_panel.tree
    centre = tree.visualItemRect(tree.topLevelItem(0)).center()
    # An item view acts on a double click only on the index a press went to first.
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert document.session.events == [edited]
    assert events_panel.tree.topLevelItem(0).text(1) == "Emotional release: CV-4"
    assert stack.undoText() == "edit emotional release event"


def test_a_finalised_timeline_cannot_be_changed(qtbot, stack, finalised):
    panel = EventsPanel(stack)
    qtbot.addWidget(panel)
    panel.set_document(finalised)
    assert panel.add_event("release") is None
    assert not panel.add_buttons["release"].isEnabled()
    assert stack.count() == 0


# --- pins and vectors -------------------------------------------------------------------


def test_pin_dialog_asks_for_cyst_fields_only_for_an_energy_cyst(qtbot):
    pin = Pin(SurfacePoint((0.0, 0.0, 0.0), 3), "restriction", note="Tight")
    dialog = PinDialog(pin, TagSet())
    qtbot.addWidget(dialog)
    assert not dialog.form.isRowVisible(dialog.cyst_origin)
    dialog.cyst_origin.setCurrentIndex(dialog.cyst_origin.findData("pathogen"))
    dialog.said.setPlainText("It feels like a fist")
    edited = dialog.result_pin()
    assert (edited.id, edited.at, edited.tag) == (pin.id, pin.at, "restriction")
    assert edited.said == "It feels like a fist" and edited.cyst_origin == ""
    dialog.tag.setCurrentIndex(dialog.tag.findData(ENERGY_CYST))
    assert dialog.form.isRowVisible(dialog.cyst_origin)
    dialog.cyst_state.setCurrentIndex(dialog.cyst_state.findData("active"))
    dialog.emotion.setText(" grief ")
    dialog.technique.setEditText("Sphenoid")
    dialog.accept()
    edited = dialog.result_pin()
    assert edited == replace(
        pin,
        tag=ENERGY_CYST,
        said="It feels like a fist",
        emotion="grief",
        technique="Sphenoid",
        cyst_origin="pathogen",
        cyst_state="active",
    )


def test_vector_dialog_edits_tag_and_note(qtbot):
    start, end = SurfacePoint((0, 0, 0), 0), SurfacePoint((0.01, 0, 0), 1)
    vector = ForceVector(start, end)
    dialog = VectorDialog(vector, TagSet())
    qtbot.addWidget(dialog)
    dialog.tag.setCurrentIndex(dialog.tag.findData("pain"))
    dialog.note.setPlainText("Fall on the ice")
    assert dialog.result_vector() == replace(vector, tag="pain", note="Fall on the ice")


# --- findings ---------------------------------------------------------------------------


def test_findings_follow_painting_after_a_pause(qtbot, default_body):
    mesh, atlas = default_body
    document = make_document(mesh, atlas)
    panel = FindingsPanel()
    qtbot.addWidget(panel)
    panel.set_document(document)
    panel.show()
    assert panel.summary_lines() == [] and not panel.add_button.isEnabled()
    region = atlas.region_by_key("occipital")
    ids = np.flatnonzero((atlas.region_index == region) & ~mesh.internal)
    layer = np.zeros(mesh.n_vertices, np.uint8)
    layer[ids] = 60
    document.session.overlays.set_layer("restriction", layer)
    document.announce_painted(ids)
    assert panel.summary_lines() == []  # never recomputed synchronously per dab
    qtbot.waitUntil(lambda: bool(panel.summary_lines()), timeout=WAIT_MS)
    [line] = panel.summary_lines()
    assert line.startswith("Restriction (peak 6): occipital")
    assert panel.summary.toPlainText() == line
    top = panel.tree.topLevelItem(0)
    assert top.text(0) == "Restriction" and top.text(4) == "6.0"
    assert top.child(0).child(0).text(0) == "Occipital"
    panel.copy_to_clipboard()
    assert QGuiApplication.clipboard().text() == line
    document.set_notes(SoapNotes(objective="Palpated supine."))
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert document.session.notes.objective == f"Palpated supine.\n{line}"
    document.session.overlays.set_layer("restriction", np.zeros(mesh.n_vertices, np.uint8))
    document.announce(Change("layers", ids))
    qtbot.waitUntil(lambda: not panel.summary_lines(), timeout=WAIT_MS)
    assert panel.tree.topLevelItemCount() == 0


def test_a_hidden_findings_panel_waits_until_shown(qtbot, document):
    panel = FindingsPanel()
    qtbot.addWidget(panel)
    panel.set_document(document)
    layer = np.zeros(document.mesh.n_vertices, np.uint8)
    layer[:5] = 30
    document.session.overlays.set_layer("pain", layer)
    document.announce_painted(np.arange(5))
    qtbot.wait(2 * findings_module.IDLE_MS)
    assert panel.summary_lines() == []
    panel.show()
    [line] = panel.summary_lines()
    assert line.startswith("Pain (peak 3): no mapped region")


# --- export actions ---------------------------------------------------------------------


def test_export_actions_need_only_the_session_and_report_through_a_signal(
    qtbot, document, tmp_path, monkeypatch
):
    layer = np.zeros(document.mesh.n_vertices, np.uint8)
    layer[:40] = 50
    document.session.overlays.set_layer("pain", layer)
    host = SimpleNamespace(document=document, sessions=None)  # no window, no store
    parent = QWidget()
    qtbot.addWidget(parent)
    actions = ExportActions(host, parent)
    messages = []
    actions.message.connect(messages.append)
    actions.update_enabled()
    assert actions.csv_action.isEnabled() and not actions.client_action.isEnabled()
    target = tmp_path / "findings.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert actions.export_csv() == target
    assert "Pain" in target.read_text(encoding="utf-8")
    assert messages == [f"Exported 1 file(s) to {target}"]
    host.document = None
    actions.update_enabled()
    assert not actions.csv_action.isEnabled()
