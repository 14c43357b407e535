"""Comparing a client's visits: side by side, difference map, trends, flip book and replay,
and left/right symmetry, each in its own tab.

Each tab is built (and reads what it needs) the first time it is shown; everything read is
kept by one :class:`~bodymap.analysis.compare_data.CompareData`, so switching tabs reads nothing
twice. Sessions that cannot be read are listed with the reason under the tabs, never raised.
The window owns up to six 3D views (four side by side, one difference map, one flip book),
each closed with :meth:`CompareWindow.close_views`.
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QCloseEvent
from PyQt6.QtWidgets import QMainWindow, QTabWidget, QVBoxLayout, QWidget

from bodymap.analysis.compare_data import CompareData
from bodymap.io.body_loading import Body
from bodymap.store import Store, StoreWorker
from bodymap.ui.compare_common import (
    PROBLEM_STYLE,
    busy_cursor,
    note_label,
    session_label,
    set_note,
)
from bodymap.ui.compare_difference import DifferenceView
from bodymap.ui.compare_replay import FlipBookView
from bodymap.ui.compare_side_by_side import SideBySide
from bodymap.ui.compare_symmetry import SymmetryView
from bodymap.ui.compare_trends import TrendsView

SIDE_BY_SIDE = "Side by side"
DIFFERENCE = "Difference"
TRENDS = "Trends"
FLIP_BOOK = "Flip book / replay"
SYMMETRY = "Symmetry"
TABS: dict[str, Callable[[CompareData], QWidget]] = {
    SIDE_BY_SIDE: SideBySide,
    DIFFERENCE: DifferenceView,
    TRENDS: TrendsView,
    FLIP_BOOK: FlipBookView,
    SYMMETRY: SymmetryView,
}
DEFAULT_SIZE = (1200, 800)


class CompareWindow(QMainWindow):
    """Compare one client's visits.

    Parameters
    ----------
    store : Store
    client_id : str
    body : Body
        The body the sessions were recorded on (the default body). Sessions recorded on
        another mesh are carried onto the first compared session's body.
    parent : QWidget, optional
        The window stays a separate top-level window.
    worker : StoreWorker, optional
        The app's store worker: every store read runs on it (libhdf5 wants one thread).

    Signals
    -------
    open_session_requested(str)
        The practitioner asked to open a visit (clicked its point in the trends).
    """

    open_session_requested = pyqtSignal(str)

    def __init__(
        self,
        store: Store,
        client_id: str,
        body: Body,
        parent: QWidget | None = None,
        worker: StoreWorker | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        with busy_cursor():
            self.data = CompareData(store, client_id, body, worker)
        self._pages: dict[str, QWidget] = {}
        self._holders: dict[str, QWidget] = {}
        self.tabs = QTabWidget()
        for name in TABS:
            holder = QWidget()
            layout = QVBoxLayout(holder)
            layout.setContentsMargins(0, 0, 0, 0)
            self._holders[name] = holder
            self.tabs.addTab(holder, name)
        self.problems = note_label(PROBLEM_STYLE)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(self.tabs, 1)
        column.addWidget(self.problems)
        self.setCentralWidget(central)
        self.setWindowTitle(f"Compare visits — {self.data.client_name()}")
        self.resize(*DEFAULT_SIZE)
        self.tabs.currentChanged.connect(lambda index: self.page(self.tabs.tabText(index)))
        self.page(SIDE_BY_SIDE)

    # -- tabs --------------------------------------------------------------------------------
    def page(self, name: str) -> QWidget:
        """The tab called ``name``, built (and its sessions read) on first use."""
        if name not in self._pages:
            with busy_cursor():
                page = TABS[name](self.data)
            page.changed.connect(self._show_problems)
            if isinstance(page, TrendsView):
                page.open_session_requested.connect(self.open_session_requested)
            self._holders[name].layout().addWidget(page)
            self._pages[name] = page
            self._show_problems()
        return self._pages[name]

    def show_tab(self, name: str) -> QWidget:
        """Bring the tab called ``name`` to the front and return its page."""
        self.tabs.setCurrentIndex(list(TABS).index(name))
        return self.page(name)

    @property
    def problems_text(self) -> str:
        """The listed sessions that could not be read, with their reasons ("" if none)."""
        return "" if self.problems.isHidden() else self.problems.text()

    def _show_problems(self) -> None:
        lines = self.data.problem_lines(session_label)
        if not lines:
            set_note(self.problems, "")
            return
        heading = (
            "1 session could not be read"
            if len(lines) == 1
            else (f"{len(lines)} sessions could not be read")
        )
        set_note(self.problems, heading + ":\n" + "\n".join(f"• {line}" for line in lines))

    # -- closing -----------------------------------------------------------------------------
    def close_views(self) -> None:
        """Close every 3D view's plotter; the window shows no bodies afterwards."""
        for page in self._pages.values():
            close = getattr(page, "close_views", None)
            if close is not None:
                close()

    def closeEvent(self, event: QCloseEvent | None) -> None:
        self.close_views()
        super().closeEvent(event)
