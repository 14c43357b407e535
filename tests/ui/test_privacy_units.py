"""The privacy helpers without a window: keychain failures, passphrase files, the banner's
texts, backup names, the typed confirmation, and forgetting a client's copies."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError
from PyQt6.QtWidgets import QDialog

from bodymap.store import StoreError
from bodymap.store.keys import create_keys
from bodymap.ui import keychain
from bodymap.ui.backup_actions import default_backup_name, size_text
from bodymap.ui.erase_dialog import forget_client_copies, same_name
from bodymap.ui.privacy_banner import backup_reminder_text, last_backup_text
from bodymap.ui.settings import LAST_CLIENT_KEY, app_settings, store_setting_key, store_token
from bodymap.ui.unlock_dialog import PASSPHRASE_ENV, WRONG_TEXT, UnlockDialog, unlock_at_start

PASSPHRASE = "correct horse battery"
COST = 2**10


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self.entries.pop((service, username))


class BrokenKeyring(MemoryKeyring):
    def get_password(self, service, username):
        raise KeyringError("the Secret Service is locked")

    def set_password(self, service, username, password):
        raise RuntimeError("D-Bus went away")


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


def test_the_keychain_remembers_under_an_opaque_name(memory_keyring, tmp_path):
    root = tmp_path / "Ada Example's records"
    assert keychain.available() and keychain.remembered(root) is None
    assert keychain.remember(root, PASSPHRASE)
    [(service, name)] = memory_keyring.entries
    assert service == "BodyMap" and name == store_token(root) and "Ada" not in name
    assert keychain.remembered(root) == PASSPHRASE
    keychain.forget(root)
    keychain.forget(root)  # nothing left: still calm
    assert keychain.remembered(root) is None


def test_a_failing_keychain_degrades_calmly(tmp_path):
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        assert keychain.remembered(tmp_path) is None
        assert not keychain.remember(tmp_path, PASSPHRASE)
        keychain.forget(tmp_path)
    finally:
        keyring.set_keyring(previous)


def test_a_passphrase_file_unlocks_without_a_dialog(tmp_path, monkeypatch, memory_keyring):
    root = tmp_path / "store"
    root.mkdir()
    keys, _ = create_keys(root, PASSPHRASE, cost=COST)
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.write_text(PASSPHRASE + "\n")
    bad.write_text("not the passphrase\n")
    assert unlock_at_start(root, good).data_key == keys.data_key
    monkeypatch.setenv(PASSPHRASE_ENV, str(good))
    assert unlock_at_start(root).data_key == keys.data_key
    with pytest.raises(StoreError, match="does not unlock"):
        unlock_at_start(root, bad)
    with pytest.raises(StoreError, match="cannot read the passphrase file"):
        unlock_at_start(root, tmp_path / "missing")


def test_banner_texts():
    now = datetime(2026, 12, 2, 9, tzinfo=UTC)
    assert backup_reminder_text(None, now, 7) == "These records have never been backed up."
    assert backup_reminder_text(now - timedelta(days=3), now, 7) is None
    assert backup_reminder_text(now - timedelta(days=9), now, 7) == (
        "The last backup was 9 days ago."
    )
    assert backup_reminder_text(None, now, 0) is None
    assert last_backup_text(None) == "No backup yet"
    assert last_backup_text(now).startswith("Last backup: ")


def test_backup_names_carry_the_date_and_never_overwrite(tmp_path):
    first = default_backup_name(tmp_path, date(2026, 12, 2))
    assert first.name == "BodyMap backup 2026-12-02.zip"
    first.write_bytes(b"")
    assert default_backup_name(tmp_path, date(2026, 12, 2)).name == (
        "BodyMap backup 2026-12-02 (2).zip"
    )
    assert size_text(512) == "512 bytes" and size_text(3_400_000) == "3.4 MB"


def test_the_typed_name_must_match():
    assert same_name("  ada   EXAMPLE ", "Ada Example")
    assert not same_name("Ada", "Ada Example")
    assert not same_name("", "")


def test_forgetting_a_client_removes_settings_and_cache_files(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    (cache / "thumbs").mkdir(parents=True)
    monkeypatch.setenv("BODYMAP_CACHE_DIR", str(cache))
    mine = cache / "thumbs" / "s-abc123.png"
    other = cache / "thumbs" / "s-other.png"
    mine.write_bytes(b"x")
    other.write_bytes(b"y")
    settings = app_settings()
    settings.setValue(LAST_CLIENT_KEY, "c-111")
    settings.setValue("files/recent", ["s-abc123", "s-other"])
    settings.setValue("privacy/idle_minutes", 10)
    assert forget_client_copies("c-111", ["s-abc123"]) == 3
    assert not mine.exists() and other.exists()
    settings = app_settings()
    assert settings.value(LAST_CLIENT_KEY) is None and settings.value("files/recent") is None
    assert int(settings.value("privacy/idle_minutes")) == 10
    assert store_setting_key(tmp_path, "x").startswith("stores/")


@pytest.fixture
def protected_root(tmp_path):
    root = tmp_path / "store"
    root.mkdir()
    keys, _ = create_keys(root, PASSPHRASE, cost=COST)
    return root, keys


def test_the_dialog_asks_again_after_a_wrong_passphrase(
    qtbot, protected_root, monkeypatch, memory_keyring
):
    root, keys = protected_root
    tries = iter(["wrong one here", PASSPHRASE])
    messages = []

    def answer(dialog):
        for text in tries:
            dialog.passphrase.setText(text)
            dialog.remember.setChecked(True)
            dialog.check()
            messages.append(dialog.message.text())
            if dialog.result() == QDialog.DialogCode.Accepted:
                return dialog.result()
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(UnlockDialog, "exec", answer)
    assert unlock_at_start(root).data_key == keys.data_key
    assert messages[0] == WRONG_TEXT
    # "Remember" was ticked: the next start needs no dialog at all.
    monkeypatch.setattr(UnlockDialog, "exec", lambda dialog: pytest.fail("asked again"))
    assert unlock_at_start(root).data_key == keys.data_key
    # A remembered passphrase that no longer works is forgotten, and the dialog asks.
    memory_keyring.set_password(keychain.SERVICE, store_token(root), "changed elsewhere")
    monkeypatch.setattr(UnlockDialog, "exec", lambda dialog: QDialog.DialogCode.Rejected)
    assert unlock_at_start(root) is None
    assert keychain.remembered(root) is None


def test_the_app_quits_calmly_on_cancel_and_says_why_a_file_fails(
    qtbot, protected_root, monkeypatch, answered_message_boxes, memory_keyring, tmp_path
):
    from bodymap.ui import app as app_module

    root, _ = protected_root
    monkeypatch.setattr(app_module, "default_body", lambda: None)
    monkeypatch.setattr(UnlockDialog, "exec", lambda dialog: QDialog.DialogCode.Rejected)
    assert app_module.start_window(store_dir=root) == 0
    assert answered_message_boxes == []
    assert app_module.start_window(store_dir=root, passphrase_file=tmp_path / "nope") == 1
    [(title, text)] = answered_message_boxes
    assert "cannot read the passphrase file" in text
