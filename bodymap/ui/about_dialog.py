"""Help › About BodyMap: the version, the licences, and where the records are kept.

The licences are read, not kept by hand: the body's from ``meshes/ATTRIBUTION.md`` (CC0),
the libraries' from their installed package metadata.
"""

from __future__ import annotations

import html
from importlib import metadata
from pathlib import Path

from PyQt6.QtCore import QUrl
from PyQt6.QtGui import QDesktopServices
from PyQt6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

import bodymap
from bodymap.io.paths import meshes_dir

LIBRARIES = (
    "PyQt6",
    "vtk",
    "pyvista",
    "pyvistaqt",
    "numpy",
    "scipy",
    "h5py",
    "trimesh",
    "matplotlib",
    "platformdirs",
    "filelock",
)
"""The main libraries BodyMap runs on (its dependencies in pyproject.toml)."""
ATTRIBUTION_FILE = "ATTRIBUTION.md"
BODY_LICENCE_FILE = "LICENSE-CC0.md"
SHORT_LICENCE = 60
"""A package's ``License`` field longer than this is the whole text: use its classifier."""


def library_licence(name: str) -> tuple[str, str]:
    """(version, licence) of an installed package, from its metadata; "not installed" if absent."""
    try:
        info = metadata.metadata(name)
        version = metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed", ""
    licence = (info.get("License-Expression") or info.get("License") or "").strip()
    if not licence or len(licence) > SHORT_LICENCE or "\n" in licence:
        classifiers = [c for c in info.get_all("Classifier") or [] if c.startswith("License ::")]
        licence = classifiers[0].split("::")[-1].strip() if classifiers else "see the package"
    return version, licence


def body_attribution(folder: Path | None = None) -> str:
    """The body's attribution text (``meshes/ATTRIBUTION.md``), or why it cannot be read."""
    path = (folder or meshes_dir()) / ATTRIBUTION_FILE
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        return f"{path} cannot be read: {error.strerror or error}"


def about_html(store_folder: Path | None) -> str:
    """The About text as HTML."""
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(version)}</td>"
        f"<td>{html.escape(licence)}</td></tr>"
        for name, (version, licence) in ((n, library_licence(n)) for n in LIBRARIES)
    )
    where = (
        f'<a href="{QUrl.fromLocalFile(str(store_folder)).toString()}">'
        f"{html.escape(str(store_folder))}</a>"
        if store_folder is not None
        else "no store is open"
    )
    cc0 = QUrl.fromLocalFile(str(meshes_dir() / BODY_LICENCE_FILE)).toString()
    return (
        f"<h2>BodyMap {html.escape(bodymap.__version__)}</h2>"
        "<p>3D body charting for CranioSacral Therapy practitioners. Everything stays on "
        "this computer.</p>"
        f"<h3>Where the records are kept</h3><p>{where}</p>"
        f'<h3>The body (<a href="{cc0}">CC0 1.0</a>)</h3>'
        f"<pre style='white-space: pre-wrap'>{html.escape(body_attribution())}</pre>"
        "<h3>Libraries</h3><table cellspacing='6'><tr><th align='left'>Library</th>"
        f"<th align='left'>Version</th><th align='left'>Licence</th></tr>{rows}</table>"
    )


class AboutDialog(QDialog):
    """The About window (non-modal); links open the store folder or the licence file."""

    def __init__(self, store_folder: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About BodyMap")
        self.resize(620, 640)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.anchorClicked.connect(QDesktopServices.openUrl)
        self.text.setHtml(about_html(store_folder))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
