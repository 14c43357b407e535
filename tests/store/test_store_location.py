"""Where the store lives, network folders, and cleaning up after crashed saves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bodymap.store import Store, store_location
from bodymap.store.atomic import TEMP_PATTERN, temp_path_for
from bodymap.store.location import filesystem_type, location_warnings


def test_explicit_folder_wins_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("BODYMAP_STORE", str(tmp_path / "env"))
    assert store_location(tmp_path / "cli") == tmp_path / "cli"
    assert store_location() == tmp_path / "env"


def test_checkout_sessions_folder_then_user_data(tmp_path, monkeypatch):
    monkeypatch.delenv("BODYMAP_STORE", raising=False)
    checkout = tmp_path / "checkout"
    (checkout / "bodymap").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text('[project]\nname = "bodymap"\n')
    user_store = store_location(package_parent=checkout)
    assert user_store.name == "store" and "BodyMap" in str(user_store)
    assert str(user_store).startswith(os.environ["XDG_DATA_HOME"])  # redirected by conftest
    (checkout / "sessions").mkdir()
    assert store_location(package_parent=checkout) == checkout / "sessions"
    site = tmp_path / "site-packages"  # an installed copy beside stray files is no checkout
    (site / "bodymap").mkdir(parents=True)
    (site / "sessions").mkdir()
    (site / "pyproject.toml").write_text('[project]\nname = "bodymap"\n')
    assert store_location(package_parent=site) == user_store


def test_network_file_systems_are_detected(tmp_path):
    mounts = tmp_path / "mounts"
    mounts.write_text(
        "/dev/sda1 / ext4 rw 0 0\n"
        f"server:/export {tmp_path}/nfs nfs4 rw 0 0\n"
        f"//nas/share {tmp_path}/smb cifs rw 0 0\n"
        f"sshfs#me@host: {tmp_path}/fuse fuse.sshfs rw 0 0\n"
    )
    assert filesystem_type(tmp_path / "nfs" / "store", mounts) == "nfs4"
    assert filesystem_type(tmp_path / "local", mounts) == "ext4"
    if sys.platform.startswith("linux"):
        for name in ("nfs", "smb", "fuse"):
            (warning,) = location_warnings(tmp_path / name / "store", mounts)
            assert "errno 37" in warning and "local disk" in warning
    assert location_warnings(tmp_path / "local", mounts) == []
    (synced,) = location_warnings(tmp_path / "Dropbox" / "store", mounts)
    assert "synced folder" in synced


def test_local_store_has_no_warnings(store):
    assert isinstance(store.warnings(), list)


def test_opening_a_store_removes_only_stale_temporary_files(tmp_path):
    store = Store(tmp_path / "store")
    folder = store.layout.sessions / "c-1"
    folder.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    stale = folder / f".s-1.h5.{dead}.0123456789abcdef.bmtmp"
    live = temp_path_for(folder / "s-2.h5")  # this very process: a save in progress
    keep = [folder / "s-1.h5", folder / ".hidden", folder / "x.bmtmp", folder / ".a.1.zz.bmtmp"]
    for path in [stale, live, *keep]:
        path.write_bytes(b"x")
    reopened = Store(tmp_path / "store")
    assert reopened.removed_temps == [stale]
    assert not stale.exists() and live.exists()
    assert all(p.exists() for p in keep)
    assert TEMP_PATTERN.match(live.name) and not TEMP_PATTERN.match("x.bmtmp")


def test_store_folders_are_private(tmp_path):
    store = Store(tmp_path / "store")
    if os.name == "posix":
        assert (store.layout.sessions.stat().st_mode & 0o777) == 0o700


def test_ids_cannot_escape_the_store(store):
    from bodymap.store import StoreError

    for bad in ("../x", "a/b", ".hidden", "", "x" * 200):
        with pytest.raises(StoreError):
            store.layout.session_file(bad, "s-1")
    assert store.layout.session_file("c-1", "s-1") == Path(store.root, "sessions/c-1/s-1.h5")
