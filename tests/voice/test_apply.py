"""A voice command is one undoable edit made with the Fill tool's fill."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from bodymap.core.brush_tool import BrushSettings, fill
from bodymap.core.overlays import intensity_to_value
from bodymap.core.session import SessionFinalisedError
from bodymap.voice.apply import command_edit, describe, place_vertices
from bodymap.voice.commands import parse

NOW = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)


def snapshot(document):
    s = document.session
    layers = {k: s.overlays.layer(k).copy() for k in s.overlays.keys}
    return layers, dict(s.pins), list(s.events), len(s.strokes)


def same(a, b) -> bool:
    return all(np.array_equal(a[0][k], b[0][k]) for k in a[0]) and a[1:] == b[1:]


def test_a_finding_fills_the_region_like_the_fill_tool(document, vocabulary):
    command = parse("restriction left temporal six", vocabulary)
    edit = command_edit(command, document, NOW)
    document.apply(edit)
    ids = place_vertices(document, command.place)
    atlas = document.atlas
    expected = np.flatnonzero(
        (atlas.region_index == atlas.region_by_key("temporal_l")) & ~document.mesh.internal
    )
    assert np.array_equal(ids, expected)
    layer = document.session.overlays.layer("restriction")
    assert np.all(layer[ids] == intensity_to_value(6))
    assert np.count_nonzero(layer) == ids.size
    record = document.session.strokes[-1]
    assert (record.kind, record.region, record.intensity) == ("fill", "temporal_l", 6.0)
    assert edit.text == "Restriction · Left temporal · 6 by voice"


def test_the_same_fill_as_the_core_function(document, vocabulary, body):
    command = parse("pain pelvic diaphragm", vocabulary)
    document.apply(command_edit(command, document, NOW))
    voice = document.session.overlays.layer("pain").copy()
    other = type(document)(type(document.session)("c-2", *_ids(body)), *body)
    ids = place_vertices(other, command.place)
    direct = fill(other.painter, BrushSettings("pain", 5), "Pain", other.session.overlays.keys,
                  ids, "pelvic", "Pelvic diaphragm")  # fmt: skip
    other.apply(direct)
    assert np.array_equal(voice, other.session.overlays.layer("pain"))


def _ids(body):
    mesh, _ = body
    return mesh.geometry_hash, mesh.n_vertices


def test_an_energy_cyst_command_is_one_undo_step(document, vocabulary):
    before = snapshot(document)
    command = parse("energy cyst lower abdomen seven emotional trauma", vocabulary)
    edit = command_edit(command, document, NOW)
    document.apply(edit)
    (pin,) = document.session.pins.values()
    assert (pin.tag, pin.cyst_origin) == ("energy_cyst", "emotional trauma")
    assert pin.cyst_state == "active"
    assert document.atlas.region_of(pin.at.vertex).key == "abdomen_lower"
    assert not same(before, snapshot(document))
    document.revert(edit)
    assert same(before, snapshot(document))
    document.apply(edit)
    assert len(document.session.pins) == 1 and len(document.session.strokes) == 1


def test_an_event_command_adds_the_event_now(document, vocabulary):
    edit = command_edit(parse("significance detector", vocabulary), document, NOW)
    document.apply(edit)
    (event,) = document.session.events
    assert (event.kind, event.time) == ("significance_detector", NOW)
    document.revert(edit)
    assert document.session.events == []


def test_refill_with_the_same_values_changes_nothing(document, vocabulary):
    command = parse("heat sacrum three", vocabulary)
    document.apply(command_edit(command, document, NOW))
    assert command_edit(command, document, NOW) is None


def test_finalised_sessions_and_undo_are_refused(document, vocabulary):
    with pytest.raises(ValueError, match="not an edit"):
        command_edit(parse("undo", vocabulary), document)
    document.mark_finalised(NOW)
    before = snapshot(document)
    with pytest.raises(SessionFinalisedError):
        command_edit(parse("heat sacrum three", vocabulary), document)
    assert same(before, snapshot(document))


def test_describe_says_what_was_understood(vocabulary):
    command = parse("energy cyst left t m j emotional trauma", vocabulary)
    assert describe(command, "Energy cyst") == "Energy cyst · Left TMJ · 5 · Emotional trauma"
    assert describe(parse("still point", vocabulary)) == "Still point"
