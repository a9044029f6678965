"""Shaping what people read: the One Plan workbook's tables, inert text, Thai dates.

Pure functions: DataFrames and values in, DataFrames and strings out. No files, no
connection; `flows/workbook.py` and `flows/report.py` write what these return.

Text we write is made inert here (`inert_text`): control characters are dropped, so nothing
read from a file can move the terminal's cursor, fake a coloured verdict or break a workbook;
whether a cell is text or a number is decided by the writer (text is always written as text).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd
from oneplan.transforms.text import ZERO_WIDTH_CHARS
from oneplan.transforms.thaidate import BANGKOK, THAI_MONTHS, thai_datetime  # noqa: F401

ROUTES = ("own", "joint", "requested", "unstated")
ROUTE_TH = {
    "own": "ทำเอง",
    "joint": "ทำร่วม",
    "requested": "ขอรับการสนับสนุน",
    "unstated": "ไม่ระบุ",
}
ZERO = Decimal("0.00")

# C0 controls except tab and newline, DEL, C1 controls, and every format character (the bidi
# marks, overrides and isolates that can make a file name display as something else, ZWSP...).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + re.escape(ZERO_WIDTH_CHARS) + "]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def inert_text(value: object, keep_newlines: bool = True) -> str:
    """`value` as text with control characters removed (tab and, unless told, newline kept).

    Carriage returns become newlines first, so a `\\r` cannot overwrite a line on a terminal."""
    text = "" if value is None else str(value)
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


def stacked_bars(rows: list[tuple[str, list]], width: float = BAR_WIDTH) -> list[dict]:
    """Geometry of a horizontal stacked bar chart: for each (label, values) row, its total
    and one segment per value with `x` and `w` in px, scaled so the largest total is `width`.
    Values are counts or Decimal baht; geometry is float, the values themselves are kept."""
    totals = [sum(values, type(values[0])(0)) if values else 0 for _, values in rows]
    top = max((float(t) for t in totals), default=0.0) or 1.0
    out = []
    for (label, values), total in zip(rows, totals, strict=True):
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
