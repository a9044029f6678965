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
import pytest
from oneplan.flows.cli import main
from oneplan.flows.oneplan_flow import run_plan
from oneplan.flows.summary import run_summary
from oneplan.flows.workbook import (
    FIXED_SHEETS,
    MISSING_SHEET,
    REQUESTED_SHEET,
    REVIEW_SHEET,
    SUMMARY_SHEET,
    PlanData,
    annotated_name,
    read_plan,
    write_csv,
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


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
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


def test_workbook_sheets_and_totals_equal_the_marts_to_the_baht(published):
    db = published["db"]
    wb = openpyxl.load_workbook(published["export"] / "oneplan.xlsx")
    names = districts(db)
    assert wb.sheetnames == [
        SUMMARY_SHEET,
        *[f"{code} {name}" for code, name in names],
        *FIXED_SHEETS[1:],
    ]
    # Summary: one row per district and fiscal year, the routes apart, counted once, the
    # written amount beside it: plan_summary's rows, to the baht.
    mart = {
        (code, year): [*money]
        for code, year, *money in query(
            db,
            "select district_code, fiscal_year, own_thb, joint_thb, requested_thb, "
            "unstated_thb, counted_thb, written_thb, n_counted_projects from plan_summary "
            "where not is_plan_total",
        )
    }
    ws = wb[SUMMARY_SHEET]
    shown = {}
    for row in ws.iter_rows(min_row=5, values_only=True):
        if not row[0] or not isinstance(row[1], int) or row[0].startswith("รวม"):
            continue
        shown[(row[0].split()[0], row[1])] = [*(baht(v) for v in row[2:8]), row[8]]
    assert shown == mart
    # The province's total per year is the counted-once number the run summary shows (the
    # workbook once showed the written money of every level added up: 118,246,274.00 here,
    # against 102,594,672.00 counted once, the generator's total for 2568).
    totals = {
        r[1]: (baht(r[6]), baht(r[7]))
        for r in ws.iter_rows(values_only=True)
        if r[0] == "รวมจังหวัดชัยนาท"
    }
    assert totals[2568] == (Decimal("102594672.00"), Decimal("118246274.00"))
    plan = query(
        db, "select fiscal_year, counted_thb, written_thb from plan_summary where is_plan_total"
    )
    assert totals == {y: (c, w) for y, c, w in plan}
    summary = run_summary(db)
    assert {int(y): Decimal(v) for y, v in summary["total_budget_by_year"].items()} == {
        y: c for y, c, _ in plan
    }
    # Each district sheet ends with the district's total per fiscal year, counted once, then
    # as written: workbook_totals, equal to plan_summary.
    for code, name in names:
        ws = wb[f"{code} {name}"]
        head = next(r for r in ws.iter_rows(values_only=True) if r[0] == "ที่")
        years = {
            i: int(h.split()[1]) for i, h in enumerate(head) if h and h.startswith("งบประมาณ ")
        }
        last = [
            r
            for r in ws.iter_rows(values_only=True)
            if isinstance(r[0], str)
            and "นับครั้งเดียว (ทุกวิธีดำเนินการ)" in r[0]
            and r[0].startswith("รวมอำเภอ" if code != "18" else "รวมจังหวัด")
        ]
        assert len(last) == 1, code
        got = {years[i]: baht(last[0][i]) for i in years}
        want = {y: Decimal("0.00") for y in years.values()}
        want.update({y: money[4] for (c, y), money in mart.items() if c == code})
        assert got == want, code
        (n_projects,) = query(  # every project, a project with no amount among them
            db, "select count(*) from projects where district_code = ?", [code]
        )[0]
        assert last[0][0].endswith(f": {n_projects} โครงการ")
    missing = query(db, "select count(*) from coverage where not is_covered")[0][0]
    rows = list(wb[MISSING_SHEET].iter_rows(min_row=4, values_only=True))
    assert sum(isinstance(r[0], int) for r in rows) == missing


def test_requested_sheet_lists_every_counted_request_once_and_totals_as_the_mart(published):
    db = published["db"]
    ws = openpyxl.load_workbook(published["export"] / "oneplan.xlsx")[REQUESTED_SHEET]
    listed = [r for r in ws.iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)]
    (n,) = query(db, "select count(distinct project_id) from agency_request_list")[0]
    assert len(listed) == n > 0
    head = next(r for r in ws.iter_rows(values_only=True) if r[0] == "ที่")
    year_2569 = head.index("งบประมาณ 2569 (บาท)")
    pao = next(
        r
        for r in ws.iter_rows(values_only=True)
        if str(r[0]).startswith("รวม องค์การบริหารส่วนจังหวัดชัยนาท:")
    )
    # Requests to the อบจ. for 2569: the agency_requests mart's 2,867,000 (the workbook said
    # 2,877,000: it listed a request whose money a plan above already counts).
    assert baht(pao[year_2569]) == Decimal("11867000.00")  # with the ผ.02/2 levee, 9,000,000
    (mart,) = query(
        db,
        "select sum(amount_thb) from agency_requests where fiscal_year = 2569 "
        "and requested_from = 'องค์การบริหารส่วนจังหวัดชัยนาท'",
    )[0]
    assert mart == Decimal("11867000.00")


REVIEW_TAMBON = (
    "แผนพัฒนาตำบล อำเภอสรรพยา\nที่,ตำบล,โครงการ,2568,2569\n"
    '1,ตลุก,ก่อสร้างถนนคอนกรีตเสริมเหล็กสายกลางบ้าน หมู่ที่ 5,"300,000",\n'
)
# The village plan's road: alike in name and place, but other money and years, so a person
# must decide (a review link), which the sample no longer has: its true links all agree.
REVIEW_VILLAGE = (
    "แผนชุมชน หมู่ที่ 5 ตำบลตลุก\nที่,โครงการ,2568,2569\n"
    '1,ก่อสร้างถนนคอนกรีตเสริมเหล็กสายกลางบ้าน หมู่ 5 ต่อจากเดิม,"250,000","50,000"\n'
)


def test_review_links_are_shown_side_by_side(tmp_path):
    inbox = tmp_path / "inbox"
    for rel, text in {
        "อำเภอสรรพยา/แผนพัฒนาตำบล อ.สรรพยา.csv": REVIEW_TAMBON,
        "อำเภอสรรพยา/แผนชุมชน หมู่ที่ 5 ต.ตลุก.csv": REVIEW_VILLAGE,
    }.items():
        (inbox / rel).parent.mkdir(parents=True, exist_ok=True)
        (inbox / rel).write_text(text, encoding="utf-8")
    published = {"db": tmp_path / "plan.duckdb", "export": tmp_path / "export"}
    run_plan(inbox, published["db"], published["export"], staging=str(tmp_path / "staging"))
    ws = openpyxl.load_workbook(published["export"] / "oneplan.xlsx")[REVIEW_SHEET]
    listed = [r for r in ws.iter_rows(values_only=True) if isinstance(r[0], int)]
    links = query(
        published["db"],
        "select project_name, linked_project_name, written_thb, linked_written_thb "
        "from review_links",
    )
    assert len(listed) == len(links) > 0
    head = next(r for r in ws.iter_rows(values_only=True) if r[0] == "ที่")
    a, b = head.index("โครงการ"), head.index("โครงการ (อีกโครงการ)")
    assert sorted((r[a], r[b]) for r in listed) == sorted((x, y) for x, y, _, _ in links)


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
    n, total, counted = query(
        db, "select count(*), sum(amount_thb), sum(counted_amount_thb) from oneplan"
    )[0]
    assert len(rows) == n
    assert sum(Decimal(r["amount_thb"]) for r in rows if r["amount_thb"]) == total
    assert sum(Decimal(r["counted_amount_thb"]) for r in rows if r["fiscal_year"]) == counted
    # The project with no amount in any year is listed, its year and money empty.
    (no_amount,) = query(db, "select count(*) from oneplan where fiscal_year is null")[0]
    assert no_amount == sum(not r["fiscal_year"] for r in rows) > 0
    # Thai names survive: the provincial plan's province-wide rows (district code 18) come first
    assert rows[0]["district_name_th"] == "จังหวัดชัยนาท"
    assert "เมืองชัยนาท" in {r["district_name_th"] for r in rows}


HOSTILE = "=cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> PlanData:
    """A plan read from a file whose every text is an attempt at a formula or a link."""
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "inbox" / "เมืองชัยนาท"
    folder.mkdir(parents=True)
    (folder / "=1+1.csv").write_text(
        "ที่,ตำบล,โครงการ,ด้าน,วัตถุประสงค์,เป้าหมาย,ตัวชี้วัด,หน่วยงานรับผิดชอบ,วิธีดำเนินการ,2569\n"
        f'1,ในเมือง,"{HOSTILE}",@SUM(1+1),+1 แดง,-2+3,'
        '"=HYPERLINK(""http://evil.example"",""คลิก"")",http://evil.example,'
        'ขอรับการสนับสนุน,"1,234,567.89"\n',
        encoding="utf-8",
    )
    db = root / "oneplan.duckdb"
    run_plan(root / "inbox", db, root / "export", staging=str(root / "staging"))
    return read_plan(db)


def test_every_text_cell_we_write_is_text(hostile, tmp_path):
    out = write_workbook(hostile, tmp_path / "hostile.xlsx")
    wb = openpyxl.load_workbook(out)
    cells = [
        c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    ]
    texts = {c.value for c in cells if c.data_type == "s"}
    assert HOSTILE in texts and "@SUM(1+1)" in texts and "+1 แดง" in texts
    assert "-2+3" in texts and "http://evil.example" in texts
    assert '=HYPERLINK("http://evil.example","คลิก")' in texts
    assert not [c for c in cells if c.data_type == "f"]
    assert not [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.hyperlink]
    numbers = [c.value for c in cells if c.data_type == "n"]
    assert 1234567.89 in numbers


def test_csv_defuses_formulas(hostile, tmp_path):
    path = write_csv(hostile, tmp_path / "h.csv")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["district_code"] == "1801")
    assert row["project_name"] == "'" + HOSTILE
    assert row["objective"] == "'+1 แดง"
    assert row["amount_thb"] == "1234567.89"
    assert row["source_file"] == "'=1+1.csv" or row["source_file"].endswith("=1+1.csv")


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
    assert wb.sheetnames == [SUMMARY_SHEET, "1806 หันคา", *FIXED_SHEETS[1:]]
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
        published["db"],
        "select counted_thb from plan_summary where is_plan_total and fiscal_year = 2568",
    )[0]
    assert f"{total_2568:,.2f}" in text  # the 2568 provincial total, counted once


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
    assert "@page { size: A4" in dom
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


def test_rows_are_tall_enough_for_thai_marks_and_wrapped_lines():
    from oneplan.flows.workbook import LINE_HEIGHT, ROW_HEIGHT, TITLE_HEIGHT, _lines

    # Marks above and below a letter take no width: "ที่นี่" is 2 letters wide, not 6.
    assert _lines("ที่นี่", 3) == 1 and _lines("ที่นี่ที่นี่", 3) == 2
    # A line holds a letter less than the column is wide (wrapping breaks at spaces), so the
    # source cell that wrapped to four lines in a row made for three is given four.
    source = "หันคา/แผนพัฒนาตำบล 2568-2570 ชุดที่ 8.xlsx · แผ่นงาน แผนงาน · แถว 5"
    assert _lines(source, 24) == 3 and _lines(source, 20) == 4
    assert ROW_HEIGHT >= 24 and LINE_HEIGHT >= 22 and TITLE_HEIGHT >= 32


def test_sheet_titles_and_rows_are_written_with_room_for_thai_marks(published):
    from oneplan.flows.workbook import LINE_HEIGHT, ROW_HEIGHT, _lines

    wb = openpyxl.load_workbook(published["export"] / "oneplan.xlsx")
    for ws in wb.worksheets:
        assert ws.row_dimensions[1].height >= 32, ws.title  # the 18 pt title line
        assert ws.sheet_format.defaultRowHeight >= 24, ws.title
    ws = wb[wb.sheetnames[1]]
    head = next(r for r in ws.iter_rows() if r[0].value == "ที่")
    source = next(c.column for c in head if c.value == "ที่มา (ไฟล์ แผ่นงาน แถว)")
    width = ws.column_dimensions[openpyxl.utils.get_column_letter(source)].width
    checked = 0
    for row in ws.iter_rows(min_row=head[0].row + 1):
        text = row[source - 1].value
        if isinstance(row[0].value, int) and isinstance(text, str):
            need = ROW_HEIGHT + LINE_HEIGHT * (_lines(text, width) - 1)
            assert (ws.row_dimensions[row[0].row].height or ROW_HEIGHT) >= need
            checked += 1
    assert checked > 0


def test_no_nan_none_or_nat_text_in_any_workbook_or_report_of_the_sample(published):
    """The sample has projects with no development area and no route: their section and
    totals read ไม่ระบุด้าน / ไม่ระบุ (the workbook said `รวม nan (ขอรับการสนับสนุน)` in 7
    district sheets and the packs), and the provincial plan is never called a district."""
    import re

    missing = re.compile(r"\b(nan|None|NaT|NaN|<NA>)\b")
    export = published["export"]
    books = [export / "oneplan.xlsx", *sorted(export.glob("districts/*/oneplan-*.xlsx"))]
    assert len(books) == 10
    sections = set()
    for book in books:
        for ws in openpyxl.load_workbook(book).worksheets:
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str):
                        assert not missing.search(value), (book.name, ws.title, value)
                        assert "อำเภอจังหวัด" not in value, (book.name, ws.title, value)
                        if value.startswith("รวมไม่ระบุด้าน"):
                            sections.add(ws.title)
    assert len(sections) >= 7
    for report in [*export.glob("quality/quality_report.*"), *export.glob("districts/*/report.*")]:
        text = report.read_text(encoding="utf-8")
        assert not missing.search(text) and "อำเภอจังหวัด" not in text, report
