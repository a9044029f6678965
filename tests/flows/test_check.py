"""`oneplan check`: the report a district officer reads, its exit codes and the annotated copy."""

import hashlib
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
import xlwt
from oneplan.flows.check import FILL_COLORS, ISSUES_SHEET
from oneplan.flows.cli import main

ROOT = Path(__file__).resolve().parents[2]
FIX_BUDGET = "ใส่ตัวเลขจำนวนเงิน เช่น 150000 หรือ 150,000.00 และใส่ - เมื่อเป็นศูนย์"


def write_plan(path: Path, d6: object = "ไม่ทราบ") -> Path:
    """A two-sheet plan: a merged two-row header, three projects, D6 holding `d6`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("ต.ตลุก")
    ws.merge_range("A1:E1", "แผนพัฒนาตำบล ตำบลตลุก อำเภอสรรพยา")
    ws.merge_range("A3:A4", "ที่")
    ws.merge_range("B3:B4", "โครงการ")
    ws.merge_range("C3:D3", "งบประมาณ (บาท)")
    ws.merge_range("E3:E4", "หน่วยงานรับผิดชอบ")
    ws.write_row("C4", [2568, 2569])
    ws.write_row("A5", [1, "ก่อสร้างถนน คสล. หมู่ที่ 3", 150000, 200000, "อบต.ตลุก"])
    ws.write_row("A6", [2, "ขุดลอกคลองส่งน้ำ", 80000, d6, "อบต.ตลุก"])
    ws.write_row("A7", [3, "ปรับปรุงศาลาประชาคม", "-", 50000, "อบต.ตลุก"])
    ws.set_column("B:B", 45)
    summary = wb.add_worksheet("ผ.01")
    summary.write("A1", "สรุปโครงการ")
    wb.close()
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["check", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


EXPECTED_TH = f"""\
ตรวจไฟล์แผนพัฒนาตำบล อำเภอสรรพยา (1804): 1 ไฟล์
ไม่ผ่าน: พบข้อผิดพลาด 1 รายการ
สรุป: ข้อผิดพลาด 1 · คำเตือน 0 · ข้อสังเกต 1
  ข้อผิดพลาด 1 รายการ
    อ่านงบประมาณไม่ได้ (unreadable_budget) × 1: ต.ตลุก!D6
  ข้อสังเกต 1 รายการ
    แผ่นงานสรุป (ไม่นับรวม) (summary_sheet) × 1: ผ.01

รายละเอียดทีละไฟล์และแผ่นงาน

ไฟล์ plan.xlsx
  แผ่นงาน "ต.ตลุก": รับ 2 แถว · ปฏิเสธ 1 แถว · ข้าม 3 แถว
    [ข้อผิดพลาด] เซลล์ ต.ตลุก!D6 · แถว 6 · คอลัมน์ งบประมาณ (บาท) 2569
      อ่านงบประมาณ "ไม่ทราบ" ไม่ได้
      วิธีแก้: {FIX_BUDGET}
  แผ่นงาน "ผ.01": รับ 0 แถว · ปฏิเสธ 0 แถว · ข้าม 1 แถว
    [ข้อสังเกต] แผ่นงาน "ผ.01" เป็นแผ่นสรุป (ไม่นับเป็นโครงการ)
  แถวที่อ่าน 7 แถว: รับ 2 · ปฏิเสธ 1 · ข้าม 4
  ปัญหาที่พบ: ข้อผิดพลาด 1 · คำเตือน 0 · ข้อสังเกต 1
  ไม่ผ่าน: พบข้อผิดพลาด 1 รายการ
"""


def test_thai_report_names_file_sheet_row_and_cell(tmp_path, capsys):
    plan = write_plan(tmp_path / "1804" / "plan.xlsx")
    code, out, err = run(capsys, plan)
    assert (code, err) == (1, "")
    assert out == EXPECTED_TH


def test_clean_file_passes(tmp_path, capsys):
    plan = write_plan(tmp_path / "1804" / "plan.xlsx", d6=90000)
    code, out, err = run(capsys, plan)
    assert (code, err) == (0, "")
    assert "[ข้อผิดพลาด]" not in out
    assert out.splitlines()[-3:] == [
        "  แถวที่อ่าน 7 แถว: รับ 3 · ปฏิเสธ 0 · ข้าม 4",
        "  ปัญหาที่พบ: ข้อผิดพลาด 0 · คำเตือน 0 · ข้อสังเกต 1",
        "  ผ่าน: ไม่พบข้อผิดพลาด",
    ]


def test_english_report(tmp_path, capsys):
    plan = write_plan(tmp_path / "1804" / "plan.xlsx")
    code, out, _ = run(capsys, plan, "--lang", "en")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "Checking tambon plan files, district Sapphaya (1804): 1 file(s)"
    assert lines[1:7] == [
        "FAIL: 1 error(s) found",
        "Summary: 1 error(s) · 0 warning(s) · 1 info",
        "  error: 1",
        "    unreadable_budget × 1: ต.ตลุก!D6",
        "  info: 1",
        "    summary_sheet × 1: ผ.01",
    ]
    assert lines[11:15] == [
        '  Sheet "ต.ตลุก": 2 row(s) accepted · 1 rejected · 3 skipped',
        "    [error] cell ต.ตลุก!D6 · row 6 · column งบประมาณ (บาท) 2569",
        '      Budget "ไม่ทราบ" cannot be read as an amount in baht',
        "      How to fix: Enter a number such as 150000 or 150,000.00; use - for zero",
    ]
    assert lines[-1] == "  FAIL: 1 error(s) found"
    assert "วิธีแก้" not in out and "ไม่ผ่าน" not in out


def test_annotated_copy_marks_the_cell_and_keeps_the_layout(tmp_path, capsys):
    plan = write_plan(tmp_path / "1804" / "plan.xlsx")
    before = sha(plan)
    out_path = tmp_path / "marked" / "plan-checked.xlsx"
    code, out, _ = run(capsys, plan, "--annotate", out_path)
    assert code == 1
    assert out.splitlines()[-1] == f"บันทึกสำเนาที่ทำเครื่องหมายแล้วที่ {out_path}"
    assert sha(plan) == before

    wb = openpyxl.load_workbook(out_path)
    assert wb.sheetnames == [ISSUES_SHEET, "ต.ตลุก", "ผ.01"]
    ws = wb["ต.ตลุก"]
    bad = ws["D6"]
    assert bad.value == "ไม่ทราบ"
    assert bad.fill.fill_type == "solid"
    assert bad.fill.fgColor.rgb == "00" + FILL_COLORS["error"]
    assert bad.comment.text == f'[ข้อผิดพลาด] อ่านงบประมาณ "ไม่ทราบ" ไม่ได้\nวิธีแก้: {FIX_BUDGET}'
    # Everything else is as the district wrote it.
    assert ws["C6"].fill.fill_type is None and ws["C6"].comment is None
    assert ws["B5"].value == "ก่อสร้างถนน คสล. หมู่ที่ 3"
    assert ws["C4"].value == 2568
    assert sorted(str(r) for r in ws.merged_cells.ranges) == [
        "A1:E1",
        "A3:A4",
        "B3:B4",
        "C3:D3",
        "E3:E4",
    ]
    assert ws.column_dimensions["B"].width == pytest.approx(45.7109375)
    assert wb["ผ.01"]["A1"].value == "สรุปโครงการ"
    listed = list(wb[ISSUES_SHEET].iter_rows(values_only=True))
    assert listed[0] == (
        "ระดับ",
        "แผ่นงาน",
        "แถว",
        "เซลล์",
        "ปัญหา",
        "รหัส",
        "รายละเอียด",
        "วิธีแก้",
    )
    assert listed[1] == (
        "ข้อผิดพลาด",
        "ต.ตลุก",
        6,
        "ต.ตลุก!D6",
        "อ่านงบประมาณไม่ได้",
        "unreadable_budget",
        'อ่านงบประมาณ "ไม่ทราบ" ไม่ได้',
        FIX_BUDGET,
    )
    assert listed[2][:6] == ("ข้อสังเกต", "ผ.01", None, None, "แผ่นงานสรุป (ไม่นับรวม)", "summary_sheet")
    assert listed[-1][0] == "ไม่ผ่าน: พบข้อผิดพลาด 1 รายการ"


def test_annotated_csv_is_rebuilt_as_xlsx(tmp_path, capsys):
    csv = tmp_path / "1804" / "ตลุก.csv"
    csv.parent.mkdir()
    csv.write_bytes(
        "ที่,โครงการ,2568\n1,ถนน หมู่ที่ 3,150000\n2,ขุดลอกคลอง,สองหมื่น\n=1+1,โครงการ,5\n".encode("cp874")
    )
    before = sha(csv)
    out_path = tmp_path / "ตลุก-checked.xlsx"
    code, out, _ = run(capsys, csv, "--annotate", out_path)
    assert code == 1
    assert "    [ข้อผิดพลาด] เซลล์ C3 · แถว 3 · คอลัมน์ 2568" in out.splitlines()
    assert sha(csv) == before
    wb = openpyxl.load_workbook(out_path)
    assert wb.sheetnames == [ISSUES_SHEET, "ตลุก"]
    ws = wb["ตลุก"]
    assert [c.value for c in ws[3]] == ["2", "ขุดลอกคลอง", "สองหมื่น"]
    assert ws["C3"].fill.fgColor.rgb == "00" + FILL_COLORS["error"]
    assert 'อ่านงบประมาณ "สองหมื่น" ไม่ได้' in ws["C3"].comment.text
    # Text that looks like a formula stays text in the copy.
    assert (ws["A4"].value, ws["A4"].data_type) == ("=1+1", "s")


def test_annotated_xls_keeps_cells_and_merges(tmp_path, capsys):
    path = tmp_path / "1804" / "plan.xls"
    path.parent.mkdir()
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("ต.ตลุก")
    ws.write_merge(0, 0, 0, 2, "แผนพัฒนาตำบล ตำบลตลุก")
    for c, value in enumerate(["ที่", "โครงการ", "2568"]):
        ws.write(1, c, value)
    for c, value in enumerate([1, "ถนน", "-5000"]):
        ws.write(2, c, value)
    wb.save(str(path))
    out_path = tmp_path / "plan-checked.xlsx"
    code, out, _ = run(capsys, path, "--annotate", out_path)
    assert code == 1
    assert "    [ข้อผิดพลาด] เซลล์ ต.ตลุก!C3 · แถว 3 · คอลัมน์ 2568" in out.splitlines()
    copy = openpyxl.load_workbook(out_path)
    sheet = copy["ต.ตลุก"]
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:C1"]
    assert [c.value for c in sheet[3]] == [1, "ถนน", "-5000"]
    assert sheet["C3"].fill.fgColor.rgb == "00" + FILL_COLORS["error"]
    assert sheet["C3"].comment.text.startswith('[ข้อผิดพลาด] งบประมาณติดลบ "-5000"')


@pytest.mark.parametrize("district", ["1804", "สรรพยา", "อ.สรรพยา", "Sapphaya"])
def test_district_from_option(tmp_path, capsys, district):
    plan = write_plan(tmp_path / "Downloads" / "plan.xlsx")
    code, out, _ = run(capsys, plan, "--district", district)
    assert code == 1
    assert out.splitlines()[0] == "ตรวจไฟล์แผนพัฒนาตำบล อำเภอสรรพยา (1804): 1 ไฟล์"


def test_district_from_thai_folder_name(tmp_path, capsys):
    plan = write_plan(tmp_path / "อำเภอหันคา" / "plan.xlsx", d6=1)
    code, out, _ = run(capsys, plan)
    # ต.ตลุก is not in หันคา: every project is rejected, located, with the district named.
    assert code == 1
    assert out.splitlines()[0] == "ตรวจไฟล์แผนพัฒนาตำบล อำเภอหันคา (1806): 1 ไฟล์"
    assert out.count("[ข้อผิดพลาด]") == 3
    assert "      ไม่ทราบว่าโครงการอยู่ตำบลใด" in out


def test_tambon_from_the_folder_inside_the_district_folder(tmp_path, capsys):
    path = tmp_path / "อำเภอหันคา" / "ตําบลบ้านเชี่ยน" / "plan.xlsx"
    path.parent.mkdir(parents=True)
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("ปี 2568")
    ws.write_row("A1", ["ที่", "โครงการ", "งบประมาณ (บาท)"])
    ws.write_row("A2", [1, "ก่อสร้างถนน", "50,000 บ."])
    wb.close()
    code, out, _ = run(capsys, path)
    assert code == 0
    assert out.splitlines()[0] == "ตรวจไฟล์แผนพัฒนาตำบล อำเภอหันคา (1806): 1 ไฟล์"
    assert 'ปีงบประมาณ 2568 อ่านจากชื่อแผ่นงาน "ปี 2568"' in out
    assert "ปฏิเสธ 0 แถว" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            [],
            'oneplan check: ไม่ทราบว่าไฟล์ "plan.xlsx" เป็นของอำเภอใด (โฟลเดอร์ "Downloads" '
            "ไม่ใช่ชื่ออำเภอ) ให้ระบุ --district เป็นรหัสอำเภอ "
            "(1801, 1802, 1803, 1804, 1805, 1806, 1807, 1808) หรือชื่ออำเภอ\n",
        ),
        (
            ["--district", "9999"],
            'oneplan check: ไม่รู้จักอำเภอ "9999" ให้ระบุรหัสอำเภอ '
            "(1801, 1802, 1803, 1804, 1805, 1806, 1807, 1808) หรือชื่ออำเภอ เช่น --district สรรพยา\n",
        ),
    ],
)
def test_unknown_district_exits_2_with_one_thai_line(tmp_path, capsys, argv, message):
    plan = write_plan(tmp_path / "Downloads" / "plan.xlsx")
    code, out, err = run(capsys, plan, *argv)
    assert (code, out, err) == (2, "", message)


def test_duplicates_across_files_are_reported(tmp_path, capsys):
    first = write_plan(tmp_path / "1804" / "a.xlsx", d6=90000)
    second = write_plan(tmp_path / "1804" / "b.xlsx", d6=90000)
    code, out, _ = run(capsys, second, first)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "ตรวจไฟล์แผนพัฒนาตำบล อำเภอสรรพยา (1804): 2 ไฟล์"
    b = lines.index("ไฟล์ b.xlsx")
    assert lines[b + 1 : b + 3] == [
        '  แผ่นงาน "ต.ตลุก": รับ 0 แถว · ปฏิเสธ 0 แถว · ข้าม 6 แถว',
        "    [ข้อสังเกต] แถว 5",
    ]
    assert "      โครงการซ้ำกับที่ a.xlsx › ต.ตลุก › 5 (นับครั้งเดียว)" in lines
    assert lines[-2:] == ["รวม 2 ไฟล์: ข้อผิดพลาด 0 · คำเตือน 0 · ข้อสังเกต 5", "ผ่าน: ไม่พบข้อผิดพลาด"]


def test_annotate_never_overwrites_the_original(tmp_path, capsys):
    plan = write_plan(tmp_path / "1804" / "plan.xlsx")
    before = sha(plan)
    code, out, err = run(capsys, plan, "--annotate", plan)
    assert (code, out) == (2, "")
    assert err.startswith("oneplan check: จะไม่เขียนทับไฟล์ต้นฉบับ")
    assert sha(plan) == before


def test_check_runs_without_prefect(tmp_path):
    plan = write_plan(tmp_path / "1804" / "plan.xlsx")
    script = (
        "import sys\n"
        "from oneplan.flows.cli import main\n"
        f"code = main(['check', {str(plan)!r}])\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'prefect'], 'prefect imported'\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.endswith("ไม่ผ่าน: พบข้อผิดพลาด 1 รายการ\n")  # its speed: python -m bench


def test_annotate_several_files(tmp_path, capsys):
    a = write_plan(tmp_path / "1804" / "a.xlsx")
    b = tmp_path / "1804" / "b.csv"
    b.write_text("ที่,โครงการ,2568\n1,ถนน,-\n", encoding="utf-8")
    broken = tmp_path / "1804" / "c.xlsx"
    broken.write_bytes(b"not a workbook")
    code, out, _ = run(capsys, a, b, broken, a, "--annotate", tmp_path / "out" / "checked.xlsx")
    assert code == 2
    assert out.splitlines()[0] == "ตรวจไฟล์แผนพัฒนาตำบล อำเภอสรรพยา (1804): 3 ไฟล์"
    assert out.splitlines()[-3:] == [
        f"บันทึกสำเนาที่ทำเครื่องหมายแล้วที่ {tmp_path / 'out' / 'checked-a.xlsx'}",
        f"บันทึกสำเนาที่ทำเครื่องหมายแล้วที่ {tmp_path / 'out' / 'checked-b.xlsx'}",
        "ไม่ได้ทำสำเนาที่ทำเครื่องหมายของ c.xlsx เพราะอ่านไฟล์ไม่ได้",
    ]
    copy = openpyxl.load_workbook(tmp_path / "out" / "checked-b.xlsx")
    assert copy.sheetnames == [ISSUES_SHEET, "b"]
    assert [c.value for c in copy["b"][2]] == ["1", "ถนน", "-"]


def test_issue_without_a_cell_marks_the_rows_first_cell(tmp_path, capsys):
    write_plan(tmp_path / "1804" / "a.xlsx", d6=90000)
    second = write_plan(tmp_path / "1804" / "b.xlsx", d6=90000)
    out_path = tmp_path / "checked.xlsx"
    code, _, _ = run(capsys, tmp_path / "1804" / "a.xlsx", second, "--annotate", out_path)
    assert code == 0
    ws = openpyxl.load_workbook(tmp_path / "checked-b.xlsx")["ต.ตลุก"]
    for row in (5, 6, 7):
        assert ws.cell(row, 1).fill.fgColor.rgb == "00" + FILL_COLORS["info"]
        assert ws.cell(row, 1).comment.text.startswith(
            f"[ข้อสังเกต] โครงการซ้ำกับที่ a.xlsx › ต.ตลุก › {row} (นับครั้งเดียว)"
        )
        assert ws.cell(row, 2).fill.fill_type is None
    untouched = openpyxl.load_workbook(tmp_path / "checked-a.xlsx")["ต.ตลุก"]
    assert untouched["A5"].fill.fill_type is None and untouched["A5"].comment is None


HOSTILE_SHEET = "=cmd|' /C calc'!A0"
COPY_SHEET = "=cmd|' C calc'!A0"  # the copy's sheet title: Excel allows no "/" in it


def write_hostile_plan(path: Path) -> Path:
    """A plan whose sheet is named like a DDE formula (Excel refuses the "/", so the name is
    put into workbook.xml afterwards, as another tool could) and whose bad budget cell carries
    terminal escape sequences and a carriage return that would fake a green verdict."""
    import zipfile
    from xml.sax.saxutils import quoteattr

    path.parent.mkdir(parents=True, exist_ok=True)
    plain = path.with_name("plain.xlsx")
    wb = xlsxwriter.Workbook(plain, {"strings_to_formulas": False})
    ws = wb.add_worksheet("PLACEHOLDER")
    ws.write_row("A1", ["ที่", "โครงการ", "2569"])
    ws.write_row("A2", [1, "ถนน", 1000])
    ws.write_row("A3", [2, '=HYPERLINK("http://evil.example")'])
    ws.write_string("C3", "\x1b[2K\r\x1b[32mผ่าน: ไม่พบข้อผิดพลาด\x1b[0m")
    wb.close()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b'"PLACEHOLDER"', quoteattr(HOSTILE_SHEET).encode())
            dst.writestr(item, data)
    plain.unlink()
    return path


def test_hostile_names_stay_text_in_the_annotated_copy(tmp_path, capsys):
    plan = write_hostile_plan(tmp_path / "1804" / "plan.xlsx")
    out_path = tmp_path / "marked.xlsx"
    code, out, _ = run(capsys, plan, "--annotate", out_path)
    assert code == 1
    wb = openpyxl.load_workbook(out_path)
    assert wb.sheetnames == [ISSUES_SHEET, COPY_SHEET]
    issues = wb[ISSUES_SHEET]
    cells = [c for row in issues.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    sheet_cells = [c for c in cells if c.column == 2 and c.row > 1]
    assert {(c.value, c.data_type) for c in sheet_cells} == {(HOSTILE_SHEET, "s")}
    budget = next(c for c in cells if c.value == "unreadable_budget")
    body = issues.cell(budget.row, 7).value
    assert "\x1b" not in body and "\r" not in body
    assert "[2K" in body and "ผ่าน: ไม่พบข้อผิดพลาด" in body  # the rest of the value is kept
    comment = wb[COPY_SHEET]["C3"].comment.text
    assert "\x1b" not in comment and "\r" not in comment


def test_issue_rows_link_to_their_cells_and_print_on_a4_landscape(tmp_path, capsys):
    plan = write_hostile_plan(tmp_path / "1804" / "plan.xlsx")
    out_path = tmp_path / "marked.xlsx"
    run(capsys, plan, "--annotate", out_path)
    ws = openpyxl.load_workbook(out_path)[ISSUES_SHEET]
    row = next(r for r in ws.iter_rows(min_row=2) if r[5].value == "unreadable_budget")
    link = row[3].hyperlink
    assert link is not None and link.location == "'=cmd|'' C calc''!A0'!C3"
    assert row[4].value == "อ่านงบประมาณไม่ได้"  # the code's Thai label
    assert row[6].alignment.wrap_text
    # the message itself is no link: LibreOffice would draw it on one line, cut at the edge
    assert row[6].hyperlink is None
    setup = ws.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToHeight) == ("landscape", 9, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"


def test_terminal_report_carries_no_control_characters(tmp_path, capsys):
    plan = write_hostile_plan(tmp_path / "1804" / "plan.xlsx")
    code, out, err = run(capsys, plan)
    assert code == 1
    assert not [ch for ch in out + err if ord(ch) < 32 and ch not in "\n\t"]
    assert out.splitlines()[-1].startswith("  ไม่ผ่าน: พบข้อผิดพลาด")
    # The value is shown on its line: its carriage return cannot start a fake verdict line.
    assert '      อ่านงบประมาณ "[2K [32mผ่าน: ไม่พบข้อผิดพลาด[0m" ไม่ได้' in out.splitlines()


def write_nakhon_sawan_plan(path: Path) -> Path:
    """A tambon plan of ต.โกรกพระ, อ.โกรกพระ, Nakhon Sawan (60): one project."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("ต.โกรกพระ")
    ws.write_row("A1", ["ที่", "โครงการ", "งบประมาณ 2569"])
    ws.write_row("A2", [1, "ก่อสร้างถนน คสล. หมู่ที่ 2", 120000])
    wb.close()
    return path


# -- what the district's file leaves out or shows broken (issue 24) -------------------------
SAPPHAYA = ["สรรพยา", "ตลุก", "เขาแก้ว", "โพนางดำตก", "โพนางดำออก", "บางหลวง", "หาดอาษา"]


def write_district_plan(
    path: Path,
    tambons: list[str] = SAPPHAYA,
    empty: tuple[str, ...] = (),
    blank_tambon: bool = False,
    summary_error: str | None = None,
) -> Path:
    """A district's plan: a summary sheet, then one sheet per tambon with two projects (the
    tambons in `empty` keep their header and lose their rows); with `blank_tambon` a
    "ตำบล" column whose cell is blank on the second project of the first sheet;
    `summary_error` is a formula error in the summary sheet's C3."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(path)
    summary = wb.add_worksheet("ผ.01")
    summary.write_row("A1", ["สรุปโครงการ", "จำนวน", "งบประมาณ"])
    summary.write_row("A2", ["รวม", 14, 1400])
    if summary_error:
        summary.write_formula("C3", "=SUM(ต.ลบแล้ว!C3:C9)", None, summary_error)
    for n, tambon in enumerate(tambons):
        ws = wb.add_worksheet(f"ต.{tambon}")
        ws.write("A1", f"แผนพัฒนาตำบล ตำบล{tambon} อำเภอสรรพยา")
        ws.write_row("A2", ["ที่", "โครงการ", "ตำบล", "2568"])
        if tambon in empty:
            continue
        ws.write_row("A3", [1, f"ถนนสาย {n}", tambon, 100000])
        ws.write_row("A4", [2, f"ฝายกั้นน้ำ {n}", "" if blank_tambon and n == 0 else tambon, 5000])
    wb.close()
    return path


def test_check_with_provinces_60_knows_a_nakhon_sawan_district(tmp_path, capsys):
    plan = write_nakhon_sawan_plan(tmp_path / "อำเภอโกรกพระ" / "plan.xlsx")
    code, out, err = run(capsys, plan, "--provinces", "60")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "ตรวจไฟล์แผนพัฒนาตำบล อำเภอโกรกพระ (6002): 1 ไฟล์"
    assert "แถวที่อ่าน 2 แถว: รับ 1 · ปฏิเสธ 0 · ข้าม 1" in out


def test_check_takes_the_provinces_from_oneplan_provinces(tmp_path, capsys, monkeypatch):
    plan = write_nakhon_sawan_plan(tmp_path / "6002" / "plan.xlsx")
    monkeypatch.setenv("ONEPLAN_PROVINCES", "18,60")
    code, out, _ = run(capsys, plan)
    assert code == 0
    assert out.splitlines()[0] == "ตรวจไฟล์แผนพัฒนาตำบล อำเภอโกรกพระ (6002): 1 ไฟล์"


def test_check_without_provinces_does_not_know_a_nakhon_sawan_district(tmp_path, capsys):
    plan = write_nakhon_sawan_plan(tmp_path / "อำเภอโกรกพระ" / "plan.xlsx")
    code, out, err = run(capsys, plan)
    assert (code, out) == (2, "")
    assert err.startswith('oneplan check: ไม่ทราบว่าไฟล์ "plan.xlsx" เป็นของอำเภอใด')


def test_check_with_unknown_provinces_exits_2(tmp_path, capsys):
    plan = write_nakhon_sawan_plan(tmp_path / "6002" / "plan.xlsx")
    code, out, err = run(capsys, plan, "--provinces", "99")
    assert (code, out) == (2, "")
    assert err == (
        "oneplan check: --provinces ไม่ถูกต้อง: unknown province code(s) ['99']: use e.g. 18 or all\n"
    )


def test_an_unknown_district_among_every_province_names_a_few_codes(tmp_path, capsys):
    plan = write_nakhon_sawan_plan(tmp_path / "Downloads" / "plan.xlsx")
    code, out, err = run(capsys, plan, "--provinces", "all", "--lang", "en")
    assert (code, out) == (2, "")
    assert "(1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, …)" in err


def test_a_deleted_tambon_sheet_is_named(tmp_path, capsys):
    plan = write_district_plan(tmp_path / "1804" / "plan.xlsx", SAPPHAYA[:5] + SAPPHAYA[6:])
    code, out, _ = run(capsys, plan)
    assert code == 0  # a warning, not an error: the tambon may really have no project
    assert "    ตำบลที่ไม่มีโครงการ (tambon_not_covered) × 1: บางหลวง" in out.splitlines()
    assert "แผนของอำเภอสรรพยาที่ตรวจไม่มีโครงการของตำบลบางหลวง" in out
    assert "ผ่าน: ไม่พบข้อผิดพลาด" in out and "คำเตือน 1" in out


def test_deleted_rows_of_a_tambon_are_named_with_their_empty_sheet(tmp_path, capsys):
    plan = write_district_plan(tmp_path / "1804" / "plan.xlsx", empty=("เขาแก้ว", "หาดอาษา"))
    code, out, _ = run(capsys, plan)
    assert code == 0
    lines = out.splitlines()
    assert "    ตำบลที่ไม่มีโครงการ (tambon_not_covered) × 2: เขาแก้ว, หาดอาษา" in lines
    assert "    แผ่นงานไม่มีโครงการ (sheet_without_projects) × 2: ต.เขาแก้ว, ต.หาดอาษา" in lines


def test_one_tambons_own_file_does_not_ask_for_the_other_tambons(tmp_path, capsys):
    plan = write_district_plan(tmp_path / "1804" / "plan.xlsx", ["ตลุก"])
    code, out, _ = run(capsys, plan)
    assert code == 0
    assert "tambon_not_covered" not in out


def test_an_error_cell_in_the_summary_sheet_is_an_error(tmp_path, capsys):
    plan = write_district_plan(tmp_path / "1804" / "plan.xlsx", summary_error="#NAME?")
    code, out, _ = run(capsys, plan, "--lang", "en")
    assert code == 1
    assert "    error_cell × 1: ผ.01!C3" in out.splitlines()
    assert "This cell shows the formula error #NAME?" in out


def test_a_blank_tambon_cell_is_marked_on_that_cell(tmp_path, capsys):
    """One sheet for the district, a ตำบล column with one cell left blank: the message says
    the cell is blank (not that there is no tambon column), on that cell, listed first."""
    path = tmp_path / "1804" / "plan.xlsx"
    path.parent.mkdir(parents=True)
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("แผน 68-70")
    ws.write_row("A1", ["ที่", "โครงการ", "ตำบล", "ด้าน", "2568"])
    ws.write_row("A2", [1, "ถนนสายหนึ่ง", "ตลุก", "ด้านแปลก", 100000])
    ws.write_row("A3", [2, "ฝายกั้นน้ำ", "", "ด้านแปลก", 5000])
    ws.write_row("A4", [3, "ศาลา", "สรรพยา", "ด้านแปลก", 5000])
    wb.close()
    out_path = tmp_path / "marked.xlsx"
    code, out, _ = run(capsys, path, "--annotate", out_path)
    assert code == 1
    assert "    ช่องตำบลว่าง (blank_tambon) × 1: 'แผน 68-70'!C3" in out.splitlines()
    assert 'ช่องตำบลของโครงการ "ฝายกั้นน้ำ" ว่าง' in out
    assert "ไม่มีคอลัมน์ตำบล" not in out
    copy = openpyxl.load_workbook(out_path)
    assert copy["แผน 68-70"]["C3"].fill.fgColor.rgb == "00" + FILL_COLORS["error"]
    assert copy["แผน 68-70"]["A3"].comment is None
    listed = list(copy[ISSUES_SHEET].iter_rows(min_row=2, max_col=6, values_only=True))
    # the error first, then the warnings (the five tambons of the district it leaves out),
    # then the info notes by row
    blank = ("ข้อผิดพลาด", "แผน 68-70", 3, "'แผน 68-70'!C3", "ช่องตำบลว่าง", "blank_tambon")
    assert listed[0] == blank
    severities = [row[0] for row in listed if row[5]]
    assert severities == ["ข้อผิดพลาด"] + ["คำเตือน"] * 5 + ["ข้อสังเกต"] * (len(severities) - 6)
    info_rows = [row[2] for row in listed if row[0] == "ข้อสังเกต"]
    assert info_rows == sorted(info_rows) and len(info_rows) >= 2


def test_summary_groups_codes_and_puts_errors_before_info(tmp_path, capsys):
    """Many info notes and a few errors: the errors are on the first lines, each code once
    with its rows; the info notes are counted last."""
    path = tmp_path / "1804" / "plan.xlsx"
    path.parent.mkdir(parents=True)
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("ต.ตลุก")
    ws.write_row("A1", ["ที่", "โครงการ", "ด้าน", "2568"])
    for n in range(2, 42):  # 40 projects of an unknown category (info each)
        ws.write_row(f"A{n}", [n - 1, f"โครงการ {n}", "ด้านแปลก", 1000])
    ws.write_row("A42", [41, "โครงการ 42", "ด้านแปลก", "ไม่ทราบ"])
    ws.write_row("A43", [42, "โครงการ 43", "ด้านแปลก", "??"])
    wb.close()
    code, out, _ = run(capsys, path)
    lines = out.splitlines()
    assert code == 1
    assert lines[1:9] == [
        "ไม่ผ่าน: พบข้อผิดพลาด 2 รายการ",
        "สรุป: ข้อผิดพลาด 2 · คำเตือน 0 · ข้อสังเกต 41",
        "  ข้อผิดพลาด 2 รายการ",
        "    อ่านงบประมาณไม่ได้ (unreadable_budget) × 2: ต.ตลุก!D42, ต.ตลุก!D43",
        "  ข้อสังเกต 41 รายการ",
        "    ไม่ทราบยุทธศาสตร์จังหวัด (strategy_unknown) × 40: ต.ตลุก แถว 2-41",
        "    ไม่รู้จักด้านการพัฒนา (unknown_category) × 1: ต.ตลุก!C2",
        "",
    ]
    assert lines[9] == "รายละเอียดทีละไฟล์และแผ่นงาน"


# -- issue 22 item 7: --annotate replaces nothing it did not make ------------------------------
def test_annotate_keeps_an_existing_out_unless_replace(tmp_path, capsys):
    plan = write_plan(tmp_path / "1804" / "plan.xlsx")
    out_path = tmp_path / "minutes.xlsx"
    out_path.write_bytes(b"the committee's own workbook")
    code, out, err = run(capsys, plan, "--annotate", out_path)
    assert (code, out) == (2, "")
    assert (
        err == f"oneplan check: มีไฟล์ {out_path} อยู่แล้ว จึงไม่เขียนทับ (ระบุ --replace หากต้องการเขียนทับ)\n"
    )
    assert out_path.read_bytes() == b"the committee's own workbook"
    code, out, _ = run(capsys, plan, "--annotate", out_path, "--replace", "--lang", "en")
    assert code == 1 and out.endswith(f"Annotated copy written to {out_path}\n")
    assert openpyxl.load_workbook(out_path).sheetnames[0] == ISSUES_SHEET


def test_annotate_never_writes_through_a_hard_link_to_the_checked_file(tmp_path, capsys):
    plan = write_plan(tmp_path / "1804" / "plan.xlsx")
    before = sha(plan)
    alias = tmp_path / "copy.xlsx"
    alias.hardlink_to(plan)
    for extra in ((), ("--replace",)):
        code, out, err = run(capsys, plan, "--annotate", alias, *extra)
        assert (code, out) == (2, "")
        assert err.startswith("oneplan check: จะไม่เขียนทับไฟล์ต้นฉบับ")
    assert sha(plan) == before == sha(alias)


def test_annotate_replace_replaces_the_name_not_the_bytes_behind_it(tmp_path, capsys):
    """--replace over a hard link of some other file: the name gets the copy, the other
    file keeps its bytes."""
    plan = write_plan(tmp_path / "1804" / "plan.xlsx")
    other = tmp_path / "other.xlsx"
    other.write_bytes(b"someone else's bytes")
    out_path = tmp_path / "out.xlsx"
    out_path.hardlink_to(other)
    code, _, _ = run(capsys, plan, "--annotate", out_path, "--replace")
    assert code == 1
    assert other.read_bytes() == b"someone else's bytes"
    assert openpyxl.load_workbook(out_path).sheetnames[0] == ISSUES_SHEET
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1804", "other.xlsx", "out.xlsx"]
