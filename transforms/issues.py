"""Located, bilingual data issues built from the catalogue in `data/issue_codes.csv`."""

from __future__ import annotations

from oneplan.transforms.rules import Rules
from oneplan.transforms.text import cell_a1

MAX_RAW_CHARS = 2000  # raw_value keeps enough to recognise the cell, not a pasted 1 MB text
ISSUE_FIELDS = (
    "source_sheet",
    "source_row",
    "column_name",
    "severity",
    "code",
    "message",
    "message_en",
    "raw_value",
    "cell",
)


def sheet_cell(sheet: str | None, row0: int | None, col0: int | None) -> str | None:
    """A1 reference with its sheet, quoted as Excel does: `ต.ตลุก!F12`, `'ต.ตลุก (2)'!F12`."""
    if row0 is None or col0 is None:
        return None
    ref = cell_a1(row0, col0)
    if not sheet:
        return ref
    needs_quotes = any(ch in sheet for ch in " '!()-,;")
    quoted = "'" + sheet.replace("'", "''") + "'" if needs_quotes else sheet
    return f"{quoted}!{ref}"


def make_issue(
    rules: Rules,
    code: str,
    *,
    source_file: str,
    sheet: str | None = None,
    row: int | None = None,
    col0: int | None = None,
    column_name: str | None = None,
    value: object = None,
    expected: object = None,
) -> dict:
    """One data issue: the catalogue's message with file, sheet, row, column and cell in front.

    `row` is the 1-based row a person sees (Excel row, CSV line); `col0` the 0-based column.
    """
    entry = rules.issue(code)
    raw = None if value is None else str(value)
    if raw is not None and len(raw) > MAX_RAW_CHARS:
        raw = raw[:MAX_RAW_CHARS] + "…"
    shown = "" if raw is None else (raw if len(raw) <= 200 else raw[:200] + "…")
    params = {
        "value": shown,
        "expected": "" if expected is None else expected,
        "column": column_name,
    }
    cell = sheet_cell(sheet, None if row is None else row - 1, col0)
    where_th = [f"ไฟล์ {source_file}"]
    where_en = [source_file]
    if sheet:
        where_th.append(f"แผ่นงาน {sheet}")
        where_en.append(f"sheet {sheet}")
    if row is not None:
        where_th.append(f"แถว {row}")
        where_en.append(f"row {row}")
    if column_name:
        where_th.append(f"คอลัมน์ {column_name}")
        where_en.append(f"column {column_name}")
    if cell:
        where_th.append(f"({cell})")
        where_en.append(f"({cell})")
    return {
        "source_sheet": sheet,
        "source_row": row,
        "column_name": column_name,
        "severity": entry.severity,
        "code": code,
        "message": " ".join(where_th) + ": " + entry.message_th.format(**params),
        "message_en": ", ".join(where_en) + ": " + entry.message_en.format(**params),
        "raw_value": raw,
        "cell": cell,
    }
