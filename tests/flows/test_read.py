"""The cell reader, one tiny generated file per format."""

import pandas as pd
import pytest
import xlsxwriter
import xlwt
from oneplan.flows.read import ReadError, decode_csv, read_file

ROWS = [["ที่", "โครงการ", "2568"], [1, "ถนน หมู่ที่ 3", 150000]]


def test_xlsx_keeps_row_positions_and_merges(tmp_path):
    path = tmp_path / "a.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("ต.ตลุก")
    ws.write(0, 0, "แผนพัฒนาตำบล")
    ws.merge_range(2, 2, 2, 4, "งบประมาณ")
    ws.write_row(3, 0, ["1", "ถนน", 150000])
    ws2 = wb.add_worksheet("ผ.01")
    ws2.write(0, 0, "สรุป")
    wb.close()
    sheets = read_file(path)
    assert [s.name for s in sheets] == ["ต.ตลุก", "ผ.01"]
    assert sheets[0].rows[0][0] == "แผนพัฒนาตำบล"
    assert sheets[0].rows[2][2] == "งบประมาณ"
    assert sheets[0].rows[3][:3] == ["1", "ถนน", 150000.0]
    assert sheets[0].merged == (((2, 2), (2, 4)),)


def test_xls(tmp_path):
    path = tmp_path / "a.xls"
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("ต.ตลุก")
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    wb.save(str(path))
    [sheet] = read_file(path)
    assert sheet.rows[1] == [1.0, "ถนน หมู่ที่ 3", 150000.0]


def test_ods(tmp_path):
    path = tmp_path / "a.ods"
    pd.DataFrame(ROWS[1:], columns=ROWS[0]).to_excel(
        path, engine="odf", index=False, sheet_name="ต.ตลุก"
    )
    [sheet] = read_file(path)
    assert sheet.name == "ต.ตลุก"
    assert sheet.rows[0] == ["ที่", "โครงการ", "2568"]
    assert sheet.rows[1][1] == "ถนน หมู่ที่ 3"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp874"])
def test_csv_encodings(tmp_path, encoding):
    path = tmp_path / "a.csv"
    path.write_bytes('ที่,โครงการ,2568\n1,"ถนน, สาย ก"," 1,632,820 "\n'.encode(encoding))
    [sheet] = read_file(path)
    assert sheet.name == ""
    assert sheet.rows == [["ที่", "โครงการ", "2568"], ["1", "ถนน, สาย ก", " 1,632,820 "]]


def test_csv_in_neither_encoding_is_reported():
    with pytest.raises(ReadError) as err:
        decode_csv(b"\x81\x8d\x8f\x90\xdb\xdc\xdd\xde\xfc\xfd\xfe\xff")
    assert err.value.code == "unsupported_encoding"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("a.xlsx", b"this is not a workbook", "not_a_spreadsheet"),
        ("a.xlsx", b"", "empty_file"),
        ("a.xlsx", b"PK\x03\x04broken", "unreadable_file"),
        ("a.xls", b"plain text", "not_a_spreadsheet"),
        ("a.docx", b"PK\x03\x04", "unsupported_file_type"),
    ],
)
def test_unreadable_files_raise_located_codes(tmp_path, name, content, code):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReadError) as err:
        read_file(path)
    assert err.value.code == code


def test_hidden_and_very_hidden_sheets_are_marked(tmp_path):
    path = tmp_path / "hidden.xlsx"
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("ต.ตลุก").write_row(0, 0, ROWS[0])
    wb.add_worksheet("ร่าง").hide()
    wb.add_worksheet("สำเนา").very_hidden()
    wb.close()
    sheets = read_file(path)
    assert [(s.name, s.visible) for s in sheets] == [
        ("ต.ตลุก", True),
        ("ร่าง", False),
        ("สำเนา", False),
    ]
