"""Close-ups: a small finding, framed on its own, fills a good part of its image."""

from __future__ import annotations

import io

import numpy as np
import pytest
from export_helpers import CHEST_REGION, CLIENT_NAME, painted_session, region_vertices
from pypdf import PdfReader

from bodymap.core.session import Client
from bodymap.core.views import StandardView
from bodymap.export.closeups import find_closeups
from bodymap.export.images import SessionImages
from bodymap.export.qt_canvas import qimage_to_array
from bodymap.export.session_report import session_report_pdf
from bodymap.export.source import SessionSource

pytestmark = pytest.mark.render

SIZE = (300, 300)


def _small_finding(body) -> tuple[SessionSource, np.ndarray]:
    """Only a disc of about 3 cm² painted with heat on the chest, no pins."""
    mesh, atlas = body
    client = Client(CLIENT_NAME, id="c-0123456789ab")
    session = painted_session(mesh, atlas, client.id)
    session.overlays.values[:] = 0
    session.pins.clear()
    chest = region_vertices(atlas, CHEST_REGION)
    centre = mesh.vertices[chest].mean(axis=0)
    middle = chest[np.argmin(np.linalg.norm(mesh.vertices[chest] - centre, axis=1))]
    near = np.flatnonzero(np.linalg.norm(mesh.vertices - mesh.vertices[middle], axis=1) < 0.01)
    session.overlays.values[near, session.overlays.column("heat")] = 100
    return SessionSource(session, mesh, atlas, client=client), near


def _heat_share(pixels: np.ndarray) -> float:
    rgb = pixels.astype(int)
    yellow = (rgb[..., 0] > 180) & (rgb[..., 1] > 140) & (rgb[..., 2] < 110)
    return float(yellow.mean())


def test_a_3_cm2_finding_is_framed_and_legible(body):
    source, near = _small_finding(body)
    mesh, atlas = body
    [closeup] = find_closeups(source.session, mesh, atlas)
    assert set(closeup.vertices) == set(near)
    assert closeup.title.startswith(atlas.regions[atlas.region_index[near[0]]].name)
    assert "Heat" in closeup.title and "cm²" in closeup.title
    with SessionImages(source, SIZE) as images:
        [(title, image)] = images.closeups(SIZE)
        whole = images.views([StandardView.ANTERIOR], SIZE, header=False, legend=False)
    assert title == closeup.title
    close, far = _heat_share(qimage_to_array(image)), _heat_share(qimage_to_array(whole.image))
    assert close > 0.02 and close > 20 * far, (close, far)


def test_the_session_report_holds_the_closeups(ball_source):
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(session_report_pdf(ball_source))).pages
    )
    flat = " ".join(text.split())
    assert "Close-ups" in flat and "Front" in flat and "Back" in flat
