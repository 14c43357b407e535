"""Opening sessions in the app: a new one on the client's body, a saved one on the body it
was recorded on, and the autosave drafts offered back after a crash.

Mixed into :class:`bodymap.ui.session_manager.SessionManager`, whose store, worker, host
and signals these methods use.
"""

from __future__ import annotations

import getpass

from PyQt6.QtWidgets import QMessageBox

from bodymap.core.bodies import BodySpec, topology_id
from bodymap.core.document import SessionDocument
from bodymap.core.session import Client, Session
from bodymap.io.body_loading import Body, body_of
from bodymap.io.default_body import list_bodies
from bodymap.store import MeshMismatchError, StoreError
from bodymap.ui.settings import PRACTITIONER_KEY, app_settings


def default_practitioner() -> str:
    """The practitioner last named in this app, else the login name."""
    return str(app_settings().value(PRACTITIONER_KEY, "") or getpass.getuser())


class SessionOpening:
    """New, saved and recovered sessions (see the module docstring)."""

    def start_new(self, client_id: str, carry_over: bool = False, practitioner: str = "") -> bool:
        """Open a new session for ``client_id`` (optionally carrying the last findings over)."""
        if not self.close_session():
            return False
        practitioner = practitioner or default_practitioner()
        app_settings().setValue(PRACTITIONER_KEY, practitioner)
        try:
            self.client = self.call(self.store.client, client_id)
            body, spec = self._body_of_client(self.client)
            session = self.call(
                self.store.new_session,
                client_id,
                body.mesh.geometry_hash,
                body.mesh.n_vertices,
                practitioner,
                carry_over,
                spec,
                topology_id(body.mesh.faces, body.mesh.n_vertices),
            )
        except (StoreError, KeyError, ValueError) as error:
            self._warn("Cannot start a session", str(error).strip("'\""))
            return False
        self._open(session, saved=False)
        if session.carried_over_from:
            self.status.emit("New session: findings carried over from the previous visit.")
        return True

    def _body_of_client(self, client: Client) -> tuple[Body, dict]:
        """The body a new session of ``client`` is recorded on, shown, and its spec.

        When a shipped body is shown, the client's own body (the default body when none
        was chosen); a mesh of another topology (opened from a file, a test mesh) is kept,
        with no spec."""
        shown = self._host.body
        shipped = {entry["topology_id"] for entry in list_bodies()}
        if topology_id(shown.mesh.faces, shown.mesh.n_vertices) not in shipped:
            return shown, {}
        spec = BodySpec.from_dict(client.body) if client.body else BodySpec()
        wanted = body_of(spec)
        if wanted.mesh.geometry_hash != shown.mesh.geometry_hash:
            self._host.set_body(wanted)
        return self._host.body, spec.to_dict()

    def start_for_client_name(self, name: str, body_id: str | None = None) -> bool:
        """Open a new session for the client called ``name``, creating the client if new
        (with the body ``body_id``, a shipped body's id; the default body when ``None``)."""
        matches = [c for c in self.call(self.store.clients) if c.name.casefold() == name.casefold()]
        if matches:
            return self.start_new(matches[0].id)
        try:
            body = BodySpec(body_id).to_dict() if body_id else {}
            if body_id:
                body_of(BodySpec(body_id))  # an unknown id is said now, not at the first save
            client = self.call(self.store.create_client, name.strip(), body=body)
        except (StoreError, KeyError, ValueError) as error:
            self._warn("Cannot add the client", str(error).strip("'\""))
            return False
        return self.start_new(client.id)

    def open_saved(self, session_id: str) -> bool:
        """Open a saved session (read-only if finalised)."""
        if not self.close_session():
            return False
        try:
            session = self.call(self.store.load, session_id)
            if not self._body_for(session):
                return False
            self.client = self.call(self.store.client, session.client_id)
        except (StoreError, MeshMismatchError) as error:
            self._warn("Cannot open the session", str(error))
            return False
        self.call(self.store.log, "open", session.client_id, session.id)
        self._open(session, saved=True)
        return True

    def offer_recovery(self) -> None:
        """At start: offer each draft left by a crash (recover, discard or keep for later)."""
        try:
            drafts = self.call(self.store.drafts)
        except StoreError as error:
            self._warn("Cannot look for unsaved work", str(error))
            return
        for draft in drafts:
            when = (
                draft.saved_at.astimezone().strftime("%a %d %b %Y, %H:%M")
                if draft.saved_at
                else "an earlier session"
            )
            box = QMessageBox(
                QMessageBox.Icon.Question,
                "Unsaved work found",
                f"BodyMap found work from {when} that was not saved "
                "(the app closed unexpectedly). Recover it?",
                parent=self._dialog_parent,
            )
            recover = box.addButton("Recover", QMessageBox.ButtonRole.AcceptRole)
            discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
            box.addButton("Decide later", QMessageBox.ButtonRole.RejectRole)
            box.exec()
            if box.clickedButton() is recover:
                self.recover(draft.session_id)
                return
            if box.clickedButton() is discard:
                self.call(self.store.discard_draft, draft.session_id)

    def recover(self, session_id: str) -> bool:
        """Open a draft as the session to carry on with (unsaved until Ctrl+S)."""
        if not self.close_session():
            return False
        try:
            session = self.call(self.store.load_draft, session_id)
            if not self._body_for(session):
                return False
            self.client = self.call(self.store.client, session.client_id)
        except StoreError as error:
            self._warn("Cannot recover the draft", str(error))
            return False
        self._open(session, saved=False)
        self.status.emit("Recovered unsaved work: save it with Ctrl+S.")
        return True

    def _body_for(self, session: Session) -> bool:
        """Show the body the session was recorded on; never apply it to another mesh."""
        if session.mesh_hash == self._host.body.mesh.geometry_hash:
            return True
        if not self.call(self.store.has_mesh, session.mesh_hash):
            raise MeshMismatchError(
                "this session was recorded on a body mesh that is not in the store; "
                "it cannot be shown on this body"
            )
        mesh, atlas = self.call(self.store.get_mesh, session.mesh_hash)
        self._host.set_body(Body(mesh=mesh, atlas=atlas))
        self.status.emit("Showing the body this session was recorded on.")
        return True

    def _open(self, session: Session, saved: bool) -> None:
        body = self._host.body
        document = SessionDocument(session, body.mesh, body.atlas)
        document.subscribe(self._on_change)
        self._saved_revision = document.revision if saved else -1
        self._opened_revision = None if saved else document.revision
        title = self._title(session)
        self._host.set_document(document, title)
        if session.camera is not None:
            self._host.apply_camera(session.camera)
        self.update_actions()
        self.session_changed.emit(document)

    def _title(self, session: Session) -> str:
        name = self.client.name if self.client else session.client_id
        when = session.started.astimezone().strftime("%d %b %Y %H:%M")
        lock = " (finalised)" if session.finalised else ""
        carried = " · findings carried over" if session.carried_over_from else ""
        return f"{name} — {when}{lock}{carried}"
