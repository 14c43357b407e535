"""The wheel and the sdist, built from this tree and installed (not editable) elsewhere.

``python -m build`` makes both from a copy of the tree; the wheel goes into a fresh virtual
environment, without its dependencies: a ``.pth`` file lends it the running environment's
packages (``--system-site-packages`` would not see a virtual environment's). Every command
runs from an empty folder without ``PYTHONPATH``, so what runs is the installed copy, never
the checkout, which each test checks through ``bodymap.__file__``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

import bodymap

ROOT = Path(__file__).resolve().parents[1]
NOT_COPIED = (
    ".git",
    ".venv",
    "sessions",  # a store: clinical records never leave it
    "build",
    "dist",
    ".cache",
    ".bench",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """(wheel, sdist) built offline from a copy of the tree (the wheel from the sdist)."""
    source = tmp_path_factory.mktemp("source") / "bodymap-src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_COPIED))
    dist = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)]
    subprocess.run(command, check=True, capture_output=True, text=True)
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    return wheel, sdist


@pytest.fixture(scope="module")
def installed(built, tmp_path_factory) -> Path:
    """A fresh virtual environment holding the wheel; returns its Python."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    query = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    purelib = subprocess.run([python, "-c", query], check=True, capture_output=True, text=True)
    lent = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    Path(purelib.stdout.strip(), "_bodymap_lent_packages.pth").write_text("\n".join(lent) + "\n")
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps"]
    install += ["--no-index", "--no-compile", "--quiet", str(built[0])]
    subprocess.run(install, check=True, capture_output=True, text=True)
    return python


def run(python: Path, args: list[str], cwd: Path, **env: str | None):
    """Run ``args`` (``bodymap`` = the installed command) with no checkout on the path."""
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "BODYMAP_MESHES")}
    for name, value in env.items():
        environment.pop(name, None)
        if value is not None:
            environment[name] = value
    if args[0] == "bodymap":
        args = [str(python.parent / "bodymap"), *args[1:]]
    else:
        args = [str(python), *args]
    return subprocess.run(args, cwd=cwd, env=environment, capture_output=True, text=True)


def run_python(python: Path, code: str, cwd: Path, *args: str, **env: str | None) -> str:
    result = run(python, ["-c", textwrap.dedent(code), *args], cwd, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_wheel_holds_every_package_and_every_file_of_meshes(built):
    wheel, sdist = built
    assert wheel.name == f"bodymap-{bodymap.__version__}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = [p.relative_to(ROOT / "meshes") for p in (ROOT / "meshes").rglob("*") if p.is_file()]
    assert shipped and {f"bodymap/meshes/{p.as_posix()}" for p in shipped} <= names
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "bodymap").rglob("*.py")}
    assert modules <= names, f"missing from [tool.setuptools] packages: {modules - names}"
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {f"meshes/{p.as_posix()}" for p in shipped} <= in_sdist


def test_the_installed_command_works_from_any_folder(installed, tmp_path):
    where = run_python(
        installed,
        """
        import bodymap, bodymap.io.paths as paths
        print(bodymap.__file__); print(paths.meshes_dir()); print(paths.checkout_root())
        """,
        tmp_path,
    ).splitlines()
    prefix = str(installed.parents[1])
    assert where[0].startswith(prefix) and where[1].startswith(prefix) and where[2] == "None"
    version = run(installed, ["bodymap", "--version"], tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == f"BodyMap {bodymap.__version__}"
    atlas = run(installed, ["bodymap", "atlas", "--json"], tmp_path)
    assert atlas.returncode == 0, atlas.stderr
    shipped = json.loads((ROOT / "meshes" / "default_body_atlas.json").read_text(encoding="utf-8"))
    listed = json.loads(atlas.stdout)
    assert listed["mesh"]["geometry_sha256"] == shipped["geometry_sha256"]
    assert len(listed["regions"]) == len(shipped["regions"])


def test_an_installed_copy_keeps_records_in_the_user_data_folder(installed, tmp_path):
    data_home = tmp_path / "data home"
    listing = run(installed, ["bodymap", "sessions"], tmp_path, BODYMAP_STORE=None,
                  XDG_DATA_HOME=str(data_home))  # fmt: skip
    assert listing.returncode == 1
    assert listing.stderr.strip() == f"bodymap: no session store at {data_home}/BodyMap/store"


def test_stray_project_files_in_site_packages_do_not_make_a_checkout(installed, tmp_path):
    code = """
        import sys, sysconfig
        from pathlib import Path
        site = Path(sysconfig.get_paths()["purelib"])
        (site / "pyproject.toml").write_text('[project]\\nname = "bodymap"\\n')
        (site / "sessions").mkdir()
        (site / "meshes").mkdir()
        from bodymap.io.paths import checkout_root, meshes_dir
        print(checkout_root(), meshes_dir(), sep="\\n")
        """
    found = run_python(installed, code, tmp_path).splitlines()
    assert found[0] == "None"
    assert found[1].startswith(str(installed.parents[1]))
    assert found[1].endswith(os.path.join("site-packages", "bodymap", "meshes"))


def test_one_version_everywhere(installed, tmp_path):
    code = """
        import json, sys
        from importlib.metadata import version
        from pathlib import Path
        import h5py
        import bodymap
        from bodymap.core.session import Session
        from bodymap.export.record_json import session_document
        from bodymap.store import Store
        store = Store(Path(sys.argv[1]))
        session = Session(store.create_client("Zoë Ångström").id, "ab" * 32, 50)
        with h5py.File(store.save(session), "r") as h5:
            in_file = str(h5.attrs["app_version"])
        print(json.dumps({
            "module": bodymap.__file__, "package": bodymap.__version__,
            "metadata": version("bodymap"), "session file": in_file,
            "record export": session_document(session)["app_version"],
        }))
        """
    found = json.loads(run_python(installed, code, tmp_path, str(tmp_path / "store")))
    assert found.pop("module").startswith(str(installed.parents[1]))
    assert set(found.values()) == {bodymap.__version__}


APP_CHECK = """
    import sys
    from PyQt6.QtCore import QTimer
    from PyQt6.QtWidgets import QApplication
    import bodymap, bodymap.cli
    from bodymap.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])

    def report():
        shown = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        print(bodymap.__file__, len(shown), sep="\\n")
        app.quit()

    QTimer.singleShot(0, report)
    sys.exit(bodymap.cli.main([]))
    """


@pytest.mark.gui
def test_the_installed_app_opens_its_window(installed, tmp_path):
    data_home = tmp_path / "data"
    shown = run_python(
        installed, APP_CHECK, tmp_path, BODYMAP_STORE=None, XDG_DATA_HOME=str(data_home)
    )
    module, windows = shown.splitlines()[-2:]
    assert module.startswith(str(installed.parents[1])) and windows == "1"
