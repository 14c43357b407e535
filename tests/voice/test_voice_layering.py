"""bodymap.voice stays below the UI: no Qt, VTK or h5py, and pocketsphinx and sounddevice
are imported only inside the functions that use them."""

from __future__ import annotations

import ast
from pathlib import Path

VOICE = Path(__file__).resolve().parents[2] / "bodymap" / "voice"
NEVER = ("PyQt6", "pyvista", "pyvistaqt", "vtk", "vtkmodules", "h5py", "bodymap.ui",
         "bodymap.render")  # fmt: skip
LAZY = ("pocketsphinx", "sounddevice")


def _names(nodes) -> set[str]:
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _bad(names, prefixes) -> list[str]:
    return [n for n in names if any(n == p or n.startswith(p + ".") for p in prefixes)]


def test_voice_imports_no_gui_and_audio_only_lazily():
    offenders = []
    files = sorted(VOICE.glob("*.py"))
    assert len(files) >= 8
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        everywhere = _names(ast.walk(tree))
        top_level = _names(tree.body)
        offenders += [f"{path.name} imports {n}" for n in _bad(everywhere, NEVER)]
        offenders += [f"{path.name} imports {n} at load" for n in _bad(top_level, LAZY)]
    assert not offenders, "\n".join(offenders)
