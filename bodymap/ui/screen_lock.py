"""The screen lock: after a set idle time the window covers the body, the notes and the
lists, and asks for the passphrase (or, for an unprotected store, a click) to show them.

Nothing is saved or closed by locking: the session, its undo history and its draft stay as
they are, and autosave keeps running. Any key or mouse input anywhere in the app resets the
idle timer (:class:`IdleWatcher`, an application-wide event filter); while locked, input
outside the cover is swallowed, shortcuts included.
"""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import (
    QApplication,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bodymap.ui.app_filters import install_app_filter, remove_app_filter
from bodymap.ui.unlock_dialog import WRONG_TEXT, password_field, try_unlock

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TabletPress,
        QEvent.Type.TabletMove,
        QEvent.Type.TouchBegin,
    }
)
LOCKED_TITLE = "BodyMap — locked"
SWALLOWED_EVENTS = INPUT_EVENTS | {
    QEvent.Type.KeyRelease,
    QEvent.Type.MouseButtonRelease,
    QEvent.Type.TabletRelease,
    QEvent.Type.ContextMenu,
}


class IdleWatcher(QObject):
    """Emits ``idle`` after ``minutes`` without key or mouse input (0: never)."""

    idle = pyqtSignal()

    def __init__(self, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self.idle)
        self.cover: QWidget | None = None
        """While set (locked), input to widgets outside it is swallowed."""
        self._installed = False
        self.set_minutes(minutes)
        self.open()
        QApplication.instance().aboutToQuit.connect(self.close)

    def set_minutes(self, minutes: int) -> None:
        self.minutes = max(0, int(minutes))
        self.restart()

    def restart(self) -> None:
        if self.minutes > 0:
            self._timer.start(self.minutes * 60_000)
        else:
            self._timer.stop()

    def open(self) -> None:
        """Watch the app's input (again, after :meth:`close`)."""
        if not self._installed:
            install_app_filter(self)  # removed at quit and at exit, whatever happens
            self._installed = True
        self.restart()

    def close(self) -> None:
        """Stop watching (the window closed): no filter left on every event of the app."""
        self._timer.stop()
        if self._installed:
            remove_app_filter(self)
            self._installed = False

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        kind = event.type()
        if self.cover is not None and isinstance(watched, QWidget):
            if kind == QEvent.Type.ShortcutOverride:
                # Accepted, the key goes to the focused widget as typing: no action's
                # shortcut (Ctrl+S, Ctrl+N, a menu's Alt+letter) fires while locked.
                event.accept()
                return True
            if kind in SWALLOWED_EVENTS and not _inside(self.cover, watched):
                return True
        if kind in INPUT_EVENTS:
            self.restart()
        return False


def _inside(cover: QWidget, widget: QWidget) -> bool:
    return widget is cover or cover.isAncestorOf(widget)


class LockCover(QWidget):
    """What the locked window shows: a sentence and the passphrase field (or a button)."""

    unlock_requested = pyqtSignal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("lock_cover")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet("QWidget#lock_cover { background: palette(window); }")
        self.setAutoFillBackground(True)
        self.title = QLabel("BodyMap is locked")
        self.title.setStyleSheet("font-size: 18pt;")
        self.message = QLabel()
        self.passphrase = password_field("Passphrase")
        self.passphrase.returnPressed.connect(self._submit)
        self.button = QPushButton()
        self.button.clicked.connect(self._submit)
        column = QVBoxLayout()
        column.addStretch(1)
        for widget in (self.title, self.message, self.passphrase, self.button):
            column.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(2)
        row = QHBoxLayout(self)
        row.addStretch(1)
        row.addLayout(column)
        row.addStretch(1)
        self.hide()

    def prepare(self, protected: bool) -> None:
        self.passphrase.setVisible(protected)
        self.passphrase.clear()
        if protected:
            self.message.setText("The records are hidden. Enter the passphrase to go on.")
            self.button.setText("Unlock")
        else:
            self.message.setText("The records are hidden until you choose to show them.")
            self.button.setText("Show BodyMap")

    def _submit(self) -> None:
        self.unlock_requested.emit(self.passphrase.text())


class ScreenLock(QObject):
    """Locks ``window`` after ``minutes`` idle; unlocks with the store's passphrase.

    Parameters
    ----------
    window : QMainWindow
    store_of : callable
        Returns the live store (its ``root``, ``keys`` and ``protected`` are read at lock
        and unlock time, so protecting the store later is taken into account).
    """

    locked_changed = pyqtSignal(bool)

    def __init__(self, window: QMainWindow, store_of, minutes: int) -> None:
        super().__init__(window)
        self._window = window
        self._store_of = store_of
        self.cover = LockCover(window)
        self.cover.unlock_requested.connect(self.try_unlock)
        self.watcher = IdleWatcher(minutes, self)
        self.watcher.idle.connect(self.lock)
        self._hidden: list[QWidget] = []
        self._title = ""
        window.installEventFilter(self)
        window.windowTitleChanged.connect(self._keep_title_hidden)

    @property
    def locked(self) -> bool:
        return self.watcher.cover is not None

    def lock(self) -> None:
        """Cover the window now (kept as it is underneath; nothing is saved or closed)."""
        if self.locked:
            return
        if QApplication.activeModalWidget() is not None:
            self.watcher.restart()  # a question is being answered: lock after the next idle
            return
        window = self._window
        self._hidden = [w for w in self._private_widgets() if w.isVisible()]
        for widget in self._hidden:
            widget.hide()
        self._title = window.windowTitle()
        window.setWindowTitle(LOCKED_TITLE)
        protected = self._store_of().protected
        self.cover.prepare(protected)
        self.cover.setGeometry(window.rect())
        self.cover.show()
        self.cover.raise_()
        self.watcher.cover = self.cover
        (self.cover.passphrase if protected else self.cover.button).setFocus()
        self.locked_changed.emit(True)

    def try_unlock(self, passphrase: str) -> bool:
        """Show the window again if ``passphrase`` unlocks the live store (any text when the
        store is not protected); otherwise say so and ask again."""
        store = self._store_of()
        if store.protected:
            keys = try_unlock(store.root, passphrase) if passphrase else None
            if keys is None or store.keys is None or keys.data_key != store.keys.data_key:
                self.cover.message.setText(WRONG_TEXT)
                self.cover.passphrase.clear()
                self.cover.passphrase.setFocus()
                return False
        self.unlock()
        return True

    def unlock(self) -> None:
        self.watcher.cover = None
        self.cover.hide()
        self._window.setWindowTitle(self._title)
        for widget in self._hidden:
            widget.show()
        self._hidden = []
        self.watcher.restart()
        self.locked_changed.emit(False)

    def close(self) -> None:
        self.watcher.close()

    def _keep_title_hidden(self, title: str) -> None:
        # An autosave while locked retitles the window: keep the new title for later.
        if self.locked and title != LOCKED_TITLE:
            self._title = title
            self._window.setWindowTitle(LOCKED_TITLE)

    def _private_widgets(self) -> list[QWidget]:
        """The body, each dock's content, and the app's other windows (comparisons)."""
        window = self._window
        widgets = [window.centralWidget()]
        widgets += [dock.widget() for dock in window.findChildren(QDockWidget) if dock.widget()]
        widgets += [
            w
            for w in QApplication.topLevelWidgets()
            if w is not window and w.isWindow() and w.isVisible() and not w.isModal()
        ]
        return [w for w in widgets if w is not None]

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if watched is self._window:
            kind = event.type()
            if kind == QEvent.Type.Resize and self.locked:
                self.cover.setGeometry(self._window.rect())
            elif kind == QEvent.Type.Close and self.locked:
                # Closing asks whether to keep unsaved work: only the practitioner may
                # answer. (If the system kills the app instead, the autosave draft stays.)
                event.ignore()
                self.cover.message.setText("Unlock BodyMap first to close it.")
                return True
            elif kind == QEvent.Type.Close:
                QTimer.singleShot(0, self._after_close)  # closing may still be refused
            elif kind == QEvent.Type.Show:
                self.watcher.open()
        return False

    def _after_close(self) -> None:
        if not self._window.isVisible():
            self.watcher.close()
