"""The quality report, from a tiny published database built from a generated inbox."""

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import xlsxwriter
from oneplan.flows.db import write_database
from oneplan.flows.report import quality_report_markdown, write_quality_report
from oneplan.flows.stage import discover_inbox, stage_file

CSV_NAME = "หันคา <ฉบับแก้> & 2.csv"
FIX_BUDGET = "ใส่ตัวเลขจำนวนเงิน เช่น 150000 หรือ 150,000.00 และใส่ - เมื่อเป็นศูนย์"
FIX_HEADER = "ใช้ชื่อหัวคอลัมน์ตามแบบฟอร์ม หรือแจ้งจังหวัดให้เพิ่มคำพ้อง"


def make_inbox(inbox: Path) -> None:
    """1804: one workbook (2 accepted, 1 rejected, a subtotal, an unknown column) and a .docx;
    1806: one CSV (1 project); and a file outside any district folder."""
    (inbox / "1804").mkdir(parents=True)
    (inbox / "1806").mkdir()
    wb = xlsxwriter.Workbook(inbox / "1804" / "ตลุก.xlsx")
    ws = wb.add_worksheet("ต.ตลุก")
    rows = [
        ["ที่", "โครงการ", "2568", "2569", "ข้อมูลอื่น"],
        [1, "ก่อสร้างถนน คสล. หมู่ที่ 3", 150000, 200000, ""],
        [2, "ขุดลอกคลอง", "ไม่ทราบ", 50000, ""],
        [3, "ปรับปรุงศาลาประชาคม", 30000, "", ""],
        ["", "รวม", 180000, 250000, ""],
    ]
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    wb.close()
    (inbox / "1804" / "แผน.docx").write_bytes(b"PK\x03\x04 not read")
    (inbox / "1806" / CSV_NAME).write_text("ที่,โครงการ,2569\n1,ขุดสระน้ำ,90000\n", encoding="utf-8")
    (inbox / "ลงวันที่.xlsx").write_bytes(b"outside")


@pytest.fixture(scope="module")
def published(tmp_path_factory, build_tables) -> Path:
    root = tmp_path_factory.mktemp("report")
    make_inbox(root / "inbox")
    jobs, inbox_issues = discover_inbox(root / "inbox")
    staged = [stage_file(job, str(root / "staging")) for job in jobs]
    tables = build_tables(staged, inbox_issues, datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    db = root / "oneplan.duckdb"
    write_database(db, tables)
    return db


@pytest.fixture(scope="module")
def report(published, tmp_path_factory) -> tuple[dict, str, str]:
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    paths = write_quality_report(published, tmp_path_factory.mktemp("out"))
    assert hashlib.sha256(published.read_bytes()).hexdigest() == before
    return paths, paths["md"].read_text("utf-8"), paths["html"].read_text("utf-8")


def test_writes_both_files(report):
    paths, _, _ = report
    assert sorted(paths) == ["html", "md"]
    assert [p.name for p in paths.values()] == ["quality_report.md", "quality_report.html"]


OVERVIEW = [
    "| อำเภอ | ไฟล์ | แถวที่อ่าน | รับ | ปฏิเสธ | ข้าม | ข้อผิดพลาด | คำเตือน | ข้อสังเกต | ตำบลที่ยังไม่มีแผน |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    "| 1801 เมืองชัยนาท | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 9 / 9 |",
    "| 1802 มโนรมย์ | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 7 / 7 |",
    "| 1803 วัดสิงห์ | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 7 / 7 |",
    "| 1804 สรรพยา | 1 | 5 | 2 | 1 | 2 | 1 | 1 | 0 | 6 / 7 |",
    "| 1805 สรรคบุรี | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 8 / 8 |",
    "| 1806 หันคา | 1 | 2 | 1 | 0 | 1 | 0 | 0 | 0 | 7 / 8 |",
    "| 1807 หนองมะโมง | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 4 / 4 |",
    "| 1808 เนินขาม | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 3 / 3 |",
    "| รวม | 2 | 7 | 3 | 1 | 3 | 1 | 1 | 0 | 51 / 53 |",
]


def section(md: str, heading: str) -> list[str]:
    lines = md.splitlines()
    start = lines.index(heading)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), None)
    found = lines[start:end]
    while found and not found[-1]:
        found.pop()
    return found


def test_markdown_overview_numbers(report):
    _, md, _ = report
    lines = md.splitlines()
    start = lines.index("## ภาพรวมรายอำเภอ")
    assert lines[start + 2 : start + 2 + len(OVERVIEW)] == OVERVIEW


def test_markdown_district_section(report):
    _, md, _ = report
    assert section(md, "## 1804 อำเภอสรรพยา (Sapphaya)") == [
        "## 1804 อำเภอสรรพยา (Sapphaya)",
        "",
        "ไฟล์ 1 · แถวที่อ่าน 5 (รับ 2 · ปฏิเสธ 1 · ข้าม 2) · ข้อผิดพลาด 1 · คำเตือน 1 · ข้อสังเกต 0",
        "",
        "### ไฟล์ที่อ่าน",
        "",
        "| ไฟล์ | แถวที่อ่าน | รับ | ปฏิเสธ | ข้าม | ข้อผิดพลาด | คำเตือน | ข้อสังเกต |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        "| 1804/ตลุก.xlsx | 5 | 2 | 1 | 2 | 1 | 1 | 0 |",
        "",
        "### ปัญหาตามรหัส",
        "",
        "| ระดับ | รหัส | ปัญหา | จำนวน | วิธีแก้ |",
        "| --- | --- | --- | --- | --- |",
        f"| ข้อผิดพลาด | unreadable\\_budget | อ่านงบประมาณไม่ได้ | 1 | {FIX_BUDGET} |",
        f"| คำเตือน | unknown\\_header | หัวคอลัมน์ที่ไม่รู้จัก | 1 | {FIX_HEADER} |",
        "",
        "### รายการปัญหา (2)",
        "",
        "- [ข้อผิดพลาด] 1804/ตลุก.xlsx · แผ่นงาน ต.ตลุก · เซลล์ C3 · แถว 3 · คอลัมน์ 2568: "
        f'อ่านงบประมาณ "ไม่ทราบ" ไม่ได้ วิธีแก้: {FIX_BUDGET}',
        "- [คำเตือน] 1804/ตลุก.xlsx · แผ่นงาน ต.ตลุก · เซลล์ E1 · แถว 1 · คอลัมน์ ข้อมูลอื่น: "
        f'ไม่รู้จักหัวคอลัมน์ "ข้อมูลอื่น" (ข้ามคอลัมน์นี้) วิธีแก้: {FIX_HEADER}',
        "",
        "### ไฟล์ที่ไม่ได้อ่าน",
        "",
        '- ไฟล์ 1804/แผน.docx: ไม่รองรับไฟล์ชนิด ".docx" จึงไม่ได้อ่าน',
        "",
        "### ตำบลที่ยังไม่มีแผน (6 จาก 7)",
        "",
        "- 180401 ต.สรรพยา",
        "- 180403 ต.เขาแก้ว",
        "- 180404 ต.โพนางดำตก",
        "- 180405 ต.โพนางดำออก",
        "- 180406 ต.บางหลวง",
        "- 180407 ต.หาดอาษา",
    ]
    hankha = section(md, "## 1806 อำเภอหันคา (Hankha)")
    # Markdown shows the file name, it does not run it as HTML.
    assert "| 1806/หันคา &lt;ฉบับแก้&gt; &amp; 2.csv | 2 | 1 | 0 | 1 | 0 | 0 | 0 |" in hankha
    assert "### ปัญหาตามรหัส" not in hankha
    assert "- 180601 ต.หันคา" not in hankha
    assert "### ตำบลที่ยังไม่มีแผน (7 จาก 8)" in hankha
    idle = section(md, "## 1808 อำเภอเนินขาม (Noen Kham)")
    assert idle[4] == "ยังไม่ได้ส่งไฟล์"


def test_markdown_inbox_issues(report):
    _, md, _ = report
    assert section(md, "## ปัญหาในกล่องรับไฟล์ (นอกโฟลเดอร์อำเภอ)") == [
        "## ปัญหาในกล่องรับไฟล์ (นอกโฟลเดอร์อำเภอ)",
        "",
        '- ไฟล์ ลงวันที่.xlsx: ไฟล์ "ลงวันที่.xlsx" ไม่ได้อยู่ในโฟลเดอร์ของอำเภอใด จึงไม่ได้อ่าน',
    ]


def test_markdown_artifact_is_the_written_markdown(published, report):
    _, md, _ = report
    assert quality_report_markdown(published) == md


def html_rows(page: str) -> list[list[str]]:
    return [
        re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row) for row in re.findall(r"<tr.*?</tr>", page)
    ]


def md_rows(lines: list[str]) -> list[list[str]]:
    return [
        [c.strip() for c in line.strip("|").split(" | ")] for line in lines if "---" not in line
    ]


def test_html_shows_the_same_numbers(report):
    _, _, page = report
    rows = html_rows(page)
    assert md_rows(OVERVIEW) == rows[: len(OVERVIEW) - 1]
    assert ["1804/ตลุก.xlsx", "5", "2", "1", "2", "1", "1", "0"] in rows
    assert ["ข้อผิดพลาด", "unreadable_budget", "อ่านงบประมาณไม่ได้", "1", FIX_BUDGET] in rows
    assert "<li>180403 ต.เขาแก้ว</li>" in page
    assert "<h3>ตำบลที่ยังไม่มีแผน (6 จาก 7)</h3>" in page


def test_html_is_self_contained_thai_and_escaped(report):
    _, _, page = report
    assert page.startswith('<!DOCTYPE html>\n<html lang="th">\n<head>\n<meta charset="utf-8">')
    assert '"Noto Sans Thai", "Sarabun", "Tahoma"' in page
    for external in ("<script", "<link", "@import", "url(", "src="):
        assert external not in page
    assert ["1806/หันคา &lt;ฉบับแก้&gt; &amp; 2.csv", "2", "1", "0", "1", "0", "0", "0"] in (
        html_rows(page)
    )
    assert "<ฉบับแก้>" not in page
    assert "&#34;.docx&#34;" in page


def test_dates_are_thai_buddhist_era(report):
    _, md, page = report
    assert "ประมวลผล 24 พฤศจิกายน 2569 08:00 น." in md.splitlines()[2]
    assert "ประมวลผล 24 พฤศจิกายน 2569 08:00 น.</p>" in page


def test_html_lists_every_issue_with_its_place_and_fix(report):
    _, _, page = report
    rows = [r for r in re.findall(r'<tr class="issue">.*?</tr>', page)]
    assert len(rows) == 2
    assert html_rows(rows[0])[0] == [
        "ข้อผิดพลาด",
        "1804/ตลุก.xlsx",
        "ต.ตลุก",
        "C3",
        "3",
        "<b>อ่านงบประมาณไม่ได้</b>: อ่านงบประมาณ &#34;ไม่ทราบ&#34; ไม่ได้ (คอลัมน์ 2568)",
        FIX_BUDGET,
    ]
    for chart in ("chart-rows", "chart-issues", "chart-budget"):
        assert f'<figure class="chart" id="{chart}">' in page
    assert '<rect x="230' in page and "<title>1804 สรรพยา ปี 2568: ไม่ระบุ 180,000.00</title>" in page


def test_rows_rejected_per_file_is_measured(published):
    from oneplan.flows.report import collect_quality

    assert collect_quality(published)["rejected_by_file"] == [
        {"source_file": "1804/ตลุก.xlsx", "n_rows_rejected": 1, "n_rows_read": 5}
    ]
