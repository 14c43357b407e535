"""What every benchmark section shares: timing, figures, the table and the machine line."""

from __future__ import annotations

import gc
import math
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Options:
    """How hard to measure: ``runs`` timed repetitions after ``warmup`` untimed ones."""

    sizes: tuple[str, ...]
    runs: int = 5
    warmup: int = 1
    smoke: bool = False
    max_runs: int = 40
    """Cheap figures repeat up to this many times (within ``target_s``) for steadier medians."""
    target_s: float = 0.5


@dataclass
class Context:
    """What a section gets: the options, a log, loaded meshes and where to note skips."""

    options: Options
    log: Callable[[str], None] = print
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    _bodies: dict = field(default_factory=dict)

    def body(self, token: str):
        """``(BodyMesh, Atlas)`` for a size token, loaded once per run."""
        if token not in self._bodies:
            from bench_meshes import load_size

            self._bodies[token] = load_size(token, self.log)
        return self._bodies[token]

    def skip(self, reason: str) -> None:
        self.log(f"  skipped: {reason}")
        self.skipped.append(reason)

    def fail(self, reason: str) -> None:
        """A section broke: listed with the skips, and the run exits with status 1."""
        self.skip(reason)
        self.failed.append(reason)


@dataclass
class Figure:
    """One measured quantity: its samples, and what to compare it with.

    ``budget`` is an upper bound on the median (``None``: no budget); ``peer`` names the key
    of the figure it is compared with (the naive way of doing the same thing).
    """

    key: str
    label: str
    unit: str
    samples: list[float]
    budget: float | None = None
    peer: str | None = None
    note: str = ""
    ratio_to_peer: float | None = field(default=None, init=False)

    @property
    def median(self) -> float:
        ordered = sorted(self.samples)
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return ordered[middle]
        return (ordered[middle - 1] + ordered[middle]) / 2

    @property
    def verdict(self) -> str:
        if self.budget is None:
            return "—"
        return "holds" if self.median <= self.budget else "falls short"

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "unit": self.unit,
            "median": self.median,
            "min": min(self.samples),
            "max": max(self.samples),
            "runs": len(self.samples),
            "budget": self.budget,
            "ratio_to_budget": None if self.budget is None else self.median / self.budget,
            "verdict": self.verdict,
            "peer": self.peer,
            "ratio_to_peer": self.ratio_to_peer,
            "note": self.note,
            "samples": list(self.samples),
        }

    @classmethod
    def from_json(cls, data: dict) -> Figure:
        """A figure written by :meth:`to_json` (e.g. by the GUI worker)."""
        return cls(
            data["key"],
            data["label"],
            data["unit"],
            list(data["samples"]),
            budget=data["budget"],
            peer=data["peer"],
            note=data["note"],
        )


def sample(
    run: Callable[[int], object],
    options: Options,
    scale: float = 1e3,
    cheap: bool = True,
    before: Callable[[int], object] | None = None,
) -> list[float]:
    """Time ``run(i)``: ``options.warmup`` untimed calls, then at least ``options.runs`` timed.

    ``scale`` converts seconds (1e3: ms). A cheap figure repeats until ``options.target_s``
    has passed (at most ``options.max_runs`` times). ``before(i)`` runs untimed first.
    """
    gc.collect()
    for i in range(options.warmup):
        if before is not None:
            before(-1 - i)
        run(-1 - i)
    samples: list[float] = []
    spent = 0.0
    limit = options.max_runs if cheap and not options.smoke else options.runs
    while len(samples) < options.runs or (len(samples) < limit and spent < options.target_s):
        if before is not None:
            before(len(samples))
        started = time.perf_counter()
        run(len(samples))
        elapsed = time.perf_counter() - started
        spent += elapsed
        samples.append(elapsed * scale)
    return samples


def link_peers(figures: list[Figure]) -> None:
    """Fill in each figure's ratio to its peer (when the peer was measured)."""
    by_key = {f.key: f for f in figures}
    for figure in figures:
        peer = by_key.get(figure.peer or "")
        if peer is not None and peer.median > 0:
            figure.ratio_to_peer = figure.median / peer.median


def _number(value: float) -> str:
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    digits = max(0, 2 - int(math.floor(math.log10(abs(value)))))
    return f"{value:,.{min(digits, 4)}f}"


def _ratio(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2g}x" if value < 10 else f"{value:,.0f}x"


def table(figures: list[Figure], skipped: list[str]) -> str:
    """The figures as a fixed-width text table, with skipped sections listed below it."""
    by_key = {f.key: f for f in figures}
    header = ("figure", "median", "min", "max", "unit", "budget", "verdict", "peer", "x peer")
    rows = [header]
    for f in figures:
        peer = by_key.get(f.peer or "")
        verdict = f.verdict
        if f.budget is not None:
            verdict += f" ({f.median / f.budget:.2f} of it)"
        rows.append(
            (
                f.label,
                _number(f.median),
                _number(min(f.samples)),
                _number(max(f.samples)),
                f.unit,
                "—" if f.budget is None else f"<= {_number(f.budget)}",
                verdict,
                "—" if peer is None else peer.label,
                _ratio(f.ratio_to_peer),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    numeric = {1, 2, 3, 8}
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.rjust(width) if i in numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += [f"skipped: {reason}" for reason in skipped]
    notes = [f"  {f.label}: {f.note}" for f in figures if f.note]
    if notes:
        lines += ["notes:"] + notes
    return "\n".join(lines)


def machine() -> dict[str, object]:
    """CPU, cores, memory, GL renderer and library versions, for the header line."""
    import h5py
    import numpy
    import pyvista
    from vtkmodules.vtkCommonCore import vtkVersion

    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": round(_ram_bytes() / 2**30, 1),
        "gl_renderer": gl_renderer(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "vtk": vtkVersion.GetVTKVersion(),
        "pyvista": pyvista.__version__,
        "h5py": h5py.__version__,
        "hdf5": h5py.version.hdf5_version,
        "load_average": load_average(),
    }


def machine_line(info: dict[str, object]) -> str:
    return (
        f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM; "
        f"GL: {info['gl_renderer']}; Python {info['python']}, numpy {info['numpy']}, "
        f"VTK {info['vtk']}, pyvista {info['pyvista']}, h5py {info['h5py']} "
        f"(HDF5 {info['hdf5']}); load average {info['load_average']}"
        + (f" at start, {info['load_average_end']} at end" if "load_average_end" in info else "")
    )


def load_average() -> float | None:
    """The 1-minute load average: above the core count, other work skews the figures."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def gl_renderer() -> str:
    """The OpenGL renderer string of an off-screen VTK window ("llvmpipe ..." in software)."""
    import vtkmodules.vtkRenderingOpenGL2  # noqa: F401  (registers the OpenGL backend)
    from vtkmodules.vtkCommonCore import vtkLogger
    from vtkmodules.vtkRenderingCore import vtkRenderer, vtkRenderWindow

    # Without a display VTK tries X first and warns (each time) before it falls back to EGL.
    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_ERROR)
    window = vtkRenderWindow()
    window.SetOffScreenRendering(True)
    window.SetSize(8, 8)
    window.AddRenderer(vtkRenderer())
    try:
        window.Render()
        report = window.ReportCapabilities() or ""
    finally:
        window.Finalize()
        if os.environ.get("DISPLAY"):
            vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_WARNING)
    for line in report.splitlines():
        if "renderer string" in line:
            return line.split(":", 1)[1].strip()
    return "unknown"
