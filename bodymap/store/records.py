"""Amendments to finalised sessions, and deletion (a client's erasure request included)."""

from __future__ import annotations

import hashlib

from bodymap.store.amendments import Amendment, list_amendments, new_amendment, write_amendment
from bodymap.store.base import StoreBase, file_sha256, locked
from bodymap.store.errors import FinalisedError, NotFinalisedError, SessionReadError, StoreError
from bodymap.store.layout import remove_file, remove_tree
from bodymap.store.session_file import read_header


class RecordsMixin(StoreBase):
    """Amending and deleting records."""

    @locked
    def amend(self, session_id: str, text: str, author: str, section: str = "") -> Amendment:
        """Add a dated, immutable correction to a finalised session, which stays untouched.

        Parameters
        ----------
        text, author : str
        section : str
            Which part it corrects ("" for the whole session, or e.g. "assessment").

        Raises
        ------
        NotFinalisedError
            The session is not finalised: edit and save it instead of amending.
        """
        path = self._session_path(session_id)
        header = read_header(path)
        if header.finalised_at is None:
            raise NotFinalisedError(
                f"session {session_id} is not finalised: edit it and save instead of amending"
            )
        original = file_sha256(path)
        amendment = new_amendment(session_id, header.client_id, text, author, section, original)
        folder = self.layout.amendment_folder(header.client_id, session_id)
        stored, data = write_amendment(folder, amendment)
        self.audit.append(
            "amend",
            header.client_id,
            session_id,
            sha256=hashlib.sha256(data).hexdigest(),
            amendment_id=stored.id,
            original_sha256=original,
        )
        return stored

    @locked
    def amendments(self, session_id: str) -> list[Amendment]:
        """The session's readable amendments, oldest first (``verify`` reports bad ones)."""
        path = self._session_path(session_id)
        return list_amendments(self.layout.amendment_folder(path.parent.name, session_id))[0]

    @locked
    def delete_session(self, session_id: str, erase: bool = False) -> None:
        """Delete a session with its draft and amendments.

        A finalised or unreadable session is deleted only with ``erase=True``, which a
        client's request for erasure requires.
        """
        path = self._session_path(session_id)
        client_id = path.parent.name
        if not erase:
            try:
                header = read_header(path)
            except SessionReadError as error:
                raise StoreError(f"{error}; only erase=True deletes it") from error
            if header.finalised_at is not None:
                raise FinalisedError(f"session {session_id} is finalised: only erasure removes it")
        sha = file_sha256(path)
        remove_file(path)
        self._forget(path)
        remove_file(self.layout.draft_file(client_id, session_id))
        remove_tree(self.layout.amendment_folder(client_id, session_id))
        self.audit.append("delete", client_id, session_id, sha256=sha)

    @locked
    def delete_client(self, client_id: str) -> None:
        """Erase a client: every session (finalised too), draft, amendment, the client file.

        This is the path for a client's request for erasure; the audit log keeps ids only.
        """
        client_file = self.layout.client_file(client_id)
        sessions = self.layout.client_sessions(client_id)
        session_ids = sorted(p.stem for p in sessions.glob("*.h5")) if sessions.is_dir() else []
        for folder in (
            sessions,
            self.layout.drafts / client_id,
            self.layout.amendments / client_id,
        ):
            remove_tree(folder)
        self._known = {p: v for p, v in self._known.items() if p.parent != sessions}
        remove_file(client_file)
        for session_id in session_ids:
            self.audit.append("delete", client_id, session_id)
        self.audit.append("delete", client_id, None)
