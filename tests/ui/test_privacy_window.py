"""Privacy in the real window: protecting the live store from the banner (recovery key
shown once), the screen lock, "Not now", a backup, and erasing a client."""

from __future__ import annotations

import keyring
import pytest
from gui_support import centre_offset, drag, sphere_body, window_on_store
from PyQt6.QtCore import QEvent, Qt
from PyQt6.QtGui import QKeyEvent
from PyQt6.QtPrintSupport import QPrintDialog, QPrinter
from PyQt6.QtWidgets import QApplication, QDialog
from test_privacy_units import MemoryKeyring

from bodymap.store import Store, crypto
from bodymap.store.backup import check_archive
from bodymap.store.keys import is_protected, unlock
from bodymap.ui.erase_dialog import EraseClientDialog
from bodymap.ui.main_window import MainWindow
from bodymap.ui.protect_actions import RecoveryKeyDialog
from bodymap.ui.screen_lock import LOCKED_TITLE
from bodymap.ui.settings import LAST_CLIENT_KEY, app_settings, store_token
from bodymap.ui.unlock_dialog import WRONG_TEXT, NewPassphraseDialog

pytestmark = pytest.mark.gui
PASSPHRASE = "correct horse battery"
NEW_PASSPHRASE = "staple battery horse"


@pytest.fixture(autouse=True)
def memory_keyring():
    """Never the real keychain of the machine running the tests."""
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "store")


@pytest.fixture
def window(qtbot, store):
    return window_on_store(qtbot, store, (1100, 700))


@pytest.fixture
def answered_passphrase(monkeypatch):
    """The new-passphrase dialog is answered; the recovery key dialog records its key."""
    shown: list[str] = []

    def fill(dialog):
        dialog.first.setText(PASSPHRASE)
        dialog.second.setText(PASSPHRASE)
        dialog.check()
        return dialog.result()

    def keep(dialog):
        shown.append(dialog.key_label.text())
        assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
        dialog.kept.setChecked(True)
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(NewPassphraseDialog, "exec", fill)
    monkeypatch.setattr(RecoveryKeyDialog, "exec", keep)
    monkeypatch.setattr(crypto, "tuned_cost", lambda *a, **k: 2**10)
    return shown


def test_protect_from_the_banner_keeps_the_session_open_then_lock(
    window: MainWindow, store, qtbot, answered_passphrase, monkeypatch, tmp_path
):
    privacy = window.privacy
    assert privacy.bar.isVisible() and privacy.banner.kind == "protect"
    sessions = window.sessions
    sessions.start_for_client_name("Ada Example")
    widget = window.viewer.interactor
    drag(widget, centre_offset(widget, -0.1), centre_offset(widget, 0.1))
    document = window.document
    privacy.banner.act_button.click()
    assert is_protected(store.root) and store.protected
    [recovery] = answered_passphrase
    assert len(recovery) > 20 and recovery not in store.root.joinpath("keys.json").read_text()
    assert privacy.banner.kind == "backup"  # the protect offer is gone; never backed up
    printed = tmp_path / "recovery.pdf"
    monkeypatch.setattr(QPrintDialog, "exec", lambda dialog: QDialog.DialogCode.Accepted)
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(printed))
    assert RecoveryKeyDialog(recovery, window).print_key(printer) and printed.stat().st_size
    assert not privacy.protect.protect_action.isEnabled()
    assert window.document is document and sessions.dirty
    draft = sessions.save_draft().result()
    assert crypto.is_sealed(draft.read_bytes())
    [client_file] = store.layout.clients.glob("*.json")
    assert crypto.is_sealed(client_file.read_bytes())

    lock = privacy.lock
    lock.watcher.idle.emit()  # what the idle timer does after the set minutes
    assert lock.locked and window.windowTitle() == LOCKED_TITLE
    assert not window.viewer.isVisible() and not window.notes_panel.isVisible()
    assert lock.cover.isVisible() and lock.cover.passphrase.isVisible()
    # A shortcut (Ctrl+S) does nothing while locked.
    saves = []
    sessions.save_action.triggered.connect(lambda: saves.append(1))
    qtbot.keyClick(lock.cover.passphrase, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saves == []
    window.close()  # refused: closing would ask about the unsaved work
    assert window.isVisible() and lock.locked and window.document is document
    lock.cover.passphrase.setText("not it at all")
    lock.cover.button.click()
    assert lock.locked and lock.cover.message.text() == WRONG_TEXT
    lock.cover.passphrase.setText(PASSPHRASE)
    lock.cover.button.click()
    assert not lock.locked and window.viewer.isVisible() and window.notes_panel.isVisible()
    assert "Ada Example" in window.windowTitle() and window.document is document
    assert sessions.dirty and not document.session.overlays.is_empty()
    revision = document.revision
    drag(widget, centre_offset(widget, 0.0, -0.1), centre_offset(widget, 0.0, 0.1))
    assert document.revision > revision  # the body paints again after unlocking

    def change(dialog):
        dialog.current.setText(PASSPHRASE)
        dialog.first.setText(NEW_PASSPHRASE)
        dialog.second.setText(NEW_PASSPHRASE)
        dialog.check()
        return dialog.result()

    monkeypatch.setattr(NewPassphraseDialog, "exec", change)
    assert privacy.protect.change_passphrase()
    assert unlock(store.root, NEW_PASSPHRASE).data_key == store.keys.data_key
    assert unlock(store.root, recovery_key=recovery).data_key == store.keys.data_key
    keyring.get_keyring().set_password("BodyMap", store_token(store.root), NEW_PASSPHRASE)
    privacy.protect.forget_action.trigger()
    assert keyring.get_keyring().get_password("BodyMap", store_token(store.root)) is None


def test_not_now_is_remembered_for_this_store_and_unprotected_lock(window, store, qtbot):
    privacy = window.privacy
    privacy.banner.dismiss_button.click()
    assert privacy.banner.kind in ("", "backup")
    settings_file = app_settings().fileName()
    app_settings().sync()
    text = open(settings_file, encoding="utf-8").read()
    assert "protect_not_now" in text and str(store.root) not in text
    other = MainWindow(sphere_body(), store=store)
    qtbot.addWidget(other)
    assert other.privacy.banner.kind != "protect"
    other.close()
    lock = privacy.lock
    lock.lock()
    assert lock.locked and not lock.cover.passphrase.isVisibleTo(lock.cover)
    assert lock.cover.button.text() == "Show BodyMap"
    # Input swallowed outside the cover: a key to the (hidden) viewer changes nothing.
    QApplication.sendEvent(
        window.viewer, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_2, Qt.KeyboardModifier(0))
    )
    lock.cover.button.click()
    assert not lock.locked and window.viewer.isVisible()


def test_backup_then_erase_a_client_with_signed_sessions(
    window: MainWindow, store, tmp_path, answered_message_boxes, monkeypatch
):
    body = window.body
    client = store.create_client("Bea Example")
    session = store.new_session(client.id, body.mesh.geometry_hash, body.mesh.n_vertices)
    session.overlays.layer("restriction")[:10] = 5
    store.save(session)
    store.finalise(session.id)
    app_settings().setValue(LAST_CLIENT_KEY, client.id)
    privacy = window.privacy
    privacy.refresh()
    assert privacy.backup_label.text() == "No backup yet"
    target = tmp_path / "out" / "backup.zip"
    target.parent.mkdir()
    info = privacy.backups.back_up(target)
    assert info is not None and check_archive(target)["files"]
    title, text = answered_message_boxes[-1]
    assert title == "Backup made" and str(target) in text
    assert privacy.backup_label.text().startswith("Last backup: ")
    assert privacy.banner.kind in ("protect", "")

    dialog = EraseClientDialog(store.clients(), privacy.erase._signed, client.id, window)
    assert dialog.duty.text().startswith("1 of this client's sessions are finalised")
    dialog.typed.setText("bea example")
    assert not dialog.erase_button.isEnabled()  # the duties are not ticked yet
    dialog.duty_checked.setChecked(True)
    assert dialog.erase_button.isEnabled()
    dialog.typed.setText("Bea")
    assert not dialog.erase_button.isEnabled()
    dialog.deleteLater()

    assert privacy.erase.erase(client.id)
    assert store.clients() == [] and not any(store.layout.sessions.rglob("*.h5"))
    assert app_settings().value(LAST_CLIENT_KEY) is None
    # The backup made before keeps its copy (the dialog says so).
    assert any(client.id in e["name"] for e in check_archive(target)["files"])
