"""Safe nightly runs against real files and a real DuckDB database: incremental reruns,
resubmission, withdrawal, crashes at every publish step, readers, and concurrent runs.

The runs here use `run_plan` (the flow's steps without the Prefect start-up); the Prefect
flow itself runs in test_flow_e2e.py.
"""

import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from oneplan.flows.errors import PublishError
from oneplan.flows.lock import run_lock
from oneplan.flows.oneplan_flow import run_plan

ROOT = Path(__file__).resolve().parents[2]
HEADER = "ที่,ตำบล,โครงการ,2568,2569\n"


def write_inbox(inbox: Path, taluk_budget: str = "150,000") -> None:
    (inbox / "1804").mkdir(parents=True, exist_ok=True)
    (inbox / "1805").mkdir(parents=True, exist_ok=True)
    (inbox / "1804" / "plan.csv").write_text(
        HEADER + f'1,ตลุก,ถนน,"{taluk_budget}",\n2,เขาแก้ว,ขุดลอกคลอง,"20,000.50",100\n',
        encoding="utf-8",
    )
    (inbox / "1805" / "plan.csv").write_text(HEADER + '1,ห้วยกรด,ประปา,"1,000",\n', encoding="utf-8")


@pytest.fixture
def site(tmp_path):
    inbox = tmp_path / "inbox"
    write_inbox(inbox)
    return {
        "inbox": inbox,
        "db": tmp_path / "out" / "plan.duckdb",
        "export": tmp_path / "out" / "export",
    }


def run(site):
    return run_plan(site["inbox"], site["db"], site["export"])


def query(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def total(db: Path) -> Decimal:
    return query(db, "select sum(amount_thb) from project_budgets")[0][0]


def test_unchanged_rerun_parses_no_file_and_keeps_the_publication(site):
    first = run(site)
    published = site["db"].stat().st_mtime_ns, os.readlink(site["export"])
    second = run(site)
    assert (first["files_parsed"], first["files_reused"], first["unchanged"]) == (2, 0, False)
    assert (second["files_parsed"], second["files_reused"], second["unchanged"]) == (0, 2, True)
    assert (site["db"].stat().st_mtime_ns, os.readlink(site["export"])) == published
    assert query(site["db"], "select count(*) from publications") == [(1,)]
    assert second["projects"] == first["projects"] == 3


def test_a_new_file_in_the_inbox_is_a_change(site):
    run(site)
    (site["inbox"] / "1805" / "more.csv").write_text(
        HEADER + '1,ดงคอน,ถนน,"5",\n', encoding="utf-8"
    )
    summary = run(site)
    assert (summary["files_parsed"], summary["files_reused"], summary["unchanged"]) == (1, 2, False)
    assert query(site["db"], "select count(*) from publications") == [(2,)]
    assert query(site["db"], "select change, project_name from project_changes") == [
        ("added", "ถนน")
    ]


def test_resubmission_supersedes_and_records_budget_change(site):
    run(site)
    ids_before = query(site["db"], "select project_id from projects order by 1")
    write_inbox(site["inbox"], taluk_budget="175,000")
    summary = run(site)
    assert (summary["files_parsed"], summary["files_reused"]) == (1, 1)
    assert query(
        site["db"],
        "select source_file, status from submissions order by source_file, first_seen_at",
    ) == [
        ("1804/plan.csv", "superseded"),
        ("1804/plan.csv", "current"),
        ("1805/plan.csv", "current"),
    ]
    assert query(
        site["db"],
        "select change, project_name, fiscal_year, old_amount_thb, new_amount_thb "
        "from project_changes",
    ) == [("budget_changed", "ถนน", 2568, Decimal("150000.00"), Decimal("175000.00"))]
    # Only the budget changed: the project keeps its id, and nothing is counted twice.
    assert query(site["db"], "select project_id from projects order by 1") == ids_before
    assert total(site["db"]) == Decimal("196100.50")


def test_withdrawn_file_removes_its_projects(site):
    run(site)
    (site["inbox"] / "1805" / "plan.csv").unlink()
    run(site)
    assert query(
        site["db"], "select status from submissions where source_file = '1805/plan.csv'"
    ) == [("withdrawn",)]
    assert query(site["db"], "select count(*) from projects where district_code = '1805'") == [(0,)]
    assert query(site["db"], "select change, project_name from project_changes") == [
        ("removed", "ประปา")
    ]


def test_moved_tambon_is_recorded(site):
    run(site)
    path = site["inbox"] / "1805" / "plan.csv"
    path.write_text(HEADER + '1,ดอนกำ,ประปา,"1,000",\n', encoding="utf-8")
    run(site)
    assert query(
        site["db"], "select change, old_tambon_code, tambon_code from project_changes"
    ) == [("moved_tambon", "180503", "180507")]


RUN_SCRIPT = "from oneplan.flows.oneplan_flow import run_plan; import sys; run_plan(*sys.argv[1:4])"


def run_subprocess(site, **env):
    return subprocess.run(
        [
            sys.executable,
            "-c",
            RUN_SCRIPT,
            str(site["inbox"]),
            str(site["db"]),
            str(site["export"]),
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("point", ["staging", "db_built", "export_built"])
def test_sigkill_leaves_previous_publication_whole(site, point):
    run(site)
    export_before = os.readlink(site["export"])
    write_inbox(site["inbox"], taluk_budget="999,999")
    killed = run_subprocess(site, ONEPLAN_FAULT_AT=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    # The old publication is untouched and valid.
    assert total(site["db"]) == Decimal("171100.50")
    assert os.readlink(site["export"]) == export_before
    exported = duckdb.sql(
        f"select sum(amount_thb) from read_parquet('{site['export']}/project_budgets/*.parquet')"
    ).fetchall()[0][0]
    assert exported == Decimal("171100.50")
    # The next run completes normally and cleans up after the killed one.
    summary = run(site)
    assert summary["projects"] == 3
    assert total(site["db"]) == Decimal("1021099.50")
    # os.walk, not rglob: the pruned version is being deleted meanwhile by a detached rm.
    leftovers = [
        name
        for _, dirs, files in os.walk(site["db"].parent)
        for name in dirs + files
        if ".building-" in name or ".tmp-" in name
    ]
    assert leftovers == []


def test_reader_keeps_a_consistent_view_across_a_publish(site):
    run(site)
    reader = duckdb.connect(str(site["db"]), read_only=True)
    try:
        assert reader.execute("select sum(amount_thb) from oneplan").fetchone()[0] == Decimal(
            "171100.50"
        )
        write_inbox(site["inbox"], taluk_budget="200,000")
        published = run_subprocess(site)
        assert published.returncode == 0, published.stderr
        # The open connection still sees the plan it opened, whole.
        assert reader.execute("select sum(amount_thb) from oneplan").fetchone()[0] == Decimal(
            "171100.50"
        )
        assert reader.execute("select count(*) from publications").fetchone()[0] == 1
    finally:
        reader.close()
    # A new reader sees the new plan.
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import duckdb; print(duckdb.connect({str(site['db'])!r}, read_only=True)"
            ".execute('select sum(amount_thb) from oneplan').fetchone()[0])",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "221100.50"


def test_second_concurrent_run_refuses_with_a_clear_message(site):
    with run_lock(site["db"]):
        second = run_subprocess(site)
    assert second.returncode == 1
    assert "another oneplan run (pid" in second.stderr
    assert "is publishing to" in second.stderr
    assert not site["db"].exists()


def test_unwritable_output_keeps_old_publication(site, tmp_path):
    run(site)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(OSError):
        run_plan(site["inbox"], site["db"], blocker / "export")
    assert total(site["db"]) == Decimal("171100.50")
    assert [p.name for p in site["db"].parent.iterdir() if "building" in p.name] == []


def test_missing_inbox_is_a_one_line_error(tmp_path):
    with pytest.raises(PublishError, match="does not exist"):
        run_plan(tmp_path / "nope", tmp_path / "db.duckdb", tmp_path / "export")


def test_inbox_without_plan_files_is_refused(tmp_path):
    (tmp_path / "inbox" / "1804").mkdir(parents=True)
    (tmp_path / "inbox" / "1804" / "notes.txt").write_text("x")
    with pytest.raises(PublishError, match="no plan file"):
        run_plan(tmp_path / "inbox", tmp_path / "db.duckdb", tmp_path / "export")


def test_quality_report_is_published_with_the_export_and_names_the_database(site):
    run(site)
    html = (site["export"] / "quality" / "quality_report.html").read_text(encoding="utf-8")
    assert f"ฐานข้อมูล {site['db']}" in html
    assert "building" not in html


def test_inbox_of_only_unreadable_files_is_not_published(tmp_path):
    (tmp_path / "inbox" / "1801").mkdir(parents=True)
    (tmp_path / "inbox" / "1801" / "a.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(PublishError, match="no readable row in any file"):
        run_plan(tmp_path / "inbox", tmp_path / "db.duckdb", tmp_path / "export")
    assert not (tmp_path / "db.duckdb").exists()


def test_publishing_over_a_database_from_before_a_column_existed(site):
    run(site)
    con = duckdb.connect(str(site["db"]))
    con.execute("alter table publications drop column inputs_fingerprint")
    con.execute("alter table submissions drop column status")
    con.close()
    write_inbox(site["inbox"], taluk_budget="175,000")
    summary = run(site)
    assert summary["unchanged"] is False
    assert query(site["db"], "select count(*), count(inputs_fingerprint) from publications") == [
        (2, 2)
    ]
    assert query(site["db"], "select status, count(*) from submissions group by 1 order by 1") == [
        ("current", 2),
        ("superseded", 1),
    ]


# -- for analysts (issue 24): Thai order in the tables, described Parquet, the plan as of ---
def test_base_tables_sort_thai_names_in_thai_order(site):
    """`order by` a name column of a base table (not only of a view) sorts เ แ โ ใ ไ words by
    their consonant, as a Thai reader expects (DuckDB COLLATE th on the column)."""
    (site["inbox"] / "1804" / "plan.csv").write_text(
        HEADER + "1,ตลุก,โรงเรียน,1,\n2,ตลุก,ถนน,2,\n3,ตลุก,ไฟฟ้า,3,\n4,ตลุก,แหล่งน้ำ,4,\n5,ตลุก,กำแพง,5,\n",
        encoding="utf-8",
    )
    run(site)
    names = [r[0] for r in query(site["db"], "select project_name from projects order by 1")]
    assert names == ["กำแพง", "ถนน", "ประปา", "ไฟฟ้า", "โรงเรียน", "แหล่งน้ำ"]
    tambons = query(
        site["db"],
        "select tambon_name_th from areas where district_code = '1804' "
        "and area_level = 'tambon' order by 1",
    )
    assert [r[0] for r in tambons] == [
        "เขาแก้ว", "ตลุก", "บางหลวง", "โพนางดำตก", "โพนางดำออก", "สรรพยา", "หาดอาษา",
    ]  # fmt: skip
    covered = query(
        site["db"], "select tambon_name_th from coverage where district_code = '1804' order by 1"
    )
    assert [r[0] for r in covered][:2] == ["เขาแก้ว", "ตลุก"]


def test_every_parquet_column_carries_its_thai_and_english_description(site):
    import pyarrow.parquet as pq
    from oneplan.transforms import schema

    run(site)
    for table in schema.TABLES:
        path = site["export"] / table.name / f"{table.name}.parquet"
        read = pq.read_schema(path)
        assert read.names == table.column_names, table.name
        for column in table.columns:
            meta = read.field(column.name).metadata
            assert meta[b"description_th"].decode() == column.th, (table.name, column.name)
            assert meta[b"description_en"].decode() == column.en, (table.name, column.name)
        assert read.metadata[b"description_en"].decode() == table.grain_en
    con = duckdb.connect()
    try:
        [(text,)] = con.execute(
            "select decode(value) from parquet_kv_metadata(?) where decode(key) = ?",
            [str(site["export"] / "projects" / "projects.parquet"), "column:project_name"],
        ).fetchall()
    finally:
        con.close()
    assert text == "ชื่อโครงการ / Project name"


def test_oneplan_as_of_gives_the_plan_as_each_publication_stood(site):
    """Two publications: a budget changed, a project removed, one added. oneplan_as_of(the
    first) gives the first plan to the baht; oneplan_as_of(the second) the current one; a
    third publication that does not touch these rows opens no new version of them."""
    run(site)
    (site["inbox"] / "1804" / "plan.csv").write_text(
        HEADER + '1,ตลุก,ถนน,"175,000",\n3,ตลุก,ฝาย,"5,000",\n', encoding="utf-8"
    )
    run(site)
    (site["inbox"] / "1807").mkdir()
    (site["inbox"] / "1807" / "plan.csv").write_text(HEADER + "1,หนองมะโมง,ศาลา,9,\n")
    run(site)
    first, second, third = (
        r[0] for r in query(site["db"], "select published_at from publications order by 1")
    )

    def plan(at) -> list[tuple]:
        con = duckdb.connect(str(site["db"]), read_only=True)
        try:
            return con.execute(
                "select district_code, project_name, fiscal_year, amount_thb "
                "from oneplan_as_of(?) order by all",
                [at],
            ).fetchall()
        finally:
            con.close()

    assert plan(first) == [
        ("1804", "ขุดลอกคลอง", 2568, Decimal("20000.50")),
        ("1804", "ขุดลอกคลอง", 2569, Decimal("100.00")),
        ("1804", "ถนน", 2568, Decimal("150000.00")),
        ("1805", "ประปา", 2568, Decimal("1000.00")),
    ]
    assert plan(second) == [  # Thai order: ถ before ฝ
        ("1804", "ถนน", 2568, Decimal("175000.00")),
        ("1804", "ฝาย", 2568, Decimal("5000.00")),
        ("1805", "ประปา", 2568, Decimal("1000.00")),
    ]
    assert plan(third) == [*plan(second), ("1807", "ศาลา", 2568, Decimal("9.00"))]
    current = query(
        site["db"],
        "select district_code, project_name, fiscal_year, amount_thb from projects "
        "join project_budgets using (project_id) order by all",
    )
    assert plan(third) == current
    # the 1805 project's one version spans all three publications
    assert query(
        site["db"],
        "select count(*), min(valid_to) from project_history where district_code = '1805'",
    ) == [(1, None)]


def test_the_nightly_run_reports_error_cells_and_sheets_left_without_projects(site):
    """What `oneplan check` finds in a file, the nightly run publishes too: a #NAME? in the
    summary sheet (an error cell), a tambon sheet whose rows were all deleted."""
    import xlsxwriter

    path = site["inbox"] / "1804" / "plan.xlsx"
    wb = xlsxwriter.Workbook(path)
    summary = wb.add_worksheet("ผ.01")
    summary.write_row("A1", ["สรุปโครงการ", "งบประมาณ"])
    summary.write_formula("B2", "=SUM('ต.ลบแล้ว'!D2:D9)", None, "#NAME?")
    taluk = wb.add_worksheet("ต.ตลุก")
    taluk.write_row("A1", ["ที่", "โครงการ", "2568"])
    taluk.write_row("A2", [1, "ถนน", 1000])
    wb.add_worksheet("ต.เขาแก้ว").write_row("A1", ["ที่", "โครงการ", "2568"])
    wb.close()
    run(site)
    found = query(
        site["db"],
        "select source_sheet, cell, code, severity, message from data_issues "
        "where source_file = '1804/plan.xlsx' and code in ('error_cell', 'sheet_without_projects') "
        "order by code",
    )
    assert [row[:4] for row in found] == [
        ("ผ.01", "ผ.01!B2", "error_cell", "error"),
        ("ต.เขาแก้ว", None, "sheet_without_projects", "warning"),
    ]
    assert "#NAME?" in found[0][4]
