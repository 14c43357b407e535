"""Pick a client and a session: create or edit clients, start a new session or open one.

The browser never opens a session itself: once accepted, :attr:`ClientBrowser.choice`
says what to do (:class:`BrowserChoice`). Listing reads file attributes only
(:meth:`Store.sessions`); thumbnails are read for the selected client's sessions only.

Privacy: client names appear on screen only. Settings remember the practitioner's name and
the last client's opaque id, never a client's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from PyQt6.QtCore import QSize, Qt
from PyQt6.QtGui import QIcon
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bodymap.store import SessionInfo, Store, StoreError
from bodymap.ui.client_dialog import ClientDialog
from bodymap.ui.client_list import ClientList
from bodymap.ui.record_display import (
    THUMB_SIZE,
    blank_thumbnail_icon,
    local_datetime_text,
    lock_icon,
    thumbnail_icon,
)
from bodymap.ui.settings import LAST_CLIENT_KEY, PRACTITIONER_KEY, app_settings

__all__ = [
    "FINALISED_BADGE",
    "LAST_CLIENT_KEY",
    "PRACTITIONER_KEY",
    "BrowserChoice",
    "ClientBrowser",
    "ClientDialog",
    "app_settings",
    "local_datetime_text",
]
"""``ClientDialog`` and ``local_datetime_text`` live in their own modules; they are named
here too so existing imports keep working."""

ID_ROLE = Qt.ItemDataRole.UserRole
SESSION_COLUMNS = ("Date", "Practitioner", "Status")
FINALISED_BADGE = "finalised"


def _box(layout: QBoxLayout, *parts: QWidget | QLayout | int) -> QBoxLayout:
    """``layout`` holding widgets, layouts and stretches (an int), in order."""
    for part in parts:
        if isinstance(part, int):
            layout.addStretch(part)
        elif isinstance(part, QLayout):
            layout.addLayout(part)
        else:
            layout.addWidget(part)
    return layout


@dataclass(frozen=True)
class BrowserChoice:
    """What the user chose in the browser.

    ``action`` is ``"new"`` (``session_id`` is ``None``; ``carry_over``: start from the
    previous visit's findings) or ``"open"`` (``session_id`` names it; ``carry_over`` is
    false).
    """

    action: Literal["new", "open"]
    client_id: str
    session_id: str | None
    carry_over: bool
    practitioner: str


class ClientBrowser(QDialog):
    """The "Clients and sessions" dialog: search clients, list their sessions, choose what to do.

    Parameters
    ----------
    store : Store
    mesh_hash : str, optional
        The body shown: sessions recorded on another mesh are listed as unreadable.
    current_client : str, optional
        The client whose session is open: selected first (else the client chosen last).
    """

    def __init__(
        self,
        store: Store,
        mesh_hash: str | None = None,
        parent: QWidget | None = None,
        current_client: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Clients and sessions")
        self.resize(1040, 560)
        self._store = store
        self._mesh_hash = mesh_hash
        self._infos: list[SessionInfo] = []
        self._blank_thumbnail = blank_thumbnail_icon()
        self._lock = lock_icon()
        self.choice: BrowserChoice | None = None

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search by name or id")
        self.search.setClearButtonEnabled(True)
        self.client_list = ClientList(store)
        self.new_client_button = QPushButton("New client…")
        self.edit_client_button = QPushButton("Edit client…")
        self.client_label = QLabel("Choose a client")
        self.session_list = QTreeWidget()
        self.session_list.setHeaderLabels(SESSION_COLUMNS)
        self.session_list.setRootIsDecorated(False)
        self.session_list.setIconSize(THUMB_SIZE)
        self.session_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.session_list.header()
        for column in range(len(SESSION_COLUMNS)):  # never clip the status: scroll instead
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.practitioner = QLineEdit(str(app_settings().value(PRACTITIONER_KEY, "") or ""))
        self.practitioner.setPlaceholderText("Your name, for new sessions")
        self.carry_over = QCheckBox("Start from the previous visit's findings")
        self.carry_over.setChecked(True)
        self.new_session_button = QPushButton("New session")
        self.open_button = QPushButton("Open session")
        self.open_button.setDefault(True)
        self.open_button.setAutoDefault(True)
        self.new_session_button.setAutoDefault(False)
        cancel = QPushButton("Cancel")
        cancel.setAutoDefault(False)

        form = QFormLayout()
        form.addRow("&Practitioner", self.practitioner)
        form.addRow("", self.carry_over)
        left = _box(QVBoxLayout(), self.search, self.client_list)
        left.addLayout(_box(QHBoxLayout(), self.new_client_button, self.edit_client_button))
        right = _box(QVBoxLayout(), self.client_label, self.session_list, form)
        actions = _box(QHBoxLayout(), 1, self.new_session_button, self.open_button, cancel)
        right.addLayout(actions)
        columns = QHBoxLayout(self)
        columns.addLayout(left, 1)
        columns.addLayout(right, 2)

        self.search.textChanged.connect(self.refresh_clients)
        self.client_list.currentItemChanged.connect(self._client_changed)
        self.session_list.currentItemChanged.connect(self._update_buttons)
        self.session_list.itemDoubleClicked.connect(self._double_clicked)
        self.new_client_button.clicked.connect(self.new_client)
        self.edit_client_button.clicked.connect(self.edit_client)
        self.new_session_button.clicked.connect(self.new_session)
        self.open_button.clicked.connect(self.open_session)
        cancel.clicked.connect(self.reject)

        last = current_client or app_settings().value(LAST_CLIENT_KEY, "")
        self.refresh_clients(select=str(last or ""))
        self.search.setFocus()

    # ----- reading the selection -----------------------------------------------------
    def current_client_id(self) -> str | None:
        return self.client_list.current_id()

    def current_session(self) -> SessionInfo | None:
        item = self.session_list.currentItem()
        if item is None:
            return None
        return next((i for i in self._infos if i.id == item.data(0, ID_ROLE)), None)

    def client_ids(self) -> list[str]:
        """The listed clients' ids, in list order."""
        return self.client_list.ids()

    def session_items(self) -> list[QTreeWidgetItem]:
        """The listed session rows, newest first."""
        tree = self.session_list
        return [tree.topLevelItem(r) for r in range(tree.topLevelItemCount())]

    # ----- clients ---------------------------------------------------------------------
    def select_client(self, client_id: str) -> bool:
        """Select ``client_id`` if it is listed; whether it is."""
        return self.client_list.select_id(client_id)

    def refresh_clients(self, text: str | None = None, select: str | None = None) -> None:
        """List the clients matching the search text; keep (or make) a selection."""
        keep = select or self.current_client_id()
        try:
            clients = self._store.find_clients(self.search.text())
        except StoreError as error:
            clients = []
            self.client_label.setText(str(error).splitlines()[0])
        self.client_list.blockSignals(True)
        self.client_list.fill(clients)
        if not (keep and self.select_client(keep)):
            self.client_list.select_first()
        self.client_list.blockSignals(False)
        self._client_changed()

    def new_client(self) -> None:
        client = ClientDialog.create(self, self._store)
        if client is not None:
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.refresh_clients(select=client.id)

    def edit_client(self) -> None:
        client_id = self.current_client_id()
        if client_id is None:
            return
        try:
            client = self._store.client(client_id)
        except StoreError as error:
            QMessageBox.warning(self, "Edit client", str(error).splitlines()[0])
            return
        if ClientDialog.edit(self, self._store, client) is not None:
            self.refresh_clients(select=client_id)

    def _client_changed(self, *_args) -> None:
        client_id = self.current_client_id()
        self.client_label.setText(
            "Choose a client" if client_id is None else self.client_list.current_name()
        )
        self._list_sessions(client_id)

    # ----- sessions --------------------------------------------------------------------
    def _list_sessions(self, client_id: str | None) -> None:
        self.session_list.clear()
        self._infos = []
        if client_id is not None:
            try:
                self._infos = self._store.sessions(client_id, mesh_hash=self._mesh_hash)[::-1]
            except StoreError as error:
                self.client_label.setText(str(error).splitlines()[0])
        dates = {i.id: local_datetime_text(i.started) for i in self._infos if i.readable}
        for info in self._infos:
            self.session_list.addTopLevelItem(self._session_item(info, dates))
        self.session_list.setCurrentItem(None)
        self._update_buttons()

    def _session_item(self, info: SessionInfo, dates: dict[str, str]) -> QTreeWidgetItem:
        if not info.readable:
            item = QTreeWidgetItem([info.id, "", info.reason])
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            tip = f"Cannot be opened: {info.reason}"
        else:
            status = [FINALISED_BADGE] if info.finalised else []
            if info.carried_over_from:
                source = dates.get(info.carried_over_from)
                status.append(f"carried over from {source}" if source else "carried over")
            item = QTreeWidgetItem(
                [local_datetime_text(info.started), info.practitioner, "; ".join(status)]
            )
            if info.finalised:
                item.setIcon(2, self._lock)
            tip = "\n".join([*status, info.id])
        for column in range(len(SESSION_COLUMNS)):
            item.setToolTip(column, tip)
        item.setData(0, ID_ROLE, info.id)
        item.setIcon(0, self._thumbnail(info))
        item.setSizeHint(0, QSize(0, THUMB_SIZE.height() + 4))
        return item

    def _thumbnail(self, info: SessionInfo) -> QIcon:
        if not (info.readable and info.has_thumbnail):
            return self._blank_thumbnail
        try:
            icon = thumbnail_icon(self._store.thumbnail(info.id))
        except StoreError:
            icon = None
        return icon or self._blank_thumbnail

    def has_readable_session(self) -> bool:
        return any(info.readable for info in self._infos)

    def _update_buttons(self, *_args) -> None:
        has_client = self.current_client_id() is not None
        session = self.current_session()
        self.edit_client_button.setEnabled(has_client)
        self.new_session_button.setEnabled(has_client)
        self.carry_over.setEnabled(has_client and self.has_readable_session())
        self.open_button.setEnabled(session is not None and session.readable)

    # ----- choosing --------------------------------------------------------------------
    def new_session(self) -> None:
        """Accept with a new session for the selected client."""
        client_id = self.current_client_id()
        if client_id is None:
            return
        carry = self.carry_over.isEnabled() and self.carry_over.isChecked()
        self._choose(BrowserChoice("new", client_id, None, carry, self._practitioner()))

    def open_session(self) -> None:
        """Accept with the selected session, if it can be opened."""
        client_id, session = self.current_client_id(), self.current_session()
        if client_id is None or session is None or not session.readable:
            return
        self._choose(BrowserChoice("open", client_id, session.id, False, self._practitioner()))

    def _double_clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        self.session_list.setCurrentItem(item)
        self.open_session()

    def _practitioner(self) -> str:
        return " ".join(self.practitioner.text().split())

    def _choose(self, choice: BrowserChoice) -> None:
        settings = app_settings()
        settings.setValue(PRACTITIONER_KEY, choice.practitioner)
        settings.setValue(LAST_CLIENT_KEY, choice.client_id)
        settings.sync()
        self.choice = choice
        self.accept()

    @classmethod
    def choose(
        cls,
        parent: QWidget | None,
        store: Store,
        mesh_hash: str | None = None,
        current_client: str | None = None,
    ) -> BrowserChoice | None:
        """Ask (modal); the choice, or ``None`` if cancelled. ``current_client``: the id
        of the client whose session is open, selected first."""
        browser = cls(store, mesh_hash, parent, current_client)
        try:
            return browser.choice if browser.exec() == QDialog.DialogCode.Accepted else None
        finally:
            browser.deleteLater()
