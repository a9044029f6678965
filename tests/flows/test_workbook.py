"""The One Plan workbook, its CSV and the district packs, as the publication writes them from
the sample inbox; opened as people open them: openpyxl, LibreOffice (PDF), Chromium (DOM)."""

import csv
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from oneplan.flows.cli import main
from oneplan.flows.workbook import (
    MISSING_SHEET,
    REQUESTED_SHEET,
    SUMMARY_SHEET,
    PlanData,
    annotated_name,
    write_workbook,
)

# One worker runs every test that reads the shared run of the sample (tests/flows/conftest.py).
pytestmark = pytest.mark.xdist_group("sample_published")

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample" / "inbox"
CENT = Decimal("0.01")
BROWSER = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
)


@pytest.fixture(scope="module")
def published(sample_published) -> dict:
    return sample_published


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def baht(value: float | None) -> Decimal:
    """A workbook number back to baht: xlsx stores doubles; 15 significant digits are exact."""
    return Decimal(repr(value or 0.0)).quantize(CENT)


def districts(db: Path) -> list[tuple[str, str]]:
    return query(db, "select distinct district_code, district_name_th from areas order by 1")


def test_publication_writes_workbook_csv_and_a_pack_per_district(published):
    export = published["export"]
    assert (export / "oneplan.xlsx").is_file() and (export / "oneplan.csv").is_file()
    files = query(
        published["db"],
        "select district_code, source_file from submissions where status = 'current'",
    )
    for code, _ in districts(published["db"]):
        pack = export / "districts" / code
        assert sorted(p.name for p in pack.iterdir()) == [
            "annotated",
            f"oneplan-{code}.xlsx",
            "report.html",
            "report.md",
        ]
        expected = sorted(annotated_name(f) for c, f in files if c == code)
        assert sorted(p.name for p in (pack / "annotated").iterdir()) == expected
    assert len(files) == len(json.loads((SAMPLE.parent / "expected.json").read_text())["files"])


def test_workbook_sheets_and_totals_equal_the_oneplan_view_to_the_baht(published):
    db = published["db"]
    wb = openpyxl.load_workbook(published["export"] / "oneplan.xlsx")
    names = districts(db)
    assert wb.sheetnames == [
        SUMMARY_SHEET,
        *[f"{code} {name}" for code, name in names],
        REQUESTED_SHEET,
        MISSING_SHEET,
    ]
    # Summary: one row per district and fiscal year, the routes apart.
    expected = {
        (code, year, route or "unstated"): amount
        for code, year, route, amount in query(
            db,
            "select district_code, fiscal_year, funding_route, sum(amount_thb) "
            "from oneplan group by all",
        )
    }
    ws = wb[SUMMARY_SHEET]
    seen = 0
    for row in ws.iter_rows(min_row=5, values_only=True):
        if not row[0] or not isinstance(row[1], int) or row[0].startswith("รวม"):
            continue
        code = row[0].split()[0]
        for route, value in zip(("own", "joint", "requested", "unstated"), row[2:6], strict=True):
            assert baht(value) == expected.get((code, row[1], route), Decimal("0.00")), row
            seen += 1
        assert baht(row[6]) == sum(
            (v for (c, y, _), v in expected.items() if c == code and y == row[1]), Decimal(0)
        )
    assert seen == 4 * len({(c, y) for c, y, _ in expected})
    per_year = dict(query(db, "select fiscal_year, sum(amount_thb) from oneplan group by 1"))
    totals = {r[1]: baht(r[6]) for r in ws.iter_rows(values_only=True) if r[0] == "รวมจังหวัดชัยนาท"}
    assert totals == per_year
    # Each district sheet ends with the district's total per fiscal year, every route.
    by_district = query(
        db, "select district_code, fiscal_year, sum(amount_thb) from oneplan group by all"
    )
    for code, name in names:
        ws = wb[f"{code} {name}"]
        head = next(r for r in ws.iter_rows(values_only=True) if r[0] == "ที่")
        years = {
            i: int(h.split()[1]) for i, h in enumerate(head) if h and h.startswith("งบประมาณ ")
        }
        last = [
            r
            for r in ws.iter_rows(values_only=True)
            if isinstance(r[0], str) and r[0].startswith(f"รวมอำเภอ{name} (ทุกวิธีดำเนินการ)")
        ]
        assert len(last) == 1
        got = {years[i]: baht(last[0][i]) for i in years}
        want = {y: Decimal("0.00") for y in years.values()}
        want.update({y: a for c, y, a in by_district if c == code})
        assert got == want
        n_projects = query(  # the projects with money: a no_budget project has no oneplan row
            db, f"select count(distinct project_id) from oneplan where district_code = '{code}'"
        )
        assert last[0][0].endswith(f": {n_projects[0][0]} โครงการ")
    missing = query(db, "select count(*) from coverage where not is_covered")[0][0]
    rows = list(wb[MISSING_SHEET].iter_rows(min_row=4, values_only=True))
    assert sum(isinstance(r[0], int) for r in rows) == missing


def test_requested_sheet_lists_every_requested_project_once(published):
    db = published["db"]
    ws = openpyxl.load_workbook(published["export"] / "oneplan.xlsx")[REQUESTED_SHEET]
    listed = [r for r in ws.iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)]
    n = query(db, "select count(*) from projects where funding_route = 'requested'")[0][0]
    assert len(listed) == n > 0
    head = next(r for r in ws.iter_rows(values_only=True) if r[0] == "ที่")
    total_col = head.index("รวม (บาท)")
    want = query(db, "select sum(amount_thb) from oneplan where funding_route = 'requested'")[0][0]
    assert sum(baht(r[total_col]) for r in listed) == want


def test_workbook_is_print_ready(published):
    wb = openpyxl.load_workbook(published["export"] / "oneplan.xlsx")
    for ws in wb.worksheets:
        setup = ws.page_setup
        # fitToWidth 1 is the file format's default, so it reads back as None.
        assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (
            "landscape",
            9,
            None,
            0,
        ), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows and ws.freeze_panes, ws.title
    ws = wb[wb.sheetnames[1]]
    header_row = int(ws.print_title_rows.split(":")[0].lstrip("$"))
    assert ws.cell(header_row, 1).value == "ที่"
    money = [c for c in ws[header_row + 2] if isinstance(c.value, (int, float)) and c.column > 1]
    assert money and {c.number_format for c in money} == {"#,##0.00"}
    assert ws.cell(header_row, 1).font.name == "TH Sarabun New"
    # No formula anywhere: totals are computed by us.
    assert not [c for s in wb.worksheets for r in s.iter_rows() for c in r if c.data_type == "f"]


def test_csv_is_utf8_with_bom_and_sums_to_the_database(published):
    path = published["export"] / "oneplan.csv"
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    db = published["db"]
    n, total = query(db, "select count(*), sum(amount_thb) from oneplan")[0]
    assert len(rows) == n
    assert sum(Decimal(r["amount_thb"]) for r in rows) == total
    # Thai names survive: the provincial plan's province-wide rows (district code 18) come first
    assert rows[0]["district_name_th"] == "จังหวัดชัยนาท"
    assert "เมืองชัยนาท" in {r["district_name_th"] for r in rows}


HOSTILE = "=cmd|' /C calc'!A0"


def hostile_plan() -> PlanData:
    oneplan = pd.DataFrame(
        [
            {
                "project_id": "p1",
                "district_code": "1801",
                "district_name_th": "เมืองชัยนาท",
                "tambon_code": "180101",
                "tambon_name_th": "ในเมือง",
                "fiscal_year": 2569,
                "amount_thb": Decimal("1234567.89"),
                "village_numbers": [3],
                "project_name": HOSTILE,
                "category": "@SUM(1+1)*cmd|' /C calc'!A0",
                "objective": "+1\x1b[31m แดง\x07",
                "target": "-2+3",
                "kpi": '=HYPERLINK("http://evil.example","คลิก")',
                "expected_result": None,
                "responsible_agency": "http://evil.example",
                "funding_route": "requested",
                "source_file": "1801/=1+1.xlsx",
                "source_sheet": HOSTILE,
                "source_row": 7,
            }
        ]
    )
    districts = pd.DataFrame({"district_code": ["1801"], "district_name_th": ["เมืองชัยนาท"]})
    missing = pd.DataFrame(
        [
            {
                "district_code": "1801",
                "district_name_th": "เมืองชัยนาท",
                "tambon_code": "180102",
                "tambon_name_th": "=1+2",
            }
        ]
    )
    return PlanData(oneplan, districts, missing, None)


def test_every_text_cell_we_write_is_text(tmp_path):
    out = write_workbook(hostile_plan(), tmp_path / "hostile.xlsx")
    wb = openpyxl.load_workbook(out)
    cells = [
        c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    ]
    texts = {c.value for c in cells if c.data_type == "s"}
    assert HOSTILE in texts
    assert "+1[31m แดง" in texts  # control characters dropped, the rest kept
    assert "-2+3" in texts and "=1+2" in texts and "http://evil.example" in texts
    assert '=HYPERLINK("http://evil.example","คลิก")' in texts
    assert not [c for c in cells if c.data_type == "f"]
    assert not [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.hyperlink]
    numbers = [c.value for c in cells if c.data_type == "n"]
    assert 1234567.89 in numbers


def test_csv_defuses_formulas(tmp_path):
    from oneplan.flows.workbook import write_csv

    path = write_csv(hostile_plan(), tmp_path / "h.csv")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["project_name"] == "'" + HOSTILE
    assert row["objective"] == "'+1[31m แดง"
    assert row["amount_thb"] == "1234567.89"
    assert row["village_numbers"] == "3"


def test_annotated_names_are_flat_inert_and_xlsx():
    assert annotated_name("1806/ชุด 1/แผน.xls") == "ชุด 1 - แผน (xls).xlsx"
    assert annotated_name("1806/ชุด 1/แผน.xlsx") == "ชุด 1 - แผน.xlsx"
    assert annotated_name("1801/../.x\x1b.csv") == "x (csv).xlsx"
    assert annotated_name("1801/a:b*?.ods") == "a_b__ (ods).xlsx"


def test_export_command_writes_one_district_and_keeps_an_existing_file(published, tmp_path, capsys):
    out = tmp_path / "hankha.xlsx"
    assert (
        main(["export", "--xlsx", str(out), "--district", "หันคา", "--db", str(published["db"])])
        == 0
    )
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [SUMMARY_SHEET, "1806 หันคา", REQUESTED_SHEET, MISSING_SHEET]
    out.write_bytes(b"mine")
    assert main(["export", "--xlsx", str(out), "--db", str(published["db"])]) == 2
    assert out.read_bytes() == b"mine"
    assert "--replace" in capsys.readouterr().err
    assert (
        main(["export", "--xlsx", str(out), "--district", "9999", "--db", str(published["db"])])
        == 2
    )


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (.ci/run installs it with apt-get)")
    return path


@pytest.mark.e2e  # runs LibreOffice
def test_libreoffice_prints_the_workbook_on_a4_landscape(published, tmp_path):
    soffice = need("soffice")
    need("pdfinfo")
    src = tmp_path / "oneplan.xlsx"
    shutil.copy(published["export"] / "oneplan.xlsx", src)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    info = subprocess.run(
        ["pdfinfo", str(tmp_path / "oneplan.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert "841.89 x 595.3" in info  # A4 landscape, in points
    pages = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    assert pages >= 11  # at least a page per sheet
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "oneplan.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "สรุปงบประมาณรายอำเภอ" in text and "ทุกตำบลมีแผนแล้ว" in text
    (total_2568,) = query(
        published["db"], "select sum(amount_thb) from oneplan where fiscal_year = 2568"
    )[0]
    assert f"{total_2568:,.2f}" in text  # the 2568 provincial total, as the database sums it


def dump_dom(path: Path) -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (.ci/run installs it with apt-get)")
    done = subprocess.run(
        [chromium, *BROWSER, "--dump-dom", path.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def test_report_rendered_in_chromium_shows_charts_thai_and_every_issue(published):
    from html.parser import HTMLParser

    dom = dump_dom(published["export"] / "quality" / "quality_report.html")

    class Count(HTMLParser):
        def __init__(self):
            super().__init__()
            self.figures, self.rects, self.issue_rows, self.scripts = [], 0, 0, 0

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "figure":
                self.figures.append(attrs.get("id"))
            self.rects += tag == "rect"
            self.issue_rows += tag == "tr" and attrs.get("class") == "issue"
            self.scripts += tag == "script"

    seen = Count()
    seen.feed(dom)
    assert seen.figures == ["chart-rows", "chart-issues", "chart-budget"]
    assert seen.rects > 24 and seen.scripts == 0
    n_issues = query(
        published["db"],
        "select count(*) from data_issues i join submissions s using (submission_id) "
        "where s.status = 'current'",
    )[0][0]
    assert seen.issue_rows == n_issues > 0
    assert "รายงานคุณภาพข้อมูลแผนพัฒนาตำบล" in dom and "ข้อผิดพลาด" in dom
    assert " 2569 " in dom and "น." in dom  # Buddhist-era date
    # Every error is there with its cell and its fix.
    assert 'อ่านงบประมาณ "ไม่ทราบ" ไม่ได้' in dom
    assert "ใส่ตัวเลขจำนวนเงิน" in dom


def test_district_report_in_the_pack_is_that_district_only(published):
    dom = dump_dom(published["export"] / "districts" / "1803" / "report.html")
    assert "1803 อำเภอวัดสิงห์" in dom and "1801 อำเภอเมืองชัยนาท" not in dom
    assert 'id="chart-budget"' in dom


def test_annotated_copy_in_the_pack_lists_the_files_issues(published):
    db = published["db"]
    source = "Wat Sing/แผนพัฒนาตำบล_อ.วัดสิงห์.xls"
    issues = query(
        db,
        "select code, cell from data_issues i join submissions s using (submission_id) "
        f"where s.status = 'current' and i.source_file = '{source}' order by source_row",
    )
    path = published["export"] / "districts" / "1803" / "annotated" / annotated_name(source)
    wb = openpyxl.load_workbook(path)
    listed = [r for r in wb["ปัญหาที่พบ"].iter_rows(min_row=2, values_only=True) if r[5]]
    assert sorted((r[5], r[3]) for r in listed) == sorted(issues)
    assert len(listed) == 3
    assert wb.sheetnames[1:] == ["แผน 68-70"]
