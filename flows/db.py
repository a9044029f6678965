"""The one DuckDB writer: create, load, comment and check the database; read the previous one."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa
from oneplan.flows.defaults import SQL
from oneplan.flows.errors import ChecksFailed
from oneplan.transforms import schema

# The tables loaded from the run's Arrow tables, in the order the schema declares them.
BUILD_ORDER = tuple(t.name for t in schema.TABLES if not t.is_view and t.built_from == "run")
SQL_BUILT = (
    "oneplan",
    "coverage",
    "plan_rollup",
    "marts/district_labels",
    "marts/plan_summary",
    "marts/strategy_summary",
    "marts/plan_by_strategy",
    "marts/agency_request_list",
    "marts/agency_requests",
    "marts/agency_request_totals",
    "marts/agency_request_status",
    "marts/plan_by_route",
    "marts/workbook_projects",
    "marts/workbook_totals",
    "marts/review_links",
    "marts/publication_changes",
)
# Reference tables published from data/ (strategy frames, development areas, agencies).
# (Builders imported when used: `oneplan status` opens the database without pandas.)
# The version history of the plan (oneplan_as_of): empty when the caller built none.
VERSION_TABLES = ("project_history", "budget_history")
# Table macros published with the database (sql/<name>.sql).
MACROS = ("oneplan_as_of",)
REFERENCE_BUILT = {
    "strategies": "strategies_frame",
    "development_areas": "development_areas_frame",
    "agencies": "agencies_frame",
}


def reference_tables() -> dict[str, pa.Table]:
    """The published reference tables, built from the alignment tables in data/."""
    from oneplan.flows.reference import load_alignment
    from oneplan.transforms import alignment as builders

    alignment = load_alignment()
    out = {}
    for name, builder in REFERENCE_BUILT.items():
        build = getattr(builders, builder)
        target = schema.arrow_schema(schema.TABLES_BY_NAME[name])
        frame = build(alignment)
        out[name] = pa.Table.from_pandas(frame[target.names], schema=target, preserve_index=False)
    return out


def connect(
    path: Path, read_only: bool = False, storage_version: str | None = None
) -> duckdb.DuckDBPyConnection:
    """A connection with our limits; `storage_version` (e.g. "v1.4.0") is the format a new
    database file is written in, so DuckDB readers from that version on can open it."""
    config = {}
    if storage_version and storage_version != "latest" and not read_only:
        config["storage_compatibility_version"] = storage_version
    con = duckdb.connect(str(path), read_only=read_only, config=config)
    con.execute("SET threads = 2")
    con.execute("SET memory_limit = '4GB'")
    con.execute("SET enable_progress_bar = false")
    return con


def connect_sandboxed(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection for queries we did not write (`oneplan sql`): no file access
    outside the database (no COPY TO, no ATTACH, no read_csv/read_parquet of other files) and
    the configuration locked so a query cannot turn it back on."""
    con = duckdb.connect(
        str(path),
        read_only=True,
        config={"enable_external_access": False, "threads": 2, "memory_limit": "4GB"},
    )
    con.execute("SET enable_progress_bar = false")
    con.execute("SET lock_configuration = true")
    return con


def check_queries() -> dict[str, str]:
    """The data checks in sql/checks: each query returns the rows that break its rule."""
    return {p.stem: p.read_text() for p in sorted((SQL / "checks").glob("*.sql"))}


@cache
def report_query(name: str) -> str:
    """A query of sql/reports (the report, summary and status read the database with them)."""
    return (SQL / "reports" / f"{name}.sql").read_text(encoding="utf-8")


def run_checks(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Run every check; returns {check name: offending rows} for the checks that fail."""
    failed = {}
    for name, query in check_queries().items():
        rows = con.execute(query).fetchmany(5)
        if rows:
            failed[name] = rows
    return failed


def build_database(
    path: Path, tables: dict[str, pa.Table], storage_version: str | None = None
) -> None:
    """Create every table from the schema module, load the Arrow tables, build the SQL-made
    table and view, comment everything and checkpoint. The file is written in
    `storage_version` (default: config `duckdb_storage_version` for a database in this
    folder, v1.4.0 unless set)."""
    from oneplan.flows.config import storage_version as configured_storage_version

    con = connect(path, storage_version=storage_version or configured_storage_version(path))
    tables = {**reference_tables(), **tables}
    try:
        for name in (*BUILD_ORDER, *REFERENCE_BUILT):
            table = schema.TABLES_BY_NAME[name]
            con.execute(schema.create_table_sql(table))
            incoming = tables.get(name) if name in VERSION_TABLES else tables[name]
            if incoming is None:  # tables built without their version history (tests, tools)
                incoming = schema.arrow_schema(table).empty_table()
            con.register("incoming", incoming)
            con.execute(f"INSERT INTO {name} SELECT {', '.join(table.column_names)} FROM incoming")
            con.unregister("incoming")
        con.execute(schema.create_table_sql(schema.COVERAGE))
        for name in SQL_BUILT:
            con.execute((SQL / f"{name}.sql").read_text())
        for name in MACROS:
            con.execute((SQL / f"{name}.sql").read_text())
        for table in schema.TABLES:
            for statement in schema.comment_sql(table):
                con.execute(statement)
        con.execute("CHECKPOINT")
    finally:
        con.close()


def check_database(path: Path) -> None:
    """Run the data checks on a built database; raises ChecksFailed naming each failed one."""
    con = connect(path, read_only=True)
    try:
        failed = run_checks(con)
    finally:
        con.close()
    if failed:
        raise ChecksFailed(failed)


def write_database(
    path: Path, tables: dict[str, pa.Table], storage_version: str | None = None
) -> None:
    """Build the database and run its checks (see `build_database`, `check_database`)."""
    build_database(path, tables, storage_version)
    check_database(path)


# The tables the next run reads back from the published database (see `read_previous`).
HISTORY_TABLES = tuple(t.name for t in schema.TABLES if t.is_history)


# What a history row from a database published before a column existed gets for it.
MISSING_COLUMN_DEFAULTS = {
    ("submissions", "status"): "'current'",
    ("submissions", "first_seen_at"): "loaded_at",
    ("submissions", "last_seen_at"): "loaded_at",
    ("submissions", "plan_level"): "'tambon'",
    ("submissions", "n_rows_nonblank"): "n_rows_read",
    ("projects", "plan_level"): "'tambon'",
    ("projects", "is_counted"): "true",
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
