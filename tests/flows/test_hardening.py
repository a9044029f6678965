"""Issue 22: one district's bad night never stops the province (items 1, 2, 5, 6, 9 and the
non-regular files). Each test plants the fault it is about, in files generated here."""

from __future__ import annotations

import hashlib
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from oneplan.flows.oneplan_flow import run_plan
from oneplan.flows.paths import mark_staging
from oneplan.flows.reference import load_areas
from oneplan.flows.stage import (
    STAGED_TABLES_FILE,
    discover_inbox,
    read_staged_tables,
    stage_file,
    write_staged_tables,
)
from oneplan.flows.steps import consolidate_levels

HEADER = "ที่,โครงการ,งบประมาณ 2568\n"
MUEANG = "1801/ต.บ้านกล้วย.csv"
SAPPHAYA = "1804/ต.ตลุก.csv"


def plan_csv(*projects: tuple[str, int]) -> bytes:
    rows = [f"{i},{name},{amount}" for i, (name, amount) in enumerate(projects, 1)]
    return (HEADER + "\n".join(rows) + "\n").encode("utf-8")


def write_inbox(inbox: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = inbox / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def two_districts(inbox: Path) -> None:
    write_inbox(
        inbox,
        {
            MUEANG: plan_csv(("ก่อสร้างถนน คสล. หมู่ที่ 3", 150000), ("ขุดลอกคลอง หมู่ 2", 90000)),
            SAPPHAYA: plan_csv(("ปรับปรุงศาลาประชาคม หมู่ที่ 1", 40000)),
        },
    )


def stage_all(inbox: Path, staging: Path) -> list[dict]:
    mark_staging(staging)
    jobs, _ = discover_inbox(inbox)
    return [stage_file(job, str(staging)) for job in jobs]


NO_ACCEPTED_ROW = {
    "header_only": HEADER.encode("utf-8"),
    "junk_bytes": bytes(range(256)) * 4,
    "all_rejected": (HEADER + "1,,abc\n2,,\n").encode("utf-8"),
}


# ---- item 1: a district's failure is that district's ---------------------------------------


@pytest.mark.parametrize("fault", sorted(NO_ACCEPTED_ROW))
def test_a_district_with_no_accepted_row_next_to_a_cached_one(tmp_path, fault):
    """Was: ArrowTypeError (village_numbers list<int64> vs double) merging cached parts."""
    inbox, staging = tmp_path / "inbox", tmp_path / "staging"
    two_districts(inbox)
    consolidate_levels(stage_all(inbox, staging), load_areas("18"), staging)
    (inbox / SAPPHAYA).write_bytes(NO_ACCEPTED_ROW[fault])
    consolidated, _ = consolidate_levels(stage_all(inbox, staging), load_areas("18"), staging)
    projects = consolidated.projects
    assert projects["source_file"].tolist() == [MUEANG, MUEANG]
    assert projects["village_numbers"].tolist() == [[3], [2]]


def test_the_province_is_published_when_a_district_has_no_accepted_row(tmp_path):
    inbox = tmp_path / "inbox"
    two_districts(inbox)
    db, export = tmp_path / "out" / "oneplan.duckdb", tmp_path / "out" / "export"
    run_plan(inbox, db, export)
    (inbox / SAPPHAYA).write_bytes(HEADER.encode("utf-8"))
    summary = run_plan(inbox, db, export)
    assert summary["unchanged"] is False
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select source_file, sum(amount_thb) from oneplan group by 1 order by 1"
        ).fetchall()
    finally:
        con.close()
    assert rows == [(MUEANG, Decimal("240000.00"))]


def published(db: Path, sql: str) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


BY_FILE = "select source_file, sum(amount_thb) from oneplan group by 1 order by 1"


def test_a_district_whose_consolidation_fails_keeps_its_previous_publication(tmp_path, monkeypatch):
    """A bug met by one district's rows (planted: consolidation raises on 1804's rows) costs
    that district its new files, not the province its night."""
    from oneplan.flows import cache

    inbox = tmp_path / "inbox"
    two_districts(inbox)
    db, export = tmp_path / "oneplan.duckdb", tmp_path / "export"
    run_plan(inbox, db, export)
    (inbox / MUEANG).write_bytes(plan_csv(("ก่อสร้างถนน คสล. หมู่ที่ 3", 160000)))
    (inbox / SAPPHAYA).write_bytes(plan_csv(("ปรับปรุงศาลาประชาคม หมู่ที่ 1", 50000)))
    real = cache.consolidate_projects

    def failing(projects, budgets, tambon_names, rules, *rest):
        if (projects["district_code"] == "1804").any():
            raise KeyError("planted")
        return real(projects, budgets, tambon_names, rules, *rest)

    monkeypatch.setattr(cache, "consolidate_projects", failing)
    run_plan(inbox, db, export)
    assert published(db, BY_FILE) == [
        (MUEANG, Decimal("160000.00")),  # the new version
        (SAPPHAYA, Decimal("40000.00")),  # the previous publication, kept
    ]
    [(code, severity, source, value)] = published(
        db,
        "select code, severity, source_file, raw_value from data_issues "
        "where code = 'processing_failed'",
    )
    assert (code, severity, source, value) == (
        "processing_failed",
        "error",
        SAPPHAYA,
        "KeyError: 'planted'",
    )


def test_a_district_that_fails_with_no_previous_publication_is_left_out(tmp_path, monkeypatch):
    from oneplan.flows import cache

    inbox = tmp_path / "inbox"
    two_districts(inbox)
    real = cache.consolidate_projects

    def failing(projects, budgets, tambon_names, rules, *rest):
        if (projects["district_code"] == "1804").any():
            raise ValueError("planted")
        return real(projects, budgets, tambon_names, rules, *rest)

    monkeypatch.setattr(cache, "consolidate_projects", failing)
    db, export = tmp_path / "oneplan.duckdb", tmp_path / "export"
    run_plan(inbox, db, export)
    assert published(db, BY_FILE) == [(MUEANG, Decimal("240000.00"))]
    assert published(
        db, "select submission_id, source_file from data_issues where code = 'processing_failed'"
    ) == [(None, SAPPHAYA)]


def test_a_file_whose_parse_fails_keeps_its_previous_version(tmp_path, monkeypatch):
    from oneplan.flows import stage

    inbox = tmp_path / "inbox"
    two_districts(inbox)
    db, export = tmp_path / "oneplan.duckdb", tmp_path / "export"
    run_plan(inbox, db, export)
    (inbox / SAPPHAYA).write_bytes(plan_csv(("ปรับปรุงศาลาประชาคม หมู่ที่ 1", 50000)))
    real = stage.staged_tables

    def failing(result):
        tables = real(result)
        if 50000 in [int(a) for a in tables["budgets"].column("amount_thb").to_pylist()]:
            raise RuntimeError("planted")
        return tables

    monkeypatch.setattr(stage, "staged_tables", failing)
    run_plan(inbox, db, export)
    assert published(db, BY_FILE) == [
        (MUEANG, Decimal("240000.00")),
        (SAPPHAYA, Decimal("40000.00")),
    ]
    assert published(
        db, "select source_file, raw_value from data_issues where code = 'processing_failed'"
    ) == [(SAPPHAYA, "RuntimeError: planted")]


def test_a_file_whose_integrity_check_fails_keeps_its_previous_version(tmp_path, monkeypatch):
    """The check for cut uploads runs on hostile bytes too: a bug it meets is the file's
    district's failure (once a junk .csv stopped the run), never the province's."""
    from oneplan.flows import stage

    inbox = tmp_path / "inbox"
    two_districts(inbox)
    db, export = tmp_path / "oneplan.duckdb", tmp_path / "export"
    run_plan(inbox, db, export)
    (inbox / SAPPHAYA).write_bytes(plan_csv(("ปรับปรุงศาลาประชาคม หมู่ที่ 1", 50000)))

    def failing(data, suffix):
        raise ValueError("planted")

    monkeypatch.setattr(stage, "incomplete_reason", failing)
    run_plan(inbox, db, export)
    assert published(db, BY_FILE) == [
        (MUEANG, Decimal("240000.00")),
        (SAPPHAYA, Decimal("40000.00")),
    ]
    assert published(
        db, "select source_file, raw_value from data_issues where code = 'processing_failed'"
    ) == [(SAPPHAYA, "ValueError: planted")]


def test_a_district_report_that_cannot_be_rendered_costs_that_report_only(tmp_path, monkeypatch):
    from oneplan.flows import report
    from oneplan.flows.export import published_version

    real = report.district_report

    def failing(quality, code):
        if code == "1804":
            raise TypeError("planted")
        return real(quality, code)

    monkeypatch.setattr(report, "district_report", failing)
    inbox = tmp_path / "inbox"
    two_districts(inbox)
    db, export = tmp_path / "oneplan.duckdb", tmp_path / "export"
    run_plan(inbox, db, export)
    packs = published_version(export) / "districts"
    assert (packs / "1801" / "report.html").is_file()
    assert not (packs / "1804" / "report.html").exists()
    assert (packs / "1804" / "oneplan-1804.xlsx").is_file()


# ---- item 6: same project, same text -------------------------------------------------------


@pytest.mark.parametrize(
    "copy",
    [
        "\u202eก่อสร้างถนน คสล. หมู่ที่ 3",  # RLO first
        "ก่อสร้าง\u200bถนน คสล. หมู่ที่ 3",  # ZWSP inside
        "\ufeffก่อสร้างถนน\u200d คสล. หมู่ที่ 3",  # BOM and ZWJ
        "ก่อสร้างถนน คสล. หมู่ที่ ๓",  # Thai digit
        "\u2067ก่อสร้างถนน คสล.\u2069 หมู่ที่ \u200e๓",  # isolates, LRM, Thai digit
    ],
)
def test_a_copy_written_with_invisible_marks_or_thai_digits_counts_once(tmp_path, copy):
    inbox, staging = tmp_path / "inbox", tmp_path / "staging"
    write_inbox(
        inbox,
        {
            MUEANG: plan_csv(("ก่อสร้างถนน คสล. หมู่ที่ 3", 150000)),
            "1801/ต.บ้านกล้วย_สำเนา.csv": plan_csv((copy, 150000)),
        },
    )
    consolidated, _ = consolidate_levels(stage_all(inbox, staging), load_areas("18"))
    assert consolidated.projects["source_file"].tolist() == [MUEANG]
    assert consolidated.projects["village_numbers"].tolist() == [[3]]
    [dup] = consolidated.issues[consolidated.issues["code"] == "duplicate_project"].to_dict(
        "records"
    )
    assert dup["source_file"] == "1801/ต.บ้านกล้วย_สำเนา.csv"


# ---- item 2: everything we read back is verified -------------------------------------------


def times_ten(table):
    """The table with amount_thb ten times over (same type): a plausible edit on disk."""
    import pyarrow.compute as pc

    i = table.schema.get_field_index("amount_thb")
    kind = table.schema.field(i).type
    kind = pa.decimal128(max(kind.precision, 18), kind.scale)
    ten = pc.multiply(table["amount_thb"], pa.scalar(Decimal(10), pa.decimal128(3, 0)))
    return table.set_column(i, "amount_thb", pc.cast(ten, kind))


def amounts(consolidated) -> list[Decimal]:
    return sorted(consolidated.budgets["amount_thb"].tolist())


EXPECTED = [Decimal("40000.00"), Decimal("90000.00"), Decimal("150000.00")]


@pytest.mark.parametrize("name", [STAGED_TABLES_FILE, "plan.json", "done"])
def test_a_staged_file_cut_to_zero_by_a_crash_is_parsed_again(tmp_path, name):
    inbox, staging = tmp_path / "inbox", tmp_path / "staging"
    two_districts(inbox)
    first = stage_all(inbox, staging)
    (Path(first[0]["staged"]) / name).write_bytes(b"")
    again = stage_all(inbox, staging)
    assert [s["reused"] for s in again] == [False, True]
    assert amounts(consolidate_levels(again, load_areas("18"))[0]) == EXPECTED
    assert [s["reused"] for s in stage_all(inbox, staging)] == [True, True]


def test_a_run_after_a_crash_mid_write_is_not_a_traceback(tmp_path):
    inbox = tmp_path / "inbox"
    two_districts(inbox)
    db, export, staging = (tmp_path / n for n in ("oneplan.duckdb", "export", "staging"))
    run_plan(inbox, db, export, staging=str(staging))
    for done in staging.glob("*/done"):
        (done.parent / "plan.json").write_bytes(b"")
    summary = run_plan(inbox, db, export, staging=str(staging))
    assert (summary["unchanged"], summary["files_parsed"]) == (True, 0)
    assert all((d.parent / "plan.json").stat().st_size > 0 for d in staging.glob("*/done"))


def test_a_staged_parse_edited_on_disk_is_parsed_again_not_published(tmp_path):
    inbox, staging = tmp_path / "inbox", tmp_path / "staging"
    two_districts(inbox)
    staged = stage_all(inbox, staging)

    def edit_all():
        for item in staged:
            path = Path(item["staged"]) / STAGED_TABLES_FILE
            tables = read_staged_tables(path)
            tables["budgets"] = times_ten(tables["budgets"])
            write_staged_tables(path, tables)

    edit_all()  # before the run: the staged parse is not reused
    again = stage_all(inbox, staging)
    assert [s["reused"] for s in again] == [False, False]
    assert amounts(consolidate_levels(again, load_areas("18"))[0]) == EXPECTED
    edit_all()  # between the parse step and the read: parsed again when read
    assert amounts(consolidate_levels(again, load_areas("18"))[0]) == EXPECTED


def test_a_consolidation_cache_entry_edited_on_disk_is_computed_again(tmp_path):
    import pyarrow.parquet as pq
    from oneplan.flows import cache

    inbox, staging = tmp_path / "inbox", tmp_path / "staging"
    two_districts(inbox)
    staged = stage_all(inbox, staging)
    assert amounts(consolidate_levels(staged, load_areas("18"), staging)[0]) == EXPECTED
    entries = [p.parent for p in staging.glob(f"*/{cache.DONE}")]
    assert len(entries) == 2
    for entry in entries:
        path = entry / "budgets.parquet"
        pq.write_table(times_ten(pq.read_table(path)), path, compression="none")
    assert amounts(consolidate_levels(staged, load_areas("18"), staging)[0]) == EXPECTED


def test_a_published_output_edited_by_hand_or_behind_a_link_is_not_reused(tmp_path):
    from oneplan.flows.export import published_version

    inbox = tmp_path / "inbox"
    two_districts(inbox)
    third = inbox / "1805" / "ต.ดงคอน.csv"
    write_inbox(inbox, {"1805/ต.ดงคอน.csv": plan_csv(("ปลูกป่าชุมชน หมู่ 4", 10000))})
    db, export = tmp_path / "oneplan.duckdb", tmp_path / "export"
    run_plan(inbox, db, export)
    v1 = published_version(export)
    edited = v1 / "districts" / "1801" / "oneplan-1801.xlsx"
    with open(edited, "ab") as handle:  # edited in place, same inode
        handle.write(b"hand edit")
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(v1 / "districts" / "1804", elsewhere)
    shutil.rmtree(v1 / "districts" / "1804")
    (v1 / "districts" / "1804").symlink_to(elsewhere)
    third.write_bytes(plan_csv(("ปลูกป่าชุมชน หมู่ 4", 12000)))  # another district changes
    run_plan(inbox, db, export)
    v2 = published_version(export)
    assert v2 != v1
    for rel in ("districts/1801/oneplan-1801.xlsx", "districts/1804/oneplan-1804.xlsx"):
        new = v2 / rel
        assert not new.is_symlink() and not new.read_bytes().endswith(b"hand edit")
        assert os.stat(new).st_ino not in {
            os.stat(v1 / rel).st_ino,
            os.stat(elsewhere / "oneplan-1804.xlsx").st_ino,
        }


# ---- non-regular files, bounded reads --------------------------------------------------------


def call_within(seconds: float, fn, *args):
    """fn(*args) in a thread; fails the test (instead of hanging it) past `seconds`."""
    import threading

    out: dict = {}

    def target():
        try:
            out["value"] = fn(*args)
        except BaseException as err:  # noqa: BLE001 - handed to the test
            out["error"] = err

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{fn.__name__} still running after {seconds} s (hangs)"
    if "error" in out:
        raise out["error"]
    return out["value"]


def test_check_refuses_a_fifo_and_a_link_to_a_device_by_type(tmp_path, capsys):
    from oneplan.flows.cli import main

    folder = tmp_path / "1804"
    folder.mkdir()
    os.mkfifo(folder / "ต.ตลุก.xlsx")
    (folder / "ต.ตลุก.csv").symlink_to("/dev/zero")
    for name, kind in (("ต.ตลุก.xlsx", "FIFO"), ("ต.ตลุก.csv", "character device")):
        assert call_within(30, main, ["check", str(folder / name)]) == 2
        out = capsys.readouterr().out
        assert f"ไม่ใช่ไฟล์ธรรมดา ({kind}) จึงไม่ได้อ่าน" in out


def test_a_file_swapped_for_a_fifo_after_discovery_or_parse_never_hangs(tmp_path):
    from oneplan.flows.workbook import OutputJob, _run_job

    inbox, staging = tmp_path / "inbox", tmp_path / "staging"
    two_districts(inbox)
    os.mkfifo(inbox / "1801" / "ต.ชัยนาท.csv")
    mark_staging(staging)
    jobs, issues = discover_inbox(inbox)
    assert [(i["source_file"], i["code"], i["raw_value"]) for i in issues] == [
        ("1801/ต.ชัยนาท.csv", "not_a_regular_file", "FIFO")
    ]
    # Swapped after discovery: a changed file (its previous version is kept), not a hang.
    path = Path(jobs[0].path)
    path.unlink()
    os.mkfifo(path)
    result = call_within(30, stage_file, jobs[0], str(staging))
    assert (result["staged"], result["changed"]) == (None, "FIFO")
    # Swapped after its parse: the annotated copy is not made, with a reason; no hang.
    job = OutputJob("a/ต.บ้านกล้วย.xlsx", "", "annotated", (str(path), MUEANG, "1801", []), 1)
    relpath, error = call_within(30, _run_job, job, str(tmp_path / "out"))
    assert (relpath, error) == ("a/ต.บ้านกล้วย.xlsx", "FileChanged: FIFO")
    assert not (tmp_path / "out" / relpath).exists()


def test_check_annotates_from_the_bytes_it_read_not_the_path_again(tmp_path):
    import openpyxl
    from oneplan.flows.check import annotate, check_files

    folder = tmp_path / "1804"
    folder.mkdir()
    path = folder / "ต.ตลุก.xlsx"
    path.write_bytes(xlsx_far_sheets(1, 3, 2))
    [checked] = check_files([path]).files
    path.unlink()
    os.mkfifo(path)  # swapped after the check read it
    out = call_within(60, annotate, checked, tmp_path / "annotated.xlsx")
    assert [ws.title for ws in openpyxl.load_workbook(out).worksheets][1:] == ["ต.ตลุก0"]


# ---- item 9: bounded work per file -----------------------------------------------------------


def ods_bomb(sheets: int, rows: int) -> bytes:
    """A tiny .ods of `sheets` tables, each one row with content repeated `rows` times."""
    import io
    import zipfile

    table = (
        '<table:table table:name="ต.ตลุก{i}"><table:table-row table:number-rows-repeated="{rows}">'
        '<table:table-cell office:value-type="string"><text:p>ถนน</text:p></table:table-cell>'
        '<table:table-cell office:value-type="float" office:value="1000"/>'
        "</table:table-row></table:table>"
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        "<office:body><office:spreadsheet>"
        + "".join(table.format(i=i, rows=rows) for i in range(sheets))
        + "</office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        mimetype = "application/vnd.oasis.opendocument.spreadsheet"
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return buffer.getvalue()


def xlsx_far_sheets(sheets: int, row: int, col: int) -> bytes:
    """A small .xlsx of `sheets` sheets, each with one cell at (row, col) (0-based)."""
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for i in range(sheets):
        ws = wb.add_worksheet(f"ต.ตลุก{i}")
        ws.write_row(0, 0, ["ที่", "โครงการ", "2568"])
        ws.write(row, col, "x")
    wb.close()
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "suffix", "code", "value"),
    [
        (ods_bomb(3, 240_000), ".ods", "file_too_many_rows", "720,000"),
        (xlsx_far_sheets(7, 49_999, 2), ".xlsx", "file_too_many_rows", "350,000"),
        (xlsx_far_sheets(2, 99_999, 9), ".xlsx", "file_too_many_cells", "2,000,000"),
    ],
    ids=["ods-3x240k", "xlsx-7x50k", "xlsx-2x100kx10"],
)
def test_the_cells_of_all_sheets_together_are_bounded_before_reading(data, suffix, code, value):
    import time

    from oneplan.flows.read import LIMITS, ReadError, read_bytes

    assert len(data) < 10_000
    started = time.perf_counter()
    with pytest.raises(ReadError) as err:
        read_bytes(data, suffix)
    assert time.perf_counter() - started < 10
    limit = LIMITS.max_file_rows if code == "file_too_many_rows" else LIMITS.max_file_cells
    assert (err.value.code, err.value.detail, err.value.expected) == (code, value, f"{limit:,}")


def test_a_format_without_a_directory_is_bounded_as_it_is_read():
    """.xls/.xlsb have no zip directory to check first: the totals are checked in the child
    sheet by sheet, before anything is sent to the parent."""
    from oneplan.flows.read import ReadError, ReadLimits, _read_workbook

    with pytest.raises(ReadError) as err:
        _read_workbook(xlsx_far_sheets(3, 9, 2), ReadLimits(max_file_rows=25))
    assert (err.value.code, err.value.detail, err.value.expected) == (
        "file_too_many_rows",
        "30",
        "25",
    )


def test_the_file_limit_reaches_the_district_as_a_thai_issue(tmp_path):
    from oneplan.flows.reference import load_rules
    from oneplan.transforms.issues import render_issue

    folder = tmp_path / "inbox" / "1804"
    folder.mkdir(parents=True)
    (folder / "bomb.ods").write_bytes(ods_bomb(3, 240_000))
    [job], _ = discover_inbox(tmp_path / "inbox")
    staged = stage_file(job, str(tmp_path / "staging"))
    [issue] = read_staged_tables(Path(staged["staged"]) / STAGED_TABLES_FILE)["issues"].to_pylist()
    assert render_issue(load_rules(), {"source_file": job.source_file, **issue}) == (
        "ไฟล์ 1804/bomb.ods: ไฟล์มีรวม 720,000 แถวในทุกแผ่นงาน เกินขีดจำกัด 300,000 แถวต่อไฟล์ จึงไม่ได้อ่านไฟล์นี้"
    )


def test_an_annotated_copy_has_a_time_budget(tmp_path, monkeypatch):
    from oneplan.flows import workbook
    from oneplan.flows.read import ReadLimits

    inbox = tmp_path / "inbox"
    two_districts(inbox)
    # A microsecond: no copy, however warm a reused child is (0.05 s was flaky on 2 workers).
    monkeypatch.setattr(workbook, "annotate_limits", lambda: ReadLimits(seconds=1e-6))
    sha = hashlib.sha256((inbox / MUEANG).read_bytes()).hexdigest()  # the published bytes
    job = workbook.OutputJob(
        "a/x.xlsx", "", "annotated", (str(inbox / MUEANG), MUEANG, "1801", [], sha), 1
    )
    relpath, error = call_within(60, workbook._run_job, job, str(tmp_path / "out"))
    assert error == "ReadError: read_timeout"
    monkeypatch.undo()
    assert workbook._run_job(job, str(tmp_path / "out")) == ("a/x.xlsx", None)


# ---- item 5: names are bytes on disk --------------------------------------------------------

LONG = "แผนพัฒนาตำบลบ้านกล้วยอำเภอเมืองชัยนาทจังหวัดชัยนาทฉบับทบทวนปีงบประมาณสองพันห้าร้อยหกสิบแปด"


def test_annotated_names_are_bounded_in_bytes_inert_and_unique():
    from oneplan.flows.workbook import annotated_name

    assert len(LONG) == 90 and len(LONG.encode()) == 270
    name = annotated_name(f"1801/ต.บ้านกล้วย/{LONG[:80]}.xls")
    assert len(name.encode()) <= 200 and name.endswith(" (xls).xlsx")
    assert name.startswith("ต.บ้านกล้วย - แผนพัฒนาตำบล")
    assert annotated_name("1801/\x1b[31m\u202eแผน\u200f.csv") == "[31mแผน (csv).xlsx"
    assert annotated_name("1801/.\u202e.csv") == "ไฟล์ (csv).xlsx"


def test_a_long_thai_name_in_a_tambon_folder_gets_its_annotated_copy(tmp_path):
    """Was: the name cut at 120 characters (360 bytes), `File name too long`, and the error
    handler raising in turn."""
    import openpyxl
    from oneplan.flows.export import published_version

    inbox = tmp_path / "inbox"
    two_districts(inbox)
    folder = inbox / "1801" / "ต.บ้านกล้วย"
    folder.mkdir()
    long_a, long_b = f"{LONG[:80]}ก.csv", f"{LONG[:80]}ข.csv"
    assert len(long_a.encode()) == 247
    (folder / long_a).write_bytes(plan_csv(("ซ่อมถนนลูกรัง หมู่ 5", 30000)))
    (folder / long_b).write_bytes(plan_csv(("ซ่อมถนนลูกรัง หมู่ 6", 35000)))
    escaped = "\x1b[2J\u202eแผน.csv"
    (inbox / "1801" / escaped).write_bytes(plan_csv(("ขุดบ่อน้ำ หมู่ 7", 20000)))
    db, export = tmp_path / "oneplan.duckdb", tmp_path / "export"
    run_plan(inbox, db, export)
    annotated = published_version(export) / "districts" / "1801" / "annotated"
    names = sorted(p.name for p in annotated.iterdir())
    assert len(names) == 4 and all(len(n.encode()) <= 255 for n in names)
    cut = [n for n in names if n.startswith("ต.บ้านกล้วย - ")]
    assert len(cut) == 2 and cut[0] != cut[1]
    assert "[2Jแผน (csv).xlsx" in names
    for name in names:  # every copy opens, the ESC-named CSV's too
        wb = openpyxl.load_workbook(annotated / name)
        assert all("\x1b" not in ws.title for ws in wb.worksheets)


def test_a_name_that_cannot_be_written_is_a_reason_not_a_crash(tmp_path):
    """Over the path limit (4,096 bytes): the job answers why, its clean-up does not raise."""
    from oneplan.flows.workbook import OutputJob, _run_job

    inbox = tmp_path / "inbox"
    two_districts(inbox)
    deep = "/".join(["ก" * 80] * 20)  # 4,800 bytes of folders
    job = OutputJob(f"{deep}/x.xlsx", "", "annotated", (str(inbox / MUEANG), MUEANG, "1801", []), 1)
    relpath, error = _run_job(job, str(tmp_path / "out"))
    assert relpath == job.relpath and error.startswith("OSError: [Errno 36] File name too long")


def test_progress_lines_show_file_names_inert():
    import io

    from oneplan.flows.progress import LineReporter

    stream = io.StringIO()
    reporter = LineReporter(stream)
    reporter.start_files(1)
    reporter.file_done({"job": {"source_file": "1801/\x1b[2J\u202eแผน\r\n.csv"}, "reused": False})
    assert stream.getvalue() == "  [1/1] 1801/[2Jแผน .csv (parsed)\n"
