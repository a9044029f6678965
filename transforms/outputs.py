"""Shaping what people read: the One Plan workbook's tables, inert text, Thai dates.

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


def _route(value: object) -> str:
    return value if isinstance(value, str) and value in ROUTE_TH else "unstated"


def _money(values) -> Decimal:
    return sum((Decimal(v) for v in values if v is not None and not pd.isna(v)), ZERO)


def summarize_districts(oneplan: pd.DataFrame, districts: pd.DataFrame) -> pd.DataFrame:
    """One row per district and fiscal year: baht by funding route (own, joint, requested,
    unstated kept apart), their total and the number of projects; every district of
    `districts` appears, with no row when it has no budget at all.

    `oneplan` has the columns of the oneplan view (one row per project and fiscal year);
    `districts` has district_code and district_name_th. Sums are exact Decimals."""
    columns = [
        "district_code",
        "district_name_th",
        "fiscal_year",
        *[f"{r}_thb" for r in ROUTES],
        "total_thb",
        "n_projects",
    ]
    names = dict(zip(districts["district_code"], districts["district_name_th"], strict=False))
    money: dict[tuple[str, int], dict[str, Decimal]] = {}
    projects: dict[tuple[str, int], set] = {}
    for code, year, route, pid, amount in zip(
        oneplan["district_code"].tolist(),
        oneplan["fiscal_year"].tolist(),
        oneplan["funding_route"].tolist(),
        oneplan["project_id"].tolist(),
        oneplan["amount_thb"].tolist(),
        strict=True,
    ):
        key = (code, int(year))
        by_route = money.setdefault(key, dict.fromkeys(ROUTES, ZERO))
        if amount is not None and not pd.isna(amount):
            by_route[_route(route)] += Decimal(amount)
        projects.setdefault(key, set()).add(pid)
    rows = [
        [
            code,
            names.get(code, ""),
            year,
            *money[(code, year)].values(),
            sum(money[(code, year)].values(), ZERO),
            len(projects[(code, year)]),
        ]
        for code, year in sorted(money)
    ]
    return pd.DataFrame(rows, columns=columns)


def fiscal_years(oneplan: pd.DataFrame) -> list[int]:
    """The fiscal years that carry a budget, ascending."""
    return sorted(int(y) for y in oneplan["fiscal_year"].dropna().unique())


PROJECT_COLUMNS = (
    "project_id",
    "district_code",
    "district_name_th",
    "tambon_code",
    "tambon_name_th",
    "village_numbers",
    "category",
    "project_name",
    "objective",
    "target",
    "kpi",
    "expected_result",
    "responsible_agency",
    "funding_route",
    "source_file",
    "source_sheet",
    "source_row",
)


def project_table(
    oneplan: pd.DataFrame, years: list[int], extra: tuple[str, ...] = ()
) -> pd.DataFrame:
    """One row per project with its budget per fiscal year (`thb_<year>`, Decimal or None when
    the project has no budget that year) and `total_thb`, in the order of the oneplan view
    (district, tambon, Thai project name). `extra` names further project columns to keep
    (such as `requested_from`) when the view has them."""
    keep = [c for c in (*PROJECT_COLUMNS, *extra) if c in oneplan.columns]
    first = oneplan.drop_duplicates("project_id")[keep].reset_index(drop=True)
    amounts: dict[tuple[str, int], Decimal] = {}
    for pid, year, amount in zip(
        oneplan["project_id"].tolist(),
        oneplan["fiscal_year"].tolist(),
        oneplan["amount_thb"].tolist(),
        strict=True,
    ):
        if amount is not None and not pd.isna(amount):
            key = (pid, int(year))
            amounts[key] = amounts.get(key, ZERO) + Decimal(amount)
    ids = first["project_id"].tolist()
    for year in years:
        first[f"thb_{year}"] = [amounts.get((pid, year)) for pid in ids]
    first["total_thb"] = [sum((amounts.get((pid, y), ZERO) for y in years), ZERO) for pid in ids]
    first["route"] = first["funding_route"].map(_route)
    return first


def project_records(frame: pd.DataFrame) -> list[dict]:
    """`frame.to_dict("records")`, column by column (much faster on Arrow-backed columns):
    the same Python values (str, int, Decimal, None, NaN for a missing text)."""
    columns = list(frame.columns)
    values = [frame[c].tolist() for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def section_of(category: object) -> str:
    """The section heading of a project: its development area (ด้าน), or a fallback."""
    text = inert_text(category, keep_newlines=False).strip()
    return text or "ไม่ระบุด้าน"


def requested_groups(projects: pd.DataFrame) -> tuple[str, list[tuple[str, pd.DataFrame]]]:
    """The projects requested of another agency, grouped by the agency asked: the
    `requested_from` column when the data has it, else the responsible agency (for a ผ.02/2
    request that is the agency asked). Returns (the grouping column, [(agency, rows)])."""
    column = "requested_from" if "requested_from" in projects.columns else "responsible_agency"
    requested = projects[projects["route"] == "requested"]
    groups = []
    keys = requested[column].map(lambda v: section_of(v) if v else "ไม่ระบุหน่วยงาน")
    for key in sorted(keys.unique()):
        groups.append((key, requested[keys == key]))
    return column, groups


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
