"""The benchmark script runs end to end at smoke sizes and writes well-formed figures."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "scripts" / "bench.py"
SIZE = "ico"
IN_PROCESS = [
    f"dab_5cm@{SIZE}",
    f"dab_5cm@{SIZE}_per_vertex",
    f"dab_10cm@{SIZE}",
    f"pick@{SIZE}",
    f"pick_after_write@{SIZE}",
    f"footprint@{SIZE}",
    f"blend_write@{SIZE}",
    f"naive_pick@{SIZE}",
    f"naive_blend@{SIZE}",
    f"naive_dab_5cm@{SIZE}",
    f"save@{SIZE}",
    f"save_file@{SIZE}",
    f"savez@{SIZE}",
    f"reopen@{SIZE}",
    f"loadz@{SIZE}",
    "open_default",
]
IN_WINDOW = [
    f"render@{SIZE}",
    f"dab_render@{SIZE}",
    f"dab_render_ratio@{SIZE}",
    "cold_start",
    f"peak_memory@{SIZE}",
    "body_switch",
]
FIGURE_KEYS = {"label", "unit", "median", "min", "max", "runs", "budget", "verdict", "peer"}


def run_smoke(out: Path) -> dict:
    """Run ``bench.py --smoke`` in a child process (it inherits the redirected user folders)."""
    result = subprocess.run(
        [sys.executable, str(BENCH), "--smoke", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "figure" in result.stdout and "verdict" in result.stdout  # the table was printed
    return json.loads(out.read_text(encoding="utf-8"))


def test_smoke_run_writes_every_figure(tmp_path: Path) -> None:
    data = run_smoke(tmp_path / "x.json")

    assert data["options"]["smoke"] is True
    assert data["options"]["sizes"] == [SIZE]
    assert data["failed"] == []
    assert {"cpu", "cores", "ram_gib", "gl_renderer", "numpy", "vtk"} <= set(data["machine"])
    figures = data["figures"]
    window_skipped = any("window" in reason for reason in data["skipped"])
    expected = IN_PROCESS + ([] if window_skipped else IN_WINDOW)
    assert set(expected) <= set(figures), sorted(set(expected) - set(figures))
    for key, figure in figures.items():
        assert FIGURE_KEYS <= set(figure), key
        assert figure["runs"] >= 1, key
        for stat in ("median", "min", "max"):
            value = figure[stat]
            assert isinstance(value, int | float) and math.isfinite(value) and value > 0, key
        assert figure["min"] <= figure["median"] <= figure["max"], key
        assert figure["verdict"] in ("holds", "falls short", "—"), key
        if figure["peer"] is not None:
            assert figure["peer"] in figures, key
            assert figure["ratio_to_peer"] > 0, key
