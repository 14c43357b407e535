"""Pins and vectors are drawn on the exported body pictures, where they are on the body."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from export_helpers import CHEST_REGION, CLIENT_NAME, painted_session, region_vertices

from bodymap.core.annotations import ForceVector, Pin, SurfacePoint
from bodymap.core.session import Client
from bodymap.core.views import StandardView
from bodymap.export.images import SessionImages
from bodymap.export.qt_canvas import qimage_to_array
from bodymap.export.source import SessionSource

pytestmark = pytest.mark.render

SIZE = (300, 450)
FRONT = StandardView.ANTERIOR


def _nearest_vertex(mesh, point: np.ndarray) -> int:
    return int(np.argmin(np.linalg.norm(mesh.vertices - point, axis=1)))


def _sources(body) -> tuple[SessionSource, SessionSource]:
    """The same unpainted record twice: with a pin and a vector on the chest, and without."""
    mesh, atlas = body
    client = Client(CLIENT_NAME, id="c-0123456789ab")
    bare = painted_session(mesh, atlas, client.id)
    bare.overlays.values[:] = 0
    bare.pins.clear()
    chest = region_vertices(atlas, CHEST_REGION)
    centre = _nearest_vertex(mesh, mesh.vertices[chest].mean(axis=0))
    below = _nearest_vertex(mesh, mesh.vertices[centre] + np.array([0.0, -0.12, 0.0]))
    marked = dataclasses.replace(bare, pins=dict(bare.pins), vectors=dict(bare.vectors))
    marked.pins["p1"] = Pin(SurfacePoint(mesh.vertices[centre], centre), "heat", id="p1")
    start = SurfacePoint(mesh.vertices[below], below)
    end_vertex = _nearest_vertex(mesh, mesh.vertices[below] + np.array([0.1, 0.0, 0.0]))
    end = SurfacePoint(mesh.vertices[end_vertex], end_vertex)
    marked.vectors["v1"] = ForceVector(start, end, tag="restriction", id="v1")
    return (
        SessionSource(bare, mesh, atlas, client=client),
        SessionSource(marked, mesh, atlas, client=client),
    )


def _render(source: SessionSource) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The anterior image's pixels, and where the pin's head and the arrow's middle land."""
    with SessionImages(source, SIZE) as images:
        image = images.views([FRONT], SIZE, header=False, legend=False)
        pixels = qimage_to_array(image.image)
        pin = images.body._pins.anchors  # where the layer drew the head
        arrow = images.body._vectors.anchors
        if len(pin) == 0:
            return pixels, np.empty((0, 2)), np.empty((0, 2))
        head = images.body.project(FRONT, pin[:, 0])[0]
        middle = images.body.project(FRONT, arrow[0].mean(axis=0))[0]
    return pixels, head, middle


def _patch(pixels: np.ndarray, xy: np.ndarray) -> np.ndarray:
    x, y = (int(round(v)) for v in xy)
    return np.median(pixels[y - 1 : y + 2, x - 1 : x + 2].reshape(-1, 3).astype(int), axis=0)


def test_pins_and_vectors_show_in_the_exported_view(body):
    bare, marked = _sources(body)
    plain, _, _ = _render(bare)
    drawn, head, middle = _render(marked)
    assert plain.shape == drawn.shape
    heat, restriction = (
        np.array(marked.session.tags.get(k).color) for k in ("heat", "restriction")
    )
    for xy, rgb in ((head, heat), (middle, restriction)):
        before, after = _patch(plain, xy), _patch(drawn, xy)
        assert np.abs(after - before).max() > 40, (xy, before, after)
        # Shaded, but nearer the marker's colour than the skin it covers.
        assert np.linalg.norm(after - rgb) < np.linalg.norm(before - rgb)
    assert np.abs(drawn.astype(int) - plain).max(axis=2).astype(bool).mean() < 0.05
