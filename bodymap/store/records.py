"""Amendments to finalised sessions, and deletion (a client's erasure request included)."""

from __future__ import annotations

import hashlib

from bodymap.store.amendments import Amendment, amendment_file, list_amendments, new_amendment
from bodymap.store.atomic import READ_ONLY_FILE
from bodymap.store.base import StoreBase, locked
from bodymap.store.errors import (
    FinalisedError,
    NotFinalisedError,
    SessionReadError,
    StoreError,
    StoreWriteError,
)
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
        with self._writing():
            path = self._session_path(session_id)
            header = read_header(path, self._read_record(path))
            if header.finalised_at is None:
                raise NotFinalisedError(
                    f"session {session_id} is not finalised: edit it and save instead of amending"
                )
            original = self.backend.sha256(path)
            if original is None:
                raise StoreError(f"session {session_id} cannot be read: it cannot be amended")
            amendment = new_amendment(session_id, header.client_id, text, author, section, original)
            folder = self.layout.amendment_folder(header.client_id, session_id)
            self.backend.ensure_folder(folder)
            stored, data = amendment_file(folder, amendment)
            txn = self.journal.begin(
                "amend",
                header.client_id,
                session_id,
                sha256=hashlib.sha256(data).hexdigest(),
                amendment_id=stored.id,
                original_sha256=original,
            )
            try:
                self.backend.write_record(stored.path, data, mode=READ_ONLY_FILE)
            except StoreWriteError as error:
                (self.journal.commit if error.replaced else self.journal.rollback)(txn)
                raise
            self.journal.commit(txn)
        return stored

    @locked
    def amendments(self, session_id: str) -> list[Amendment]:
        """The session's readable amendments, oldest first (``verify`` reports bad ones)."""
        path = self._session_path(session_id)
        folder = self.layout.amendment_folder(path.parent.name, session_id)
        return list_amendments(self.layout.amendment_files(folder), self._read_record)[0]

    @locked
    def delete_session(self, session_id: str, erase: bool = False) -> None:
        """Delete a session with its draft and amendments.

        A finalised or unreadable session is deleted only with ``erase=True``, which a
        client's request for erasure requires.
        """
        with self._writing():
            path = self._session_path(session_id)
            client_id = path.parent.name
            if not erase:
                try:
                    header = read_header(path, self._read_record(path))
                except SessionReadError as error:
                    raise StoreError(f"{error}; only erase=True deletes it") from error
                if header.finalised_at is not None:
                    raise FinalisedError(
                        f"session {session_id} is finalised: only erasure removes it"
                    )
            txn = self.journal.begin(
                "delete", client_id, session_id, sha256=self.backend.sha256(path)
            )
            self._remove_records(client_id, session_id)
            self.journal.commit(txn)

    @locked
    def delete_client(self, client_id: str) -> None:
        """Erase a client: every session (finalised too), draft, amendment, the client file.

        This is the path for a client's request for erasure; the audit log keeps ids only.
        """
        with self._writing():
            sessions = self.backend.list(self.layout.client_sessions(client_id), ".h5")
            # The client-wide intent first: whatever part of the erasure a kill interrupts,
            # recovery then finishes all of it. Each session is named too, for the record.
            txn = self.journal.begin("delete", client_id, None)
            for path in sessions:
                self.journal.begin("delete", client_id, path.stem, txn=txn)
            self._remove_records(client_id, "")
            self.journal.commit(txn)

    def _remove_records(self, client_id: str, session_id: str) -> None:
        """Remove one session's files (or, with ``session_id`` "", all of a client's).

        Idempotent: recovery calls it again to finish a deletion a kill interrupted.
        """
        layout = self.layout
        if session_id:
            path = layout.session_file(client_id, session_id)
            self.backend.remove(path)
            self._forget(path)
            self._base.pop(session_id, None)
            self.backend.remove(layout.draft_file(client_id, session_id))
            self.backend.remove_tree(layout.amendment_folder(client_id, session_id))
            return
        sessions = layout.client_sessions(client_id)
        for path in self.backend.list(sessions, ".h5"):
            self._base.pop(path.stem, None)
        for folder in (sessions, layout.drafts / client_id, layout.amendments / client_id):
            self.backend.remove_tree(folder)
        self._known = {p: v for p, v in self._known.items() if p.parent != sessions}
        self.backend.remove(layout.client_file(client_id))
