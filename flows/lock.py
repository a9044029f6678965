"""The run lock: one oneplan run at a time per database, staging folder and export."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from oneplan.flows.errors import PublishError


def lock_file(target: Path, is_folder: bool) -> Path:
    """The lock file of a place a run writes: `<db>.lock` beside the database, a hidden
    `.<name>.lock` beside a folder (never inside a folder someone else may own)."""
    target = Path(os.path.abspath(target))
    if is_folder:
        return target.with_name(f".{target.name}.lock")
    return target.with_name(target.name + ".lock")


def _acquire(target: Path, is_folder: bool, stack: contextlib.ExitStack) -> None:
    lock_path = lock_file(target, is_folder)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = stack.enter_context(open(lock_path, "a+"))  # noqa: SIM115 - held by the stack
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        raise PublishError(
            f"another oneplan run ({holder}) is publishing to {target}; try again when it ends"
        ) from None
    stack.callback(fcntl.flock, handle, fcntl.LOCK_UN)
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}")
    handle.flush()


@contextlib.contextmanager
def run_lock(db_path: Path, *folders: Path) -> Iterator[None]:
    """Hold an exclusive lock on the database and on every folder the run writes (staging,
    export) for the whole run; refuse a second run that shares any of them."""
    with contextlib.ExitStack() as stack:
        _acquire(Path(db_path), False, stack)
        for folder in folders:
            _acquire(Path(folder), True, stack)
        yield
