"""Keyboard focus goes back to the 3D view whenever a modal dialog closes.

One application-wide watcher instead of a line after every ``exec()``: when the last modal
dialog (a pin's note, a message box, the clients browser...) closes, the view of the active
window gets the focus again, so the view and tool keys (``1``, ``V``...) work at once
instead of landing in whichever widget Qt chose.

The watcher is one object owned by the application and kept by this module, never by a
window; views are held weakly (a closed window's view is skipped); it stops at quit.
"""

from __future__ import annotations

from PyQt6 import sip
from PyQt6.QtCore import QObject, Qt, QTimer
from PyQt6.QtWidgets import QApplication, QWidget

_FILTER: FocusReturn | None = None
POLL_MS = 100
"""How often the end of a modal dialog is looked for: well under a practitioner's reaction."""


class FocusReturn(QObject):
    """Watches for the last modal dialog closing, then focuses a registered view.

    It polls ``QApplication.activeModalWidget()`` (a C++ call, ten times a second) rather
    than filtering every event: an application-wide Python event filter is called for
    widgets half-way through their destruction, and crashed when a window was freed.
    """

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._views: list[QWidget] = []
        self._had_modal = False
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._timer.start()
        app.aboutToQuit.connect(self.stop)

    def add(self, view: QWidget) -> None:
        self._views = [v for v in self._views if not sip.isdeleted(v)] + [view]

    def stop(self) -> None:
        """Stop watching dialogs (at quit)."""
        self._timer.stop()

    def _poll(self) -> None:
        modal = QApplication.activeModalWidget() is not None
        if self._had_modal and not modal:
            self._restore()
        self._had_modal = modal

    def _restore(self) -> None:
        if QApplication.activeModalWidget() is not None:
            return  # another dialog is still open (a message over the browser)
        active = QApplication.activeWindow()
        for view in [v for v in self._views if not sip.isdeleted(v)]:
            window = view.window()
            if not window.isVisible() or (active is not None and active is not window):
                continue  # closed, or the dialog was another window's (a comparison)
            if active is None:
                window.activateWindow()
            view.setFocus(Qt.FocusReason.OtherFocusReason)
            return


def return_focus_to(view: QWidget) -> None:
    """Give ``view`` the keyboard focus after each modal dialog of its window closes."""
    global _FILTER
    app = QApplication.instance()
    if app is None:
        return
    if _FILTER is None or sip.isdeleted(_FILTER):
        _FILTER = FocusReturn(app)
    _FILTER.add(view)
