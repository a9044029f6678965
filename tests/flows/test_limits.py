"""Hostile files contained (issue 9, part 2): limits checked before the spreadsheet library
allocates, the library run in a child process with a time and memory budget, CSV parsed
streaming, and every regex over file content linear. The bombs are built here, small."""

import io
import struct
import time
import tracemalloc
import zipfile
from datetime import UTC, datetime

import pytest
import xlsxwriter
from oneplan.flows.cli import main
from oneplan.flows.contain import run_contained
from oneplan.flows.read import (
    LIMITS,
    ReadError,
    ReadLimits,
    _read_workbook,
    check_zip_limits,
    decode_csv,
    error_cells,
    ods_sheet_extent,
    read_file,
    read_spreadsheet,
    xlsx_sheet_extent,
)
from oneplan.flows.stage import discover_inbox, stage_file

DISTRICT = "1804"
HEADER = ["ที่", "โครงการ", "2568"]


def xlsx_bytes(build) -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet("ต.ตลุก")
    ws.write_row(0, 0, HEADER)
    ws.write_row(1, 0, [1, "ก่อสร้างถนน คสล. หมู่ที่ 3", 150000])
    build(ws)
    wb.close()
    return buffer.getvalue()


def far_cell() -> bytes:
    """5 KB: one cell at XFD1048576 makes calamine ask for 550 GB and abort the process."""
    return xlsx_bytes(lambda ws: ws.write(1_048_575, 16_383, 1))


def replace_sheet_xml(data: bytes, edit) -> bytes:
    """The workbook with its sheet XML passed through `edit`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = edit(content)
            target.writestr(info.filename, content)
    return out.getvalue()


def declare_member_size(data: bytes, member: str, size: int) -> bytes:
    """The zip with the central directory claiming `size` uncompressed bytes for `member`."""
    data = bytearray(data)
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == member.encode():
            struct.pack_into("<I", data, at + 24, size)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def test_far_cell_is_refused_before_calamine_sees_it(tmp_path):
    path = tmp_path / "far.xlsx"
    path.write_bytes(far_cell())
    assert path.stat().st_size < 8000
    with pytest.raises(ReadError) as err:
        read_file(path)
    got = err.value
    assert (got.code, got.detail, got.expected, got.sheet) == (
        "too_many_rows",
        "1,048,576",
        "250,000",
        "ต.ตลุก",
    )


def test_calamine_aborting_costs_one_file_not_the_process():
    """Without the pre-check calamine aborts (SIGABRT, 550 GB): in the child that is an
    issue naming the crash, and the next file is read by a fresh child."""
    with pytest.raises(ReadError) as err:
        run_contained(_read_workbook, (far_cell(),))
    assert err.value.code == "read_crashed"
    assert err.value.detail == "SIGABRT: memory allocation of 549755813888 bytes failed"
    [sheet] = run_contained(read_spreadsheet, (xlsx_bytes(lambda ws: None), ".xlsx"))
    assert sheet.rows[1] == [1.0, "ก่อสร้างถนน คสล. หมู่ที่ 3", 150000.0]


def test_timeout_and_memory_budget_of_the_child():
    with pytest.raises(ReadError) as err:
        run_contained(time.sleep, (60,), ReadLimits(seconds=0.5))
    assert (err.value.code, err.value.expected) == ("read_timeout", "0.5")
    # 6 GB is within what the kernel would overcommit here: only RLIMIT_AS refuses it.
    with pytest.raises(ReadError) as err:
        run_contained(bytearray, (6 << 30,))
    assert (err.value.code, err.value.expected) == ("read_memory_limit", "4,096")
    assert run_contained(divmod, (7, 2)) == (3, 1)


def test_the_bomb_in_the_inbox_is_an_error_and_the_district_still_loads(
    tmp_path, capsys, build_tables
):
    folder = tmp_path / "inbox" / DISTRICT
    folder.mkdir(parents=True)
    (folder / "bomb.xlsx").write_bytes(far_cell())
    (folder / "good.xlsx").write_bytes(xlsx_bytes(lambda ws: None))
    jobs, inbox_issues = discover_inbox(tmp_path / "inbox")
    staged = [stage_file(job, str(tmp_path / "staging")) for job in jobs]
    tables = build_tables(staged, inbox_issues, datetime.now(UTC))
    [issue] = tables["data_issues"].to_pylist()
    assert (issue["source_file"], issue["code"], issue["severity"]) == (
        f"{DISTRICT}/bomb.xlsx",
        "too_many_rows",
        "error",
    )
    assert issue["message"] == (
        f"ไฟล์ {DISTRICT}/bomb.xlsx แผ่นงาน ต.ตลุก: "
        "แผ่นงานมี 1,048,576 แถว เกินขีดจำกัด 250,000 แถว จึงไม่ได้อ่านไฟล์นี้"
    )
    assert tables["projects"].column("source_file").to_pylist() == [f"{DISTRICT}/good.xlsx"]
    code = main(["check", str(folder / "bomb.xlsx")])
    out = capsys.readouterr().out
    assert code == 2
    assert (
        "    [ข้อผิดพลาด] แผ่นงานมี 1,048,576 แถว เกินขีดจำกัด 250,000 แถว "
        "จึงไม่ได้อ่านไฟล์นี้" in out.splitlines()
    )


def test_declared_dimension_over_the_limit_is_refused():
    data = replace_sheet_xml(
        xlsx_bytes(lambda ws: None),
        lambda xml: xml.replace(b'<dimension ref="A1:C2"/>', b'<dimension ref="A1:XFD20"/>'),
    )
    with pytest.raises(ReadError) as err:
        check_zip_limits(data)
    assert (err.value.code, err.value.detail) == ("too_many_columns", "16,384")


def test_cells_without_references_are_counted_in_place():
    cells = b"<c><v>1</v></c>" * 600
    xml = b"<worksheet><sheetData><row>" + cells + b"</row><row/><row/></sheetData></worksheet>"
    assert xlsx_sheet_extent(io.BytesIO(xml)) == (1, 600)
    far = b'<row r="7"><c r="B7" s="1"/><c><v>2</v></c></row>'
    assert xlsx_sheet_extent(io.BytesIO(b"<sheetData>" + far + b"</sheetData>")) == (7, 3)
    prefixed = b'<x:sheetData><x:row r="2"><x:c r="XFD2"><x:v>1</x:v></x:c></x:row></x:sheetData>'
    assert xlsx_sheet_extent(io.BytesIO(prefixed)) == (2, 16_384)


def test_extent_scan_reads_a_tag_cut_by_the_chunk_boundary(monkeypatch):
    import oneplan.flows.read as read

    monkeypatch.setattr(read, "_CHUNK", 7)
    xml = b'<sheetData><row r="3"><c r="AB3" t="n"><v>12</v></c></row></sheetData>'
    assert xlsx_sheet_extent(io.BytesIO(xml)) == (3, 28)


def test_declared_member_size_over_the_limit_is_refused_unread():
    """The zip directory is checked before any member is inflated (a 5 MB file that
    inflates to 14 GB is refused by what it declares)."""
    data = xlsx_bytes(lambda ws: None)
    lying = declare_member_size(data, "xl/worksheets/sheet1.xml", 4_000_000_000)
    assert len(lying) == len(data)
    with pytest.raises(ReadError) as err:
        check_zip_limits(lying)
    assert (err.value.code, err.value.detail, err.value.expected) == (
        "archive_too_large",
        "4,000,000,000",
        "209,715,200",
    )


def test_zip_bomb_member_is_refused_by_its_ratio():
    padding = b" " * (20 << 20)  # 20 MB of blanks, a few KB compressed
    data = replace_sheet_xml(
        xlsx_bytes(lambda ws: None),
        lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + padding),
    )
    assert len(data) < 100_000
    with pytest.raises(ReadError) as err:
        check_zip_limits(data)
    assert err.value.code == "compression_ratio_too_high"
    assert err.value.expected == "100"
    assert int(err.value.detail.replace(",", "")) > 500


def test_member_count_and_total_size_limits():
    data = xlsx_bytes(lambda ws: None)
    members = len(zipfile.ZipFile(io.BytesIO(data)).infolist())
    with pytest.raises(ReadError) as err:
        check_zip_limits(data, ReadLimits(max_members=members - 1))
    assert (err.value.code, err.value.detail) == ("too_many_archive_members", f"{members:,}")
    with pytest.raises(ReadError) as err:
        check_zip_limits(data, ReadLimits(max_uncompressed_bytes=1000))
    assert (err.value.code, err.value.expected) == ("archive_too_large", "1,000")
    check_zip_limits(data)  # the real workbook is well within the defaults


def test_file_size_limit(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"x" * 2000)
    with pytest.raises(ReadError) as err:
        read_file(path, ReadLimits(max_file_bytes=1000))
    assert (err.value.code, err.value.detail, err.value.expected) == (
        "file_too_large",
        "2,000",
        "1,000",
    )


ODS_CELL = b'<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p>'


def test_ods_repeats_count_up_to_the_last_cell_with_content():
    trailing_empty = (
        b'<table:table-row table:number-rows-repeated="1048570">'
        b'<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    table = (
        b"<table:table><table:table-row>"
        + ODS_CELL
        + b'</table:table-cell><table:table-cell table:number-columns-repeated="3"/>'
        + ODS_CELL
        + b"</table:table-cell></table:table-row>"
        + trailing_empty
        + b"</table:table>"
    )
    assert ods_sheet_extent(io.BytesIO(table)) == (1, 5)
    bomb = (
        b'<table:table><table:table-row table:number-rows-repeated="1000000">'
        + ODS_CELL
        + b"</table:table-cell></table:table-row></table:table>"
    )
    assert ods_sheet_extent(io.BytesIO(bomb)) == (1_000_000, 1)


def test_csv_limits():
    rows = "\n".join(f"{i},ถนน,1000" for i in range(5)).encode()
    with pytest.raises(ReadError) as err:
        decode_csv(rows, ReadLimits(max_rows=4))
    assert (err.value.code, err.value.detail, err.value.expected) == ("too_many_rows", "5", "4")
    wide = (",".join(["x"] * (LIMITS.max_columns + 1)) + "\n").encode()
    with pytest.raises(ReadError) as err:
        decode_csv(wide)
    assert (err.value.code, err.value.detail) == ("too_many_columns", "501")
    with pytest.raises(ReadError) as err:
        decode_csv(rows, ReadLimits(max_cells=14))
    assert (err.value.code, err.value.detail) == ("too_many_cells", "15")


def test_csv_is_parsed_streaming():
    """The decoded text is never held whole: what is allocated beyond the rows is small
    (the old reader kept the text and a StringIO copy: 2.7x the file on top of the rows)."""
    line = "1,ก่อสร้างถนน คสล. หมู่ที่ 3 บ้านหนองแก,ตลุก,150000,2569\n"
    data = ("ที่,โครงการ,ตำบล,งบประมาณ,ปี\n" + line * 20_000).encode()
    tracemalloc.start()
    try:
        rows = decode_csv(data)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(rows) == 20_001
    assert peak - kept < 0.25 * len(data)


def test_csv_that_is_not_utf8_late_in_the_file_is_read_as_cp874():
    data = ("ที่,โครงการ\n" + "1,ถนน\n" * 3000).encode("cp874")
    rows = decode_csv(data)
    assert rows[0] == ["ที่", "โครงการ"] and rows[-1] == ["1", "ถนน"] and len(rows) == 3001


ERROR_CELL = b'<c r="%s%d" t="e"/>'


def thirty_thousand_error_cells() -> bytes:
    """About 155 KB of self-closing error cells: the old regex scanned to the end of the
    sheet for each of them (quadratic: minutes, with the run's lock held)."""

    def edit(xml: bytes) -> bytes:
        rows = b"".join(
            b'<row r="%d">' % r
            + b"".join(ERROR_CELL % (col, r) for col in (b"D", b"E", b"F", b"G", b"H"))
            + b"</row>"
            for r in range(3, 6003)
        )
        return xml.replace(b"</sheetData>", rows + b"</sheetData>").replace(
            b'<dimension ref="A1:C2"/>', b'<dimension ref="A1:H6002"/>'
        )

    return replace_sheet_xml(xlsx_bytes(lambda ws: None), edit)


def test_thirty_thousand_self_closing_error_cells_are_read_in_linear_time():
    data = thirty_thousand_error_cells()
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert xml.count(b't="e"') == 30_000 and len(data) < 160_000
    assert error_cells(xml) == []  # self-closing: no value to restore
    # In the child with a generous budget: the quadratic scan would not finish in it.
    [sheet] = run_contained(read_spreadsheet, (data, ".xlsx"), ReadLimits(seconds=60))
    assert sheet.rows[1] == [1.0, "ก่อสร้างถนน คสล. หมู่ที่ 3", 150000.0]


def test_error_cells_exact():
    xml = (
        b'<row r="2"><c r="A2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="B2" t="e"/>'
        b'<c r="C2"><v>5</v></c><c t="e" r="AA2" s="3"><v>#REF!</v></c>'
        b'<c r="D2" t="e"></c><c r="E2"><v>7</v></c></row>'
    )
    assert error_cells(xml) == [(1, 0, "#DIV/0!"), (1, 26, "#REF!")]


def test_defaults_are_the_documented_ones():
    assert (LIMITS.max_rows, LIMITS.max_columns, LIMITS.max_cells) == (
        250_000,
        500,
        5_000_000,
    )
    assert (LIMITS.max_uncompressed_bytes, LIMITS.max_compression_ratio) == (200 << 20, 100)


def test_a_timeout_kills_only_its_own_child():
    """Threads (the local runner) each get a child of their own: one file's timeout does
    not break the file another thread is reading."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        slow = pool.submit(run_contained, time.sleep, (60,), ReadLimits(seconds=2))
        fine = pool.submit(run_contained, time.sleep, (1,), ReadLimits(seconds=30))
        assert fine.result() is None
        with pytest.raises(ReadError) as err:
            slow.result()
    assert err.value.code == "read_timeout"


def test_a_village_cell_of_thousands_of_digits_costs_nothing_but_that_cell(tmp_path, build_tables):
    """It used to raise ValueError (int() of over 4,300 digits), and the whole file became
    unreadable_file: a false rejection of every row in it."""
    from oneplan.transforms.numbers import parse_village_numbers

    assert parse_village_numbers("1" * 50_000) == []
    assert parse_village_numbers("หมู่ที่ 3-" + "9" * 5000) == [3]
    folder = tmp_path / "inbox" / DISTRICT
    folder.mkdir(parents=True)
    text = "ที่,โครงการ,ตำบล,หมู่ที่,2568\n1,ถนน,ตลุก," + "7" * 5000 + ",1000\n"
    (folder / "a.csv").write_text(text, encoding="utf-8")
    [job], _ = discover_inbox(tmp_path / "inbox")
    staged = [stage_file(job, str(tmp_path / "staging"))]
    tables = build_tables(staged, [], datetime.now(UTC))
    assert tables["projects"].column("project_name").to_pylist() == ["ถนน"]
    assert "unreadable_file" not in tables["data_issues"].column("code").to_pylist()


def test_a_reader_process_that_cannot_start_stops_the_run_not_the_file(monkeypatch):
    """Every workbook would otherwise be 'read_crashed' and the plan published without
    them: an OSError, which the run does not publish past (and Prefect retries)."""
    import sys

    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(OSError, match="the spreadsheet reader process could not start"):
        run_contained(divmod, (7, 2), ReadLimits(memory_bytes=3 << 30))
