"""Shaping what people read: inert text, Thai dates, chart geometry (every number shown is a
mart's, computed in SQL: nothing here adds up money).

Pure functions: DataFrames and values in, DataFrames and strings out. No files, no
connection; `flows/workbook.py` and `flows/report.py` write what these return.

Text we write is made inert here (`inert_text`): control characters are dropped, so nothing
read from a file can move the terminal's cursor, fake a coloured verdict or break a workbook;
whether a cell is text or a number is decided by the writer (text is always written as text).
"""

from __future__ import annotations

import re

import pandas as pd
from oneplan.transforms.text import ZERO_WIDTH_CHARS

ROUTES = ("own", "joint", "requested", "unstated")
ROUTE_TH = {
    "own": "ทำเอง",
    "joint": "ทำร่วม",
    "requested": "ขอรับการสนับสนุน",
    "unstated": "ไม่ระบุ",
}

# C0 controls except tab and newline, DEL, C1 controls, and every format character (the bidi
# marks, overrides and isolates that can make a file name display as something else, ZWSP...).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + re.escape(ZERO_WIDTH_CHARS) + "]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def _missing(value: object) -> bool:
    """None, NaN, pd.NA or NaT: a value that is not there (shown as nothing, never as text)."""
    if value is None:
        return True
    if isinstance(value, str):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and other containers are values
        return False


def inert_text(value: object, keep_newlines: bool = True) -> str:
    """`value` as text with control characters removed (tab and, unless told, newline kept).

    Carriage returns become newlines first, so a `\\r` cannot overwrite a line on a terminal."""
    text = "" if _missing(value) else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    if not keep_newlines:
        text = text.replace("\n", " ")
    return text


_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|]')
NAME_MAX_BYTES = 255  # one path component, on every file system we write to


def inert_line(value: object) -> str:
    """Text for one terminal or log line: inert (see `inert_text`), on one line, and without
    any invisible format character (LRM, ZWSP, the bidi marks), so what is shown is what a
    file is called, never text that moves the cursor, fakes colours or reorders itself."""
    return inert_text(value, keep_newlines=False)


def fit_bytes(text: str, max_bytes: int) -> str:
    """`text` cut to at most `max_bytes` bytes of UTF-8, at a character boundary."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", "ignore")


def file_name_part(value: object, max_bytes: int, fallback: str = "ไฟล์") -> str:
    """Text made fit for a file name we write: inert and without invisible characters, no
    path separators or characters Windows refuses, not hidden (no leading dot), no leading
    or trailing spaces or dots, and at most `max_bytes` bytes of UTF-8 (file systems limit
    bytes, not characters: a Thai character is three)."""
    text = _NOT_IN_NAMES.sub("_", inert_line(value))
    text = fit_bytes(text.strip(" ."), max_bytes).strip(" .")
    return text or fallback


def markdown_text(value: object) -> str:
    """Text for Markdown output: inert, on one line, with every character Markdown or HTML
    would act on escaped (`[a](b)` stays text, `<script>` is shown, not run)."""
    text = inert_text(value, keep_newlines=False)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


BAR_WIDTH = 560  # px of the longest bar in an SVG chart
TEXT_BAR_WIDTH = 30  # characters of the longest bar in a text chart


def stacked_bars(rows: list[tuple], width: float = BAR_WIDTH) -> list[dict]:
    """Geometry of a horizontal stacked bar chart: for each (label, values) or (label, values,
    total) row, its total and one segment per value with `x` and `w` in px, scaled so the
    largest total is `width`. Values are counts or Decimal baht; geometry is float, the values
    themselves are kept. Money charts pass the total as the mart computed it (a count's total
    is its sum)."""
    totals = [
        row[2] if len(row) > 2 else sum(row[1], type(row[1][0])(0)) if row[1] else 0 for row in rows
    ]
    top = max((float(t) for t in totals), default=0.0) or 1.0
    out = []
    for (label, values, *_), total in zip(rows, totals, strict=True):
        x = 0.0
        segments = []
        for i, value in enumerate(values):
            w = float(value) / top * width
            segments.append({"series": i, "value": value, "x": round(x, 2), "w": round(w, 2)})
            x += w
        out.append({"label": label, "total": total, "segments": segments, "end": round(x, 2)})
    return out


def text_bar(value: float, top: float, width: int = TEXT_BAR_WIDTH) -> str:
    """A bar of block characters for Markdown and terminals, `width` long at `top`."""
    if top <= 0 or value <= 0:
        return ""
    eighths = round(value / top * width * 8)
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]
