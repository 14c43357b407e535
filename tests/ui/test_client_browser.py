"""The client browser, the client dialog and the amendments panel (no VTK)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from PyQt6.QtCore import QBuffer, QIODevice, Qt
from PyQt6.QtGui import QColor, QImage
from PyQt6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox

from bodymap.core.session import Client, Session
from bodymap.store import Store
from bodymap.ui.amendments_panel import NOT_FINALISED_TEXT, AmendmentDialog, AmendmentsPanel
from bodymap.ui.client_browser import (
    FINALISED_BADGE,
    LAST_CLIENT_KEY,
    PRACTITIONER_KEY,
    BrowserChoice,
    ClientBrowser,
    ClientDialog,
    app_settings,
)

MESH = "0" * 64
NAME_A = "Zelda Quintessa-Marlowe"
NAME_B = "Bartholomew Okonkwo"
START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def png_bytes(color: str = "teal") -> bytes:
    image = QImage(16, 16, QImage.Format.Format_RGB32)
    image.fill(QColor(color))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "PNG")
    return bytes(buffer.data())


@pytest.fixture(autouse=True)
def fresh_settings():
    """Qt caches the settings path at first use, so settings outlive a test: clear them."""
    app_settings().clear()
    yield
    app_settings().clear()


@dataclass
class Practice:
    store: Store
    a: Client
    b: Client
    sessions: list[Session]  # a's readable sessions, oldest first
    corrupt_id: str


@pytest.fixture
def practice(tmp_path) -> Practice:
    """Two clients; A has three readable sessions (one carried over) and one corrupt file."""
    store = Store(tmp_path / "store")
    a = store.create_client(NAME_A, born="1970")
    b = store.create_client(NAME_B)
    sessions = []
    for day, who in enumerate(("Ann Practitioner", "Bo Practitioner", "Cy Practitioner")):
        session = Session(a.id, mesh_hash=MESH, n_vertices=10, practitioner=who)
        session.started = START + timedelta(days=day)
        if sessions:
            session.carried_over_from = sessions[-1].id
        store.save(session, thumbnail=png_bytes() if day != 1 else None)
        sessions.append(session)
    saved = store.sessions(a.id)[0].path
    corrupt = saved.with_name("s-corrupt0000" + saved.suffix)
    corrupt.write_bytes(b"this is not an HDF5 file" * 10)
    return Practice(store, a, b, sessions, corrupt.stem)


@pytest.fixture
def browser(qtbot, practice) -> ClientBrowser:
    dialog = ClientBrowser(practice.store)
    qtbot.addWidget(dialog)
    return dialog


def all_settings_text() -> str:
    settings = app_settings()
    settings.sync()
    return "\n".join(f"{k}={settings.value(k)}" for k in settings.allKeys())


def row_of(browser: ClientBrowser, session_id: str) -> int:
    ids = [item.data(0, Qt.ItemDataRole.UserRole) for item in browser.session_items()]
    return ids.index(session_id)


# --- the browser -------------------------------------------------------------------------


def test_search_filters_clients_by_name_or_id(browser, practice):
    assert sorted(browser.client_ids()) == sorted([practice.a.id, practice.b.id])
    browser.search.setText("zelda")
    assert browser.client_ids() == [practice.a.id]
    assert browser.client_list.topLevelItem(0).toolTip(0) == practice.a.id
    browser.search.setText(practice.b.id.upper())
    assert browser.client_ids() == [practice.b.id]
    assert browser.current_client_id() == practice.b.id
    browser.search.setText("nobody like this")
    assert browser.client_ids() == []
    assert browser.current_client_id() is None
    assert not browser.new_session_button.isEnabled()
    assert not browser.edit_client_button.isEnabled()


def test_sessions_newest_first_with_corrupt_one_disabled(browser, practice):
    assert browser.select_client(practice.a.id)
    items = browser.session_items()
    assert len(items) == 4
    readable = [i for i in items if i.flags() & Qt.ItemFlag.ItemIsEnabled]
    readable_ids = [i.data(0, Qt.ItemDataRole.UserRole) for i in readable]
    assert readable_ids == [s.id for s in reversed(practice.sessions)]
    assert [i.text(1) for i in readable] == [
        "Cy Practitioner",
        "Bo Practitioner",
        "Ann Practitioner",
    ]
    newest_local = practice.sessions[-1].started.astimezone()
    assert readable[0].text(0).endswith(f"{newest_local:%Y, %H:%M}")
    assert readable[0].text(0).startswith(f"{newest_local:%a} {newest_local.day} ")
    assert readable[0].text(2).startswith("carried over from ")
    assert readable[-1].text(2) == ""
    corrupt = items[row_of(browser, practice.corrupt_id)]
    assert not corrupt.flags() & Qt.ItemFlag.ItemIsEnabled
    reason = corrupt.text(2)
    assert reason and "\n" not in reason
    assert reason in corrupt.toolTip(0)
    # thumbnails: a real one for sessions that have one, a blank one otherwise
    blank = browser._blank_thumbnail.cacheKey()
    assert readable[0].icon(0).cacheKey() != blank
    assert readable[1].icon(0).cacheKey() == blank
    assert corrupt.icon(0).cacheKey() == blank


def test_finalised_sessions_show_the_badge_and_still_open(qtbot, practice):
    practice.store.finalise(practice.sessions[1])
    dialog = ClientBrowser(practice.store)
    qtbot.addWidget(dialog)
    dialog.select_client(practice.a.id)
    item = dialog.session_items()[row_of(dialog, practice.sessions[1].id)]
    assert item.text(2).startswith(FINALISED_BADGE) and not item.icon(2).isNull()
    dialog.session_list.setCurrentItem(item)
    assert dialog.open_button.isEnabled()


def test_corrupt_session_cannot_be_opened(browser, practice):
    browser.select_client(practice.a.id)
    item = browser.session_items()[row_of(browser, practice.corrupt_id)]
    browser._double_clicked(item)
    assert browser.choice is None
    assert browser.result() != QDialog.DialogCode.Accepted
    assert not browser.open_button.isEnabled()


def test_new_session_choice_carries_over_and_remembers_practitioner(qtbot, browser, practice):
    browser.select_client(practice.a.id)
    assert browser.carry_over.isEnabled() and browser.carry_over.isChecked()
    browser.practitioner.setText("  Dana   Therapist ")
    qtbot.mouseClick(browser.new_session_button, Qt.MouseButton.LeftButton)
    assert browser.result() == QDialog.DialogCode.Accepted
    assert browser.choice == BrowserChoice("new", practice.a.id, None, True, "Dana Therapist")
    settings = app_settings()
    assert settings.value(PRACTITIONER_KEY) == "Dana Therapist"
    assert settings.value(LAST_CLIENT_KEY) == practice.a.id
    again = ClientBrowser(practice.store)
    qtbot.addWidget(again)
    assert again.current_client_id() == practice.a.id
    assert again.practitioner.text() == "Dana Therapist"
    assert NAME_A not in all_settings_text()


def test_new_session_without_previous_findings(qtbot, browser, practice):
    browser.select_client(practice.b.id)
    assert browser.session_items() == []
    assert not browser.carry_over.isEnabled()
    assert not browser.open_button.isEnabled()
    browser.new_session()
    assert browser.choice == BrowserChoice("new", practice.b.id, None, False, "")


def test_carry_over_can_be_switched_off(browser, practice):
    browser.select_client(practice.a.id)
    browser.carry_over.setChecked(False)
    browser.new_session()
    assert browser.choice is not None and browser.choice.carry_over is False


def test_double_click_opens_the_session(qtbot, browser, practice):
    browser.show()
    qtbot.waitExposed(browser)
    browser.select_client(practice.a.id)
    wanted = practice.sessions[0]
    item = browser.session_items()[row_of(browser, wanted.id)]
    tree = browser.session_list
    tree.scrollToItem(item)
    centre = tree.visualItemRect(item).center()
    # Qt 6 item views need the press before the double-click event, as a real mouse sends
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert browser.result() == QDialog.DialogCode.Accepted
    assert browser.choice == BrowserChoice("open", practice.a.id, wanted.id, False, "")


def test_open_button_is_default_and_needs_a_readable_session(browser, practice):
    assert browser.open_button.isDefault()
    browser.select_client(practice.a.id)
    assert not browser.open_button.isEnabled()
    browser.session_list.setCurrentItem(
        browser.session_items()[row_of(browser, practice.sessions[1].id)]
    )
    assert browser.open_button.isEnabled()
    browser.open_button.click()
    assert browser.choice.action == "open" and browser.choice.session_id == practice.sessions[1].id


def test_sessions_on_another_mesh_are_listed_unreadable(qtbot, practice):
    dialog = ClientBrowser(practice.store, mesh_hash="1" * 64)
    qtbot.addWidget(dialog)
    dialog.select_client(practice.a.id)
    items = dialog.session_items()
    assert len(items) == 4
    assert not any(i.flags() & Qt.ItemFlag.ItemIsEnabled for i in items)
    assert "another body mesh" in items[row_of(dialog, practice.sessions[0].id)].text(2)
    assert not dialog.carry_over.isEnabled()


def test_new_and_edit_client_buttons_refresh_the_list(monkeypatch, browser, practice):
    created = practice.store.create_client("Carla New")
    monkeypatch.setattr(ClientDialog, "create", classmethod(lambda cls, parent, store: created))
    browser.search.setText("okonkwo")
    browser.new_client_button.click()
    assert browser.search.text() == ""
    assert browser.current_client_id() == created.id
    assert len(browser.client_ids()) == 3

    def rename(cls, parent, store, client):
        return store.edit_client(client.id, name="Carla Renamed")

    monkeypatch.setattr(ClientDialog, "edit", classmethod(rename))
    browser.edit_client_button.click()
    assert browser.current_client_id() == created.id
    assert browser.client_list.current_name() == "Carla Renamed"


# --- the client dialog ----------------------------------------------------------------------


def test_client_dialog_needs_a_name(qtbot, practice):
    dialog = ClientDialog(practice.store)
    qtbot.addWidget(dialog)
    assert not dialog.ok_button.isEnabled()
    dialog.name.setText("   ")
    assert not dialog.ok_button.isEnabled()
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.client is None
    dialog.name.setText("Dora New")
    dialog.born.setText("3 May 1990")
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = practice.store.client(dialog.client.id)
    assert (stored.name, stored.born) == ("Dora New", "3 May 1990")


def test_client_dialog_edit_changes_the_name(qtbot, practice):
    dialog = ClientDialog(practice.store, practice.b)
    qtbot.addWidget(dialog)
    assert dialog.name.text() == NAME_B
    dialog.name.setText("Bartholomew Renamed")
    dialog.contact.setText("phone 123")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    stored = practice.store.client(practice.b.id)
    assert (stored.name, stored.contact) == ("Bartholomew Renamed", "phone 123")


def test_client_dialog_store_failure_warns_and_stays_open(qtbot, monkeypatch, practice):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    practice.store.delete_client(practice.b.id)
    dialog = ClientDialog(practice.store, practice.b)
    qtbot.addWidget(dialog)
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert len(warnings) == 1 and "\n" not in warnings[0] and practice.b.id in warnings[0]


# --- amendments -------------------------------------------------------------------------------


def test_amendments_panel_disabled_until_finalised(qtbot, practice):
    panel = AmendmentsPanel()
    qtbot.addWidget(panel)
    assert not panel.add_button.isEnabled()
    panel.set_session(practice.store, practice.sessions[0].id, finalised=False)
    assert panel.message.text() == NOT_FINALISED_TEXT
    assert not panel.add_button.isEnabled()
    assert panel.amend("text", "author") is None
    assert practice.store.amendments(practice.sessions[0].id) == []


def test_amendments_panel_adds_and_lists(qtbot, monkeypatch, practice):
    session = practice.store.finalise(practice.sessions[0])
    panel = AmendmentsPanel()
    qtbot.addWidget(panel)
    panel.set_session(practice.store, session.id, finalised=True)
    assert panel.add_button.isEnabled() and panel.tree.topLevelItemCount() == 0
    app_settings().setValue(PRACTITIONER_KEY, "Eve Author")
    asked = []

    def ask(cls, parent, author=""):
        asked.append(author)
        return "Left shoulder, not right.", author, "Findings"

    monkeypatch.setattr(AmendmentDialog, "ask", classmethod(ask))
    with qtbot.waitSignal(panel.amended, timeout=1000) as signal:
        panel.add_button.click()
    assert asked == ["Eve Author"]
    stored = practice.store.amendments(session.id)
    assert [a.id for a in stored] == signal.args
    panel.amend("Second note.", "Eve Author")
    assert panel.tree.topLevelItemCount() == 2
    first, last = panel.tree.topLevelItem(0), panel.tree.topLevelItem(1)
    assert [first.text(c) for c in (1, 2, 3)] == [
        "Eve Author",
        "Findings",
        "Left shoulder, not right.",
    ]
    assert last.text(3) == "Second note."
    assert first.text(0)


def test_amendment_dialog_needs_text_and_author(qtbot):
    dialog = AmendmentDialog("Eve Author")
    qtbot.addWidget(dialog)
    assert [dialog.section.itemData(i) for i in range(dialog.section.count())][:2] == [
        "",
        "SOAP notes",
    ]
    assert not dialog.ok_button.isEnabled()
    dialog.text.setPlainText("  ")
    assert not dialog.ok_button.isEnabled()
    dialog.text.setPlainText("Fix")
    assert dialog.ok_button.isEnabled()
    dialog.author.setText("")
    assert not dialog.ok_button.isEnabled()
    dialog.author.setText("Eve")
    dialog.section.setCurrentIndex(dialog.section.findData("Rhythm"))
    assert dialog.values() == ("Fix", "Eve", "Rhythm")


def test_settings_never_hold_client_names(qtbot, browser, practice):
    browser.select_client(practice.a.id)
    browser.session_list.setCurrentItem(
        browser.session_items()[row_of(browser, practice.sessions[2].id)]
    )
    browser.practitioner.setText("Frank")
    browser.open_session()
    assert browser.choice is not None
    text = all_settings_text()
    assert practice.a.id in text
    for name in (NAME_A, NAME_B, "Zelda", "Okonkwo"):
        assert name not in text


def test_nothing_logs_client_names(caplog, browser, practice):
    browser.search.setText("Zelda")
    browser.select_client(practice.a.id)
    browser.new_session()
    assert NAME_A not in caplog.text


def test_clients_sort_by_last_visit_and_the_open_sessions_client_comes_first(qtbot, practice):
    from bodymap.ui.client_list import LAST_VISIT_COLUMN, NAME_COLUMN, NEVER

    app_settings().setValue(LAST_CLIENT_KEY, practice.a.id)  # chosen last time...
    browser = ClientBrowser(practice.store, current_client=practice.b.id)  # ...B is open now
    qtbot.addWidget(browser)
    assert browser.current_client_id() == practice.b.id
    clients = browser.client_list
    assert browser.client_ids() == [practice.b.id, practice.a.id]  # by name: Bartholomew first
    # The visits are read after the dialog shows, one client per turn of the event loop.
    clients.sortByColumn(LAST_VISIT_COLUMN, Qt.SortOrder.DescendingOrder)  # reads them all
    qtbot.waitUntil(lambda: browser.client_ids() == [practice.a.id, practice.b.id])
    newest = practice.sessions[-1].started.astimezone()
    by_id = {clients.topLevelItem(r).data(0, Qt.ItemDataRole.UserRole): r for r in range(2)}
    assert (
        clients.topLevelItem(by_id[practice.a.id])
        .text(LAST_VISIT_COLUMN)
        .endswith(f"{newest:%Y, %H:%M}")
    )
    assert clients.topLevelItem(by_id[practice.b.id]).text(LAST_VISIT_COLUMN) == NEVER
    browser.search.setText("o")  # refilling keeps the order chosen, and the visits read
    assert browser.client_ids() == [practice.a.id, practice.b.id]
    clients.sortByColumn(NAME_COLUMN, Qt.SortOrder.AscendingOrder)
    assert browser.client_ids() == [practice.b.id, practice.a.id]


def test_the_status_column_is_never_clipped(browser, practice):
    assert browser.select_client(practice.a.id)
    tree = browser.session_list
    status = max(browser.session_items(), key=lambda item: len(item.text(2)))
    needed = tree.fontMetrics().horizontalAdvance(status.text(2)) + tree.iconSize().width()
    assert tree.columnWidth(2) >= needed


def test_the_last_visits_fill_in_after_the_browser_opens(qtbot, practice):
    from bodymap.ui.client_list import LAST_VISIT_COLUMN, PENDING

    browser = ClientBrowser(practice.store)
    qtbot.addWidget(browser)
    clients = browser.client_list

    def texts() -> list[str]:
        return [clients.topLevelItem(r).text(LAST_VISIT_COLUMN) for r in range(clients.count())]

    assert PENDING in texts()  # nothing read before the dialog can show
    qtbot.waitUntil(lambda: PENDING not in texts())
