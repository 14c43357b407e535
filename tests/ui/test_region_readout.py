"""The status bar's region readout: at once on hover, once the brush rests while painting."""

from __future__ import annotations

from bodymap.ui.region_readout import SETTLE_MS, RegionReadout


def test_hover_names_at_once_and_a_moving_brush_names_where_it_rests(qtbot) -> None:
    readout = RegionReadout("—")
    qtbot.addWidget(readout)
    readout.show_name("Left temporal")
    assert readout.text() == "Left temporal"
    readout.show_name("Occiput", painting=True)
    readout.show_name("Right temporal", painting=True)  # the brush moved on
    assert readout.text() == "Left temporal"  # not while it moves
    qtbot.waitUntil(lambda: readout.text() == "Right temporal", timeout=20 * SETTLE_MS)
    qtbot.wait(2 * SETTLE_MS)
    assert readout.text() == "Right temporal"  # the place it rests on, never the one passed
    readout.show_name("Sacrum / coccyx", painting=True)
    readout.show_name("—")  # off the body after the stroke: shown now, the wait dropped
    assert readout.text() == "—"
    qtbot.wait(2 * SETTLE_MS)
    assert readout.text() == "—"
