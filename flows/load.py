"""The one DuckDB writer: build the database in a temporary file, check it, then swap it in.

Also writes the Parquet export the same way (temporary folder, then swap), and holds the lock
that keeps two runs from writing at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
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
    "project_changes",
    "publications",
)
SQL_BUILT = ("oneplan", "coverage")
QUALITY_FOLDER = "quality"  # quality_report.md / .html inside each export version


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
    con.execute("SET enable_progress_bar = false")
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


def publish(tables: dict[str, pa.Table], db_path: Path, export_dir: Path, version: str) -> None:
    """Build the new database and its Parquet export aside, then swap both in.

    The export carries the quality report (Markdown and HTML) of the same data. Until the
    swap the published database and export are untouched, so a run killed at any point
    leaves the previous publication whole; the swap itself is two renames.
    """
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(f".{db_path.name}.building-{os.getpid()}")
    for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
        stale.unlink(missing_ok=True)
    try:
        write_database(tmp, tables)
        fault_point("db_built")
        target = build_export(tmp, export_dir, version)
        from flows.report import write_quality_report  # report reads via this module

        write_quality_report(tmp, target / QUALITY_FOLDER, published_as=db_path)
        fault_point("export_built")
        os.replace(tmp, db_path)
        swap_export(export_dir, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        raise


def fault_point(name: str) -> None:
    """Crash-test hook: `ONEPLAN_FAULT_AT=<name>` makes the process SIGKILL itself here, so
    tests can prove a run killed at that point leaves the old publication intact."""
    if os.environ.get("ONEPLAN_FAULT_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _versions_dir(export_dir: Path) -> Path:
    export_dir = Path(os.path.abspath(export_dir))
    return export_dir.parent / f".{export_dir.name}.versions"


def build_export(db_path: Path, export_dir: Path, version: str) -> Path:
    """Every published table and the oneplan view as Parquet, one folder each, in a new
    version folder beside `export_dir`; the tables with a partition column are
    Hive-partitioned by it (`projects/district_code=1801/...`)."""
    versions = _versions_dir(export_dir)
    versions.mkdir(parents=True, exist_ok=True)
    target = versions / version
    building = versions / f".building-{version}"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    con = connect(db_path, read_only=True)
    try:
        for table in schema.TABLES:
            out = building / table.name
            if table.partition_by:
                con.execute(
                    f"COPY (SELECT * FROM {table.name}) TO '{out}' "
                    f"(FORMAT parquet, PARTITION_BY ({table.partition_by}))"
                )
            else:
                out.mkdir()
                con.execute(
                    f"COPY {table.name} TO '{out / (table.name + '.parquet')}' (FORMAT parquet)"
                )
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    finally:
        con.close()
    os.replace(building, target)
    return target


def swap_export(export_dir: Path, target: Path) -> None:
    """Point `export_dir` (a symlink) at a built version with one `os.replace`: a reader sees
    the old export or the new one, never a mix. The previous version is kept for readers
    still inside it; older ones are deleted."""
    export_dir = Path(os.path.abspath(export_dir))
    versions = target.parent
    previous = Path(os.readlink(export_dir)).name if export_dir.is_symlink() else None
    link = export_dir.with_name(f".{export_dir.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, export_dir.parent), link)
    if export_dir.exists() and not export_dir.is_symlink():
        # An export folder that is not ours to version: move it aside once.
        os.replace(export_dir, versions / f"legacy-{target.name}")
    os.replace(link, export_dir)
    _prune_versions(versions, keep={target.name, previous})


def _prune_versions(versions: Path, keep: set[str | None]) -> None:
    """Remove export versions no reader needs any more.

    Each is renamed aside at once, then deleted by a detached `rm -rf`: at national scale an
    export is thousands of files and deleting them is not the publish's job to wait for.
    A removal that never finished is picked up by `remove_stale_builds` on the next run.
    """
    doomed = []
    for path in versions.iterdir():
        if path.name not in keep and not path.name.startswith("."):
            trash = versions / f".trash-{path.name}"
            os.replace(path, trash)
            doomed.append(str(trash))
    if doomed:
        subprocess.Popen(
            ["rm", "-rf", "--", *doomed],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


HISTORY_TABLES = ("submissions", "projects", "project_budgets", "project_changes", "publications")


# What a history row from a database published before a column existed gets for it.
MISSING_COLUMN_DEFAULTS = {
    ("submissions", "status"): "'current'",
    ("submissions", "first_seen_at"): "loaded_at",
    ("submissions", "last_seen_at"): "loaded_at",
}
_TYPE_DEFAULTS = {"VARCHAR": "''", "INTEGER": "0", "BOOLEAN": "false"}


def _missing_column_value(table: schema.Table, name: str) -> str:
    """SQL for a column an older published database does not have: NULL where the column
    allows it, else a declared default, so old history still loads."""
    column = table.column(name)
    default = MISSING_COLUMN_DEFAULTS.get((table.name, name))
    if default is None:
        default = "NULL" if column.nullable else _TYPE_DEFAULTS.get(column.sql_type, "NULL")
    return f"CAST({default} AS {column.sql_type})"


def read_previous(db_path: Path) -> dict[str, pa.Table] | None:
    """The history-bearing tables of the currently published database, or None if there is
    none yet (or it is from before a table existed: that table comes back empty)."""
    if not db_path.exists():
        return None
    con = connect(db_path, read_only=True)
    try:
        present = {
            row[0] for row in con.execute("select table_name from duckdb_tables()").fetchall()
        }
        out = {}
        for name in HISTORY_TABLES:
            table = schema.TABLES_BY_NAME[name]
            if name in present:
                cols = [c[0] for c in con.execute(f"describe {name}").fetchall()]
                select = ", ".join(
                    c if c in cols else f"{_missing_column_value(table, c)} AS {c}"
                    for c in table.column_names
                )
                out[name] = con.sql(f"select {select} from {name}").to_arrow_table()
            else:
                out[name] = schema.arrow_schema(table).empty_table()
        return out
    finally:
        con.close()


def remove_stale_builds(db_path: Path, export_dir: Path, staging: Path | None = None) -> list[Path]:
    """Delete what a killed run left behind (temporary database files and export folders).
    Only call while holding the run lock."""
    removed = []
    for pattern, parent in (
        (f".{db_path.name}.building-*", db_path.parent),
        (".building-*", _versions_dir(Path(os.path.abspath(export_dir)))),
        (".trash-*", _versions_dir(Path(os.path.abspath(export_dir)))),
        (f".{export_dir.name}.link-*", Path(os.path.abspath(export_dir)).parent),
        *([("*.tmp-*", staging)] if staging is not None else []),
    ):
        if not parent.is_dir():
            continue
        for path in parent.glob(pattern):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed
