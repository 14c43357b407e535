"""Where the session store lives, and whether that folder is safe for HDF5 files.

Resolution, first match wins:

1. ``--store DIR`` on the command line (passed in as ``explicit``);
2. the ``BODYMAP_STORE`` environment variable;
3. the ``sessions/`` folder of the checkout, when BodyMap runs from one (the package's
   parent folder holds ``pyproject.toml`` and a ``sessions/`` folder);
4. ``platformdirs.user_data_dir("BodyMap")/store``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from bodymap.io.paths import APP_NAME, checkout_root

ENV_VAR = "BODYMAP_STORE"
PACKAGE_PARENT = Path(__file__).resolve().parents[2]

NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "ncpfs",
        "afs",
        "9p",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "davfs",
        "fuse",
        "vboxsf",
    }
)
"""File systems where HDF5 file locking and ``fsync`` cannot be trusted (``fuse.*`` too)."""

SYNCED_FOLDER_NAMES = (
    "dropbox",
    "onedrive",
    "google drive",
    "googledrive",
    "icloud",
    "mobile documents",
    "com~apple~clouddocs",
    "nextcloud",
)


def store_location(explicit: str | Path | None = None, package_parent: Path | None = None) -> Path:
    """The store folder, following the resolution order in the module docstring.

    Parameters
    ----------
    explicit : str or Path, optional
        A folder given on the command line; wins over everything.
    package_parent : Path, optional
        The folder holding the ``bodymap`` package (for tests); the real one by default.
    """
    if explicit:
        return Path(explicit).expanduser()
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override).expanduser()
    checkout = checkout_root(package_parent or PACKAGE_PARENT)
    if checkout is not None and (checkout / "sessions").is_dir():
        return checkout / "sessions"
    # appauthor=False: on Windows %LOCALAPPDATA%\BodyMap\store, not BodyMap\BodyMap\store.
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "store"


def filesystem_type(path: Path, mounts_file: Path = Path("/proc/mounts")) -> str | None:
    """The file system type holding ``path`` (Linux, from ``/proc/mounts``); ``None`` if unknown."""
    try:
        lines = mounts_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    target = os.path.realpath(path)
    best, best_type = "", None
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        mount = fields[1].replace("\\040", " ")
        inside = target == mount or target.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) >= len(best):
            best, best_type = mount, fields[2]
    return best_type


def location_warnings(path: Path, mounts_file: Path = Path("/proc/mounts")) -> list[str]:
    """Why ``path`` may be a risky place for the store: a network or synced folder.

    Best effort: file system types are read on Linux only; synced folders are recognised
    by their usual names on every platform.
    """
    warnings = []
    kind = filesystem_type(path, mounts_file) if sys.platform.startswith("linux") else None
    if kind and (kind in NETWORK_FILESYSTEMS or kind.startswith("fuse.")):
        warnings.append(
            f"the store {path} is on a network or user-space file system ({kind}): file "
            "locking and flushing to disk cannot be relied on there (HDF5 reports errno 37); "
            "keep the store on a local disk"
        )
    if str(path).startswith(("\\\\", "//")):
        warnings.append(
            f"the store {path} is on a network share: file locking and flushing to disk "
            "cannot be relied on there; keep the store on a local disk"
        )
    lowered = [part.lower() for part in Path(os.path.realpath(path)).parts]
    if any(name in part for part in lowered for name in SYNCED_FOLDER_NAMES):
        warnings.append(
            f"the store {path} is inside a synced folder: a sync client may copy files "
            "half-written or create conflicting copies; keep the store outside it"
        )
    return warnings
