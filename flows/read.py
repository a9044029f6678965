"""Read the cells of any plan file (.xlsx .xlsm .xls .xlsb .ods .csv) into `Sheet`s.

Spreadsheets go through python-calamine; CSVs are decoded as UTF-8 (with or without BOM) and
then cp874 / TIS-620. Anything that cannot be read raises `ReadError` with an issue code from
data/issue_codes.csv, so one bad file becomes a located issue instead of a crash.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import sys
import zipfile
from pathlib import Path

import python_calamine as calamine
from oneplan.transforms.sheet import Sheet

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv"}
SUPPORTED_SUFFIXES = SPREADSHEET_SUFFIXES | CSV_SUFFIXES
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CSV_ENCODINGS = ("utf-8-sig", "cp874")
# A plan cell can be long (a whole objective pasted in); the reader cuts and reports it later.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class ReadError(Exception):
    """A file that cannot be read; `code` is an issue code, `detail` goes into the message."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def read_file(path: Path) -> list[Sheet]:
    """All sheets of a plan file, in workbook order (a CSV is one sheet named "")."""
    data = path.read_bytes()
    if not data.strip():
        raise ReadError("empty_file")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return [Sheet("", decode_csv(data))]
    if suffix in SPREADSHEET_SUFFIXES:
        _check_container(data, suffix)
        sheets = _read_workbook(data)
        if data.startswith(_ZIP) and suffix in {".xlsx", ".xlsm"}:
            _restore_error_cells(data, sheets)
        return sheets
    raise ReadError("unsupported_file_type", suffix or path.name)


def decode_csv(data: bytes) -> list[list[str]]:
    """Rows of a CSV given as bytes, trying UTF-8 (BOM or not) and then cp874."""
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise ReadError("not_a_spreadsheet", ".csv")
        try:
            sample = text[:4096]
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|") if sample else csv.excel
        except csv.Error:
            dialect = csv.excel
        return [row for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    raise ReadError("unsupported_encoding")


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


def _read_workbook(data: bytes) -> list[Sheet]:
    try:
        workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError:
        raise ReadError("password_protected") from None
    except Exception as err:  # calamine raises several error types for broken files
        raise ReadError("unreadable_file", f"{type(err).__name__}: {err}"[:300]) from None
    sheets = []
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
            sheets.append(Sheet(name, rows, merged, visible=name not in hidden))
    finally:
        workbook.close()
    return sheets


_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]+)([0-9]+)"[^>]*?\bt="e"[^>]*>(?:(?!</c>).)*?<v>([^<]*)</v>', re.S
)
_SHEET = re.compile(rb'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
_REL_REVERSED = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')


def _restore_error_cells(data: bytes, sheets: list[Sheet]) -> None:
    """Put Excel error values (#REF!, #DIV/0!, ...) back where calamine left "".

    python-calamine reads error cells as empty strings (upstream issue #105), which would
    turn a budget of #REF! into "no budget". The .xlsx XML marks them with t="e": read
    those cells and write their error text into the grid, so the reader reports them.
    """
    from html import unescape

    archive = zipfile.ZipFile(io.BytesIO(data))
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return
    targets = {rid: target for rid, target in _REL.findall(rels)}
    targets.update({rid: target for target, rid in _REL_REVERSED.findall(rels)})
    by_name = {sheet.name: sheet for sheet in sheets}
    for raw_name, rid in _SHEET.findall(workbook):
        sheet = by_name.get(unescape(raw_name.decode("utf-8")))
        target = targets.get(rid)
        if sheet is None or target is None:
            continue
        target = target.decode("utf-8")
        path = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join("xl", target))
        )
        try:
            xml = archive.read(path)
        except KeyError:
            continue
        if b't="e"' not in xml:
            continue
        for letters, row, value in _ERROR_CELL.findall(xml):
            r0, c0 = int(row) - 1, _column_index(letters.decode())
            if r0 < len(sheet.rows):
                cells = sheet.rows[r0]
                if c0 >= len(cells):
                    cells.extend([""] * (c0 + 1 - len(cells)))
                if cells[c0] in ("", None):
                    cells[c0] = unescape(value.decode("utf-8"))


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1
