#!/usr/bin/env python
"""BodyMap benchmarks: painting, the session store, rendering, start-up and memory.

Run ``python scripts/bench.py`` for every section at the default sizes (the default body, and
it refined to about 1M and 2M vertices: built on first use, then cached), ``--smoke`` for a
quick check (a small sphere, one repetition), ``--only SECTION`` for one section, ``--json
FILE`` to keep the figures. Each figure is the median of at least ``--runs`` timed runs after
a warm-up, with their min and max; budgets come from the issue, peers are the naive way.

Sections run in this process, except the ones that need a window (``render``, and the
cold start and memory of ``startup`` and ``memory``): those run in one worker process
(``bench_gui.py``) on the X display, or under ``xvfb-run`` when there is none.
To add a section: write ``bench_<name>.py`` with ``run(ctx) -> list[Figure]`` and list it
in :data:`SECTIONS`; a part that needs a window goes in ``bench_gui.WORKER_SECTIONS`` under
the same name, with ``gui=True`` here.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_compare  # noqa: E402
import bench_gui  # noqa: E402
import bench_open  # noqa: E402
import bench_paint  # noqa: E402
import bench_records  # noqa: E402
import bench_store  # noqa: E402
from bench_common import (  # noqa: E402
    Context,
    Figure,
    Options,
    link_peers,
    load_average,
    machine,
    machine_line,
    table,
)
from bench_meshes import DEFAULT_SIZES, SMOKE_SIZE  # noqa: E402


@dataclass(frozen=True)
class Section:
    """A benchmark section: an in-process part, a part in the GUI worker, or both."""

    name: str
    about: str
    run: Callable[[Context], list[Figure]] | None = None
    gui: bool = False


SECTIONS = (
    Section("paint", "CPU per brush dab, its steps, pick alone, naive peers", bench_paint.run),
    Section("store", "session save and reopen, beside np.savez_compressed", bench_store.run),
    Section(
        "records",
        "1,000 sessions, 5% damaged: listing and verify; a protected store beside a plain one",
        bench_records.run,
    ),
    Section(
        "compare", "a 100-session comparison and trends, beside whole-file reads", bench_compare.run
    ),
    Section("startup", "mesh open from cache; cold start to a shown window", bench_open.run, True),
    Section("render", "dab + render over a plain render, in the real window", gui=True),
    Section("memory", "peak memory of the app on the 1M body", gui=True),
    Section("bodies", "switching a client's body, in the real window", gui=True),
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    names = [s.name for s in SECTIONS]
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="sections: " + "; ".join(f"{s.name}: {s.about}" for s in SECTIONS),
    )
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one repetition")
    parser.add_argument(
        "--sizes", nargs="+", help="mesh sizes: default, ico, or a vertex count like 1M, 500k"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=names,
        metavar="SECTION",
        help=f"run only this section (repeatable): {', '.join(names)}",
    )
    parser.add_argument("--runs", type=int, help="timed runs per figure (at least 5 unless smoke)")
    return parser.parse_args(argv)


def options_from(args: argparse.Namespace) -> Options:
    sizes = [s for part in (args.sizes or []) for s in part.split(",") if s]
    if args.smoke:
        return Options(
            sizes=tuple(sizes or [SMOKE_SIZE]), runs=args.runs or 1, warmup=0, smoke=True
        )
    return Options(sizes=tuple(sizes or DEFAULT_SIZES), runs=max(args.runs or 5, 5))


def run_section(ctx: Context, section: Section) -> list[Figure]:
    """The section's figures; a failure is noted as a skip so the others still report."""
    started = time.perf_counter()
    try:
        figures = section.run(ctx)
        ctx.log(f"  ({section.name}: {time.perf_counter() - started:.1f} s)")
        return figures
    except Exception as error:
        traceback.print_exc()
        ctx.fail(f"{section.name}: failed: {type(error).__name__}: {error}")
        return []


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    options = options_from(args)
    chosen = [s for s in SECTIONS if not args.only or s.name in args.only]
    started = time.perf_counter()
    info = machine()
    print(machine_line(info), flush=True)
    ctx = Context(options, log=lambda text: print(text, flush=True))
    for token in options.sizes:
        ctx.body(token)  # build or load every mesh first (the worker reads the cache)
    results: dict[str, list[Figure]] = {s.name: [] for s in chosen}
    for section in chosen:
        if section.run is not None:
            results[section.name] += run_section(ctx, section)
    gui_sections = [s.name for s in chosen if s.gui]
    if gui_sections:
        worker_started = time.perf_counter()
        for name, figures in bench_gui.run_worker(ctx, gui_sections).items():
            results[name] += figures
        ctx.log(f"  (window worker: {time.perf_counter() - worker_started:.1f} s)")
    figures = [f for s in chosen for f in results[s.name]]
    link_peers(figures)
    elapsed = time.perf_counter() - started
    info["load_average_end"] = load_average()
    print()
    print(machine_line(info))
    print(
        f"sizes: {', '.join(options.sizes)}; {options.runs}+ runs after {options.warmup} "
        f"warm-up; {elapsed:.0f} s in all"
    )
    print(table(figures, ctx.skipped))
    if args.json:
        write_json(args.json, info, options, chosen, figures, ctx, elapsed)
    return 1 if ctx.failed else 0


def write_json(
    path: Path,
    info: dict,
    options: Options,
    sections: list[Section],
    figures: list[Figure],
    ctx: Context,
    elapsed: float,
) -> None:
    document = {
        "machine": info,
        "options": {
            "sizes": list(options.sizes),
            "runs": options.runs,
            "warmup": options.warmup,
            "smoke": options.smoke,
        },
        "sections": [s.name for s in sections],
        "figures": {f.key: f.to_json() for f in figures},
        "skipped": ctx.skipped,
        "failed": ctx.failed,
        "elapsed_s": elapsed,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
