"""Comparing visits in the real compare window under Xvfb: linked cameras, the practitioner
flag, the difference map's numbers and pixels, trend points that open a visit, replay."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
import pyvista as pv
from gui_support import BANDS, RIGHT, centre_offset, drag, sphere_body
from matplotlib.backend_bases import MouseEvent

from bodymap.analysis.compare_data import CompareData
from bodymap.analysis.lookup import SessionBodies
from bodymap.analysis.trends import trends
from bodymap.core.atlas import Atlas, Region
from bodymap.core.colors import CHANGE_COLORS as CLASS_COLORS
from bodymap.core.colors import SKIN_RGBA
from bodymap.core.compare import NEW, difference
from bodymap.core.mesh import BodyMesh
from bodymap.core.replay import state_after
from bodymap.core.session import RhythmReading, Session, SessionEvent, StrokeRecord
from bodymap.io.body_loading import Body
from bodymap.store import Store, StoreWorker
from bodymap.ui.compare_common import transfer_note
from bodymap.ui.compare_replay import REPLAY
from bodymap.ui.compare_window import DIFFERENCE, FLIP_BOOK, SYMMETRY, TRENDS, CompareWindow

pytestmark = pytest.mark.gui

PAIRED_REGIONS = (
    Region("side_l", "Left side", "left", "trunk anterior"),
    Region("side_r", "Right side", "right", "trunk anterior"),
    Region("middle", "Middle", "midline", "trunk anterior"),
)


def paired_sphere() -> Body:
    """The test sphere, its halves keyed ``_l``/``_r`` as mirror regions are."""
    body = sphere_body()
    atlas = Atlas(PAIRED_REGIONS, BANDS, body.atlas.region_index, body.atlas.band_index)
    return Body(mesh=body.mesh, atlas=atlas)


def visit(body: Body, day: int, practitioner: str, **layers) -> Session:
    session = Session(
        client_id="",
        mesh_hash=body.mesh.geometry_hash,
        n_vertices=body.mesh.n_vertices,
        practitioner=practitioner,
        started=datetime(2026, day, 10, 12, tzinfo=UTC),
    )
    for key, values in layers.items():
        session.overlays.set_layer(key, values)
    return session


def fill(tag: str, place: str, intensity: float) -> StrokeRecord:
    return StrokeRecord(
        time=datetime(2026, 3, 10, 12, 5, tzinfo=UTC),
        kind="fill",
        tags=(tag,),
        intensity=intensity,
        radius=0.0,
        soft=False,
        mirror=False,
        region=place,
    )


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    """Three visits: a restriction moves from the left to the right between the first two
    (a strip in the middle stays); the third, by another practitioner, was painted by two
    fills that its stroke log replays. Plus one broken file."""
    body = paired_sphere()
    store = Store(tmp_path_factory.mktemp("compare") / "store")
    client = store.create_client("Ada Example")
    v = body.mesh.vertices
    front = v[:, 2] > 0.2
    first = visit(body, 1, "Anna", restriction=np.where(front & (v[:, 0] > -0.05), 50, 0))
    second = visit(body, 2, "Anna", restriction=np.where(front & (v[:, 0] < 0.05), 70, 0))
    third = visit(body, 3, "Ben")
    third.strokes = [fill("restriction", "side_l", 5.0), fill("pain", "equator", 3.0)]
    final = state_after(third.strokes, body.mesh, body.atlas, 2, tuple(third.tags.keys()))
    for key in final.painted_keys():
        third.overlays.set_layer(key, final.layer(key))
    third.rhythm = [RhythmReading("head", "both", rate=8.0)]
    third.events = [SessionEvent("still_point", third.started)]
    for session in (first, second, third):
        session.client_id = client.id
        store.save(session)
    broken = store.layout.client_sessions(client.id) / "s-0123456789abcdef.h5"
    broken.write_bytes(b"not an HDF5 file")
    return store, client.id, body, (first, second, third)


@pytest.fixture
def window(qtbot, records):
    store, client_id, body, _ = records
    window = CompareWindow(store, client_id, body)
    qtbot.addWidget(window)
    window.resize(900, 560)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()
    assert not pv.plotting._ALL_PLOTTERS, "the compare window left a plotter open"


def test_side_by_side_links_cameras_and_flags_a_change_of_practitioner(window, records, qtbot):
    first, second, third = records[3]
    page = window.page("Side by side")
    assert page.checked_ids() == [second.id, third.id]  # the latest two, by Anna and Ben
    assert len(page.viewers) == 2
    assert [t.split(" · ")[1] for t in page.view_titles] == ["Anna", "Ben"]
    assert "10 Feb 2026" in page.view_titles[0] or "Feb 2026" in page.view_titles[0]
    assert not page.flag.isHidden() and "Different practitioners" in page.flag.text()
    page.set_checked([first.id, second.id])
    assert page.flag.isHidden()  # both by Anna
    assert "could not be read" in window.problems_text and "s-0123456789abcdef" in (
        window.problems_text
    )

    left, right = page.viewers
    before = left.scene.current_camera().position
    widget = left.interactor
    drag(widget, centre_offset(widget, 0.0), centre_offset(widget, 0.25), button=RIGHT)
    turned = left.scene.current_camera()
    assert not np.allclose(turned.position, before)
    qtbot.waitUntil(
        lambda: np.allclose(right.scene.current_camera().position, turned.position), timeout=2000
    )
    assert np.allclose(right.scene.current_camera().up, turned.up)


def test_difference_map_shows_new_resolved_and_persisting(window, records, qtbot):
    first, second, _ = records[3]
    body = records[2]
    page = window.show_tab(DIFFERENCE)
    page.choose(first.id, second.id, "restriction")
    expected = difference(
        first.overlays.layer("restriction"),
        second.overlays.layer("restriction"),
        body.mesh,
        body.atlas,
    )
    total = page.result.total
    assert total.new_cm2 > 0 and total.resolved_cm2 > 0 and total.persisting_cm2 > 0
    table = page.table
    header = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    row = {h: table.item(0, c).text() for c, h in enumerate(header)}
    assert row["Region"] == "Whole body"
    assert row["New (cm²)"] == f"{expected.total.new_cm2:.1f}"
    assert row["Resolved (cm²)"] == f"{expected.total.resolved_cm2:.1f}"
    assert row["Persisting (cm²)"] == f"{expected.total.persisting_cm2:.1f}"
    assert row["Then (cm²)"] == f"{expected.total.area_before_cm2:.1f}"
    assert row["Overlap (0 to 1)"] == f"{expected.total.jaccard:.2f}"
    assert "Jaccard" in table.horizontalHeaderItem(len(header) - 1).toolTip()
    assert row["Mean then"] == "5.0" and row["Mean now"] == "7.0"
    regions = {table.item(r, 0).text() for r in range(1, table.rowCount())}
    assert {"Left side", "Right side", "Middle"} <= regions

    # The new patch (subject's right, -x) is drawn in the "new" colour.
    scene = page.viewer.scene
    qtbot.waitUntil(lambda: min(scene.window_size()) > 0, timeout=2000)  # the tab is laid out
    v = body.mesh.vertices
    new = np.flatnonzero(expected.classes == 1)
    centre = new[np.argmax(v[new, 2] - np.abs(v[new, 0] + 0.25))]  # facing the camera
    x, y = np.rint(scene.world_to_display(v[centre])[0]).astype(int)
    pixel = scene.screenshot()[y, x].astype(int)
    candidates = {**CLASS_COLORS, 0: SKIN_RGBA[:3]}
    nearest = min(candidates, key=lambda k: np.abs(pixel - candidates[k]).sum())
    assert candidates[nearest] == CLASS_COLORS[NEW]


def test_trend_points_open_their_visit(window, records, qtbot):
    sessions = records[3]
    page = window.show_tab(TRENDS)
    extent = page.lines()[0]
    assert len(extent.get_xdata()) == len(sessions)
    assert np.all(np.asarray(extent.get_ydata()) > 0)
    page.canvas.draw()
    x, y = extent.axes.transData.transform((extent.get_xdata()[1], extent.get_ydata()[1]))
    click = MouseEvent("button_press_event", page.canvas, x, y, button=1)
    with qtbot.waitSignal(window.open_session_requested, timeout=1000) as opened:
        click._process()
    assert opened.args == [sessions[1].id]
    assert not page.flag.isHidden()  # Ben recorded the third visit


def test_trend_figures_are_the_services(window, records):
    store, client_id, body, sessions = records
    page = window.show_tab(TRENDS)
    page.tag.setCurrentIndex(page.tag.findData("restriction"))
    extent = page.lines()[0]
    bodies = SessionBodies(store, [(body.mesh, body.atlas)])
    expected = trends(store, client_id, "restriction", bodies=bodies)
    assert [s.info.id for s in expected.sessions] == [s.id for s in sessions]
    areas = [s.tags["restriction"].area_cm2 for s in expected.sessions]
    assert np.allclose(extent.get_ydata(), areas) and areas[0] > 0


def test_replay_steps_from_nothing_to_the_saved_layers(window, records):
    third = records[3][2]
    page = window.show_tab(FLIP_BOOK)
    page.set_mode(REPLAY, third.id)
    assert page.slider.maximum() == 2 and page.slider.value() == 2
    assert page.shown_overlays.equals(third.overlays)
    assert page.note.isHidden()  # no "the replay does not give the saved findings"
    page.slider.setValue(0)
    assert page.shown_overlays.is_empty()
    assert page.position.text().startswith("Before the first stroke")
    page.slider.setValue(1)
    assert page.position.text().startswith("Stroke 1 of 2: fill Restriction")
    assert page.shown_overlays.painted_keys() == ["restriction"]


def test_symmetry_of_a_left_fill(window, records):
    third = records[3][2]
    page = window.show_tab(SYMMETRY)
    page.session.setCurrentIndex(page.session.findData(third.id))
    page.tag.setCurrentIndex(page.tag.findData("restriction"))
    [row] = page.rows
    assert row.left_cm2 > 0 and row.right_cm2 == 0 and row.index == 1.0
    assert page.table.item(0, 4).text() == "left"


def test_a_visit_on_another_mesh_is_carried_onto_the_first_visits_body(tmp_path):
    body = paired_sphere()
    coarse = pv.Icosphere(radius=0.5, nsub=2)  # its vertices are some of the body's
    other = BodyMesh(np.asarray(coarse.points), coarse.regular_faces, name="coarse")
    store = Store(tmp_path / "store")
    store.put_mesh(other)
    client = store.create_client("Bo Example")
    first = visit(body, 1, "Anna", pain=np.where(body.mesh.vertices[:, 0] > 0.2, 40, 0))
    second = Session(
        client.id,
        other.geometry_hash,
        other.n_vertices,
        practitioner="Anna",
        started=datetime(2026, 2, 10, 12, tzinfo=UTC),
    )
    second.overlays.set_layer("pain", np.where(other.vertices[:, 0] > 0.2, 60, 0))
    first.client_id = client.id
    store.save(first)
    store.save(second)
    with StoreWorker(store) as worker:  # as the app reads: on its one store thread
        data = CompareData(store, client.id, body, worker)
        check_transfer(data, body, first, second, other)


def check_transfer(data, body, first, second, other):
    ids = [first.id, second.id]
    target = data.target_for(ids)
    assert target is body
    moved = data.overlays_on(second.id, body).layer("pain")
    assert moved.shape == (body.mesh.n_vertices,) and moved.max() == 60
    assert "Compared after transferring onto the body of" in transfer_note(data, ids, body)
    assert data.target_for(ids[::-1]).mesh.geometry_hash == other.geometry_hash
    assert transfer_note(data, ids[:1], body) == ""


# ----- the window itself: closing, size, an empty client, another client, the report ----
def test_escape_closes_the_window(window, qtbot):
    from PyQt6.QtCore import Qt

    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window.tabs, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isVisible())


def test_the_window_fits_a_768_pixel_screen(window, monkeypatch):
    from PyQt6.QtCore import QRect

    from bodymap.ui.compare_window import fitted_size

    class Laptop:
        def availableGeometry(self):
            return QRect(0, 0, 1366, 728)  # 768 less a task bar

    monkeypatch.setattr(window, "screen", lambda: Laptop())
    size = fitted_size(window)
    assert size.width() == 1200 and 600 < size.height() < 728


def test_a_client_without_visits_is_told_why_and_another_can_be_picked(tmp_path, qtbot):
    from pypdf import PdfReader

    body = paired_sphere()
    store = Store(tmp_path / "store")
    ada, bea = store.create_client("Ada Example"), store.create_client("Bea Newcomer")
    saved = []
    for day in (1, 2):
        session = visit(body, day, "Anna", restriction=np.full(body.mesh.n_vertices, 10 * day))
        session.client_id = ada.id
        store.save(session)
        saved.append(session.id)
    window = CompareWindow(store, bea.id, body)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        assert (
            window.empty.isVisible() and "No saved visits for Bea Newcomer" in window.empty.text()
        )
        assert not window.bar.export_button.isEnabled()
        names = [window.bar.clients.itemText(i) for i in range(window.bar.clients.count())]
        assert names == ["Ada Example", "Bea Newcomer"]
        window.bar.clients.setCurrentIndex(0)
        assert window.client_id == ada.id and "Ada Example" in window.windowTitle()
        assert not window.empty.isVisible() and window.bar.export_button.isEnabled()
        assert window.report_pair() == tuple(saved)
        said = []
        window.bar.message.connect(said.append)
        written = window.bar.export_pdf(tmp_path / "compare.pdf")
        assert written is not None, said
        text = "".join(page.extract_text() for page in PdfReader(written).pages)
        flat = "".join(text.split())
        assert all(session_id in flat for session_id in saved)  # whole ids, in the footer
    finally:
        window.close()
    assert not pv.plotting._ALL_PLOTTERS


def test_a_second_ctrl_k_raises_the_open_compare_window(tmp_path, qtbot):
    from bodymap.ui.main_window import MainWindow

    body = sphere_body()
    main = MainWindow(body, reference=body, store=Store(tmp_path / "store"))
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    main.sessions.start_for_client_name("Eve Example")
    assert main.compare_action.shortcut().toString() == "Ctrl+K"
    main.compare_action.trigger()
    first = main.compare_windows.windows[0]
    first.showMinimized()
    main.compare_action.trigger()
    assert main.compare_windows.windows == [first] and first.isVisible()
    assert not first.isMinimized()
    first.close()
    main.sessions.close_session()
    main.close()


def test_the_flip_book_plays_through_the_visits_and_turns_the_body(window):
    from PyQt6.QtWidgets import QPushButton

    from bodymap.core.views import StandardView

    page = window.show_tab(FLIP_BOOK)
    page.slider.setValue(page.slider.maximum())
    page.play.setChecked(True)  # at the end: starts over from the first visit
    assert page.slider.value() == page.slider.minimum() and page.play.text() == "Pause"
    shown = [page.slider.value()]
    while page.play.isChecked():
        page.play.step()
        shown.append(page.slider.value())
    assert shown == list(range(page.slider.minimum(), page.slider.maximum() + 1)) + [
        page.slider.maximum()
    ]
    assert page.play.text() == "Play" and not page.play.timer.isActive()
    back = next(b for b in page.findChildren(QPushButton) if b.text() == "Back")
    back.click()
    assert page.viewer.scene.view == StandardView.POSTERIOR
