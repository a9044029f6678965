"""Run a spreadsheet library where it can abort: a child process with a time and memory budget.

python-calamine (Rust) aborts the whole process when an allocation fails, and a hostile file
can make it ask for hundreds of GB. So workbooks are parsed in a child process whose address
space is capped (RLIMIT_AS) and whose answer is awaited for a fixed time: a crash, a timeout
or a MemoryError becomes a `ReadError` naming the limit, never the end of the run.

The child is a one-worker `ProcessPoolExecutor` per calling thread, reused from file to file
(started from a forkserver that has the reader imported, so a fresh worker costs little);
after a crash or timeout that worker is killed and the next file gets a new one. Where a
process may not have children (a daemonic Dask worker), the read runs in this process.
"""

from __future__ import annotations

import multiprocessing
import resource
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from oneplan.flows.read import LIMITS, ReadError, ReadLimits

_local = threading.local()
_TASKS_PER_CHILD = 200  # a long-lived child gives its memory back now and then


def _limit_memory(memory_bytes: int) -> None:
    """Initializer of the child: cap its address space (the soft limit; MemoryError or a
    failed allocation is the result of going over it)."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        memory_bytes = min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, hard))


def can_isolate() -> bool:
    """True when this process may start a child process (daemonic processes may not)."""
    return not multiprocessing.current_process().daemon


def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["oneplan.flows.read", "oneplan.flows.contain"])
    return context


def _executor(limits: ReadLimits) -> ProcessPoolExecutor:
    pool = getattr(_local, "pool", None)
    if pool is None or getattr(_local, "memory", None) != limits.memory_bytes:
        if pool is not None:
            pool.shutdown(wait=False)
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=_context(),
            initializer=_limit_memory,
            initargs=(limits.memory_bytes,),
            max_tasks_per_child=_TASKS_PER_CHILD,
        )
        _local.pool, _local.memory = pool, limits.memory_bytes
    return pool


def _discard(pool: ProcessPoolExecutor, processes: list) -> list[int]:
    """Kill the pool's worker (it may be stuck in a library call); its exit codes."""
    for process in processes:
        if process.is_alive():
            process.kill()
    codes = []
    for process in processes:
        process.join(5)
        codes.append(process.exitcode)
    pool.shutdown(wait=False, cancel_futures=True)
    _local.pool = None
    return [c for c in codes if c is not None]


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"exit {code}"


def run_contained(function, args: tuple, limits: ReadLimits = LIMITS):
    """`function(*args)` in the child process under `limits` (time and memory): what it
    returns or raises, or a ReadError for a crash (`read_crashed`), a timeout
    (`read_timeout`) or memory exhaustion (`read_memory_limit`)."""
    if not can_isolate():
        return function(*args)
    pool = _executor(limits)
    processes: list = []
    try:
        future = pool.submit(function, *args)
        processes = list(getattr(pool, "_processes", {}).values())
        return future.result(timeout=limits.seconds)
    except FutureTimeout:
        _discard(pool, processes)
        raise ReadError("read_timeout", expected=f"{limits.seconds:g}") from None
    except BrokenProcessPool:
        codes = _discard(pool, processes)
        detail = ", ".join(_signal_name(c) for c in codes if c) or "ไม่ทราบสาเหตุ"
        raise ReadError("read_crashed", detail) from None
    except MemoryError:
        _discard(pool, processes)
        raise ReadError(
            "read_memory_limit", expected=f"{limits.memory_bytes // (1 << 20):,}"
        ) from None
