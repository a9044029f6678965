"""Read the cells of any plan file (.xlsx .xlsm .xls .xlsb .ods .csv) into `Sheet`s.

Spreadsheets go through python-calamine; CSVs are decoded as UTF-8 (with or without BOM) and
then cp874 / TIS-620. Anything that cannot be read raises `ReadError` with an issue code from
data/issue_codes.csv, so one bad file becomes a located issue instead of a crash.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import python_calamine as calamine

from transforms.sheet import Sheet

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv"}
SUPPORTED_SUFFIXES = SPREADSHEET_SUFFIXES | CSV_SUFFIXES
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CSV_ENCODINGS = ("utf-8-sig", "cp874")


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
        return _read_workbook(data)
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
        for name in workbook.sheet_names:
            try:
                sheet = workbook.get_sheet_by_name(name)
                rows = sheet.to_python(skip_empty_area=False)
                merged = tuple(sheet.merged_cell_ranges or ())
            except Exception as err:
                raise ReadError(
                    "unreadable_file", f"sheet {name}: {type(err).__name__}: {err}"[:300]
                ) from None
            sheets.append(Sheet(name, rows, merged))
    finally:
        workbook.close()
    return sheets
