"""PNG images of a session: any standard views, a sheet of the four main ones, a thumbnail.

Each image carries a header (client, date, practitioner) and a legend of the tags shown.
Views are rendered off-screen (:mod:`bodymap.export.offscreen`) and composed with QtGui
(:mod:`bodymap.export.qt_canvas`): no window and no display are needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QImage

from bodymap.core.colors import session_colors
from bodymap.core.mesh import BodyMesh
from bodymap.core.session import Session
from bodymap.core.views import StandardView
from bodymap.export.colors import shown_tags_legend
from bodymap.export.files import Output, check_folder, write_outputs
from bodymap.export.naming import local_time, session_filename
from bodymap.export.offscreen import OffscreenBody, render_views
from bodymap.export.qt_canvas import (
    ImageHeader,
    ViewsLayout,
    array_to_qimage,
    ensure_gui_app,
    layout_views,
    paint_views,
    png_bytes,
)
from bodymap.export.source import SessionSource

SHEET_VIEWS = (
    StandardView.ANTERIOR,
    StandardView.POSTERIOR,
    StandardView.LEFT,
    StandardView.RIGHT,
)
DEFAULT_VIEW_SIZE = (600, 900)
DEFAULT_SHEET_SIZE = (1600, 1000)
MIN_SIDE, MAX_SIDE = 64, 8192
THUMBNAIL_WIDTH = 160
THUMBNAIL_VIEW_SIZE = (240, 480)
"""Each view of a thumbnail is rendered this large, then the pair is scaled down smoothly."""


@dataclass(frozen=True, eq=False)
class ViewsImage:
    """An exported image and where each view lies in it."""

    image: QImage
    layout: ViewsLayout
    views: tuple[StandardView, ...]

    def panel(self, view: StandardView):
        """The rectangle (QRect) ``view`` fills."""
        return self.layout.panels[self.views.index(view)]

    def png(self) -> bytes:
        return png_bytes(self.image)


def thumbnail_png(session: Session, mesh: BodyMesh, width: int = THUMBNAIL_WIDTH) -> bytes:
    """A session's small PNG for lists: front and back side by side, rendered off-screen."""
    ensure_gui_app()
    views = (StandardView.ANTERIOR, StandardView.POSTERIOR)
    found = render_views(mesh, session_colors(session, mesh), list(views), THUMBNAIL_VIEW_SIZE)
    image = array_to_qimage(np.concatenate([found[v] for v in views], axis=1))
    return png_bytes(image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation))


def image_header(source: SessionSource) -> ImageHeader:
    """Client's name, the date and the practitioner; the session's short id on the right."""
    session = source.session
    details = local_time(session.started)
    if session.practitioner:
        details += f" · {session.practitioner}"
    return ImageHeader(source.client_name, details, session.id[:10])


class SessionImages:
    """Renders one session's body off-screen, as often and at as many sizes as needed.

    Loading the body into VTK is the slow part (about a second on the default body), so
    one instance serves every image of an export. Use it as a context manager.
    """

    def __init__(self, source: SessionSource, size: tuple[int, int] = DEFAULT_VIEW_SIZE):
        ensure_gui_app()
        self.source = source
        self.legend = shown_tags_legend(source.session)
        self.header = image_header(source)
        self.body = OffscreenBody(source.mesh, size)
        self.body.set_colors(session_colors(source.session, source.mesh))

    def views(
        self,
        views: tuple[StandardView, ...] | list[StandardView],
        size: tuple[int, int],
        header: bool = True,
        legend: bool = True,
        unit: float | None = None,
    ) -> ViewsImage:
        """The views side by side in one image of ``size`` (width, height) pixels.

        ``unit``: text size in pixels (see :func:`layout_views`).
        """
        views = tuple(views)
        legend_entries = self.legend if legend else None
        layout = layout_views(len(views), check_size(size), header, legend_entries, unit)
        self.body.resize(layout.panel_size)
        renders = [(view.label, self.body.render(view)) for view in views]
        image = paint_views(layout, renders, self.header if header else None)
        return ViewsImage(image, layout, views)

    def sheet(
        self,
        size: tuple[int, int] = DEFAULT_SHEET_SIZE,
        header: bool = True,
        unit: float | None = None,
    ) -> ViewsImage:
        """Anterior, posterior, left and right views in one image."""
        return self.views(SHEET_VIEWS, size, header=header, unit=unit)

    def close(self) -> None:
        self.body.close()

    def __enter__(self) -> SessionImages:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def check_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = (int(v) for v in size)
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ValueError(f"image sizes are {MIN_SIDE} to {MAX_SIDE} pixels a side, not {size}")
    return width, height


def parse_size(text: str) -> tuple[int, int]:
    """``"800x600"`` -> ``(800, 600)``."""
    parts = text.lower().replace("×", "x").split("x")
    try:
        width, height = (int(p) for p in parts)
    except ValueError:
        raise ValueError(f"a size is WIDTHxHEIGHT in pixels (e.g. 800x600), not {text!r}") from None
    return check_size((width, height))


def parse_views(text: str) -> tuple[StandardView, ...]:
    """``"anterior,posterior"`` -> the views; ``"all"`` -> every standard view."""
    if text.strip().lower() == "all":
        return tuple(StandardView)
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    known = {view.value: view for view in StandardView}
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        choices = ", ".join(known)
        raise ValueError(f"unknown view {', '.join(unknown) or text!r}; choose from {choices}")
    return tuple(dict.fromkeys(known[name] for name in names))


def write_view_pngs(
    source: SessionSource,
    folder: Path,
    views: tuple[StandardView, ...] = SHEET_VIEWS,
    size: tuple[int, int] = DEFAULT_VIEW_SIZE,
    sheet: bool = True,
    sheet_size: tuple[int, int] | None = None,
) -> list[Path]:
    """One PNG per view, and (``sheet``) one image of all of them side by side.

    Files are named by ids and date (``<client>_<date>_<session>_<view>.png``,
    ``..._sheet.png``); all are written, or none. The export is logged in the store.

    Parameters
    ----------
    folder : Path
        Created if missing.
    size : (width, height)
        Of each single-view image.
    sheet_size : (width, height), optional
        Of the sheet; by default as tall as a view and as wide as the views side by side.
    """
    folder = check_folder(folder, create=True)
    session = source.session
    with SessionImages(source, size) as images:
        outputs = [
            Output(
                folder / session_filename(session, view.value, "png"),
                images.views([view], size).png(),
            )
            for view in views
        ]
        if sheet:
            sheet_size = sheet_size or (min(MAX_SIDE, size[0] * len(views)), size[1])
            image = images.views(views, sheet_size)
            outputs.append(Output(folder / session_filename(session, "sheet", "png"), image.png()))
    return write_outputs(outputs, lambda done: _log_pngs(source, done))


def write_sheet_png(
    source: SessionSource, target: Path, size: tuple[int, int] = DEFAULT_SHEET_SIZE
) -> Path:
    """The four-view sheet as one PNG at ``target``."""
    with SessionImages(source, size) as images:
        data = images.sheet(size).png()
    return write_outputs([Output(Path(target), data)], lambda done: _log_pngs(source, done))[0]


def _log_pngs(source: SessionSource, outputs: list[Output]) -> None:
    for output in outputs:
        source.log_export("png", output.sha256)
