"""Filters on every event of the application, installed so that none outlives Python.

A Python object left as an application-wide event filter when the interpreter tears
down Qt crashes the process on exit (a segmentation fault), whether or not an event loop
ran. Every such filter is installed here: removed when the event loop ends
(``aboutToQuit``) and, for processes that never run one (scripts, benchmarks, tests), when
Python exits.

Prefer a filter on the window that needs it: an application-wide Python filter is called
for every event of every object, and the benchmark's window process (the 1M-vertex body,
a stroke, then exit) died with a segmentation fault at teardown whenever one had been
installed, even when it was removed before exit; push-to-talk therefore watches its window
and 3D view only (:mod:`bodymap.ui.voice_control`). The idle screen lock is the last user.
"""

from __future__ import annotations

import atexit
import contextlib
import weakref

from PyQt6.QtCore import QObject
from PyQt6.QtWidgets import QApplication

_installed: weakref.WeakSet = weakref.WeakSet()


def install_app_filter(watcher: QObject) -> None:
    """Make ``watcher`` see every event of the application until :func:`remove_app_filter`."""
    app = QApplication.instance()
    if app is None or watcher in _installed:
        return
    app.installEventFilter(watcher)
    _installed.add(watcher)
    app.aboutToQuit.connect(_remove_all)


def remove_app_filter(watcher: QObject) -> None:
    """Stop ``watcher`` seeing the application's events (idempotent)."""
    app = QApplication.instance()
    if watcher in _installed:
        _installed.discard(watcher)
        if app is not None:
            with contextlib.suppress(RuntimeError):  # its C++ side may be gone already
                app.removeEventFilter(watcher)


def _remove_all() -> None:
    for watcher in list(_installed):
        remove_app_filter(watcher)


atexit.register(_remove_all)
