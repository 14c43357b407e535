"""The clients column of the browser: name and last visit, sortable by either.

The last visit is the newest readable session's start, read from the sessions' file
attributes (:meth:`Store.sessions`: about 5 ms a session file), one client per turn of the
event loop after the list is shown, so the dialog opens at once however large the practice;
sorting by last visit reads the rest first. Visits are kept while the browser is open:
typing in the search box never reads them again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem

from bodymap.core.session import Client
from bodymap.store import Store, StoreError
from bodymap.ui.record_display import local_datetime_text

ID_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
NAME_COLUMN, LAST_VISIT_COLUMN = 0, 1
CLIENT_COLUMNS = ("Client", "Last visit")
NEVER = "no visit yet"
PENDING = "…"


class _ClientItem(QTreeWidgetItem):
    """Sorts by the value in ``SORT_ROLE`` (a casefolded name, or a visit's timestamp)."""

    def __lt__(self, other: QTreeWidgetItem) -> bool:
        column = self.treeWidget().sortColumn() if self.treeWidget() else NAME_COLUMN
        return self.data(column, SORT_ROLE) < other.data(column, SORT_ROLE)


def last_visit(store: Store, client_id: str) -> datetime | None:
    """When the client's newest readable session started (``None``: none yet, or unreadable)."""
    try:
        infos = store.sessions(client_id)
    except StoreError:
        return None
    times = [info.started for info in infos if info.readable and info.started is not None]
    return max(times, default=None)


class ClientList(QTreeWidget):
    """Clients as rows (id in ``ID_ROLE`` of column 0), sorted by a clicked column."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self._store = store
        self._visits: dict[str, datetime | None] = {}
        self._reader = QTimer(self, singleShot=True, interval=0)
        self._reader.timeout.connect(self._read_next_visit)
        self.setHeaderLabels(CLIENT_COLUMNS)
        self.setRootIsDecorated(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.header()
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(LAST_VISIT_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        header.setSortIndicatorShown(True)
        self.setSortingEnabled(True)
        self.sortByColumn(NAME_COLUMN, Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(self._sort_changed)

    def visit(self, client_id: str) -> datetime | None:
        """The client's last visit (read from the store once, then remembered)."""
        if client_id not in self._visits:
            self._visits[client_id] = last_visit(self._store, client_id)
        return self._visits[client_id]

    def forget_visit(self, client_id: str) -> None:
        """Read this client's last visit again next time (after an edit)."""
        self._visits.pop(client_id, None)

    def fill(self, clients: Iterable[Client]) -> None:
        """Replace the rows with ``clients`` (kept in the chosen sort order)."""
        self.setSortingEnabled(False)  # sorting row by row while filling is quadratic
        self.clear()
        for client in clients:
            item = _ClientItem([client.name, PENDING])
            item.setData(NAME_COLUMN, ID_ROLE, client.id)
            item.setData(NAME_COLUMN, SORT_ROLE, (client.name.casefold(), client.id))
            item.setData(LAST_VISIT_COLUMN, SORT_ROLE, 0.0)
            item.setToolTip(NAME_COLUMN, client.id)
            if client.id in self._visits:
                self._show_visit(item, self._visits[client.id])
            self.addTopLevelItem(item)
        self.setSortingEnabled(True)
        if self.sortColumn() == LAST_VISIT_COLUMN:
            self.read_visits()
        else:
            self._reader.start()

    def read_visits(self) -> None:
        """Read every listed client's last visit now (and keep the chosen sort order)."""
        self._reader.stop()
        for item in self._pending_items():
            self._show_visit(item, self.visit(item.data(NAME_COLUMN, ID_ROLE)))
        self.sortByColumn(self.sortColumn(), self.header().sortIndicatorOrder())

    def _pending_items(self) -> list[QTreeWidgetItem]:
        items = (self.topLevelItem(r) for r in range(self.count()))
        return [i for i in items if i.data(NAME_COLUMN, ID_ROLE) not in self._visits]

    def _read_next_visit(self) -> None:
        pending = self._pending_items()
        if pending:
            item = pending[0]
            self._show_visit(item, self.visit(item.data(NAME_COLUMN, ID_ROLE)))
            self._reader.start()

    @staticmethod
    def _show_visit(item: QTreeWidgetItem, visit: datetime | None) -> None:
        item.setText(LAST_VISIT_COLUMN, local_datetime_text(visit) or NEVER)
        item.setData(LAST_VISIT_COLUMN, SORT_ROLE, visit.timestamp() if visit else 0.0)

    def _sort_changed(self, column: int, _order: Qt.SortOrder) -> None:
        if column == LAST_VISIT_COLUMN and self._pending_items():
            QTimer.singleShot(0, self.read_visits)  # after Qt has sorted what it has

    def ids(self) -> list[str]:
        """The listed clients' ids, in list order."""
        return [self.topLevelItem(r).data(NAME_COLUMN, ID_ROLE) for r in range(self.count())]

    def count(self) -> int:
        return self.topLevelItemCount()

    def current_id(self) -> str | None:
        item = self.currentItem()
        return None if item is None else item.data(NAME_COLUMN, ID_ROLE)

    def current_name(self) -> str:
        item = self.currentItem()
        return "" if item is None else item.text(NAME_COLUMN)

    def select_id(self, client_id: str) -> bool:
        """Make ``client_id`` the current row if it is listed; whether it is."""
        for row in range(self.count()):
            item = self.topLevelItem(row)
            if item.data(NAME_COLUMN, ID_ROLE) == client_id:
                self.setCurrentItem(item)
                return True
        return False

    def select_first(self) -> None:
        if self.count():
            self.setCurrentItem(self.topLevelItem(0))
