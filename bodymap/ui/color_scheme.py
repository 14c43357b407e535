"""Following the system's light or dark colour scheme (Qt 6.5+ style hints).

Where the platform already themes Qt for the scheme, nothing is changed; where it reports
the scheme but leaves the palette light (plain X11 desktops), BodyMap switches Fusion's
palette itself, and again whenever the system changes scheme (``colorSchemeChanged``).
The 3D view follows with its background (:class:`~bodymap.ui.viewer.BodyViewer`).
"""

from __future__ import annotations

from PyQt6.QtCore import QMetaObject, Qt
from PyQt6.QtGui import QColor, QGuiApplication, QPalette
from PyQt6.QtWidgets import QApplication, QStyleFactory

DARK_COLORS = {
    QPalette.ColorRole.Window: "#2b2d31",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1f2023",
    QPalette.ColorRole.AlternateBase: "#2b2d31",
    QPalette.ColorRole.ToolTipBase: "#3a3d42",
    QPalette.ColorRole.ToolTipText: "#f0f0f0",
    QPalette.ColorRole.PlaceholderText: "#8a8d92",
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.Button: "#34373c",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Link: "#7fb2ff",
    QPalette.ColorRole.Highlight: "#3d6fb6",
    QPalette.ColorRole.HighlightedText: "#ffffff",
}
DISABLED_TEXT = "#7a7d82"


def is_dark() -> bool:
    """Whether the system asks for the dark scheme (False where it cannot tell)."""
    app = QGuiApplication.instance()
    if app is None:
        return False
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def dark_palette() -> QPalette:
    """Fusion's palette in dark colours (disabled text dimmed)."""
    palette = QPalette()
    for role, colour in DARK_COLORS.items():
        palette.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(DISABLED_TEXT))
    return palette


def _palette_is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def apply_color_scheme(app: QApplication) -> None:
    """Give ``app`` a palette matching the system's scheme, if the platform did not."""
    native = app.style().standardPalette()
    if is_dark() == _palette_is_dark(native):
        app.setPalette(native)  # the platform themes it (or both are light)
        return
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:
        app.setStyle(fusion)
    app.setPalette(dark_palette() if is_dark() else app.style().standardPalette())


def follow_color_scheme(app: QApplication) -> QMetaObject.Connection:
    """Apply the system's scheme now and whenever it changes; the signal's connection."""
    apply_color_scheme(app)
    hints = QGuiApplication.styleHints()
    return hints.colorSchemeChanged.connect(lambda _scheme: apply_color_scheme(app))
