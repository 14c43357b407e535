"""Autosave drafts: the same file format, marked ``draft``, in ``drafts/<client>/``.

A draft is written every few seconds of change so that a crash loses at most those seconds;
on start the app offers :meth:`DraftsMixin.drafts`. A draft is never listed as a session,
and a successful full save removes it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bodymap.core.session import Session
from bodymap.store.base import StoreBase, finalised_error, locked, stat_key
from bodymap.store.errors import (
    ConflictError,
    NotFoundError,
    SessionReadError,
    TargetUnreadableError,
)
from bodymap.store.info import DraftInfo, check_identity
from bodymap.store.session_file import SessionHeader, encode_session, read_header, read_session
from bodymap.store.validation import check_storable


class DraftsMixin(StoreBase):
    """Autosave drafts of the store (see the module docstring)."""

    @locked
    def save_draft(self, session: Session, thumbnail: bytes | None = None) -> Path:
        """Write an autosave draft of ``session``, replacing its previous draft.

        Refused (:class:`~bodymap.store.errors.FinalisedError`) for a finalised session.
        """
        if session.finalised:
            raise finalised_error(session.id)
        check_storable(session)
        with self._writing():
            saved = self.layout.session_file(session.client_id, session.id)
            if stat_key(saved) is not None:
                try:
                    self._existing(saved, session)
                except (TargetUnreadableError, ConflictError):
                    pass  # the saved file is damaged or changed: the draft keeps the work
            path = self.layout.draft_file(session.client_id, session.id)
            self.backend.ensure_folder(path.parent)
            image, _ = encode_session(session, datetime.now(UTC), draft=True, thumbnail=thumbnail)
            self.backend.write_record(path, image)
        return path

    @locked
    def drafts(self) -> list[DraftInfo]:
        """Recoverable drafts, oldest first: newer than the saved session, or never saved.

        Unreadable drafts are left out (they cannot be recovered); ``verify`` reports them.
        """
        found = []
        for path in self.layout.files("drafts"):
            try:
                header = read_header(path, self._read_record(path))
                check_identity(header, path, path.parent.name, draft=True)
            except SessionReadError:
                continue
            saved = self.layout.session_file(header.client_id, header.session_id)
            offer, has_saved = self._draft_is_newer(header, saved)
            if offer:
                found.append(
                    DraftInfo(header.session_id, header.client_id, header.saved_at, path, has_saved)
                )
        return sorted(found, key=lambda d: d.saved_at or datetime.min.replace(tzinfo=UTC))

    @locked
    def load_draft(self, session_id: str) -> Session:
        """The session held in the draft of ``session_id``."""
        path = self.layout.find("drafts", session_id)
        if path is None:
            raise NotFoundError(f"no draft of session {session_id}")
        session, header = read_session(path, self._read_record(path))
        check_identity(header, path, path.parent.name, draft=True)
        return session

    @locked
    def discard_draft(self, session_id: str) -> bool:
        """Delete the draft of ``session_id`` (readable or not); whether there was one."""
        with self._writing():
            path = self.layout.find("drafts", session_id)
            return path is not None and self.backend.remove(path)

    def _draft_is_newer(self, draft: SessionHeader, saved: Path) -> tuple[bool, bool]:
        """(whether to offer the draft, whether a saved session file exists)."""
        if not self.layout.exists(saved):
            return True, False
        try:
            header = read_header(saved, self._read_record(saved))
        except SessionReadError:
            return True, True
        if header.finalised_at is not None:
            return False, True
        if header.saved_at is None or draft.saved_at is None:
            return True, True
        return draft.saved_at > header.saved_at, True
