"""Render the application icon (``packaging/icons/bodymap.svg``) to the committed PNG sizes.

    python packaging/render_icons.py

Run after changing the SVG; the PNGs are committed so that building a bundle needs no SVG
renderer. The Windows ``.ico`` and macOS ``.icns`` are made from them at build time
(``packaging/make_icons.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(svg: Path = ICONS / "bodymap.svg", folder: Path = ICONS) -> list[Path]:
    """Write ``bodymap-<size>.png`` for every size in :data:`SIZES`; return their paths."""
    from PyQt6.QtCore import Qt
    from PyQt6.QtGui import QGuiApplication, QImage, QPainter
    from PyQt6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: {svg} is not a valid SVG")
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = folder / f"bodymap-{size}.png"
        if not image.save(str(path)):
            raise SystemExit(f"render_icons: cannot write {path}")
        written.append(path)
    del app
    return written


if __name__ == "__main__":
    for written in render():
        print(written)
