"""The Qt undo stack's side of core edits: one ``QUndoCommand`` per core edit.

A core edit (:mod:`bodymap.core.edits`) knows how to apply and revert itself and names
itself in ``text``; the document applies it and announces the change. This module only
adapts that to :class:`~PyQt6.QtGui.QUndoStack`, so the undo menu reads e.g.
"Undo add still point event".
"""

from __future__ import annotations

from typing import Protocol

from PyQt6.QtCore import QObject
from PyQt6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack

from bodymap.core.document import SessionDocument
from bodymap.core.session import SessionFinalisedError


class UndoableEdit(Protocol):
    """What :class:`EditCommand` needs of an edit (every edit in ``core.edits`` has it)."""

    text: str

    def apply(self, session): ...

    def revert(self, session): ...


class EditCommand(QUndoCommand):
    """One core edit on the undo stack.

    Parameters
    ----------
    document : SessionDocument
        Applies and reverts the edit and tells the views.
    edit : UndoableEdit
        The edit; its ``text`` becomes the command's text.
    already_applied : bool
        The edit is already in the session (a brush stroke is painted live while dragging,
        a fill by the painter, and each is logged by ``SessionDocument.finish_stroke``),
        so the stack's first ``redo`` must not apply it again.
    """

    def __init__(
        self,
        document: SessionDocument,
        edit: UndoableEdit,
        *,
        already_applied: bool = False,
        parent: QUndoCommand | None = None,
    ) -> None:
        super().__init__(edit.text, parent)
        self.document = document
        self.edit = edit
        self._skip_next_redo = already_applied

    def redo(self) -> None:
        if self._skip_next_redo:
            self._skip_next_redo = False
            return
        self._run(self.document.apply)

    def undo(self) -> None:
        self._run(self.document.revert)

    def _run(self, step) -> None:
        # An exception escaping a Qt virtual aborts the app, so a finalised session's
        # refusal drops the command instead (the stack should have been cleared anyway).
        try:
            step(self.edit)
        except SessionFinalisedError:
            self.setObsolete(True)


def push_edit(
    stack: QUndoStack,
    document: SessionDocument,
    edit: UndoableEdit,
    already_applied: bool = False,
) -> EditCommand:
    """Push ``edit`` onto ``stack`` (applying it unless ``already_applied``) and return it.

    Raises
    ------
    SessionFinalisedError
        If the session is finalised; nothing is pushed.
    """
    document.session.require_editable()
    command = EditCommand(document, edit, already_applied=already_applied)
    stack.push(command)
    return command


def undo_redo_actions(stack: QUndoStack, parent: QObject) -> tuple[QAction, QAction]:
    """The Edit menu's Undo and Redo actions, with the platform's shortcuts."""
    undo = stack.createUndoAction(parent, "Undo")
    undo.setShortcuts(QKeySequence.StandardKey.Undo)
    redo = stack.createRedoAction(parent, "Redo")
    redo.setShortcuts(QKeySequence.StandardKey.Redo)
    return undo, redo
