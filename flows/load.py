"""The one DuckDB writer: build the database in a temporary file, check it, then swap it in.

Also writes the Parquet export the same way (temporary folder, then swap), and holds the lock
that keeps two runs from writing at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

from flows.reference import SQL
from transforms import schema

BUILD_ORDER = (
    "areas",
    "submissions",
    "projects",
    "project_budgets",
    "rejected_rows",
    "data_issues",
)
SQL_BUILT = ("oneplan", "coverage")


class PublishError(RuntimeError):
    """The new plan could not be published; the previous publication is untouched."""


@contextlib.contextmanager
def run_lock(db_path: Path) -> Iterator[None]:
    """Hold an exclusive lock beside the database for the whole run; refuse a second run."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db_path.with_name(db_path.name + ".lock")
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise PublishError(
                f"another oneplan run ({holder}) is publishing to {db_path}; try again when it ends"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute("SET threads = 2")
    con.execute("SET memory_limit = '4GB'")
    return con


def check_queries() -> dict[str, str]:
    """The data checks in sql/checks: each query returns the rows that break its rule."""
    return {p.stem: p.read_text() for p in sorted((SQL / "checks").glob("*.sql"))}


def run_checks(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Run every check; returns {check name: offending rows} for the checks that fail."""
    failed = {}
    for name, query in check_queries().items():
        rows = con.execute(query).fetchmany(5)
        if rows:
            failed[name] = rows
    return failed


def write_database(path: Path, tables: dict[str, pa.Table]) -> None:
    """Create every table from the schema module, load the Arrow tables, build the SQL-made
    table and view, comment everything, run the checks and checkpoint."""
    con = connect(path)
    try:
        for name in BUILD_ORDER:
            table = schema.TABLES_BY_NAME[name]
            con.execute(schema.create_table_sql(table))
            incoming = tables[name]
            con.register("incoming", incoming)
            con.execute(f"INSERT INTO {name} SELECT {', '.join(table.column_names)} FROM incoming")
            con.unregister("incoming")
        con.execute(schema.create_table_sql(schema.COVERAGE))
        for name in SQL_BUILT:
            con.execute((SQL / f"{name}.sql").read_text())
        for table in schema.TABLES:
            for statement in schema.comment_sql(table):
                con.execute(statement)
        failed = run_checks(con)
        if failed:
            details = "; ".join(f"{name}: {rows[:2]}" for name, rows in failed.items())
            raise PublishError(f"data checks failed, nothing published: {details}")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def publish_database(tables: dict[str, pa.Table], db_path: Path) -> None:
    """Build the database beside its final place and swap it in with one `os.replace`."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(f".{db_path.name}.building-{os.getpid()}")
    for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
        stale.unlink(missing_ok=True)
    try:
        write_database(tmp, tables)
        os.replace(tmp, db_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        raise


def export_parquet(db_path: Path, export_dir: Path) -> list[str]:
    """Every published table and the oneplan view as Parquet, one folder each; the tables
    with a partition column are Hive-partitioned by it. Built aside, then swapped in."""
    export_dir = export_dir.resolve()
    export_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = export_dir.with_name(f".{export_dir.name}.building-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    written = []
    con = connect(db_path, read_only=True)
    try:
        for table in schema.TABLES:
            target = tmp / table.name
            if table.partition_by:
                con.execute(
                    f"COPY (SELECT * FROM {table.name}) TO '{target}' "
                    f"(FORMAT parquet, PARTITION_BY ({table.partition_by}))"
                )
            else:
                target.mkdir()
                con.execute(
                    f"COPY {table.name} TO '{target / (table.name + '.parquet')}' (FORMAT parquet)"
                )
            written.append(table.name)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        con.close()
    old = export_dir.with_name(f".{export_dir.name}.old-{os.getpid()}")
    if export_dir.exists():
        os.replace(export_dir, old)
    os.replace(tmp, export_dir)
    shutil.rmtree(old, ignore_errors=True)
    return written
