"""PNG exports: the painted colours where a painted region faces the camera, and nowhere else."""

from __future__ import annotations

import os
import stat
import sys

import numpy as np
import pytest
from export_helpers import (
    BACK_REGION,
    CHEST_REGION,
    CLIENT_NAME,
    export_entries,
    painted_session,
    region_vertices,
)
from PyQt6.QtGui import QImage

from bodymap.core.session import Client
from bodymap.core.views import StandardView
from bodymap.export.colors import shown_tags_legend
from bodymap.export.images import SessionImages, parse_size, parse_views, write_view_pngs
from bodymap.export.qt_canvas import qimage_to_array
from bodymap.export.source import SessionSource, source_from_store

pytestmark = pytest.mark.render

SIZE = (240, 320)
RESTRICTION_RGB = (0, 90, 181)
FRONT, BACK = StandardView.ANTERIOR, StandardView.POSTERIOR


def surface_point_of(mesh, ids: np.ndarray) -> np.ndarray:
    """The region's vertex nearest its centroid: a point on the surface, inside the region."""
    centre = mesh.vertices[ids].mean(axis=0)
    return mesh.vertices[ids[np.argmin(np.linalg.norm(mesh.vertices[ids] - centre, axis=1))]]


@pytest.fixture(scope="module")
def front_and_back(body):
    """The default body's anterior and posterior views side by side, rendered once.

    Returns the image, its pixels, and where the chest and the back land in it per view.
    """
    mesh, atlas = body
    client = Client(CLIENT_NAME, id="c-0123456789ab")
    source = SessionSource(painted_session(mesh, atlas, client.id), mesh, atlas, client=client)
    places = {
        "chest": surface_point_of(mesh, region_vertices(atlas, CHEST_REGION)),
        "back": surface_point_of(mesh, region_vertices(atlas, BACK_REGION)),
    }
    with SessionImages(source, SIZE) as images:
        image = images.views([FRONT, BACK], (2 * SIZE[0], SIZE[1]))
        where = {}
        for view in (FRONT, BACK):
            offset = (image.panel(view).x(), image.panel(view).y())
            for name, point in places.items():
                where[view, name] = images.body.project(view, point)[0] + offset
    return image, qimage_to_array(image.image), where


def patch(pixels: np.ndarray, xy: np.ndarray, radius: int = 1) -> np.ndarray:
    """Median colour of the (2r+1)² pixels around ``xy``."""
    x, y = (int(round(v)) for v in xy)
    block = pixels[y - radius : y + radius + 1, x - radius : x + radius + 1].reshape(-1, 3)
    return np.median(block.astype(int), axis=0)


def is_restriction_blue(rgb: np.ndarray) -> bool:
    return rgb[2] > rgb[0] + 60 and rgb[2] > 100


def is_heat_yellow(rgb: np.ndarray) -> bool:
    return rgb[0] > 180 and rgb[1] > 140 and rgb[2] < 110


def is_skin(rgb: np.ndarray) -> bool:
    return rgb[0] > rgb[2] + 15 and not is_heat_yellow(rgb)


def test_the_painted_chest_shows_in_the_anterior_view_only(front_and_back):
    image, pixels, where = front_and_back
    assert pixels.shape == (SIZE[1], 2 * SIZE[0], 3)
    front, back = where[FRONT, "chest"], where[BACK, "chest"]
    assert image.panel(FRONT).contains(*(int(v) for v in front))
    assert image.panel(BACK).contains(*(int(v) for v in back))
    assert is_restriction_blue(patch(pixels, front)), patch(pixels, front)
    behind = patch(pixels, back)  # the same place seen from behind: unpainted back
    assert not is_restriction_blue(behind) and is_skin(behind), behind


def test_the_painted_back_shows_in_the_posterior_view_only(front_and_back):
    _, pixels, where = front_and_back
    assert is_heat_yellow(patch(pixels, where[BACK, "back"])), patch(pixels, where[BACK, "back"])
    assert is_skin(patch(pixels, where[FRONT, "back"])), patch(pixels, where[FRONT, "back"])


def test_header_and_legend_frame_the_views(front_and_back):
    image, pixels, _ = front_and_back
    layout = image.layout
    assert (image.image.width(), image.image.height()) == (2 * SIZE[0], SIZE[1])
    assert layout.header.bottom() < layout.panels[0].top() + 1
    assert layout.panels[0].bottom() < layout.legend.top()
    header = pixels[layout.header.top() : layout.header.bottom(), :]
    assert (header.sum(axis=2) < 200).sum() > 50  # dark text in the header band
    legend = pixels[layout.legend.top() : layout.legend.bottom(), :]
    near_swatch = np.abs(legend.astype(int) - RESTRICTION_RGB).sum(axis=2) < 12
    assert near_swatch.sum() > 20  # the legend holds the restriction swatch


def test_the_legend_lists_the_tags_drawn(source):
    assert [e.label for e in shown_tags_legend(source.session)] == ["Restriction", "Heat"]
    source.session.tags.update("restriction", visible=False)
    assert [e.label for e in shown_tags_legend(source.session)] == ["Heat"]


def test_view_pngs_and_sheet_are_written_with_opaque_names_and_logged(stored, tmp_path):
    store, session = stored
    source = source_from_store(store, session.id)
    folder = tmp_path / "out" / "png"
    views = (StandardView.ANTERIOR, StandardView.SUPERIOR)
    paths = write_view_pngs(source, folder, views, SIZE)
    assert [p.name.rsplit("_", 1)[1] for p in paths] == [
        "anterior.png",
        "superior.png",
        "sheet.png",
    ]
    for path in paths:
        assert "Lovelace" not in path.name and CLIENT_NAME not in path.name
        assert path.name.startswith(f"{session.client_id}_2026-03-04_{session.id[:10]}")
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert QImage(str(paths[0])).size().width() == SIZE[0]
    sheet = QImage(str(paths[-1]))
    assert (sheet.width(), sheet.height()) == (2 * SIZE[0], SIZE[1])
    logged = export_entries(store)
    assert [e["kind"] for e in logged] == ["png"] * 3
    assert {e["session_id"] for e in logged} == {session.id}
    assert sorted(os.listdir(folder)) == sorted(p.name for p in paths)  # no temporary files


def test_sizes_and_views_are_parsed_strictly():
    assert parse_size("800x600") == (800, 600)
    assert parse_views("posterior, anterior") == (StandardView.POSTERIOR, StandardView.ANTERIOR)
    assert parse_views("all") == tuple(StandardView)
    for bad in ("800", "x600", "10x10", "99999x600"):
        with pytest.raises(ValueError):
            parse_size(bad)
    with pytest.raises(ValueError, match="unknown view"):
        parse_views("anterior,front")


def test_headless_switches_apply_only_without_a_display(monkeypatch):
    import pyvista as pv

    from bodymap.export.offscreen import prepare_headless

    monkeypatch.setattr(pv, "OFF_SCREEN", False)
    monkeypatch.setenv("DISPLAY", ":42")
    monkeypatch.delenv("VTK_DEFAULT_OPENGL_WINDOW", raising=False)
    prepare_headless()  # the app's own windows must stay on screen
    assert pv.OFF_SCREEN is False and "VTK_DEFAULT_OPENGL_WINDOW" not in os.environ
    monkeypatch.delenv("DISPLAY")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    prepare_headless()
    if sys.platform.startswith("linux"):
        assert pv.OFF_SCREEN is True
        assert os.environ["VTK_DEFAULT_OPENGL_WINDOW"] == "vtkEGLRenderWindow"
