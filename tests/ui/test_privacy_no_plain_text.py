"""Nothing readable left on disk: a scripted session on a PROTECTED store through the real
main window (started as the app starts it, the passphrase from BODYMAP_PASSPHRASE_FILE),
with a save, an autosave draft, a crash and the draft offered at the next start. Then
neither the client's name nor the notes' phrase appears in any file under the test's
folders: the store, the settings, the caches and the temporary folder the app uses."""

from __future__ import annotations

import tempfile
from pathlib import Path

import keyring
import pytest
from gui_support import centre_offset, drag, sphere_body
from test_privacy_units import MemoryKeyring

from bodymap.store.protection import protect
from bodymap.ui import app as app_module
from bodymap.ui.settings import app_settings
from bodymap.ui.unlock_dialog import PASSPHRASE_ENV

pytestmark = pytest.mark.gui
PASSPHRASE = "correct horse battery"
NAME = "Zephyrine Quattlebaum"
PHRASE = "cobalt heron under the left scapula"


def needles() -> list[bytes]:
    found = []
    for text in (NAME, PHRASE):
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            found.append(text.encode(encoding))
    return found


def files_holding(folders: list[Path], patterns: list[bytes]) -> list[str]:
    hits = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                hits += [f"{path}: {p[:12]!r}" for p in patterns if p in data]
    return hits


def start(qtbot, body):
    window = app_module.start_window()
    assert not isinstance(window, int)
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    return window


@pytest.fixture(autouse=True)
def memory_keyring():
    """Never the real keychain of the machine running the tests."""
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield
    keyring.set_keyring(previous)


def test_a_protected_session_leaves_no_name_or_note_on_disk(
    qtbot, tmp_path, isolated_user_folders, monkeypatch, answered_message_boxes
):
    user = isolated_user_folders
    temp = user / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    root = user / "store"
    root.mkdir()
    protect(root, PASSPHRASE, cost=2**10)
    secret = tmp_path / "passphrase"
    secret.write_text(PASSPHRASE + "\n")
    monkeypatch.setenv(PASSPHRASE_ENV, str(secret))
    body = sphere_body()
    monkeypatch.setattr(app_module, "default_body", lambda: body)

    window = start(qtbot, body)
    sessions = window.sessions
    assert sessions.store.protected and window.privacy.banner.kind != "protect"
    assert sessions.start_for_client_name(NAME), answered_message_boxes
    assert NAME in window.windowTitle()
    widget = window.viewer.interactor
    drag(widget, centre_offset(widget, -0.1), centre_offset(widget, 0.1))
    window.notes_panel.editors["subjective"].setPlainText(PHRASE)
    sessions.save().result()
    qtbot.waitUntil(lambda: not sessions.dirty)
    window.notes_panel.editors["plan"].setPlainText(PHRASE + ", again")
    window.flush_edits()  # what the notes panel does as the practitioner types
    sessions.save_draft().result()
    session_id = window.document.session.id
    # A crash: the session is dropped without closing it; the draft stays behind.
    window.document.unsubscribe(sessions._on_change)
    window.set_document(None)
    sessions.client = None
    window.close()

    again = start(qtbot, body)
    assert any(t == "Unsaved work found" for t, _ in answered_message_boxes), answered_message_boxes
    assert again.sessions.recover(session_id)
    assert again.document.session.notes.plan == PHRASE + ", again"
    assert again.document.session.notes.subjective == PHRASE
    again.sessions.save().result()
    qtbot.waitUntil(lambda: not again.sessions.dirty)
    again.close()
    app_settings().sync()

    written = [p for p in root.rglob("*") if p.is_file()]
    assert any(p.suffix == ".h5" for p in written)  # the records are there, sealed
    assert files_holding([user, tmp_path], needles()) == []
