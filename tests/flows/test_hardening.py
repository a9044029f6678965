"""Issue 22: one district's bad night never stops the province (items 1, 2, 5, 6, 9 and the
non-regular files). Each test plants the fault it is about, in files generated here."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from oneplan.flows.oneplan_flow import run_plan
from oneplan.flows.paths import mark_staging
from oneplan.flows.reference import load_areas
from oneplan.flows.stage import discover_inbox, stage_file
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
