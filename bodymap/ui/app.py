"""Starting the desktop application."""

from __future__ import annotations

import sys
from pathlib import Path

from PyQt6.QtWidgets import QApplication, QMessageBox

from bodymap.io.body_loading import default_body
from bodymap.store import Store, StoreError, store_location
from bodymap.store.keys import is_protected
from bodymap.ui.color_scheme import follow_color_scheme
from bodymap.ui.main_window import MainWindow
from bodymap.ui.settings import APPLICATION, ORGANIZATION
from bodymap.ui.unlock_dialog import unlock_at_start


def run_app(
    mesh_path: Path | None = None,
    argv: list[str] | None = None,
    store_dir: Path | None = None,
    client: str | None = None,
    passphrase_file: Path | None = None,
    body: str | None = None,
) -> int:
    """Open the main window on the default body (or on ``mesh_path``) and run until closed.

    Parameters
    ----------
    mesh_path : Path, optional
        A mesh to open instead of the default body. If it cannot be opened, the user is
        told why and the default body is shown.
    argv : list of str, optional
        Arguments for Qt; ``sys.argv`` when not given.
    store_dir : Path, optional
        The session store folder (else ``BODYMAP_STORE``, the checkout's ``sessions/`` or
        the user data folder).
    client : str, optional
        Open a new session for the client of this name, creating the client if new.
    passphrase_file : Path, optional
        A protected store's passphrase is read here (else ``BODYMAP_PASSPHRASE_FILE``,
        the keychain when remembered, or a dialog).
    body : str, optional
        A new client's body (a shipped body's id, see ``bodymap bodies``).

    Returns
    -------
    int
        The exit status.
    """
    app = QApplication.instance() or QApplication(sys.argv if argv is None else argv)
    started = start_window(mesh_path, store_dir, client, passphrase_file, body)
    if isinstance(started, int):
        return started
    return app.exec()


def start_window(
    mesh_path: Path | None = None,
    store_dir: Path | None = None,
    client: str | None = None,
    passphrase_file: Path | None = None,
    body: str | None = None,
) -> MainWindow | int:
    """Unlock the store, show the main window and offer unsaved work back; the window,
    or an exit status when the app should not run (0: the practitioner cancelled)."""
    app = QApplication.instance()
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    follow_color_scheme(app)
    try:
        reference = default_body()
    except Exception as error:  # the user must see why nothing opens, whatever it is
        QMessageBox.critical(None, "BodyMap", f"The default body could not be loaded:\n{error}")
        return 1
    try:
        root = store_location(store_dir)
        keys = None
        if is_protected(root):
            keys = unlock_at_start(root, passphrase_file)
            if keys is None:
                return 0  # Cancel at the passphrase: quit calmly, nothing was opened
        store = Store(root, keys)
    except (StoreError, OSError) as error:
        QMessageBox.critical(None, "BodyMap", f"The session store cannot be opened:\n{error}")
        return 1
    window = MainWindow(reference, reference=reference, store=store)
    window.show()
    for warning in store.warnings():
        QMessageBox.warning(window, "BodyMap", warning)
    if mesh_path is not None:
        window.open_mesh(Path(mesh_path))
    window.sessions.offer_recovery()
    if client and window.sessions.document is None:
        window.sessions.start_for_client_name(client, body)
    return window
