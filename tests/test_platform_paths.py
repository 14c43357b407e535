"""Folders as practitioners have them: spaces and non-ASCII names, and each platform's folders.

A store and exports in such folders go through the public APIs (the store, the ``bodymap``
command). The user data and cache folders of Windows and macOS are checked by lending
platformdirs that platform's rules, under a home folder with a space and a non-ASCII name.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import numpy as np
import platformdirs
import pytest
import pyvista as pv
from platformdirs import windows
from platformdirs.macos import MacOS
from platformdirs.unix import Unix
from platformdirs.windows import Windows

from bodymap.cli import main
from bodymap.core.atlas import Atlas, Band, Region
from bodymap.core.mesh import BodyMesh
from bodymap.core.session import Session
from bodymap.io.paths import cache_dir, checkout_root
from bodymap.store import Store, store_location

ODD_NAMES = ("Zoë Ångström", "Praxis für Kraniosakral", "José María O'Neil", "治疗 记录")


def small_body() -> tuple[BodyMesh, Atlas]:
    """A sphere with a front and a back region: exports in milliseconds."""
    sphere = pv.Icosphere(radius=0.3, nsub=2, center=(0.0, 1.0, 0.0))
    mesh = BodyMesh(np.asarray(sphere.points), sphere.regular_faces, name="ball")
    front = (mesh.vertices[:, 2] >= 0).astype(np.int16)
    regions = (Region("back", "Back", "midline", "trunk posterior"),
               Region("front", "Front", "midline", "trunk anterior"))  # fmt: skip
    return mesh, Atlas(regions, (Band("waist", "Waist"),), front, np.full(mesh.n_vertices, -1))


def painted_store(root: Path) -> tuple[Store, Session]:
    store = Store(root)
    mesh, atlas = small_body()
    store.put_mesh(mesh, atlas)
    client = store.create_client(ODD_NAMES[0])
    session = Session(client.id, mesh.geometry_hash, mesh.n_vertices, practitioner=ODD_NAMES[1])
    session.overlays.values[mesh.vertices[:, 2] >= 0, 0] = 70
    session.notes.subjective = ODD_NAMES[3]
    store.save(session)
    return store, session


@pytest.mark.parametrize("name", ODD_NAMES)
def test_a_store_in_a_folder_with_spaces_and_non_ascii_names(tmp_path, name):
    root = tmp_path / name / "BodyMap records"
    store, session = painted_store(root)
    reopened = Store(root)
    assert reopened.load(session.id).same_record(session)
    reopened.finalise(session.id)
    assert reopened.clients()[0].name == ODD_NAMES[0]
    assert reopened.verify_audit() == []
    assert main(["verify", "--store", str(root)]) == 0


def test_exports_into_a_folder_with_spaces_and_non_ascii_names(tmp_path, qapp, capsys):
    store, session = painted_store(tmp_path / "store")
    out = tmp_path / "Exports für Zoë" / "März 2026"
    out.mkdir(parents=True)
    argv = ["export", session.id, "--store", str(store.root), "--csv", str(out / "Befund ü.csv"),
            "--json", str(out / "Akte ö.json"), "--png", str(out / "Bilder ä"),
            "--views", "anterior", "--size", "80x120"]  # fmt: skip
    assert main(argv) == 0, capsys.readouterr().err
    with open(out / "Befund ü.csv", encoding="utf-8", newline="") as stream:
        assert any(row for row in csv.reader(stream))
    record = json.loads((out / "Akte ö.json").read_text(encoding="utf-8"))
    assert ODD_NAMES[3] in json.dumps(record, ensure_ascii=False)
    images = sorted((out / "Bilder ä").glob("*.png"))
    assert [p.name.rsplit("_", 1)[1] for p in images] == ["anterior.png", "sheet.png"]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in images)


@pytest.fixture
def odd_home(tmp_path, monkeypatch) -> Path:
    """A home folder with a space and non-ASCII letters; no store, cache or XDG override.

    (platformdirs follows ``XDG_*`` variables on macOS too, when they are set.)
    """
    home = tmp_path / "Users" / ODD_NAMES[0]
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    for name in ("BODYMAP_STORE", "BODYMAP_CACHE_DIR", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    return home


def not_a_checkout(tmp_path: Path) -> Path:
    folder = tmp_path / "site-packages"
    folder.mkdir(exist_ok=True)
    return folder


def test_macos_folders(odd_home, tmp_path, monkeypatch):
    monkeypatch.setattr(platformdirs, "PlatformDirs", MacOS)
    store = store_location(package_parent=not_a_checkout(tmp_path))
    assert store == odd_home / "Library" / "Application Support" / "BodyMap" / "store"
    assert cache_dir() == odd_home / "Library" / "Caches" / "BodyMap"
    _, session = painted_store(store)  # "Application Support" has a space: a store there works
    assert Store(store).load(session.id).same_record(session)


def test_windows_folders_are_local_not_roaming(odd_home, tmp_path, monkeypatch):
    local = odd_home / "AppData" / "Local"
    roaming = odd_home / "AppData" / "Roaming"
    monkeypatch.setenv("LOCALAPPDATA", str(local))
    monkeypatch.setenv("APPDATA", str(roaming))
    monkeypatch.setattr(platformdirs, "PlatformDirs", Windows)
    # Off Windows, platformdirs is told to read these folders from the variables above.
    monkeypatch.setattr(windows, "_RESOLVE_WIN_FOLDER", windows.get_win_folder_from_env_vars)
    store = Path(store_location(package_parent=not_a_checkout(tmp_path)))
    assert store.is_relative_to(local) and store.name == "store" and "BodyMap" in store.parts
    assert Path(cache_dir()).is_relative_to(local)
    _, session = painted_store(store)
    assert Store(store).load(session.id).same_record(session)


def test_linux_folders_follow_xdg(odd_home, monkeypatch, tmp_path):
    monkeypatch.setattr(platformdirs, "PlatformDirs", Unix)
    monkeypatch.setenv("XDG_DATA_HOME", str(odd_home / ".local share"))
    store = store_location(package_parent=not_a_checkout(tmp_path))
    assert store == odd_home / ".local share" / "BodyMap" / "store"
    assert cache_dir() == odd_home / ".cache" / "BodyMap"


def test_a_checkout_is_recognised_only_by_its_own_project_file(tmp_path, monkeypatch):
    checkout = tmp_path / "BodyMap checkout ü"
    (checkout / "bodymap").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text('[project]\nname = "bodymap"\n', encoding="utf-8")
    assert checkout_root(checkout) == checkout
    # The same files in an install folder, another project's file, or a bundle: no checkout.
    installed = tmp_path / "lib" / "site-packages"
    (installed / "bodymap").mkdir(parents=True)
    (installed / "pyproject.toml").write_text('[project]\nname = "bodymap"\n', encoding="utf-8")
    assert checkout_root(installed) is None
    (checkout / "pyproject.toml").write_text('[project]\nname = "other"\n', encoding="utf-8")
    assert checkout_root(checkout) is None
    (checkout / "pyproject.toml").write_text('[project]\nname = "bodymap"\n', encoding="utf-8")
    monkeypatch.setattr("sys.frozen", True, raising=False)
    assert checkout_root(checkout) is None


def test_this_checkout_is_one():
    root = Path(__file__).resolve().parents[1]
    if not (root / "pyproject.toml").is_file():
        pytest.skip("tests run from an unpacked sdist or a copy without pyproject.toml")
    assert checkout_root() == root and os.path.isdir(root / "bodymap")
