"""Shared fixtures. Every user folder (platformdirs, QSettings) is redirected to tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_user_folders(tmp_path_factory, monkeypatch) -> Path:
    """Point XDG folders, HOME and the BodyMap store at a private temporary folder."""
    root = tmp_path_factory.mktemp("user")
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        folder = root / name.lower()
        folder.mkdir()
        monkeypatch.setenv(name, str(folder))
    monkeypatch.setenv("HOME", str(root))
    monkeypatch.setenv("BODYMAP_STORE", str(root / "store"))
    monkeypatch.setenv("BODYMAP_CACHE_DIR", str(root / "cache"))
    # No passphrase file leaks in from outside, and none set by a command run in-process
    # (``--passphrase-file`` sets it for the process) leaks into the next test.
    monkeypatch.setenv("BODYMAP_PASSPHRASE_FILE", "")
    monkeypatch.delenv("BODYMAP_PASSPHRASE_FILE")
    try:
        from PyQt6.QtCore import QSettings
    except ImportError:  # pragma: no cover - Qt is a hard dependency, but core tests need none
        return root
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(root / "qsettings"))
    # Qt may keep the settings file it opened first for the whole process: start each test
    # with empty settings so that nothing leaks from one test to the next.
    QSettings("BodyMap", "BodyMap").clear()
    return root


def pytest_configure(config) -> None:
    # Software rendering everywhere: tests must behave the same with or without a GPU.
    os.environ.setdefault("LIBGL_ALWAYS_SOFTWARE", "1")
