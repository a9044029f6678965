"""Run a spreadsheet library where it can abort: a child process with a time and memory budget.

python-calamine (Rust) aborts the whole process when an allocation fails, and a hostile file
can make it ask for hundreds of GB. So workbooks are parsed in a child process whose address
space is capped (RLIMIT_AS) and whose answer is awaited for a fixed time: a crash, a timeout
or a MemoryError becomes a `ReadError` naming the limit, never the end of the run.

The child is a plain `python -m oneplan.flows.contain` (not multiprocessing: no re-import
of the caller's main module, and it works from a daemonic Dask worker too), kept and reused
from file to file (one per concurrent call, whatever thread makes it); requests and answers
are length-prefixed pickles over its stdin/stdout. After a crash, timeout or MemoryError that
child is killed and the next file starts a new one. Its stderr goes to a temporary file whose
first message line names the crash.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import resource
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time

from oneplan.flows.read import LIMITS, ReadError, ReadLimits

_workers: set[_Worker] = set()  # every live child, closed at exit
_idle: list[_Worker] = []  # children waiting for the next call
_lock = threading.Lock()
_HEADER = 8
_START_SECONDS = 120  # a fresh child answers a first ping within this


class _Crashed(Exception):
    """The child died (or closed its pipe) before answering."""


class _Worker:
    """One child process serving requests one at a time."""

    def __init__(
        self, memory_bytes: int, what: str = "the spreadsheet reader process", wait: bool = True
    ):
        self.memory_bytes = memory_bytes
        self.what = what
        self.started = False
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "oneplan.flows.contain", str(memory_bytes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            close_fds=True,
            env={**os.environ, "RUST_BACKTRACE": "0"},
        )
        with _lock:
            _workers.add(self)
        if wait:
            self.wait_started()

    def wait_started(self) -> None:
        """Wait for the child's answer to a first ping (once); OSError if it never comes."""
        if self.started:
            return
        try:
            ok = self.call(divmod, (7, 2), _START_SECONDS) == (3, 1)
        except Exception:
            ok = False
        if not ok:
            detail = self.crash_detail() if self.process.poll() is not None else "no answer"
            self.close(kill=True)
            # Not the file's fault: the run must stop rather than publish without it.
            raise OSError(f"{self.what} could not start ({detail})")
        self.started = True

    def call(self, function, args: tuple, seconds: float | None):
        request = pickle.dumps((function, args), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.process.stdin.write(len(request).to_bytes(_HEADER, "big") + request)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise _Crashed from None
        deadline = None if seconds is None else time.monotonic() + seconds
        header = self._read(_HEADER, deadline)
        status, value = pickle.loads(self._read(int.from_bytes(header, "big"), deadline))
        if status == "ok":
            return value
        raise value

    def _read(self, n: int, deadline: float | None) -> bytes:
        fd = self.process.stdout.fileno()
        chunks, left = [], n
        while left:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                raise TimeoutError
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                raise _Crashed
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def crash_detail(self) -> str:
        """How the child ended: its signal or exit code, and its last stderr line."""
        code = self.process.wait(10)
        try:
            how = signal.Signals(-code).name if code < 0 else f"exit {code}"
        except ValueError:
            how = f"signal {-code}"
        self.stderr.seek(0, os.SEEK_END)
        self.stderr.seek(max(0, self.stderr.tell() - 2000))
        text = self.stderr.read().decode("utf-8", "replace")
        lines = [
            line.strip()
            for line in text.splitlines()
            if line.strip() and not line.startswith(("note:", "stack backtrace", " "))
        ]
        return f"{how}: {lines[0][:200]}" if lines else how

    def close(self, kill: bool = False) -> None:
        with _lock:
            _workers.discard(self)
        if kill and self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self.stderr.close()


@atexit.register
def _close_all() -> None:
    for worker in list(_workers):
        worker.close()


def kill_all() -> None:
    """Kill every child now, without waiting or locking: for a signal handler of a process
    about to exit (a parse worker told to stop, flows/parallel.py), which may have
    interrupted this module holding its lock."""
    for worker in list(_workers):
        with contextlib.suppress(OSError):
            worker.process.kill()


def _take(limits: ReadLimits) -> _Worker:
    """An idle child of this process with the right memory limit, or a new one."""
    stale = []
    worker = None
    with _lock:
        while _idle and worker is None:
            candidate = _idle.pop()
            alive = candidate.process.poll() is None
            if alive and candidate.memory_bytes == limits.memory_bytes:
                worker = candidate
            else:
                stale.append(candidate)
    for candidate in stale:
        candidate.close(kill=True)
    if worker is None:
        return _Worker(limits.memory_bytes)
    worker.wait_started()
    return worker


def prestart(limits: ReadLimits = LIMITS) -> None:
    """Start a child now without waiting for it, so that its start (an interpreter and its
    imports) overlaps the caller's own imports; the first `run_contained` uses it.
    (`oneplan check` of a workbook: the child is ready when the file is.)"""
    _give_back(_Worker(limits.memory_bytes, wait=False))


def _give_back(worker: _Worker) -> None:
    with _lock:
        _idle.append(worker)


def run_contained(function, args: tuple, limits: ReadLimits = LIMITS):
    """`function(*args)` in a child process under `limits` (time and memory): what it
    returns or raises, or a ReadError for a crash (`read_crashed`), a timeout
    (`read_timeout`) or memory exhaustion (`read_memory_limit`). `function` must be
    importable by name (a module-level function). Children are reused across calls and
    threads (one per concurrent call); a child that failed is killed, never reused."""
    worker = _take(limits)
    try:
        result = worker.call(function, args, limits.seconds)
    except TimeoutError:
        worker.close(kill=True)
        raise ReadError("read_timeout", expected=f"{limits.seconds:g}") from None
    except _Crashed:
        detail = worker.crash_detail()
        worker.close(kill=True)
        raise ReadError("read_crashed", detail) from None
    except MemoryError:
        worker.close(kill=True)
        megabytes = f"{limits.memory_bytes // (1 << 20):,}"
        raise ReadError("read_memory_limit", expected=megabytes) from None
    except Exception:  # the function's own error, answered by a healthy child
        _give_back(worker)
        raise
    except BaseException:  # interrupted mid-call: the child's state is unknown
        worker.close(kill=True)
        raise
    _give_back(worker)
    return result


def _stop(signum, frame) -> None:
    """SIGTERM of a child: kill its own children (a parse worker's calamine child), exit.
    (Run as `python -m`, this module is __main__; the children were started by the function
    it was asked to run, through the module imported by name.)"""
    for module in {sys.modules.get("oneplan.flows.contain"), sys.modules[__name__]} - {None}:
        module.kill_all()
    os._exit(128 + signum)


def _serve(memory_bytes: int) -> None:
    """The child: cap the address space (0: no cap, for the parse workers of
    flows/parallel.py), then answer requests until stdin closes."""
    if memory_bytes > 0:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    signal.signal(signal.SIGTERM, _stop)
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the answers
    while True:
        header = requests.read(_HEADER)
        if len(header) < _HEADER:
            return
        payload = requests.read(int.from_bytes(header, "big"))
        try:
            function, args = pickle.loads(payload)
            answer = ("ok", function(*args))
        except BaseException as err:  # noqa: BLE001 - every failure goes back to the caller
            answer = ("error", err)
        try:
            out = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as err:  # an answer that cannot be pickled
            out = pickle.dumps(("error", RuntimeError(f"{type(err).__name__}: {err}")))
        answers.write(len(out).to_bytes(_HEADER, "big") + out)
        answers.flush()


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
