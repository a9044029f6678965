"""transforms/integrity.py: a cut CSV or a broken workbook zip is told from a whole one."""

import io
import zipfile

import pytest
import xlsxwriter
from oneplan.transforms.integrity import cut_csv_reason, incomplete_reason

HEAD = "ที่,โครงการ,ตำบล,2568\n"
ROW = '1,ถนน คสล. หมู่ที่ 3,ตลุก,"2,500,000.00"'


@pytest.mark.parametrize(
    ("text", "encoding", "reason"),
    [
        (HEAD + ROW + "\n", "utf-8", None),
        (HEAD + ROW + "\r\n", "utf-8-sig", None),
        (HEAD + ROW, "utf-8", None),  # no final line end, but the last record is whole
        (HEAD + ROW + "\n" + ROW[:-6], "utf-8", "last line cut inside a quoted value"),
        (HEAD + ROW + "\n2,ขุดลอก", "utf-8", "last line cut: 2 of 4 fields"),
        (HEAD + ROW + "\n2,ขุดลอก", "cp874", "last line cut: 2 of 4 fields"),
        (HEAD + ROW + "\n2,ขุดลอก", "utf-16", "last line cut: 2 of 4 fields"),
        (
            HEAD.replace(",", "\t") + "1\tถนน\tตลุก\t100\n2\tขุด",
            "utf-8",
            "last line cut: 2 of 4 fields",
        ),
        ("", "utf-8", None),
        (HEAD.rstrip("\n"), "utf-8", None),
    ],
)
def test_cut_csv(text, encoding, reason):
    assert incomplete_reason(text.encode(encoding), ".csv") == reason


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    wb.add_worksheet("ต.ตลุก").write_row(0, 0, ["ที่", "โครงการ", 2568])
    wb.close()
    return buffer.getvalue()


def _rezip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_whole_and_broken_workbooks():
    whole = _xlsx()
    assert incomplete_reason(whole, ".xlsx") is None
    assert incomplete_reason(whole[: len(whole) // 2], ".xlsx").startswith(
        "zip archive cut short or damaged"
    )
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    members[sheet] = members[sheet][:-40]  # an XML part cut short inside a whole zip
    reason = incomplete_reason(_rezip(members), ".xlsx")
    assert reason.startswith(f"{sheet}: XML not well-formed")
    assert incomplete_reason(b"not a zip at all", ".xlsx") is None  # the reader reports it
    assert incomplete_reason(b"\xd0\xcf\x11\xe0 an xls", ".xls") is None


def test_a_part_that_fails_its_crc():
    whole = bytearray(_xlsx())
    with zipfile.ZipFile(io.BytesIO(bytes(whole))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    whole[start + info.compress_size // 2] ^= 0xFF
    assert incomplete_reason(bytes(whole), ".xlsx").startswith("xl/worksheets/sheet1.xml: ")


def test_junk_bytes_named_csv_never_raise():
    """Bytes that are no CSV at all (a lone carriage return inside a field made the csv
    module raise and stopped the run): judged or not, the integrity check never raises."""
    assert cut_csv_reason(bytes(range(256))) == "last line cut inside a quoted value"
    assert incomplete_reason(b"a,b\n1,\r2\x00", ".csv") == "last line cut: 1 of 2 fields"
