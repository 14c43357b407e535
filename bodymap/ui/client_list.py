"""The clients column of the browser: name and last visit, sortable by either.

The last visit is the newest readable session's start, read once per client from the
sessions' file attributes (:meth:`Store.sessions`) when the list is first filled, and
kept while the browser is open: typing in the search box never reads the store again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem

from bodymap.core.session import Client
from bodymap.store import Store, StoreError
from bodymap.ui.record_display import local_datetime_text

ID_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
NAME_COLUMN, LAST_VISIT_COLUMN = 0, 1
CLIENT_COLUMNS = ("Client", "Last visit")
NEVER = "no visit yet"


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
            visit = self.visit(client.id)
            item = _ClientItem([client.name, local_datetime_text(visit) or NEVER])
            item.setData(NAME_COLUMN, ID_ROLE, client.id)
            item.setData(NAME_COLUMN, SORT_ROLE, (client.name.casefold(), client.id))
            item.setData(LAST_VISIT_COLUMN, SORT_ROLE, visit.timestamp() if visit else 0.0)
            item.setToolTip(NAME_COLUMN, client.id)
            self.addTopLevelItem(item)
        self.setSortingEnabled(True)

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
