"""The sections that need a window: dab + render in the real main window, cold start, memory.

The main benchmark runs this file as a worker process on the X display (under ``xvfb-run``
when there is none), with every user folder but the cache redirected to a scratch folder;
the worker writes its figures as JSON. Cold start and memory are measured in child
processes of their own.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import Context, Figure, Options  # noqa: E402

from bodymap.io.paths import cache_dir  # noqa: E402

XVFB_SCREEN = "-screen 0 1920x1080x24"
WORKER_TIMEOUT_S = 1800
CHILD_TIMEOUT_S = 300
COLD_START = """
import os, sys, time
def since_start():
    with open("/proc/self/stat") as stat:
        ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
    return time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")
from PyQt6.QtWidgets import QApplication
def first_frame_then_close(app):
    # In place of the event loop: run it until the 3D view's first frame is on screen.
    from bodymap.ui.main_window import MainWindow
    [window] = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow)]
    swapped = []
    window.viewer.interactor.frameSwapped.connect(lambda: swapped.append(True))
    while not swapped:
        app.processEvents()
    print("BENCH_SHOWN", since_start(), flush=True)
    window.close()
    return 0
QApplication.exec = first_frame_then_close
from bodymap.cli import main
sys.exit(main([]))
"""


# ----- parent side --------------------------------------------------------------------------
def with_display(command: list[str]) -> list[str] | None:
    """``command`` as is on an X display, under xvfb-run without one, ``None`` if neither."""
    if os.environ.get("DISPLAY"):
        return command
    xvfb = shutil.which("xvfb-run")
    return None if xvfb is None else [xvfb, "-a", "-s", XVFB_SCREEN, *command]


def scratch_env(scratch: Path) -> dict[str, str]:
    """The environment with user folders in ``scratch`` (the mesh cache stays where it is)."""
    env = dict(os.environ, BODYMAP_CACHE_DIR=str(cache_dir()), BODYMAP_STORE=str(scratch / "s"))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        env[name] = str(scratch / name.lower())
    return env


def run_worker(ctx: Context, sections: list[str]) -> dict[str, list[Figure]]:
    """Run ``sections`` in a worker process on a display; their figures by section."""
    options = ctx.options
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--sections",
        ",".join(sections),
        "--sizes",
        *options.sizes,
        "--runs",
        str(options.runs),
        "--warmup",
        str(options.warmup),
    ] + (["--smoke"] if options.smoke else [])
    wrapped = with_display(command)
    if wrapped is None:
        ctx.skip(f"{', '.join(sections)} (window): no X display and no xvfb-run")
        return {}
    scratch = Path(tempfile.mkdtemp(prefix="bodymap-bench-"))
    try:
        out = scratch / "worker.json"
        result = subprocess.run(
            [*wrapped, "--json", str(out)], env=scratch_env(scratch), timeout=WORKER_TIMEOUT_S
        )
        if result.returncode != 0 or not out.exists():
            ctx.fail(
                f"{', '.join(sections)} (window): the worker failed (exit {result.returncode})"
            )
            return {}
        data = json.loads(out.read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    ctx.skipped.extend(data["skipped"])
    ctx.failed.extend(data["failed"])
    return {name: [Figure.from_json(f) for f in figs] for name, figs in data["figures"].items()}


# ----- worker side --------------------------------------------------------------------------
class ChildError(RuntimeError):
    """A child process failed; the message ends with its last line of error output."""


def child_result(command: list[str], marker: str) -> str:
    """Run a child; the rest of its last output line starting with ``marker``."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S)
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith(marker + " ")]
    if result.returncode != 0 or not lines:
        errors = result.stderr.strip().splitlines() or ["no output"]
        raise ChildError(f"exit {result.returncode}: {errors[-1]}")
    return lines[-1].split(" ", 1)[1]


def cold_start_figures(ctx: Context) -> list[Figure]:
    """Seconds from process start to the main window's first frame of the default body, per
    process: the ``bodymap`` command's own start (``bodymap.cli.main``, no arguments), its
    event loop replaced by one that stops at the 3D view's first frame on screen."""
    ctx.log("startup: cold start to the first frame of the main window")
    times = []
    for run in range(ctx.options.warmup + ctx.options.runs):
        line = child_result([sys.executable, "-c", COLD_START], "BENCH_SHOWN")
        if run >= ctx.options.warmup:
            times.append(float(line))
    return [
        Figure(
            "cold_start",
            "cold start to the main window's first frame (default body)",
            "s",
            times,
            note="new process running `bodymap`: imports, default body from cache, store, "
            "window, the body's first frame on screen",
        )
    ]


MEMORY_BUDGET_MIB = 800.0
"""Peak memory of the window with an 8-layer session on the 1M body."""


def memory_figures(ctx: Context) -> list[Figure]:
    """Peak resident memory of a process showing the window on the 1M body with a session.

    The processes run two at a time: each one's peak is its own, whatever runs beside it.
    """
    sizes = ctx.options.sizes
    token = "1M" if "1M" in sizes else sizes[-1]
    ctx.log(f"memory: the app on the {token} body")
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "memory", "--sizes", token]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(
            pool.map(lambda _: child_result(command, "BENCH_RESULT"), range(ctx.options.runs))
        )
    peaks = [json.loads(result)["peak_mib"] for result in results]
    return [
        Figure(
            f"peak_memory@{token}",
            f"peak memory, window + session [{token}]",
            "MiB",
            peaks,
            budget=MEMORY_BUDGET_MIB if token == "1M" else None,
            note="peak RSS (VmHWM) of a process: window on the body, 8-layer session, "
            "a stroke of 3 dabs",
        )
    ]


def render_figures(ctx: Context) -> list[Figure]:
    from bench_window import render_figures as in_window

    return in_window(ctx)


def body_figures(ctx: Context) -> list[Figure]:
    from bench_bodies import window_figures

    return window_figures(ctx)


WORKER_SECTIONS = {
    "render": render_figures,
    "startup": cold_start_figures,
    "memory": memory_figures,
    "bodies": body_figures,
}


def worker_main(args: argparse.Namespace) -> int:
    options = Options(sizes=tuple(args.sizes), runs=args.runs, warmup=args.warmup, smoke=args.smoke)
    ctx = Context(options, log=lambda text: print(text, flush=True))
    figures: dict[str, list[Figure]] = {}
    for name in args.sections.split(","):
        started = time.perf_counter()
        try:
            figures[name] = WORKER_SECTIONS[name](ctx)
            ctx.log(f"  ({name}: {time.perf_counter() - started:.1f} s)")
        except Exception as error:  # one broken section must not hide the others
            traceback.print_exc()
            ctx.fail(f"{name} (window): failed: {type(error).__name__}: {error}")
    document = {
        "figures": {name: [f.to_json() for f in figs] for name, figs in figures.items()},
        "skipped": ctx.skipped,
        "failed": ctx.failed,
    }
    Path(args.json).write_text(json.dumps(document), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="the benchmark's window worker")
    parser.add_argument("--sections", default="")
    parser.add_argument("--sizes", nargs="+", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--json")
    parser.add_argument("--child", choices=["memory"])
    args = parser.parse_args(argv)
    if args.child == "memory":
        from bench_window import memory_child

        started = time.perf_counter()
        peak = memory_child(args.sizes[0])
        print(
            "BENCH_RESULT", json.dumps({"peak_mib": peak, "seconds": time.perf_counter() - started})
        )
        return 0
    return worker_main(args)


if __name__ == "__main__":
    sys.exit(main())
