"""The main window's comparison: one compare window per main window, opened when first
asked for (Ctrl+K again raises it), closed with the main window."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QWidget

from bodymap.io.body_loading import Body

if TYPE_CHECKING:  # the comparison (reports, plots, replays) is imported when first opened
    from bodymap.ui.compare_window import CompareWindow
    from bodymap.ui.session_manager import SessionManager


class CompareWindows:
    """The compare windows open over ``parent``; ``open_session(id)`` opens a visit the
    comparison asks for in the main window."""

    def __init__(self, parent: QWidget, open_session: Callable[[str], None]) -> None:
        self._parent = parent
        self._open_session = open_session
        self.windows: list[CompareWindow] = []

    def show(self, sessions: SessionManager, body: Body) -> CompareWindow | None:
        """Show the comparison of ``sessions``' client's visits on ``body`` (raised if it is
        open already); ``None`` without a client."""
        if sessions.client is None:
            return None
        for window in self.windows:
            window.showNormal()
            window.raise_()
            window.activateWindow()
            return window
        from bodymap.ui.compare_window import CompareWindow

        window = CompareWindow(
            sessions.store, sessions.client.id, body, parent=self._parent, worker=sessions.worker
        )
        window.setWindowFlag(Qt.WindowType.Window)
        window.open_session_requested.connect(self._open_session)
        window.destroyed.connect(lambda _=None, w=window: self._forget(w))
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.windows.append(window)
        window.show()
        return window

    def close_all(self) -> None:
        """Close every compare window and release its 3D views."""
        for window in list(self.windows):
            window.close_views()
            window.close()

    def _forget(self, window) -> None:
        if window in self.windows:
            self.windows.remove(window)
