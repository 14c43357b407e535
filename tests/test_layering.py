"""The architecture's layering: core and io never import Qt, VTK or (core) h5py; analysis
(comparisons and trends, above the store) never Qt, VTK, render, export or ui; render never Qt;
export never Qt widgets."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "bodymap"
GUI = ("PyQt6", "pyvista", "pyvistaqt", "vtk", "vtkmodules", "qtpy", "matplotlib.pyplot")
FORBIDDEN = {
    "core": GUI
    + ("h5py", "bodymap.io", "bodymap.store", "bodymap.analysis", "bodymap.render", "bodymap.ui"),
    "io": GUI + ("bodymap.analysis", "bodymap.render", "bodymap.ui"),
    "store": GUI + ("bodymap.analysis", "bodymap.render", "bodymap.export", "bodymap.ui"),
    # The comparison-and-trends service the CLI, the PDF and the window call.
    "analysis": GUI + ("bodymap.render", "bodymap.export", "bodymap.ui", "bodymap.cli"),
    "render": ("PyQt6", "pyvistaqt", "qtpy", "bodymap.ui"),
    # Spoken commands: the grammar, the recogniser and applying a command; no Qt, no scene.
    "voice": GUI + ("bodymap.render", "bodymap.ui", "bodymap.export"),
    # Exports render off-screen (an off-screen pyvista plotter behind the render layer's
    # BodyScene, never raw VTK) and draw with QtCore/QtGui (QImage, QPdfWriter): no widgets.
    "export": (
        "PyQt6.QtWidgets",
        "pyvistaqt",
        "qtpy",
        "vtk",
        "vtkmodules",
        "matplotlib.pyplot",
        "bodymap.ui",
    ),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # "from PyQt6 import QtWidgets" imports PyQt6.QtWidgets
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_what_lies_below(layer: str) -> None:
    folder = PACKAGE / layer
    if not folder.is_dir():
        pytest.skip(f"no {layer} layer yet")
    offenders = []
    for path in sorted(folder.rglob("*.py")):
        for name in imported_modules(path):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer]):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not offenders, "\n".join(offenders)
