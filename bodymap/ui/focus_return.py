"""Keyboard focus goes back to the 3D view whenever a modal dialog closes.

One application-wide event filter instead of a line after every ``exec()``: when a modal
dialog (a pin's note, a message box, the clients browser...) hides and no other modal
dialog is left open, the view gets the focus again, so the view and tool keys (``1``,
``V``...) work at once instead of landing in whichever widget Qt chose.
"""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, Qt, QTimer
from PyQt6.QtWidgets import QApplication, QDialog, QWidget


class FocusReturn(QObject):
    """Gives ``view`` the keyboard focus after each modal dialog of its window closes
    (not after one of another window, such as a comparison, which keeps its focus).

    Parameters
    ----------
    view : QWidget
        The widget to focus (the 3D view's interactor). The filter is removed when the
        view is destroyed.
    """

    def __init__(self, view: QWidget) -> None:
        super().__init__(view)
        self._view = view
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self._restore)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
            # Off before the teardown: widgets hidden while Python objects are being freed
            # must not call back into Python (a crash at exit).
            app.aboutToQuit.connect(self.stop)
            view.destroyed.connect(self.stop)

    def stop(self, *_args: object) -> None:
        """Stop watching dialogs (at quit, or when the view goes)."""
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._timer.stop()

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if (
            event is not None
            and event.type() == QEvent.Type.Hide
            and isinstance(watched, QDialog)
            and watched.isModal()
        ):
            self._timer.start()  # once the dialog is gone and Qt has re-activated a window
        return False

    def _restore(self) -> None:
        view = self._view
        window = view.window()
        if QApplication.activeModalWidget() is not None or not window.isVisible():
            return  # another dialog is still open (a message over the browser)
        active = QApplication.activeWindow()
        if active is not None and active is not window:
            return  # the dialog belonged to another window (a comparison): leave it there
        if active is None:
            window.activateWindow()
        view.setFocus(Qt.FocusReason.OtherFocusReason)
