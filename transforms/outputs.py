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
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pandas as pd

BANGKOK = timezone(timedelta(hours=7))  # Thailand keeps UTC+7 all year
ROUTES = ("own", "joint", "requested", "unstated")
ROUTE_TH = {
    "own": "ทำเอง",
    "joint": "ทำร่วม",
    "requested": "ขอรับการสนับสนุน",
    "unstated": "ไม่ระบุ",
}
THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
ZERO = Decimal("0.00")

# C0 controls except tab and newline, DEL, C1 controls, and the bidi overrides/isolates that
# can make a file name display as something else.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
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


def markdown_text(value: object) -> str:
    """Text for Markdown output: inert, on one line, with every character Markdown or HTML
    would act on escaped (`[a](b)` stays text, `<script>` is shown, not run)."""
    text = inert_text(value, keep_newlines=False)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def thai_datetime(moment: datetime | None) -> str:
    """`2 ธันวาคม 2569 02:09 น.`: Bangkok time, Buddhist era (naive values are taken as UTC)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(BANGKOK)
    month = THAI_MONTHS[local.month - 1]
    return f"{local.day} {month} {local.year + 543} {local:%H:%M} น."


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
