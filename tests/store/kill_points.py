"""Kill a store operation at a chosen step, in a forked child, as ``kill -9`` would.

Every disk step of the store is a module-level function (the audit append's write, the
atomic write's write, fsync, rename and folder fsync, a file's removal). :class:`Steps`
wraps them all: in the parent it records the order in which an operation calls them; in a
forked child it ends the process with ``os._exit`` before, halfway through (a write cut
short) or after the chosen call, leaving the disk exactly as a killed process would.

A save flushes its audit intent on a worker thread while its temporary file is written, so
that flush may come before or after the file's write and fsync: the steps are counted under
a lock, and a kill at step ``k`` ends the process at whichever step comes ``k``-th.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

STEP_FUNCTIONS = (
    ("bodymap.store.backend", "write_all"),  # an audit line
    ("bodymap.store.backend", "fsync_log"),  # its flush (a save's runs on a worker thread)
    ("bodymap.store.atomic", "write_all"),  # a record's temporary file
    ("bodymap.store.atomic", "fsync_file"),
    ("bodymap.store.atomic", "replace_file"),
    ("bodymap.store.atomic", "fsync_folder"),
    ("bodymap.store.layout", "_remove_file"),  # deletions
)
MODES = ("before", "half", "after")


class Steps:
    """Wraps every disk step; records calls, or kills the process at one of them."""

    def __init__(self, monkeypatch, kill_at: int | None = None, mode: str = "before") -> None:
        self.calls: list[str] = []
        self._lock = threading.Lock()
        self.kill_at = kill_at
        self.mode = mode
        import importlib

        for module_name, name in STEP_FUNCTIONS:
            module = importlib.import_module(module_name)
            original = getattr(module, name)
            monkeypatch.setattr(module, name, self._wrap(f"{module_name}.{name}", original))

    def _wrap(self, label: str, original: Callable) -> Callable:
        def step(*args, **kwargs):
            with self._lock:
                index = len(self.calls)
                self.calls.append(label)
            if index != self.kill_at:
                return original(*args, **kwargs)
            if self.mode == "before":
                os._exit(137)
            if self.mode == "half" and label.endswith("write_all"):
                fd, data = args
                os.write(fd, bytes(data)[: max(1, len(data) // 2)])
                os._exit(137)
            try:
                return original(*args, **kwargs)
            finally:  # after the step, whether it succeeded or raised
                os._exit(137)

        return step


def run_killed(operation: Callable[[], None], monkeypatch_factory, kill_at: int, mode: str) -> int:
    """Fork; in the child run ``operation`` with a kill at step ``kill_at``; the exit code.

    ``monkeypatch_factory`` makes a fresh pytest MonkeyPatch (``pytest.MonkeyPatch``).
    """
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            Steps(monkeypatch_factory(), kill_at, mode)
            operation()
        except BaseException:
            os._exit(3)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)
