"""The outcome of every run, beside the database: `<db>.runs.jsonl`, one JSON object a line
(start, end, status, reason), appended with one write so a crash leaves whole lines.

A failed run publishes nothing, so the database itself cannot say that the last night failed;
this file can, and `oneplan status` shows it.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

MAX_REASON = 500
TAIL_BYTES = 64 * 1024  # `oneplan status` reads only the end of the file


def runs_path(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".runs.jsonl")


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def record_run(
    db_path: str | Path,
    status: str,
    started_at: datetime | None,
    ended_at: datetime | None = None,
    reason: str = "",
    **details: object,
) -> Path:
    """Append one run's outcome. The line is written with one O_APPEND write, so concurrent
    writers and crashes never interleave or cut a line."""
    path = runs_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    reason = " ".join(str(reason).split())[:MAX_REASON]
    record = {
        "started_at": _iso(started_at),
        "ended_at": _iso(ended_at or datetime.now(UTC)),
        "status": status,
        "reason": reason,
        **details,
    }
    line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)
    return path


def read_runs(db_path: str | Path, limit: int = 10) -> list[dict]:
    """The last `limit` recorded runs, newest last (a damaged line is skipped)."""
    path = runs_path(db_path)
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - TAIL_BYTES))
            tail = handle.read()
    except FileNotFoundError:
        return []
    lines = tail.splitlines()
    if len(tail) == TAIL_BYTES and lines:
        lines = lines[1:]  # the first line may be cut
    out = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and "status" in record:
            out.append(record)
    return out[-limit:]


def state_reason(state) -> str:
    """The one-line reason of a failed Prefect state: the exception's message when there is
    one, else the state's message."""
    try:
        error = state.result(raise_on_failure=False)
    except Exception as err:  # the result could not be read back: use the state message
        error = err
    if isinstance(error, BaseException):
        message = " ".join(str(error).split())
        return f"{type(error).__name__}: {message}" if message else type(error).__name__
    return state.message or state.name or ""
