"""Issue 22: one district's bad night never stops the province (items 1, 2, 5, 6, 9 and the
non-regular files). Each test plants the fault it is about, in files generated here."""

from __future__ import annotations

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
