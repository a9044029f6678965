"""Places on a real run (`run_plan`, no Prefect): a municipality's plan naming no tambon is
published district-wide with one warning, rows of another province are skipped as out of
scope with one info, and `check` says the same as the run."""

from decimal import Decimal
from pathlib import Path

import duckdb
import xlsxwriter
from oneplan.flows.oneplan_flow import run_plan


def write_municipal_plan(path: Path) -> Path:
    """A เทศบาลเมือง plan (no tambon anywhere) and a department's list naming provinces."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("ยุทธศาสตร์ที่ 1")
    ws.write("A1", "แผนพัฒนาท้องถิ่น (พ.ศ. 2566-2570) เทศบาลเมืองชัยนาท")
    ws.write_row("A3", ["ที่", "โครงการ", "งบประมาณ 2568", "งบประมาณ 2569"])
    ws.write_row("A4", [1, "ก่อสร้างถนน คสล. ซอยเทศบาล 3", 500000, None])
    ws.write_row("A5", [2, "ปรับปรุงตลาดสดเทศบาล", None, 1200000])
    sites = wb.add_worksheet("พื้นที่ดำเนินการ")
    sites.write_row("A1", ["ที่", "โครงการ", "ตำบล", "อำเภอ", "จังหวัด", "งบประมาณ 2569"])
    sites.write_row("A2", [1, "ซ่อมสร้างถนนลาดยาง", "ในเมือง", "เมืองชัยนาท", "ชัยนาท", 300000])
    sites.write_row("A3", [2, "ซ่อมสร้างถนนลาดยาง", "หนองโพ", "ตาคลี", "นครสวรรค์", 700000])
    sites.write_row("A4", [3, "ซ่อมสร้างสะพาน", "ท่าซุง", "เมืองอุทัยธานี", "อุทัยธานี", 900000])
    wb.close()
    return path


def query(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_municipal_plan_is_district_wide_and_other_provinces_out_of_scope(tmp_path):
    write_municipal_plan(tmp_path / "inbox" / "1801" / "เทศบาลเมืองชัยนาท.xlsx")
    out = tmp_path / "out"
    run_plan(tmp_path / "inbox", out / "plan.duckdb", out / "export", str(out / "staging"))
    db = out / "plan.duckdb"
    assert query(
        db,
        "select project_name, tambon_code, tambon_name_th, fiscal_year, amount_thb from oneplan "
        "order by source_sheet, source_row",
    ) == [
        ("ซ่อมสร้างถนนลาดยาง", "180101", "ในเมือง", 2569, Decimal("300000.00")),
        ("ก่อสร้างถนน คสล. ซอยเทศบาล 3", "1801", "ทั้งอำเภอเมืองชัยนาท", 2568, Decimal("500000.00")),
        ("ปรับปรุงตลาดสดเทศบาล", "1801", "ทั้งอำเภอเมืองชัยนาท", 2569, Decimal("1200000.00")),
    ]
    assert query(
        db,
        "select source_sheet, severity, code, raw_value, expected_value from data_issues "
        "where code in ('placed_district_wide', 'out_of_scope_rows', 'unknown_tambon', "
        "'no_tambon') order by code",
    ) == [
        ("พื้นที่ดำเนินการ", "info", "out_of_scope_rows", "2", "นครสวรรค์, อุทัยธานี"),
        ("ยุทธศาสตร์ที่ 1", "warning", "placed_district_wide", "2", "เมืองชัยนาท"),
    ]
    assert query(
        db, "select n_rows_read, n_rows_accepted, n_rows_rejected, n_rows_skipped from submissions"
    ) == [(8, 3, 0, 5)]


def test_check_says_what_the_run_says(tmp_path, capsys):
    from oneplan.flows.cli import main

    plan = write_municipal_plan(tmp_path / "เมืองชัยนาท" / "plan.xlsx")
    code = main(["check", str(plan), "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 0
    assert "placed district-wide, in district เมืองชัยนาท" in out
    assert "Skipped 2 row(s) whose own district/province columns name a place outside" in out
    assert "Rows read 8: 3 accepted · 0 rejected · 5 skipped" in out
