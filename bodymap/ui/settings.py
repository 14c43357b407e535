"""BodyMap's QSettings: one place for the store's name and the keys the app remembers.

Privacy: only opaque ids and layout go here, never a client's name.
"""

from __future__ import annotations

from PyQt6.QtCore import QSettings

ORGANIZATION = "BodyMap"
APPLICATION = "BodyMap"
PRACTITIONER_KEY = "session/practitioner"
LAST_CLIENT_KEY = "session/last_client"
"""The opaque id of the client last chosen, to preselect next time."""


def app_settings() -> QSettings:
    """BodyMap's settings store (named explicitly, so it does not depend on QApplication)."""
    return QSettings(ORGANIZATION, APPLICATION)


# The main window's remembered choices (brush, first-run guide).
BRUSH_RADIUS_KEY = "brush/radius_m"
BRUSH_INTENSITY_KEY = "brush/intensity"
GUIDE_DONE_KEY = "guide/first_run_done"
"""True once the first-run guide was completed or dismissed."""
