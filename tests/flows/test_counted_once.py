"""Counted once, everywhere, by construction: a tiny planted plan (a project at two levels, a
village plan's copy rolled up into the tambon plan; a project with no amount; a project with no
category and no route; a request to the อบจ.; a provincial-plan row), published twice (so the
second publication has changes), and every output a person reads compared with the marts it
renders and with the planted money, to the baht. Real files, real DuckDB, run_plan (no
Prefect start-up)."""

import csv
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest
from oneplan.flows.oneplan_flow import run_plan
from oneplan.flows.report import collect_quality, quality_report_markdown, render_markdown
from oneplan.flows.status import status_report
from oneplan.flows.summary import run_summary, summary_markdown, summary_text
from oneplan.flows.workbook import (
    CHANGES_SHEET,
    FOLLOWUP_SHEET,
    MISSING_SHEET,
    REQUESTED_SHEET,
    REVIEW_SHEET,
    STRATEGY_SHEET,
    SUMMARY_SHEET,
)

D = Decimal
CENT = Decimal("0.01")
PAO = "องค์การบริหารส่วนจังหวัดชัยนาท"
TAMBON = (
    "แผนพัฒนาตำบล อำเภอสรรพยา\n"
    "ที่,ตำบล,โครงการ,วิธีดำเนินการ,หน่วยงานรับผิดชอบ,2568,2569\n"
    '1,ตลุก,ขุดลอกคลองส่งน้ำ หมู่ที่ 5,ทำเอง,อบต.ตลุก,"120,000","120,000"\n'
    "2,ตลุก,จัดอบรมอาสาสมัครป้องกันภัย หมู่ที่ 1,ทำเอง,อบต.ตลุก,,\n"
    '3,เขาแก้ว,ติดตั้งไฟฟ้าส่องสว่างพลังงานแสงอาทิตย์ หมู่ที่ 4,,,"90,000",\n'
    f'4,เขาแก้ว,ก่อสร้างถนนลาดยางสายเขาแก้ว-ตลุก หมู่ที่ 2,ขอรับการสนับสนุน,{PAO},"500,000","250,000"\n'
)
# The second publication: the request's 2569 money changes and a joint project is added.
TAMBON_2 = TAMBON.replace('"500,000","250,000"', '"500,000","300,000"') + (
    '5,ตลุก,ปลูกป่าชุมชน หมู่ที่ 3,ทำร่วม,อบต.ตลุก,"40,000",\n'
)
VILLAGE = 'แผนชุมชน หมู่ที่ 5 ตำบลตลุก\nที่,โครงการ,2568,2569\n1,โครงการขุดลอกคลองส่งน้ำ,"120,000","120,000"\n'
PROVINCE = (
    "แผนพัฒนาจังหวัดชัยนาท (พ.ศ. 2568 - 2570)\n"
    "ที่,โครงการ,พื้นที่ดำเนินการ,2568,2569\n"
    '1,พัฒนาระบบโลจิสติกส์สินค้าเกษตรของจังหวัด,ทั้งจังหวัด,"2,000,000",\n'
)
# What the second publication must show, worked out by hand from the files above.
COUNTED = {2568: D("2750000.00"), 2569: D("420000.00")}  # the village copy counts once
WRITTEN = {2568: D("2870000.00"), 2569: D("540000.00")}  # as every plan writes it
SANPHAYA = {  # 1804, counted once: own, joint, requested, unstated, counted, written
    2568: [D(120000), D(40000), D(500000), D(90000), D(750000), D(870000)],
    2569: [D(120000), D(0), D(300000), D(0), D(420000), D(540000)],
}
NO_TEXT = re.compile(r"\b(nan|None|NaT|NaN|<NA>)\b")


def write_inbox(inbox: Path, tambon: str) -> None:
    files = {
        "อำเภอสรรพยา/แผนพัฒนาตำบล อ.สรรพยา.csv": tambon,
        "อำเภอสรรพยา/แผนชุมชน หมู่ที่ 5 ต.ตลุก.csv": VILLAGE,
        "จังหวัด/แผนพัฒนาจังหวัดชัยนาท.csv": PROVINCE,
    }
    for rel, text in files.items():
        (inbox / rel).parent.mkdir(parents=True, exist_ok=True)
        (inbox / rel).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("planted")
    inbox, db, export = root / "inbox", root / "out" / "plan.duckdb", root / "export"
    write_inbox(inbox, TAMBON)
    run_plan(inbox, db, export, staging=str(root / "staging"))
    write_inbox(inbox, TAMBON_2)
    summary = run_plan(inbox, db, export, staging=str(root / "staging"))
    return {"db": db, "export": export, "summary": summary}


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def baht(value) -> Decimal:
    """A workbook number back to baht (xlsx stores doubles; 15 digits are exact)."""
    return Decimal(repr(float(value or 0))).quantize(CENT)


def rows_of(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def test_oneplan_carries_counted_beside_written_and_lists_a_project_with_no_amount(site):
    db = site["db"]
    got = dict(
        (year, (written, counted))
        for year, written, counted in query(
            db,
            "select fiscal_year, sum(amount_thb), sum(counted_amount_thb) from oneplan "
            "where fiscal_year is not null group by 1",
        )
    )
    assert got == {y: (WRITTEN[y], COUNTED[y]) for y in COUNTED}
    (no_amount,) = query(
        db,
        "select project_name, fiscal_year, amount_thb, counted_amount_thb from oneplan "
        "where fiscal_year is null",
    )
    assert no_amount == ("จัดอบรมอาสาสมัครป้องกันภัย หมู่ที่ 1", None, None, None)
    village = query(
        db,
        "select fiscal_year, amount_thb, counted_amount_thb from oneplan "
        "where plan_level = 'village' order by 1",
    )
    assert village == [(2568, D(120000), D(0)), (2569, D(120000), D(0))]


def test_summary_sheet_shows_the_plan_summary_mart_counted_and_written(site):
    db = site["db"]
    wb = openpyxl.load_workbook(site["export"] / "oneplan.xlsx")
    assert wb.sheetnames == [
        SUMMARY_SHEET,
        *[
            f"{c} {n}"
            for c, n in query(
                db, "select district_code, district_name_th from district_labels order by 1"
            )
        ],
        REQUESTED_SHEET,
        STRATEGY_SHEET,
        FOLLOWUP_SHEET,
        REVIEW_SHEET,
        CHANGES_SHEET,
        MISSING_SHEET,
    ]
    rows = rows_of(wb[SUMMARY_SHEET])
    shown = {
        (r[0], r[1]): [baht(v) for v in r[2:8]]
        for r in rows
        if isinstance(r[1], int) and r[0] and r[0].startswith("1804")
    }
    assert shown == {("1804 อำเภอสรรพยา", y): v for y, v in SANPHAYA.items()}
    totals = {r[1]: (baht(r[6]), baht(r[7])) for r in rows if r[0] == "รวมจังหวัดชัยนาท"}
    assert totals == {y: (COUNTED[y], WRITTEN[y]) for y in COUNTED}
    mart = query(
        db, "select fiscal_year, counted_thb, written_thb from plan_summary where is_plan_total"
    )
    assert totals == {y: (c, w) for y, c, w in mart}
    provincial = [r for r in rows if r[0] and r[0].startswith("18 ")]
    assert provincial and {r[0] for r in provincial} == {"18 จังหวัดชัยนาท (แผนระดับจังหวัด)"}


def test_district_sheet_lists_every_project_and_totals_counted_once(site):
    wb = openpyxl.load_workbook(site["export"] / "oneplan.xlsx")
    rows = rows_of(wb["1804 สรรพยา"])
    head = next(r for r in rows if r[0] == "ที่")
    col = {h: i for i, h in enumerate(head)}
    listed = {r[col["โครงการ"]]: r for r in rows if isinstance(r[0], int)}
    assert len(listed) == 6  # five tambon projects and the village copy
    no_amount = listed["จัดอบรมอาสาสมัครป้องกันภัย หมู่ที่ 1"]
    assert no_amount[col["การนับงบ"]] == "ไม่มีงบประมาณ"
    assert no_amount[col["งบประมาณ 2568 (บาท)"]] is None
    village = listed["โครงการขุดลอกคลองส่งน้ำ"]
    assert village[col["การนับงบ"]] == "ไม่นับซ้ำ: นับในแผนพัฒนาตำบล"
    assert village[col["ระดับแผน"]] == "แผนชุมชน"
    # No category, no route: the section and the route are named, never "nan".
    sections = [r[0] for r in rows if isinstance(r[0], str) and r[1] is None and r[0] != "ที่"]
    assert "ไม่ระบุด้าน" in sections
    assert listed["ติดตั้งไฟฟ้าส่องสว่างพลังงานแสงอาทิตย์ หมู่ที่ 4"][col["วิธีดำเนินการ"]] == "ไม่ระบุ"
    years = [col["งบประมาณ 2568 (บาท)"], col["งบประมาณ 2569 (บาท)"], col["รวมตามแผน (บาท)"]]
    total = {r[0]: [baht(r[i]) for i in years] for r in rows if str(r[0]).startswith("รวมอำเภอ")}
    assert total["รวมอำเภอสรรพยา นับครั้งเดียว (ทุกวิธีดำเนินการ): 6 โครงการ"] == [
        D(750000),
        D(420000),
        D(1170000),
    ]
    assert total["รวมอำเภอสรรพยา ตามที่เขียนในแผน (ทุกวิธีดำเนินการ): 6 โครงการ"] == [
        D(870000),
        D(540000),
        D(1410000),
    ]
    assert total["รวมอำเภอสรรพยา นับครั้งเดียว (ไม่ระบุ): 2 โครงการ"] == [D(90000), D(0), D(90000)]


def test_requests_followup_strategies_and_changes_come_from_their_marts(site):
    db = site["db"]
    wb = openpyxl.load_workbook(site["export"] / "oneplan.xlsx")
    rows = rows_of(wb[REQUESTED_SHEET])
    head = next(r for r in rows if r[0] == "ที่")
    money = [
        head.index("งบประมาณ 2568 (บาท)"),
        head.index("งบประมาณ 2569 (บาท)"),
        head.index("รวม (บาท)"),
    ]
    pao = next(r for r in rows if str(r[0]).startswith(f"รวม {PAO}"))
    assert [baht(pao[i]) for i in money] == [D(500000), D(300000), D(800000)]
    mart = query(
        db,
        "select fiscal_year, amount_thb from agency_request_totals "
        "where requested_from = ? and is_all_districts order by 1 nulls last",
        [PAO],
    )
    assert [a for _, a in mart] == [D(500000), D(300000), D(800000)]

    follow = next(r for r in rows_of(wb[FOLLOWUP_SHEET]) if r[0] == PAO and r[1] == "ทุกปี")
    assert [follow[2], baht(follow[3]), follow[4], baht(follow[5]), follow[6], baht(follow[7])] == [
        1,
        D(800000),
        0,
        D(0),
        1,
        D(800000),
    ]

    strategy = rows_of(wb[STRATEGY_SHEET])
    by_year: dict[int, Decimal] = {}
    for r in strategy:
        if isinstance(r[2], int):
            by_year[r[2]] = by_year.get(r[2], D(0)) + baht(r[4])
    assert by_year == COUNTED

    changes = [r for r in rows_of(wb[CHANGES_SHEET]) if isinstance(r[0], int)]
    seen = {(r[1], r[3], r[4], baht(r[5]) if r[5] else None, baht(r[6])) for r in changes}
    assert seen == {
        ("งบประมาณเปลี่ยน", "ก่อสร้างถนนลาดยางสายเขาแก้ว-ตลุก หมู่ที่ 2", 2569, D(250000), D(300000)),
        ("เพิ่ม", "ปลูกป่าชุมชน หมู่ที่ 3", None, None, D(40000)),
    }
    reviews = rows_of(wb[REVIEW_SHEET])
    assert any(r[0] == "ไม่มีการเชื่อมโยงที่รอตัดสิน" for r in reviews)


def test_csv_lists_every_project_and_its_counted_column_sums_to_the_plan(site):
    with (site["export"] / "oneplan.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 10
    counted: dict[str, Decimal] = {}
    for r in rows:
        if r["fiscal_year"]:
            counted[r["fiscal_year"]] = counted.get(r["fiscal_year"], D(0)) + D(
                r["counted_amount_thb"]
            )
    assert counted == {str(y): v for y, v in COUNTED.items()}
    (blank,) = [r for r in rows if not r["fiscal_year"]]
    assert blank["amount_thb"] == "" and blank["counted_amount_thb"] == ""


def test_report_run_summary_and_status_show_the_marts_numbers(site):
    db = site["db"]
    md = render_markdown(collect_quality(db))
    assert (
        "| 1804 สรรพยา | 2568 | 120,000.00 | 40,000.00 | 500,000.00 | 90,000.00 | "
        "750,000.00 | 870,000.00 |" in md
    )
    assert (
        "| รวม | 2568 | 120,000.00 | 40,000.00 | 500,000.00 | 2,090,000.00 | "
        "2,750,000.00 | 2,870,000.00 |" in md
    )
    summary = run_summary(db)
    assert summary["total_budget_by_year"] == {str(y): f"{v:.2f}" for y, v in COUNTED.items()}
    assert site["summary"]["total_budget_by_year"] == summary["total_budget_by_year"]
    sanphaya = next(d for d in summary["districts"] if d["district_code"] == "1804")
    assert sanphaya["budget_by_year"] == {"2568": "750000.00", "2569": "420000.00"}
    assert "2,750,000.00" in summary_text(summary)
    # The Prefect artifacts: the run summary and the quality report, as the flow makes them.
    assert "| total |" in summary_markdown(summary) and "2,750,000.00" in summary_markdown(summary)
    assert "2,750,000.00 | 2,870,000.00 |" in quality_report_markdown(db)
    status = status_report(db)
    assert "250,000.00 -> 300,000.00" in status
    assert "นับครั้งเดียวทุกระดับแผน): 2568 2,750,000.00 · 2569 420,000.00" in status


def test_no_nan_none_or_nat_text_and_no_province_called_a_district(site):
    export = site["export"]
    books = [export / "oneplan.xlsx", *sorted((export / "districts").glob("*/oneplan-*.xlsx"))]
    assert len(books) == 10
    for book in books:
        wb = openpyxl.load_workbook(book)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str):
                        assert not NO_TEXT.search(value), (book.name, ws.title, value)
                        assert "อำเภอจังหวัด" not in value, (book.name, ws.title, value)
    for report in [*export.glob("quality/quality_report.*"), *export.glob("districts/*/report.*")]:
        text = report.read_text(encoding="utf-8")
        assert not NO_TEXT.search(text), report
        assert "อำเภอจังหวัด" not in text, report


def test_a_district_pack_shows_its_own_rows_of_the_same_marts(site):
    wb = openpyxl.load_workbook(site["export"] / "districts" / "1804" / "oneplan-1804.xlsx")
    assert wb.sheetnames[:2] == [SUMMARY_SHEET, "1804 สรรพยา"]
    rows = rows_of(wb[SUMMARY_SHEET])
    assert {r[1]: [baht(v) for v in r[2:8]] for r in rows if isinstance(r[1], int)} == SANPHAYA
    assert rows[0][0].startswith("แผนพัฒนา อำเภอสรรพยา (1804)")
    follow = next(r for r in rows_of(wb[FOLLOWUP_SHEET]) if r[0] == PAO and r[1] == "ทุกปี")
    assert baht(follow[7]) == D(800000)
    province = openpyxl.load_workbook(site["export"] / "districts" / "18" / "oneplan-18.xlsx")
    title = rows_of(province[SUMMARY_SHEET])[0][0]
    assert "จังหวัดชัยนาท (แผนระดับจังหวัด) (18)" in title
