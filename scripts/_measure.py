"""Run one benchmark contender in a fresh process; time it and take its peak memory.

:func:`run_fresh` starts a ``spawn`` process (no heap shared with the parent or the other
contenders), imports the modules named, runs an optional ``setup`` (loading the inputs),
resets the kernel's peak-RSS mark (``/proc/self/clear_refs``) and then times the contender.
Memory is the peak resident size above the size just before the contender ran, so imports
and inputs count for nobody. Inside the contender, :func:`peak_mb` gives the peak so far
(e.g. at the end of a build phase). A contender that is not installed, fails or overruns the
timeout ends with a status and a reason; the parent never waits on it past the timeout.
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
import os
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

_baseline_kb = 0


def memory_kb(field: str) -> int:
    """A memory field of this process from ``/proc/self/status`` (kB), e.g. ``VmHWM``."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak() -> None:
    """Make the current resident size the peak mark and the baseline of :func:`peak_mb`."""
    global _baseline_kb  # noqa: PLW0603 (one baseline per contender process)
    Path("/proc/self/clear_refs").write_text("5")
    _baseline_kb = memory_kb("VmRSS")


def peak_mb() -> float:
    """Peak resident size since :func:`reset_peak`, above the size then (MB)."""
    return (memory_kb("VmHWM") - _baseline_kb) / 1024


def _child(func: Callable, args: tuple, setup: Callable | None, setup_args: tuple,
           imports: tuple[str, ...], conn) -> None:
    """Fresh process: imports, setup, reset the peak mark, run ``func``, send the figures."""
    sink = os.open(os.devnull, os.O_WRONLY)
    os.dup2(sink, 1)  # silence contenders' C++ progress output on stdout
    try:
        for module in imports:
            importlib.import_module(module)  # a missing peer is reported, not a crash
        inputs = setup(*setup_args) if setup is not None else ()
        reset_peak()
        started, cpu = time.perf_counter(), time.process_time()
        value = func(*inputs, *args)
        conn.send({"status": "ok", "seconds": time.perf_counter() - started,
                   "cpu_seconds": time.process_time() - cpu, "mb": peak_mb(), "value": value})
    except ImportError as exc:
        conn.send({"status": "missing",
                   "why": f"not installed ({exc}); pip install -e '.[bench]'"})
    except BaseException as exc:  # noqa: BLE001 (reported to the parent, which goes on)
        conn.send({"status": "error", "why": f"{type(exc).__name__}: {exc} "
                   f"{traceback.format_exc(limit=2).splitlines()[-1]}"})


def run_fresh(func: Callable, *args: Any, timeout: float, setup: Callable | None = None,
              setup_args: tuple = (), imports: tuple[str, ...] = ()) -> dict:
    """Run ``func(*setup(*setup_args), *args)`` in a fresh process and measure it.

    ``func`` and ``setup`` must be module-level functions (they are pickled by name).
    Returns ``{"status": "ok", "seconds", "cpu_seconds", "mb", "value"}`` (``value`` is what
    ``func`` returned, ``cpu_seconds`` the process's CPU time over all its threads, ``mb`` the
    peak above the baseline), or ``{"status": "missing" | "error" |
    "timeout" | "crashed", "why"}``.
    """
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(func, args, setup, setup_args, imports, child),
                       daemon=True)
    proc.start()
    child.close()
    deadline = time.monotonic() + timeout
    message = None
    while time.monotonic() < deadline:
        if parent.poll(0.2):
            try:
                message = parent.recv()
            except EOFError:
                message = None
            break
        if not proc.is_alive():
            if parent.poll(0):  # sent just before exiting
                message = parent.recv()
            break
    if message is None and proc.is_alive():
        proc.kill()
        proc.join()
        return {"status": "timeout", "why": f"did not finish within {timeout:.0f} s (killed)"}
    proc.join(timeout=10)
    if message is None:
        return {"status": "crashed", "why": f"crashed (exit code {proc.exitcode})"}
    return message
