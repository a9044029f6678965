"""Is a plan file whole? A stalled or cut upload must not be published as a new plan: a CSV
whose last line is cut, or a workbook whose zip or XML is broken, keeps the previous version
(flows/stage.py `keep_previous_versions`). Pure: bytes in, a reason (or None) out."""

from __future__ import annotations

import csv
import io
import xml.parsers.expat
import zipfile

CSV_DELIMITERS = (",", "\t", ";", "|")
ZIP_SUFFIXES = (".xlsx", ".xlsm", ".ods")
MAX_CHECKED_BYTES = 512 * 1024 * 1024  # uncompressed: beyond this the reader's limits decide
XML_CHUNK = 1 << 20


def incomplete_reason(data: bytes, suffix: str) -> str | None:
    """Why the file looks cut short or damaged ("last line cut", "zip: ..."), or None when
    it looks whole. `suffix`: the file's lower-case suffix."""
    if suffix == ".csv":
        return cut_csv_reason(data)
    if suffix in ZIP_SUFFIXES and data[:2] == b"PK":
        return broken_zip_reason(data)
    return None


def _csv_text(data: bytes) -> str:
    """The CSV as text for counting fields: UTF-16 by its BOM, else Latin-1 (byte for byte,
    so the ASCII delimiters, quotes and line ends of UTF-8 and TIS-620 files are kept)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")
    return data.decode("latin-1")


def cut_csv_reason(data: bytes) -> str | None:
    """A CSV whose last line is cut: no line end after its last record, and that record is
    short (fewer fields than the record before it) or stops inside a quoted field.

    A whole file ends with a line end (Excel, LibreOffice and pandas all write one); a
    file without one whose last record is complete is taken as whole."""
    text = _csv_text(data)
    if not text.strip() or text.endswith(("\n", "\r")):
        return None
    if text.count('"') % 2:
        return "last line cut inside a quoted value"
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    head = lines[0]
    delimiter = max(CSV_DELIMITERS, key=head.count)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:  # not a CSV we can count fields of (junk bytes): the reader decides
        return None
    records = [r for r in records if any(field.strip() for field in r)]
    if len(records) < 2:
        return None
    last, before = records[-1], records[-2]
    if len(last) < len(before):
        return f"last line cut: {len(last)} of {len(before)} fields"
    return None


def broken_zip_reason(data: bytes) -> str | None:
    """A workbook (xlsx, ods: a zip of XML parts) that is cut short or damaged: the zip does
    not open, a part fails its CRC, or an XML part is not well-formed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as err:
        return f"zip archive cut short or damaged ({err})"
    with archive:
        members = archive.infolist()
        if sum(m.file_size for m in members) > MAX_CHECKED_BYTES:
            return None
        for member in members:
            try:
                with archive.open(member) as part:
                    if member.filename.endswith((".xml", ".rels")):
                        reason = _xml_reason(part)
                        if reason:
                            return f"{member.filename}: {reason}"
                    else:
                        while part.read(XML_CHUNK):
                            pass
            except (zipfile.BadZipFile, EOFError, OSError, ValueError) as err:
                return f"{member.filename}: {err}"
            except RuntimeError as err:  # an encrypted part: the reader reports it
                if "encrypted" in str(err):
                    return None
                return f"{member.filename}: {err}"
    return None


def _xml_reason(part) -> str | None:
    """Why a streamed XML part is not well-formed, or None (no DTD or entity is expanded:
    expat is only asked whether the bytes parse)."""
    parser = xml.parsers.expat.ParserCreate()
    try:
        while True:
            chunk = part.read(XML_CHUNK)
            parser.Parse(chunk, not chunk)
            if not chunk:
                return None
    except xml.parsers.expat.ExpatError as err:
        return f"XML not well-formed ({xml.parsers.expat.errors.messages.get(err.code, err)})"
