"""Read the cells of any plan file (.xlsx .xlsm .xls .xlsb .ods .csv) into `Sheet`s.

Spreadsheets go through python-calamine; CSVs are decoded as UTF-8 (with or without BOM) and
then cp874 / TIS-620. Anything that cannot be read raises `ReadError` with an issue code from
data/issue_codes.csv, so one bad file becomes a located issue instead of a crash.

Hostile files are contained: before calamine allocates anything, the zip directory (member
count, uncompressed sizes, compression ratio) and each sheet's XML (its declared
`<dimension>` and, streaming, the furthest cell it holds) are checked against `ReadLimits`;
a CSV is parsed streaming under the same row, column and cell limits. The spreadsheet
library itself runs in a child process (`flows.contain`) with a time and memory budget.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import posixpath
import re
import stat
import sys
import zipfile
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import python_calamine as calamine
from oneplan.flows.durable import read_at_most

if TYPE_CHECKING:  # the child process imports this module without pandas (see flows.contain)
    from oneplan.transforms.sheet import Sheet

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv"}
SUPPORTED_SUFFIXES = SPREADSHEET_SUFFIXES | CSV_SUFFIXES
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CSV_ENCODINGS = ("utf-8-sig", "cp874")
# A plan cell can be long (a whole objective pasted in); the reader cuts and reports it later.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
MB = 1 << 20


@dataclass(frozen=True)
class ReadLimits:
    """What one plan file may hold before we refuse to read it (a tambon plan is a few
    thousand rows; these are far above any real one and far below what hurts the machine)."""

    max_file_bytes: int = 100 * MB  # the file as sent
    max_rows: int = 250_000  # per sheet
    max_columns: int = 500  # per sheet
    max_cells: int = 5_000_000  # per sheet: rows x columns of the area read
    # The whole file, all sheets together (a few sheets each under the limits above must not
    # cost minutes and gigabytes between them): rows, and rows x columns, of the areas read.
    max_file_rows: int = 300_000
    max_file_cells: int = 1_500_000
    max_uncompressed_bytes: int = 200 * MB  # a zip workbook, all members together
    max_member_bytes: int = 200 * MB  # one member of a zip workbook
    max_compression_ratio: int = 100  # uncompressed / compressed, members over ratio_floor
    ratio_floor_bytes: int = 16 * MB  # small members may compress better (repeated XML)
    max_members: int = 10_000
    seconds: float = 180.0  # time budget of one file's read in the child process
    memory_bytes: int = 4096 * MB  # address space of the child process (RLIMIT_AS)


LIMITS = ReadLimits()


class ReadError(Exception):
    """A file that cannot be read; `code` is an issue code, `detail` goes into the message."""

    def __init__(self, code: str, detail: str = "", expected: object = None, sheet: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.expected = expected  # the limit a file broke
        self.sheet = sheet

    def __reduce__(self):  # raised in the child process, re-raised in the parent
        return (ReadError, (self.code, self.detail, self.expected, self.sheet))


def read_spreadsheet_packed(
    data: bytes, suffix: str, limits: ReadLimits = LIMITS
) -> list[SheetCells]:
    """`read_spreadsheet` with each all-blank row sent as its width (a sheet of 200k blank
    rows crosses the process boundary as 200k small ints, not 200k lists of "")."""
    return [
        SheetCells(
            s.name, [len(r) if r.count("") == len(r) else r for r in s.rows], s.merged, s.visible
        )
        for s in read_spreadsheet(data, suffix, limits)
    ]


def _unpack_rows(rows: list) -> list[list]:
    return [[""] * r if isinstance(r, int) else r for r in rows]


def _over(code: str, value: int, limit: int, sheet: str = "") -> ReadError:
    return ReadError(code, f"{value:,}", f"{limit:,}", sheet)


def read_file(path: Path, limits: ReadLimits = LIMITS) -> list[Sheet]:
    """All sheets of a plan file, in workbook order (a CSV is one sheet named "")."""
    return read_bytes(read_regular_bytes(path, limits), path.suffix.lower() or path.name, limits)


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in a few words (for the issue)."""
    for test, name in (
        (stat.S_ISDIR, "folder"),
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISLNK, "link"),
    ):
        if test(mode):
            return name
    return "special file"


def open_regular(path: Path) -> tuple[int, os.stat_result]:
    """A descriptor of `path` opened for reading and its stat, when it is a regular file;
    ReadError not_a_regular_file otherwise. Opened non-blocking, so a FIFO without a writer
    is refused by its type instead of hanging the run; a device is never read."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ReadError("not_a_regular_file", file_kind(info.st_mode))
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def read_regular_bytes(path: Path, limits: ReadLimits = LIMITS) -> bytes:
    """The bytes of a regular file (see `open_regular`), read once and never more than
    `limits.max_file_bytes` (a file that grows while read is cut and refused)."""
    fd, info = open_regular(path)
    try:
        if info.st_size > limits.max_file_bytes:
            raise _over("file_too_large", info.st_size, limits.max_file_bytes)
        data = read_at_most(fd, limits.max_file_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > limits.max_file_bytes:
        raise _over("file_too_large", len(data), limits.max_file_bytes)
    return data


def read_bytes(
    data: bytes, suffix: str, limits: ReadLimits = LIMITS, contained: bool = True
) -> list[Sheet]:
    """The sheets of a plan file given as its bytes and its (lower-case) suffix: a CSV is
    parsed here, a spreadsheet in the contained child process (`contained=False`: here, for
    a caller that is such a child already)."""
    from oneplan.transforms.sheet import Sheet

    if len(data) > limits.max_file_bytes:
        raise _over("file_too_large", len(data), limits.max_file_bytes)
    if not data.strip():
        raise ReadError("empty_file")
    if suffix in CSV_SUFFIXES:
        return [Sheet("", decode_csv(data, limits))]
    if suffix in SPREADSHEET_SUFFIXES:
        if contained:
            from oneplan.flows.contain import run_contained

            packed = run_contained(read_spreadsheet_packed, (data, suffix, limits), limits)
        else:
            packed = read_spreadsheet_packed(data, suffix, limits)
        return [Sheet(c.name, _unpack_rows(c.rows), c.merged, visible=c.visible) for c in packed]
    raise ReadError("unsupported_file_type", suffix)


class SheetCells(NamedTuple):
    """A sheet as the child process sends it back (the parent makes it a `Sheet`)."""

    name: str
    rows: list[list]
    merged: tuple = ()
    visible: bool = True


def read_spreadsheet(data: bytes, suffix: str, limits: ReadLimits = LIMITS) -> list[SheetCells]:
    """The sheets of a workbook, its limits checked before calamine sees it (the body of
    the child process; callable directly in tests)."""
    _check_container(data, suffix)
    if data.startswith(_ZIP):
        check_zip_limits(data, limits)
    sheets = _read_workbook(data, limits)
    if data.startswith(_ZIP) and suffix in {".xlsx", ".xlsm"}:
        _restore_error_cells(data, sheets)
    return sheets


def decode_csv(data: bytes, limits: ReadLimits = LIMITS) -> list[list[str]]:
    """Rows of a CSV given as bytes, trying UTF-8 (BOM or not) and then cp874; decoded and
    parsed streaming (the text is never held whole), under the row/column/cell limits."""
    for encoding in CSV_ENCODINGS:
        try:
            return _parse_csv(data, encoding, limits)
        except UnicodeDecodeError:
            continue
    raise ReadError("unsupported_encoding")


def _csv_lines(data: bytes, encoding: str):
    """Decoded lines of the CSV, one at a time (a NUL means it is not text)."""
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    for line in stream:
        if "\x00" in line:
            raise ReadError("not_a_spreadsheet", ".csv")
        yield line


def _parse_csv(data: bytes, encoding: str, limits: ReadLimits) -> list[list[str]]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="ignore")
    sample = decoder.decode(data[:4096])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|") if sample else csv.excel
    except csv.Error:
        dialect = csv.excel
    rows: list[list[str]] = []
    width = 0
    for row in csv.reader(_csv_lines(data, encoding), dialect):
        rows.append(row)
        if len(row) > width:
            width = len(row)
            if width > limits.max_columns:
                raise _over("too_many_columns", width, limits.max_columns)
        if len(rows) > limits.max_rows:
            raise _over("too_many_rows", len(rows), limits.max_rows)
        if len(rows) * width > limits.max_cells:
            raise _over("too_many_cells", len(rows) * width, limits.max_cells)
        if len(rows) > limits.max_file_rows or len(rows) * width > limits.max_file_cells:
            check_file_extents([(len(rows), width)], limits)
    return rows


def check_zip_limits(data: bytes, limits: ReadLimits = LIMITS) -> None:
    """Refuse a zip workbook whose directory declares more than the limits, then scan each
    sheet's XML for the area it would make calamine allocate."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as err:
        raise ReadError("unreadable_file", f"zip: {err}") from None
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise _over("too_many_archive_members", len(members), limits.max_members)
    total = 0
    for info in members:
        size = info.file_size
        total += size
        if size > limits.max_member_bytes:
            raise _over("archive_too_large", size, limits.max_member_bytes)
        ratio = size // max(info.compress_size, 1)
        if size > limits.ratio_floor_bytes and ratio > limits.max_compression_ratio:
            raise _over("compression_ratio_too_high", ratio, limits.max_compression_ratio)
    if total > limits.max_uncompressed_bytes:
        raise _over("archive_too_large", total, limits.max_uncompressed_bytes)
    names = _sheet_names(archive)
    extents = []
    for info in members:
        name = info.filename
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            with archive.open(info) as stream:
                found = [xlsx_sheet_extent(stream)]
        elif name == "content.xml":
            with archive.open(info) as stream:
                found = ods_table_extents(stream)
        else:
            continue
        for rows, cols in found:
            check_extent(names.get(name, ""), rows, cols, limits)
            extents.append((rows, cols))
    check_file_extents(extents, limits)  # the scan allocates nothing: the whole file's total


def check_file_extents(extents: list[tuple[int, int]], limits: ReadLimits = LIMITS) -> None:
    """Raise file_too_many_rows / file_too_many_cells when the areas of all sheets of a file
    together, (rows, columns) each, are over the per-file limits."""
    rows = sum(r for r, _ in extents)
    if rows > limits.max_file_rows:
        raise _over("file_too_many_rows", rows, limits.max_file_rows)
    cells = sum(r * c for r, c in extents)
    if cells > limits.max_file_cells:
        raise _over("file_too_many_cells", cells, limits.max_file_cells)


def check_extent(sheet: str, rows: int, cols: int, limits: ReadLimits = LIMITS) -> None:
    """Raise too_many_rows / _columns / _cells when an area of rows x cols is over a limit."""
    if rows > limits.max_rows:
        raise _over("too_many_rows", rows, limits.max_rows, sheet)
    if cols > limits.max_columns:
        raise _over("too_many_columns", cols, limits.max_columns, sheet)
    if rows * cols > limits.max_cells:
        raise _over("too_many_cells", rows * cols, limits.max_cells, sheet)


_CHUNK = 1 << 20
_MAX_TAG = 1 << 16
# Tags are matched up to the next < or >: every byte is looked at by at most one attempt.
_XLSX_TAG = re.compile(rb"<(?:[A-Za-z0-9_]{1,20}:)?(dimension|row|c)\b([^<>]*)(>?)")
_REF = re.compile(
    rb'\b(?:r|ref)="\$?([A-Za-z]{0,3})\$?([0-9]{0,10})(?::\$?([A-Za-z]{0,3})\$?([0-9]{0,10}))?"'
)


def _tags(stream, pattern: re.Pattern):
    """Matches of a tag pattern over an XML stream read in chunks (a tag is never cut)."""
    carry = b""
    while True:
        chunk = stream.read(_CHUNK)
        buf = carry + chunk
        if not chunk:
            yield from pattern.finditer(buf)
            return
        cut = buf.rfind(b"<")
        if cut < 0 or b">" in buf[cut:] or len(buf) - cut > _MAX_TAG:
            cut = len(buf)
        yield from pattern.finditer(buf, 0, cut)
        carry = buf[cut:]


def _letters_index(letters: bytes) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ch - 64
    return index


def xlsx_sheet_extent(stream) -> tuple[int, int]:
    """(rows, columns) of the area calamine would build for an .xlsx sheet XML: the larger
    of its declared <dimension> and the furthest cell that holds something (a cell without
    an r attribute is the one after the previous)."""
    rows = cols = 0
    row = col = 0
    for match in _tags(stream, _XLSX_TAG):
        kind, attrs, closed = match.groups()
        ref = _REF.search(attrs)
        if kind == b"c":
            if ref and ref.group(1) and ref.group(2):
                col, row = _letters_index(ref.group(1)), int(ref.group(2))
            else:
                col += 1
            if not attrs.endswith(b"/"):  # a self-closing cell holds nothing
                rows, cols = max(rows, row), max(cols, col)
        elif kind == b"row":
            row = int(ref.group(2)) if ref and ref.group(2) else row + 1
            col = 0
        elif ref:  # <dimension ref="A1:D20"/>
            last_col, last_row = (ref.group(3), ref.group(4)) if ref.group(3) else ref.group(1, 2)
            if last_col and last_row:
                rows = max(rows, int(last_row))
                cols = max(cols, _letters_index(last_col))
    return rows, cols


_ODS_TAG = re.compile(
    rb"<(table:table-row|table:table-cell|table:covered-table-cell)\b([^<>]*)|</table:table>"
)
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="([0-9]{1,12})"')
_COLS_REPEATED = re.compile(rb'table:number-columns-repeated="([0-9]{1,12})"')


def ods_sheet_extent(stream) -> tuple[int, int]:
    """(rows, columns) of the largest table of an .ods content.xml (see ods_table_extents)."""
    extents = ods_table_extents(stream)
    return (max(r for r, _ in extents), max(c for _, c in extents)) if extents else (0, 0)


def ods_table_extents(stream) -> list[tuple[int, int]]:
    """(rows, columns) of each table of an .ods content.xml, counting repeated rows and
    columns (number-rows-repeated / number-columns-repeated) up to the last cell that holds
    something: trailing empty repeats (LibreOffice writes a million) do not count."""
    extents = []
    rows = cols = 0
    next_row = row = col = 0
    repeat = 1
    for match in _tags(stream, _ODS_TAG):
        kind, attrs = match.groups()
        if kind is None:  # </table:table>: the next table starts at its own row 1
            extents.append((rows, cols))
            rows = cols = 0
            next_row = row = col = 0
        elif kind == b"table:table-row":
            found = _ROWS_REPEATED.search(attrs)
            repeat = int(found.group(1)) if found else 1
            row, col = next_row, 0
            next_row += repeat
        else:
            found = _COLS_REPEATED.search(attrs)
            span = int(found.group(1)) if found else 1
            if not attrs.endswith(b"/"):  # a cell with content
                rows, cols = max(rows, row + repeat), max(cols, col + span)
            col += span
    if rows or cols:  # a table not closed (cut short)
        extents.append((rows, cols))
    return extents


def _check_container(data: bytes, suffix: str) -> None:
    """Tell a password-protected or fake workbook from a real one before calamine sees it."""
    head = data[:8]
    if suffix in {".xlsx", ".xlsm", ".xlsb", ".ods"}:
        if head.startswith(_OLE2):
            # Office writes encrypted .xlsx files as an OLE2 container.
            if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00" in data[:65536] or suffix != ".xlsx":
                raise ReadError("password_protected")
            return
        if not head.startswith(_ZIP):
            raise ReadError("not_a_spreadsheet", suffix)
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile as err:
            raise ReadError("unreadable_file", f"zip: {err}") from None
        if not ({"xl/workbook.xml", "xl/workbook.bin", "content.xml"} & names):
            raise ReadError("not_a_spreadsheet", suffix)
    elif suffix == ".xls" and not head.startswith(_OLE2):
        if head.startswith(_ZIP):
            return  # an .xlsx saved with the old extension: calamine reads it by content
        raise ReadError("not_a_spreadsheet", suffix)


def _read_workbook(data: bytes, limits: ReadLimits = LIMITS) -> list[SheetCells]:
    try:
        workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError:
        raise ReadError("password_protected") from None
    except Exception as err:  # calamine raises several error types for broken files
        raise ReadError("unreadable_file", f"{type(err).__name__}: {err}"[:300]) from None
    sheets = []
    extents: list[tuple[int, int]] = []
    try:
        hidden = {
            m.name
            for m in workbook.sheets_metadata
            if m.visible != calamine.SheetVisibleEnum.Visible
        }
        for name in workbook.sheet_names:
            try:
                sheet = workbook.get_sheet_by_name(name)
                rows = sheet.to_python(skip_empty_area=False)
                merged = tuple(sheet.merged_cell_ranges or ())
            except Exception as err:
                raise ReadError(
                    "unreadable_file", f"sheet {name}: {type(err).__name__}: {err}"[:300]
                ) from None
            sheets.append(SheetCells(name, rows, merged, visible=name not in hidden))
            # A format without a directory to check first (.xls, .xlsb): checked as read,
            # before the next sheet is built and before anything goes to the parent.
            width = max(map(len, rows), default=0)
            check_extent(name, len(rows), width, limits)
            extents.append((len(rows), width))
            check_file_extents(extents, limits)
    finally:
        workbook.close()
    return sheets


# One pass over the sheet XML: a cell's start tag, a cell's end, or a value. Each pattern
# stops at the next "<", so no attempt scans past another tag (linear in the XML's size).
_CELL_TOKEN = re.compile(rb"<c\b([^<>]*)>|</c>|<v>([^<]*)</v>")
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
_SHEET = re.compile(rb'<sheet\b[^<>]*?\bname="([^"<>]*)"[^<>]*?\br:id="([^"<>]*)"')
_REL = re.compile(rb'<Relationship\b[^<>]*?\bId="([^"<>]*)"[^<>]*?\bTarget="([^"<>]*)"')
_REL_REVERSED = re.compile(rb'<Relationship\b[^<>]*?\bTarget="([^"<>]*)"[^<>]*?\bId="([^"<>]*)"')


def error_cells(xml: bytes) -> list[tuple[int, int, str]]:
    """(row, column, error text), 0-based, of every error cell (t="e") of a sheet XML that
    has a value, in one linear pass (30k self-closing error cells cost 30k steps)."""
    found = []
    ref = None  # the open error cell's (row, column), or None
    for match in _CELL_TOKEN.finditer(xml):
        attrs, value = match.groups()
        if attrs is not None:
            ref = None
            if not attrs.endswith(b"/") and _ERROR_TYPE.search(attrs):
                cell = _CELL_REF.search(attrs)
                if cell:
                    ref = (int(cell.group(2)) - 1, _column_index(cell.group(1).decode()))
        elif value is not None:
            if ref is not None:
                found.append((*ref, unescape(value.decode("utf-8"))))
                ref = None
        else:
            ref = None
    return found


def _restore_error_cells(data: bytes, sheets: list[SheetCells]) -> None:
    """Put Excel error values (#REF!, #DIV/0!, ...) back where calamine left "".

    python-calamine reads error cells as empty strings (upstream issue #105), which would
    turn a budget of #REF! into "no budget". The .xlsx XML marks them with t="e": read
    those cells and write their error text into the grid, so the reader reports them.
    """
    archive = zipfile.ZipFile(io.BytesIO(data))
    by_name = {sheet.name: sheet for sheet in sheets}
    for path, name in _sheet_names(archive).items():
        sheet = by_name.get(name)
        if sheet is None:
            continue
        try:
            xml = archive.read(path)
        except KeyError:
            continue
        if b't="e"' not in xml:
            continue
        for r0, c0, value in error_cells(xml):
            if r0 < len(sheet.rows):
                cells = sheet.rows[r0]
                if c0 >= len(cells):
                    cells.extend([""] * (c0 + 1 - len(cells)))
                if cells[c0] in ("", None):
                    cells[c0] = value


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """{part path: sheet name} of an .xlsx's worksheets (empty for other zips)."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {rid: target for rid, target in _REL.findall(rels)}
    targets.update({rid: target for target, rid in _REL_REVERSED.findall(rels)})
    names = {}
    for raw_name, rid in _SHEET.findall(workbook):
        target = targets.get(rid)
        if target is None:
            continue
        target = target.decode("utf-8")
        path = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join("xl", target))
        )
        names[path] = unescape(raw_name.decode("utf-8"))
    return names


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1
