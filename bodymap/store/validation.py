"""The last check before a session is encoded: everything in it can be stored as given."""

from __future__ import annotations

from bodymap.core.session import Session
from bodymap.core.validation import check_key, check_text
from bodymap.store.errors import StoreError
from bodymap.store.layout import checked_id


def check_storable(session: Session) -> None:
    """Raise :class:`StoreError` (one line) if ``session`` holds what a file cannot keep.

    Ids must be file-safe, layer keys lower-case identifiers, and the practitioner's name
    plain text (HDF5 attribute strings cannot hold NUL). The core checks the same rules
    where text comes in; this catches a session built some other way.
    """
    checked_id(session.id, "session id")
    checked_id(session.client_id, "client id")
    if session.carried_over_from:
        checked_id(session.carried_over_from, "the session it carries over from")
    try:
        check_text(session.practitioner, "the practitioner's name")
        check_text(session.topology_id, "the topology id", 64)
        for key in session.overlays.keys:
            check_key(key, "layer key")
    except ValueError as error:
        raise StoreError(f"cannot save session {session.id}: {error}") from error
