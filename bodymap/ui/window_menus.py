"""The main window's actions, menus and toolbars (built once, when the window opens)."""

from __future__ import annotations

from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QToolBar

from bodymap.core.views import FIT_SHORTCUT, StandardView
from bodymap.ui.export_actions import ExportActions
from bodymap.ui.privacy_controls import PrivacyControls
from bodymap.ui.session_time import SessionTimeAction
from bodymap.ui.tool_actions import ToolActions
from bodymap.ui.undo import undo_redo_actions


def build_actions(window) -> None:
    """The main window's own actions (open, quit, views, clients, compare...)."""
    window.open_action = QAction("&Open mesh…", window)
    window.open_action.setShortcut(QKeySequence.StandardKey.Open)
    window.open_action.triggered.connect(window.open_mesh_dialog)
    window.quit_action = QAction("&Quit", window)
    window.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
    window.quit_action.triggered.connect(window.close)
    for view in StandardView:
        action = QAction(view.label, window)
        action.setShortcut(QKeySequence(view.shortcut))
        action.setToolTip(f"{view.label} view: {view.spec.description} ({view.shortcut})")
        action.triggered.connect(lambda _checked=False, v=view: window.show_view(v))
        window.view_actions[view] = action
    window.fit_action = QAction("Fit body", window)
    window.fit_action.setShortcut(QKeySequence(FIT_SHORTCUT))
    window.fit_action.setToolTip(
        f"Fit the whole body in the view, keeping the direction ({FIT_SHORTCUT})"
    )
    window.fit_action.triggered.connect(window.fit_view)
    window.undo_action, window.redo_action = undo_redo_actions(window.undo_stack, window)
    window.clients_action = QAction("&Clients and sessions…", window)
    window.clients_action.setShortcuts([QKeySequence.StandardKey.New, QKeySequence("Ctrl+Shift+O")])
    window.clients_action.setToolTip("Find or add a client; start or open a session (Ctrl+N)")
    window.clients_action.triggered.connect(window.choose_session)
    window.compare_action = QAction("Compare &visits…", window)
    window.compare_action.setShortcut(QKeySequence("Ctrl+K"))
    window.compare_action.setToolTip(
        "This client's visits side by side, as difference maps, trends and replays"
    )
    window.compare_action.triggered.connect(window.compare_visits)
    window.compare_action.setEnabled(False)
    if window.sessions is not None:
        window.sessions.status.connect(lambda text: window.statusBar().showMessage(text, 6000))
        window.sessions.session_changed.connect(
            lambda _document: window.compare_action.setEnabled(window.sessions.client is not None)
        )
    window.tool_actions = ToolActions(window.controller, window)
    window.session_time_action = SessionTimeAction(window)


def build_menus_and_toolbar(window) -> None:
    """The menus and the two toolbars, from the actions the window and its parts hold."""
    menu_bar = window.menuBar()
    file_menu = menu_bar.addMenu("&File")
    if window.sessions is not None:
        file_menu.addAction(window.clients_action)
        file_menu.addAction(window.compare_action)
        file_menu.addAction(window.sessions.save_action)
        file_menu.addAction(window.sessions.finalise_action)
        file_menu.addAction(window.sessions.close_action)
        file_menu.addSeparator()
        window.export_actions = ExportActions(window, window)
        window.export_actions.message.connect(
            lambda text: window.statusBar().showMessage(text, 8000)
        )
        file_menu.addMenu(window.export_actions.menu(file_menu))
        file_menu.addAction(window.export_actions.print_action)
        file_menu.addSeparator()
        window.privacy = PrivacyControls(window, window.sessions)
        window.privacy.add_to(file_menu)
        file_menu.addSeparator()
    file_menu.addAction(window.open_action)
    file_menu.addSeparator()
    file_menu.addAction(window.quit_action)
    edit_menu = menu_bar.addMenu("&Edit")
    edit_menu.addAction(window.undo_action)
    edit_menu.addAction(window.redo_action)
    edit_menu.addSeparator()
    edit_menu.addAction(window.tool_actions.delete)
    edit_menu.addAction(window.tool_actions.escape)
    edit_menu.addSeparator()
    edit_menu.addAction(window.session_time_action)
    tools_menu = menu_bar.addMenu("&Tools")
    tool_bar = QToolBar("Tools", window)
    tool_bar.setObjectName("tools_toolbar")
    for action in window.tool_actions.tools.values():
        tools_menu.addAction(action)
        tool_bar.addAction(action)
    tools_menu.addSeparator()
    for action in window.tool_actions.brush:
        tools_menu.addAction(action)
    tools_menu.addSeparator()
    voice = tools_menu.addAction("&Voice commands (hold F9)")
    voice.setCheckable(True)
    voice.setChecked(window.voice.enabled)
    voice.setToolTip("Say a finding while holding F9 (or a foot pedal): offline, undoable")
    voice.toggled.connect(window.voice.set_enabled)
    window.addToolBar(tool_bar)
    view_menu = menu_bar.addMenu("&View")
    toolbar = QToolBar("Views", window)
    toolbar.setObjectName("views_toolbar")
    for action in window.view_actions.values():
        view_menu.addAction(action)
        toolbar.addAction(action)
    view_menu.addSeparator()
    view_menu.addAction(window.fit_action)
    view_menu.addSeparator()
    for dock in window.docks.values():
        view_menu.addAction(dock.toggleViewAction())
    toolbar.addSeparator()
    toolbar.addAction(window.fit_action)
    window.addToolBar(toolbar)
