"""BodyMap's QSettings: one place for the store's name and the keys the app remembers.

Privacy: only opaque ids and layout go here, never a client's name.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PyQt6.QtCore import QSettings

ORGANIZATION = "BodyMap"
APPLICATION = "BodyMap"
PRACTITIONER_KEY = "session/practitioner"
LAST_CLIENT_KEY = "session/last_client"
"""The opaque id of the client last chosen, to preselect next time."""
IDLE_MINUTES_KEY = "privacy/idle_minutes"
"""Minutes without input before the window locks (0: never)."""
DEFAULT_IDLE_MINUTES = 10
BACKUP_REMINDER_DAYS_KEY = "privacy/backup_reminder_days"
"""Days without a backup before the banner reminds (0: never)."""
DEFAULT_BACKUP_REMINDER_DAYS = 7
BACKUP_FOLDER_KEY = "privacy/backup_folder"
"""The folder the last backup was written to (a folder path, never a client's name)."""


def app_settings() -> QSettings:
    """BodyMap's settings store (named explicitly, so it does not depend on QApplication)."""
    return QSettings(ORGANIZATION, APPLICATION)


def store_token(root: Path) -> str:
    """An opaque name for a store folder (a hash of its path), for settings and keychains."""
    return hashlib.sha256(str(Path(root).resolve()).encode("utf-8")).hexdigest()[:24]


def store_setting_key(root: Path, name: str) -> str:
    """The settings key of ``name`` for the store at ``root`` (e.g. the banner's "Not now")."""
    return f"stores/{store_token(root)}/{name}"


def int_setting(key: str, default: int, lowest: int = 0, highest: int = 10_000) -> int:
    """An integer setting, ``default`` when absent or unreadable, clamped to a sane range."""
    try:
        value = int(app_settings().value(key, default))
    except (TypeError, ValueError):
        return default
    return min(max(value, lowest), highest)


# The main window's remembered choices (brush, first-run guide).
BRUSH_RADIUS_KEY = "brush/radius_m"
BRUSH_INTENSITY_KEY = "brush/intensity"
GUIDE_DONE_KEY = "guide/first_run_done"
"""True once the first-run guide was completed or dismissed."""

# Voice (push-to-talk): on by default where a recogniser and a microphone are present.
VOICE_ENABLED_KEY = "voice/enabled"
"""False once the practitioner switched voice off (Tools › Voice commands)."""
VOICE_KEY_KEY = "voice/key"
"""The push-to-talk key (a Qt key code; F9 by default, a foot pedal sends a key)."""
VOICE_SOUND_KEY = "voice/sound"
"""Whether a soft tone confirms a command."""
