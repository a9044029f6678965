"""The DuckDB writer's table lists come from the schema module's declarations."""

from datetime import UTC, datetime

from oneplan.flows import db
from oneplan.flows.stage import discover_inbox, stage_file
from oneplan.transforms import schema


def test_every_declared_table_is_built_exactly_once():
    built = [*db.BUILD_ORDER, *db.REFERENCE_BUILT, *(n.split("/")[-1] for n in db.SQL_BUILT)]
    assert sorted(built) == sorted(t.name for t in schema.TABLES)
    reference = {t.name for t in schema.TABLES if t.built_from == "reference"}
    assert set(db.REFERENCE_BUILT) == reference
    assert db.HISTORY_TABLES == (
        "submissions",
        "projects",
        "project_budgets",
        "project_changes",
        "publications",
        "project_links",
        "link_decisions",
        "project_history",
        "budget_history",
    )


def test_the_run_makes_exactly_the_tables_loaded_and_the_next_run_reads_them_back(
    tmp_path, build_tables
):
    folder = tmp_path / "inbox" / "1806"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text("ที่,โครงการ,ตำบล,2569\n1,ขุดสระน้ำ,หันคา,90000\n", "utf-8")
    jobs, inbox_issues = discover_inbox(tmp_path / "inbox")
    staged = [stage_file(job, str(tmp_path / "staging")) for job in jobs]
    tables = build_tables(staged, inbox_issues, datetime(2026, 11, 24, tzinfo=UTC))
    assert set(tables) == set(db.BUILD_ORDER)
    path = tmp_path / "oneplan.duckdb"
    db.write_database(path, tables)
    previous = db.read_previous(path)
    assert tuple(previous) == db.HISTORY_TABLES
    for name in db.HISTORY_TABLES:
        assert previous[name].num_rows == tables[name].num_rows
