"""Recover from a published database that cannot be opened: move it aside (kept, never
deleted) so the run rebuilds the plan from the staged files and the inbox."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
from oneplan.flows.db import read_previous
from oneplan.flows.errors import PublishError

# DuckDB errors that say the file is fine but not ours to open right now.
NOT_CORRUPT = ("Could not set lock", "Conflicting lock", "Permission denied", "Is a directory")


def is_corrupt(err: Exception) -> bool:
    """True when a DuckDB error on opening or reading says the file itself is bad."""
    return isinstance(err, duckdb.Error) and not any(s in str(err) for s in NOT_CORRUPT)


def move_aside(db_path: Path, now: datetime | None = None) -> Path:
    """Rename the database (and its .wal) to `<db>.corrupt-<UTC timestamp>`; never over an
    existing file. Returns the new path of the database."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    target = db_path.with_name(f"{db_path.name}.corrupt-{stamp}")
    n = 1
    while target.exists() or target.with_name(target.name + ".wal").exists():
        n += 1
        target = db_path.with_name(f"{db_path.name}.corrupt-{stamp}-{n}")
    os.rename(db_path, target)
    wal = db_path.with_name(db_path.name + ".wal")
    if wal.exists():
        os.rename(wal, target.with_name(target.name + ".wal"))
    return target


def read_previous_or_recover(
    db_path: Path, log: logging.Logger | logging.LoggerAdapter
) -> tuple[dict[str, pa.Table] | None, Path | None]:
    """The previous publication's history tables, or (None, where it was moved) when the
    published database is corrupt: it is moved aside and the run rebuilds from the files.
    A database that is locked or not readable by us is an error, and is left alone."""
    if db_path.is_dir():
        raise PublishError(f"--db {db_path} is a folder, not a DuckDB file")
    try:
        return read_previous(db_path), None
    except duckdb.Error as err:
        if not is_corrupt(err):
            raise PublishError(f"cannot open {db_path}: {_first_line(err)}") from None
        moved = move_aside(db_path)
        log.warning(
            "published database %s could not be opened (%s): moved to %s, rebuilding it "
            "from the staged files and the inbox",
            db_path,
            _first_line(err),
            moved,
        )
        return None, moved


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def recovered_issue(db_path: Path, moved: Path) -> dict:
    """The run-level warning that the published database was moved aside and rebuilt."""
    from oneplan.flows.reference import load_rules
    from oneplan.transforms.issues import make_issue

    issue = make_issue(load_rules(), "database_recovered", source_file=db_path.name, value=moved)
    return {"submission_id": None, "source_file": db_path.name, **issue, "source_sheet": ""}
