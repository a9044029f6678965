"""Parse files on both cores: worker processes, started only when there is enough to do.

The parse of a file (`flows.stage.stage_file`) is pure Python that holds the GIL, so threads do
not use a second core; worker processes do. The workers are:
- started only when at least `POOL_MIN_FILES` files and `POOL_MIN_BYTES` need parsing (files
  whose parse is staged already are answered by the caller without work, so an unchanged
  night starts none); this process parses files of the same queue meanwhile, so the
  workers' start costs no wall time;
- `min(2, usable cores)` plain `python -m oneplan.flows.contain 0` children (flows/contain.py,
  with no memory cap of their own), not multiprocessing: the caller's main module is never
  re-imported (a script without a `__main__` guard, a threaded Prefect process, a daemonic Dask
  worker all work), and each worker reads workbooks through its own contained calamine child,
  under the same time and memory limits as a parse in this process;
- fed one file at a time by one thread each here (which only waits on its pipe), so results
  come back in input order whatever order the files finish in, `on_done` called as each file
  finishes (progress);
- stopped when the parse step ends, whatever the ending: an exception of `fn` (an OSError of a
  flaky share) propagates as it would from a plain loop and the files not started are not
  started; a worker that dies (killed, out of memory) stops the run with a PublishError; on
  KeyboardInterrupt or SIGTERM (raised as SystemExit by the CLI) the workers are sent SIGTERM,
  each kills its calamine child and exits, so no process is left behind.
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import threading
from collections.abc import Callable

from oneplan.flows import contain
from oneplan.flows.errors import PublishError

POOL_MIN_FILES = 4
# Below this many bytes to parse (about a second of parsing), the workers' start (an
# interpreter importing pandas and pyarrow, ~0.5 s of CPU each) costs more than it saves.
POOL_MIN_BYTES = 1 << 20
MAX_WORKERS = 2


def pool_workers() -> int:
    """How many worker processes: min(2, the cores this process may use)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cores))


def parse_workers(jobs: list) -> int:
    """Worker processes for parsing these files: none (1: parse here) for a few files or
    little data, else `pool_workers()`."""
    size = sum(max(job.file_size, 0) for job in jobs)
    if len(jobs) < POOL_MIN_FILES or size < POOL_MIN_BYTES:
        return 1
    return pool_workers()


def map_files(
    fn: Callable,
    items: list,
    args: tuple,
    on_done: Callable[[object], None],
    workers: int = 1,
) -> list:
    """`fn(item, *args)` for every item, in input order; `on_done(result)` as each finishes.

    workers 1: a plain loop here. More: that many worker processes take items from one
    queue, and this process takes items from it too until it is empty (so the workers'
    start costs no wall time: this process parses meanwhile). `fn` must be importable by
    name (a module-level function), items and args picklable."""
    if workers < 2 or len(items) < 2:
        out = []
        for item in items:
            out.append(fn(item, *args))
            on_done(out[-1])
        return out
    return _map_in_workers(fn, items, args, on_done, min(workers, len(items) - 1))


class _Failed(Exception):
    """A worker's thread ended with this exception (raised again in the caller)."""


def _map_in_workers(fn, items: list, args: tuple, on_done, n_workers: int) -> list:
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in range(len(items)):
        todo.put(i)
    finished: queue.SimpleQueue[tuple[int, bool, object]] = queue.SimpleQueue()
    stop = threading.Event()
    workers: list[contain._Worker] = []
    lock = threading.Lock()

    def serve() -> None:
        """One worker: start it, then hand it files until none is left or the step stops."""
        try:
            worker = contain._Worker(0, what="a parse worker process")
        except BaseException as err:  # noqa: BLE001 - answered to the caller below
            finished.put((-1, False, err))
            return
        with lock:
            workers.append(worker)
        if stop.is_set():
            return
        while not stop.is_set():
            try:
                i = todo.get_nowait()
            except queue.Empty:
                return
            try:
                finished.put((i, True, worker.call(fn, (items[i], *args), None)))
            except contain._Crashed:
                detail = worker.crash_detail() if worker.process.poll() is not None else ""
                error = PublishError(f"a parse worker process ended unexpectedly ({detail})")
                finished.put((i, False, error))
                return
            except BaseException as err:  # noqa: BLE001 - fn's own error: the caller raises it
                finished.put((i, False, err))
                return

    threads = [
        threading.Thread(target=serve, name=f"parse-worker-{n}", daemon=True)
        for n in range(n_workers)
    ]
    results: list = [None] * len(items)
    n_done = 0

    def answer(i: int, ok: bool, value) -> None:
        nonlocal n_done
        if not ok:
            raise value
        results[i] = value
        n_done += 1
        on_done(value)

    try:
        for thread in threads:
            thread.start()
        while n_done < len(items):
            try:  # answers of the workers first, as they come
                answer(*finished.get_nowait())
                continue
            except queue.Empty:
                pass
            try:  # then a file of our own
                i = todo.get_nowait()
            except queue.Empty:
                answer(*finished.get())  # none left to take: wait for the workers
                continue
            answer(i, True, fn(items[i], *args))
    finally:
        stop.set()
        with lock:
            started = list(workers)
        _stop_workers(started, threads)
    return results


def _stop_workers(workers: list, threads: list[threading.Thread]) -> None:
    """Every worker ends: SIGTERM (it kills its calamine child and exits, flows/contain.py
    `_stop`), SIGKILL if it has not ended after 5 s; then its pipes are closed."""
    for worker in workers:
        with contextlib.suppress(OSError):
            worker.process.terminate()
    for worker in workers:
        try:
            worker.process.wait(5)
        except subprocess.TimeoutExpired:
            worker.process.kill()
    for thread in threads:
        thread.join(5)
    for worker in workers:
        worker.close(kill=True)
