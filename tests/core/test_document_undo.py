"""Random sequences of paint, erase, fill, pins, events, tags and undo/redo (Hypothesis):
undoing everything returns to empty, redoing everything returns to the same record."""

import numpy as np
import pytest
from flat_grid import FRONT, grid_mesh, plane_picker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bodymap.core.annotations import Pin, SurfacePoint
from bodymap.core.atlas import Atlas
from bodymap.core.brush import BrushGeometry
from bodymap.core.brush_tool import BrushSettings, BrushStroke, fill
from bodymap.core.document import SessionDocument
from bodymap.core.edits import AnnotationEdit, EventEdit, TagSetEdit
from bodymap.core.session import Session, SessionEvent, SessionFinalisedError, utc_now

MESH = grid_mesh(n=31)
GEOMETRY = BrushGeometry(MESH)
TAGS = ("restriction", "release", "pain")


class UndoStack:
    """QUndoStack's rules without Qt: push drops the redo tail."""

    def __init__(self, document):
        self.document, self.edits, self.index = document, [], 0

    def push(self, edit):
        del self.edits[self.index :]
        self.document.apply(edit)
        self.edits.append(edit)
        self.index += 1

    def undo(self):
        if self.index:
            self.index -= 1
            self.document.revert(self.edits[self.index])

    def redo(self):
        if self.index < len(self.edits):
            self.document.apply(self.edits[self.index])
            self.index += 1


def new_document():
    session = Session(client_id="c-test", mesh_hash=MESH.geometry_hash, n_vertices=MESH.n_vertices)
    return SessionDocument(session, MESH, Atlas.unassigned(MESH.n_vertices))


def stroke(document, stack, tag, intensity, radius, mode, path):
    s = BrushSettings(tag, intensity, radius=radius, mode=mode, soft=intensity > 5)
    brush = BrushStroke(
        document.painter,
        GEOMETRY,
        s,
        tag,
        document.session.overlays.keys,
        plane_picker(MESH),
        FRONT,
        3.0,
    )
    brush.press(*path[0])
    for point in path[1:]:
        brush.move(*point)
    edit = brush.release()
    if edit is not None:
        stack.push(edit)  # as the UI does: applying again rewrites the values, logs the stroke


coords = st.floats(-35, 35)
paint = st.tuples(
    st.just("paint"),
    st.sampled_from(TAGS),
    st.integers(0, 10),
    st.sampled_from([0.003, 0.008]),
    st.sampled_from(["paint", "erase", "erase_all"]),
    st.lists(st.tuples(coords, coords), min_size=1, max_size=4),
)
fill_op = st.tuples(st.just("fill"), st.sampled_from(TAGS), st.integers(0, 30), st.integers(1, 10))
pin_op = st.tuples(st.just("pin"), st.integers(0, MESH.n_vertices - 1))
other = st.sampled_from(["undo", "redo", "delete_pin", "edit_pin", "event", "rename"])
operation = st.one_of(paint, fill_op, pin_op, other)


def run(document, stack, op):
    session = document.session
    if op == "undo":
        stack.undo()
    elif op == "redo":
        stack.redo()
    elif op in ("delete_pin", "edit_pin") and session.pins:
        pin = next(iter(session.pins.values()))
        after = None if op == "delete_pin" else Pin(pin.at, pin.tag, note="edited", id=pin.id)
        stack.push(AnnotationEdit(pin, after))
    elif op == "event":
        stack.push(EventEdit(None, SessionEvent("still_point", utc_now())))
    elif op == "rename":
        before = list(session.tags)
        tags = session.tags.copy()
        tags.update("pain", name=tags.get("pain").name + "!")
        stack.push(TagSetEdit(before, list(tags), "rename Pain"))
    elif isinstance(op, tuple) and op[0] == "paint":
        stroke(document, stack, *op[1:])
    elif isinstance(op, tuple) and op[0] == "fill":
        _, tag, start, length = op
        edit = fill(
            document.painter,
            BrushSettings(tag, 6),
            tag,
            session.overlays.keys,
            np.arange(start * 20, start * 20 + length * 20),
            "block",
            "a block",
        )
        if edit is not None:
            stack.push(edit)
    elif isinstance(op, tuple) and op[0] == "pin":
        stack.push(AnnotationEdit(None, Pin(SurfacePoint(MESH.vertices[op[1]], op[1]), "pain")))


def snapshot(session):
    return (
        session.overlays.values.copy(),
        dict(session.pins),
        list(session.events),
        list(session.strokes),
        list(session.tags),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, max_size=14))
def test_undo_all_is_empty_and_redo_all_is_the_same(operations):
    document = new_document()
    stack = UndoStack(document)
    for op in operations:
        run(document, stack, op)
    while stack.index < len(stack.edits):
        stack.redo()
    values, pins, events, strokes, tags = snapshot(document.session)
    while stack.index:
        stack.undo()
    session = document.session
    assert session.overlays.is_empty()
    assert not session.pins and not session.events and not session.strokes
    assert [t.name for t in session.tags][:3] == ["Restriction", "Release", "Energy cyst"]
    while stack.index < len(stack.edits):
        stack.redo()
    after = snapshot(session)
    assert np.array_equal(after[0], values)
    assert after[1:] == (pins, events, strokes, tags)


def test_listeners_hear_the_vertices_a_stroke_changed():
    document = new_document()
    heard = []
    document.subscribe(heard.append)
    stack = UndoStack(document)
    stroke(document, stack, "pain", 5, 0.003, "paint", [(0, 0)])
    stack.undo()
    assert heard[-1].kind == "layers" and heard[-1].vertex_ids.size > 0
    assert document.revision == 2  # pushed (applied), then undone


def test_a_finalised_session_refuses_every_edit():
    document = new_document()
    document.session.finalised_at = utc_now()
    with pytest.raises(SessionFinalisedError):
        document.apply(EventEdit(None, SessionEvent("release", utc_now())))
    with pytest.raises(SessionFinalisedError):
        document.set_rhythm([])
    assert not document.editable
