"""Make the Windows ``.ico`` and the macOS ``.icns`` from the committed PNG icons.

    python packaging/make_icons.py OUT_DIR

Called by the PyInstaller spec at build time (Pillow, a dependency of matplotlib, writes
both formats on every platform), so only the SVG and its PNGs are committed.
"""

from __future__ import annotations

import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SOURCE = 512


def make_icons(out_dir: Path, icons: Path = ICONS) -> tuple[Path, Path]:
    """Write ``bodymap.ico`` and ``bodymap.icns`` into ``out_dir``; return their paths."""
    from PIL import Image

    out_dir.mkdir(parents=True, exist_ok=True)
    largest = Image.open(icons / f"bodymap-{ICNS_SOURCE}.png").convert("RGBA")
    ico = out_dir / "bodymap.ico"
    # Each size from its own PNG (drawn for that size), not scaled down from the largest.
    frames = [Image.open(icons / f"bodymap-{size}.png").convert("RGBA") for size in ICO_SIZES]
    frames[-1].save(ico, sizes=[(s, s) for s in ICO_SIZES], append_images=frames[:-1])
    icns = out_dir / "bodymap.icns"
    largest.save(icns)
    return ico, icns


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python packaging/make_icons.py OUT_DIR")
    for written in make_icons(Path(sys.argv[1])):
        print(written)
