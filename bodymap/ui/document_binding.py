"""Panels that follow the open session: one subscription, moved when the session changes."""

from __future__ import annotations

from bodymap.core.document import SessionDocument


class DocumentBound:
    """Mixin for a widget that shows one :class:`SessionDocument` and listens to it.

    The widget defines ``_on_change(change)``; :meth:`_bind` moves that subscription from
    the document shown so far to the new one (either may be ``None``).
    """

    _document: SessionDocument | None = None

    @property
    def document(self) -> SessionDocument | None:
        return self._document

    def _bind(self, document: SessionDocument | None) -> None:
        if self._document is not None:
            self._document.unsubscribe(self._on_change)
        self._document = document
        if document is not None:
            document.subscribe(self._on_change)
