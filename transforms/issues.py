"""Data issues as structured records, and their messages rendered from the catalogue.

An issue is a record: where it is (file, sheet, row, column, cell), what it is (code, severity)
and the values it is about (`raw_value`, `expected_value`). Its message is not stored in it:
`render_issue` writes it, in Thai or English, with or without the location, where it is shown
(the published `data_issues.message` columns, the quality report, `oneplan check`, the
annotated workbook). The templates are `data/issue_codes.csv`'s message columns.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from oneplan.transforms.rules import Rules
from oneplan.transforms.text import cell_a1

if TYPE_CHECKING:
    import pandas as pd

MAX_RAW_CHARS = 2000  # raw_value keeps enough to recognise the cell, not a pasted 1 MB text
MAX_SHOWN_CHARS = 200  # a message quotes at most this much of the value
# The fields of one issue record as the reader makes it (the staged `stg_issues` columns
# after the file columns); `data_issues` adds the rendered messages.
ISSUE_FIELDS = (
    "source_sheet",
    "source_row",
    "column_name",
    "severity",
    "code",
    "raw_value",
    "expected_value",
    "cell",
)
MESSAGE_COLUMNS = {"th": "message", "en": "message_en"}


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
    """One data issue record: location, code, severity, and the values it is about.

    `row` is the 1-based row a person sees (Excel row, CSV line); `col0` the 0-based column;
    `value` the offending value (kept as text, cut at MAX_RAW_CHARS); `expected` what the
    message compares it with (a limit, the name it was read as, where the kept copy is)."""
    entry = rules.issue(code)
    raw = None if value is None else str(value)
    if raw is not None and len(raw) > MAX_RAW_CHARS:
        raw = raw[:MAX_RAW_CHARS] + "…"
    return {
        "source_file": source_file,
        "source_sheet": sheet,
        "source_row": row,
        "column_name": column_name,
        "severity": entry.severity,
        "code": code,
        "raw_value": raw,
        "expected_value": None if expected is None else str(expected),
        "cell": sheet_cell(sheet, None if row is None else row - 1, col0),
    }


def _present(value: object) -> object:
    """None for a missing value as a DataFrame or Arrow row gives it (None, NaN, pd.NA)."""
    if value is None or value.__class__ is str:
        return value
    if type(value).__name__ == "NAType":
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def issue_location(issue: Mapping, lang: str = "th") -> str:
    """Where an issue is, as its message starts: `ไฟล์ X แผ่นงาน S แถว 12 คอลัมน์ C (S!F12)`
    in Thai, `X, sheet S, row 12, column C (S!F12)` in English."""
    th = lang == "th"
    sheet = _present(issue.get("source_sheet"))
    row = _present(issue.get("source_row"))
    column = _present(issue.get("column_name"))
    cell = _present(issue.get("cell"))
    where = [f"ไฟล์ {issue['source_file']}" if th else str(issue["source_file"])]
    if sheet:
        where.append(f"แผ่นงาน {sheet}" if th else f"sheet {sheet}")
    if row is not None:
        where.append(f"แถว {int(row)}" if th else f"row {int(row)}")
    if column:
        where.append(f"คอลัมน์ {column}" if th else f"column {column}")
    if cell:
        where.append(f"({cell})")
    return (" " if th else ", ").join(where)


def render_issue(
    rules: Rules, issue: Mapping, lang: str = "th", *, with_location: bool = True
) -> str:
    """An issue's message in Thai (`lang="th"`) or English, from the catalogue's template and
    the record's values; with its location in front unless `with_location` is False (where
    the location is shown beside it)."""
    entry = rules.issue(issue["code"])
    raw = _present(issue.get("raw_value"))
    expected = _present(issue.get("expected_value"))
    if raw is not None and len(raw) > MAX_SHOWN_CHARS:
        raw = raw[:MAX_SHOWN_CHARS] + "…"
    params = {
        "value": "" if raw is None else raw,
        "expected": "" if expected is None else expected,
        "column": _present(issue.get("column_name")),
    }
    body = (entry.message_th if lang == "th" else entry.message_en).format(**params)
    return f"{issue_location(issue, lang)}: {body}" if with_location else body


def with_messages(issues: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """The issues (a DataFrame of records) with the published `message` and `message_en`
    columns rendered from each record (location in front)."""
    import pandas as pd

    fields = [f for f in ("source_file", *ISSUE_FIELDS) if f in issues.columns]
    # Column lists with None for a missing value, not a per-cell walk of the frame.
    columns = [issues[f].astype(object).where(issues[f].notna(), None).tolist() for f in fields]
    records = [dict(zip(fields, values, strict=True)) for values in zip(*columns, strict=True)]
    return issues.assign(
        **{
            column: pd.Series(
                [render_issue(rules, r, lang) for r in records], index=issues.index, dtype=object
            )
            for lang, column in MESSAGE_COLUMNS.items()
        }
    )
