"""What committees and district officers open: the One Plan workbook, its CSV and the
district packs, written from a published (or about to be published) database.

- `oneplan.xlsx`: a summary sheet (district x fiscal year, own / joint / requested apart,
  counted once beside the amount as written), one sheet per district (and the provincial plan)
  in the ผ.02 manner, the requests per agency asked, the committee pack (money per provincial
  strategy, requests taken up or still waiting, links to decide, what changed since the last
  publication) and the tambons without a plan.
  Every number is a mart's (sql/marts/: plan_summary, workbook_projects, workbook_totals,
  agency_request_totals, agency_request_status, strategy_summary, review_links,
  publication_changes): nothing is added up here. There is no formula in the workbook; every
  text cell is written as text.
- `oneplan.csv`: the `oneplan` view, UTF-8 with a BOM (Thai Excel opens it as UTF-8).
- `districts/<code>/`: the district's slice of the workbook, its quality report (HTML and
  Markdown) and an annotated copy of each file it sent.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import math
import os
import re
import shutil
import stat
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pandas as pd
from oneplan.flows.db import connect, report_query
from oneplan.flows.durable import file_sha256, fsync_dir, write_durable
from oneplan.flows.errors import PublishError
from oneplan.transforms.outputs import (
    ROUTE_TH,
    ROUTES,
    file_name_part,
    inert_line,
    inert_text,
)
from oneplan.transforms.thaidate import thai_datetime

FONT = "TH Sarabun New"  # the Thai government's document font; Excel substitutes when absent
FONT_SIZE = 14
MONEY = "#,##0.00"
A4 = 9  # xlsxwriter paper code
# Points per line of 14 pt TH Sarabun New with room for Thai marks above and below the line
# (21 pt cut the lower vowels and the tone marks of stacked vowels in LibreOffice and Excel).
ROW_HEIGHT = 24
LINE_HEIGHT = 22  # each further wrapped line
TITLE_HEIGHT = 34  # an 18 pt title line
THAI_CHARS_PER_WIDTH = 1.0  # spacing letters (combining marks take no width) per width unit
SUMMARY_SHEET = "สรุปรายอำเภอ"
REQUESTED_SHEET = "ขอรับการสนับสนุน"
STRATEGY_SHEET = "ยุทธศาสตร์จังหวัด"
FOLLOWUP_SHEET = "ติดตามคำขอ"
REVIEW_SHEET = "การเชื่อมโยงที่รอตัดสิน"
CHANGES_SHEET = "เปลี่ยนแปลงจากครั้งก่อน"
MISSING_SHEET = "ตำบลที่ยังไม่มีแผน"
FIXED_SHEETS = (
    SUMMARY_SHEET,
    REQUESTED_SHEET,
    STRATEGY_SHEET,
    FOLLOWUP_SHEET,
    REVIEW_SHEET,
    CHANGES_SHEET,
    MISSING_SHEET,
)
CSV_FORMULA_START = ("=", "+", "-", "@", "\t")
EXCEL_MAX_CHARS = 32767
LEVEL_TH = {
    "village": "แผนชุมชน",
    "tambon": "แผนพัฒนาตำบล",
    "district": "แผนพัฒนาอำเภอ",
    "province": "แผนพัฒนาจังหวัด",
}
COUNTED_NOTE = (
    "แถวรวมแสดงงบประมาณที่นับครั้งเดียว: โครงการที่แผนระดับอื่นรับไปหรือซ้ำกัน นับที่โครงการเดียว (ดูคอลัมน์ การนับงบ)"
)

# What the workbook shows, each a mart read whole (sql/marts/); the district packs take their
# district's rows. Ordered as the marts order them.
MART_QUERIES = {
    "summary": "select * from plan_summary",
    "projects": "select * from workbook_projects",
    "totals": "select * from workbook_totals",
    "request_totals": "select * from agency_request_totals",
    "request_status": "select * from agency_request_status",
    "strategies": "select * from strategy_summary",
    "reviews": "select * from review_links",
    "changes": "select * from publication_changes",
}


@dataclass
class PlanData:
    """What the workbook shows, read from one database: the marts' rows as dicts (money as
    Decimal, missing values as None), for the whole plan or one district (`district`)."""

    columns: list[str]  # the oneplan view's columns (for the CSV)
    oneplan: list[tuple]  # the oneplan view (one row per project and fiscal year)
    districts: list[dict]  # district_labels rows in scope
    marts: dict[str, list[dict]]
    missing: list[dict]  # coverage rows of tambons with no plan
    loaded_at: datetime | None
    # When each district's current files were (last) loaded: a district's pack says "as of"
    # its own latest file, so a file sent by another district does not change it.
    loaded_by_district: dict[str, datetime] = field(default_factory=dict)
    district: str | None = None  # None: the whole plan
    # Each mart's rows by district, made once (a sheet or a pack per district must not scan
    # every row again: that is quadratic at a nation's 928 districts).
    by_district: dict[str, dict[str, list[dict]]] = field(default_factory=dict, repr=False)


def _records(con, query: str, params: list | None = None) -> list[dict]:
    result = con.execute(query, params or [])
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _frame(con, query: str, params: list | None = None) -> pd.DataFrame:
    result = con.execute(query, params or [])
    columns = [d[0] for d in result.description]
    return pd.DataFrame(result.fetchall(), columns=columns)


def read_plan(db_path: Path) -> PlanData:
    """The marts the workbook renders, the oneplan view, the districts and the uncovered
    tambons (read-only); money stays Decimal (rows are fetched as Python values)."""
    con = connect(Path(db_path), read_only=True)
    try:
        result = con.execute("select * from oneplan")
        columns = [d[0] for d in result.description]
        oneplan = result.fetchall()
        districts = _records(con, "select * from district_labels order by district_code")
        marts = {name: _records(con, query) for name, query in MART_QUERIES.items()}
        missing = _records(con, report_query("tambons_without_plan"))
        loaded = con.execute(
            "select district_code, max(loaded_at) from submissions where status = 'current' "
            "group by district_code"
        ).fetchall()
    finally:
        con.close()
    by_district = {code: at for code, at in loaded if at is not None}
    loaded_at = max(by_district.values(), default=None)
    return PlanData(columns, oneplan, districts, marts, missing, loaded_at, by_district)


def _of_district(name: str, row: dict, code: str) -> bool:
    """Whether a mart row belongs to one district's pack."""
    if name == "reviews":
        return code in (row["district_code"], row["linked_district_code"])
    if row.get("district_code") != code:
        return False
    return not (row.get("is_all_districts") or row.get("is_plan_total"))


def district_rows(plan: PlanData, name: str, code: str) -> list[dict]:
    """The rows of mart `name` that belong to district `code` (grouped once per mart)."""
    groups = plan.by_district.get(name)
    if groups is None:
        groups = {}
        for row in plan.marts[name]:
            if name == "reviews":
                codes = dict.fromkeys((row["district_code"], row["linked_district_code"]))
            else:
                codes = (row.get("district_code"),)
            for c in codes:
                if c is not None and _of_district(name, row, c):
                    groups.setdefault(c, []).append(row)
        plan.by_district[name] = groups
    return groups.get(code, [])


def slice_district(plan: PlanData, code: str) -> PlanData:
    """The part of the plan that belongs to one district (its rows of every mart; the CSV is
    the whole plan's only, so no oneplan rows)."""
    return PlanData(
        plan.columns,
        [],
        [d for d in plan.districts if d["district_code"] == code],
        {name: district_rows(plan, name, code) for name in plan.marts},
        [m for m in plan.missing if m["district_code"] == code],
        # A district that sent nothing is "as of" the publication, as the whole plan is.
        plan.loaded_by_district.get(code, plan.loaded_at),
        {code: plan.loaded_by_district[code]} if code in plan.loaded_by_district else {},
        code,
    )


def _whole(plan: PlanData, name: str) -> list[dict]:
    """A mart's rows the sheet shows: the whole plan's totals, or the district's rows."""
    rows = plan.marts[name]
    if plan.district is not None:
        return rows
    if name in ("request_totals", "request_status"):
        return [r for r in rows if r["is_all_districts"]]
    if name == "strategies":
        return [r for r in rows if r["is_plan_total"]]
    return rows


class _Writer:
    """A few xlsxwriter formats and the print setup every sheet shares."""

    def __init__(self, path: Path):
        import xlsxwriter

        # Nothing we write is turned into a formula, a link or a number behind our back.
        self.widths: dict[str, dict[int, float]] = {}
        self.wb = xlsxwriter.Workbook(
            str(path),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "in_memory": True,
                "default_format_properties": {"font_name": FONT, "font_size": FONT_SIZE},
            },
        )
        base = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "top"}
        add = self.wb.add_format
        self.text = add({**base, "text_wrap": True, "num_format": "@"})
        self.title = add({**base, "bold": True, "font_size": 18, "valign": "vcenter"})
        self.note = add({**base, "italic": True, "font_color": "#555555"})
        self.head = add(
            {
                **base,
                "bold": True,
                "text_wrap": True,
                "border": 1,
                "bg_color": "#D9E1F2",
                "align": "center",
                "valign": "vcenter",
            }
        )
        self.cell = add({**base, "text_wrap": True, "border": 1, "num_format": "@"})
        self.int = add({**base, "border": 1, "num_format": "0"})
        self.money = add({**base, "border": 1, "num_format": MONEY})
        self.section = add(
            {**base, "bold": True, "border": 1, "bg_color": "#F2F2F2", "num_format": "@"}
        )
        self.total = add(
            {**base, "bold": True, "border": 1, "bg_color": "#FFF2CC", "num_format": "@"}
        )
        self.total_money = add(
            {**base, "bold": True, "border": 1, "bg_color": "#FFF2CC", "num_format": MONEY}
        )
        self.total_int = add(
            {**base, "bold": True, "border": 1, "bg_color": "#FFF2CC", "num_format": "0"}
        )

    def sheet(self, name: str, header_row: int, freeze_col: int = 0):
        ws = self.wb.add_worksheet(name)
        ws.set_landscape()
        ws.set_paper(A4)
        ws.fit_to_pages(1, 0)  # one page wide, as many tall as it takes
        ws.repeat_rows(header_row)
        ws.freeze_panes(header_row + 1, freeze_col)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&Lหน้า &P / &N&R&A")
        ws.hide_gridlines(0)
        ws.set_default_row(ROW_HEIGHT)
        self.widths[ws.name] = {}
        return ws

    def put(self, ws, row: int, col: int, value: object, fmt=None) -> None:
        """Text as text (inert), Decimal/int as numbers, a missing value as an empty cell."""
        if isinstance(value, str):
            ws.write_string(row, col, inert_text(value)[:EXCEL_MAX_CHARS], fmt or self.cell)
        elif isinstance(value, Decimal):
            ws.write_number(row, col, float(value), fmt or self.money)
        elif isinstance(value, int) and not isinstance(value, bool):
            ws.write_number(row, col, value, fmt or self.int)
        elif value is None or pd.isna(value):
            ws.write_blank(row, col, None, fmt or self.cell)
        else:
            ws.write_string(row, col, inert_text(value)[:EXCEL_MAX_CHARS], fmt or self.cell)

    def header(self, ws, row: int, labels: list[str], widths: list[float]) -> None:
        for col, (label, width) in enumerate(zip(labels, widths, strict=True)):
            ws.write_string(row, col, label, self.head)
            ws.set_column(col, col, width)
            self.widths[ws.name][col] = width
        self.fit_row(ws, row, labels)

    def fit_row(self, ws, row: int, values: list[object]) -> None:
        """Make a row tall enough for its wrapped text (xlsxwriter cannot measure; Excel and
        LibreOffice do not grow rows written this way): lines = letters / column width."""
        lines = 1
        widths = self.widths[ws.name]
        for col, value in enumerate(values):
            if isinstance(value, str) and len(value) > 1:
                lines = max(lines, _lines(value, widths.get(col, 10) * THAI_CHARS_PER_WIDTH))
        if lines > 1:
            ws.set_row(row, ROW_HEIGHT + LINE_HEIGHT * (min(lines, 12) - 1))

    def put_row(self, ws, row: int, values: list[object], fmt=None) -> None:
        """A row of values; text is made inert once (the same text is written and measured)."""
        values = [_cell_text(v) if isinstance(v, str) else v for v in values]
        for col, value in enumerate(values):
            self.put(ws, row, col, value, fmt)
        self.fit_row(ws, row, values)

    def close(self) -> None:
        self.wb.close()


@lru_cache(maxsize=1 << 16)
def _cell_text(text: str) -> str:
    """A text cell's value: inert, cut to what a cell holds (once per distinct text)."""
    return inert_text(text)[:EXCEL_MAX_CHARS]


@lru_cache(maxsize=1 << 16)
def _lines(text: str, width: float) -> int:
    """Lines `text` wraps to in a column `width` letters wide; Thai vowel and tone marks above
    and below a letter take no width of their own. Wrapping breaks at spaces, so a line holds
    a little less than the width: rounded up per paragraph, with one letter of slack."""
    width = max(width - 1, 1)
    total = 0
    for part in text.split("\n"):
        spacing = sum(1 for ch in part if unicodedata.category(ch) != "Mn")
        total += math.ceil(max(spacing, 1) / width)
    return total


def _title(w: _Writer, ws, lines: list[str]) -> int:
    for i, line in enumerate(lines):
        ws.write_string(i, 0, inert_text(line), w.title if i == 0 else w.note)
    ws.set_row(0, TITLE_HEIGHT)
    return len(lines) + 1


def _scope(plan: PlanData) -> str:
    """What the workbook covers, as a person names it: อำเภอX (code), the provincial plan,
    or the province (the whole plan)."""
    if plan.district is not None and plan.districts:
        d = plan.districts[0]
        return f"{d['scope_name_th']} ({d['district_code']})"
    provinces = [d["district_name_th"] for d in plan.districts if d["is_province"]]
    return provinces[0] if len(provinces) == 1 else "ทุกจังหวัด"


def _as_of(plan: PlanData) -> str:
    return f"ข้อมูล ณ {thai_datetime(plan.loaded_at)}" if plan.loaded_at else ""


def _start(w: _Writer, plan: PlanData, name: str, title: list[str], labels, widths, freeze=0):
    """A sheet with its title lines, the as-of line and the header row; returns (ws, row)."""
    lines = [title[0], _as_of(plan), *title[1:]]
    top = len(lines) + 1
    ws = w.sheet(name, top, freeze)
    _title(w, ws, lines)
    w.header(ws, top, labels, widths)
    return ws, top + 1


def _write_summary(w: _Writer, plan: PlanData) -> None:
    labels = [
        "อำเภอ / แผน",
        "ปีงบประมาณ",
        *[f"{ROUTE_TH[r]} (บาท)" for r in ROUTES],
        "รวมนับครั้งเดียว (บาท)",
        "ตามที่เขียนในแผนทุกระดับ (บาท)",
        "จำนวนโครงการ",
    ]
    title = [
        f"แผนพัฒนา {_scope(plan)} (One Plan): สรุปงบประมาณรายอำเภอและปีงบประมาณ",
        "งบประมาณแยกตามวิธีดำเนินการ นับครั้งเดียว: ขอรับการสนับสนุนเป็นงบของหน่วยงานที่ขอ "
        "ไม่ใช่งบของตำบล; ตามที่เขียนในแผน = รวมทุกแผนทุกระดับ (โครงการเดียวกันหลายระดับนับซ้ำ)",
    ]
    ws, row = _start(w, plan, SUMMARY_SHEET, title, labels, [36, 12, 16, 16, 18, 14, 20, 22, 12], 2)
    summary = _whole(plan, "summary")
    for d in plan.districts:
        rows = [s for s in summary if s["district_code"] == d["district_code"]]
        name = f"{d['district_code']} {d['scope_name_th']}"
        if not rows:
            w.put_row(ws, row, [name, "ยังไม่มีแผน", *[None] * (len(labels) - 2)])
            row += 1
            continue
        for s in rows:
            w.put_row(ws, row, [name, *_summary_values(s)])
            row += 1
    if plan.district is None:
        for s in summary:
            if s["is_plan_total"]:
                values = [f"รวม{_scope(plan)}", *_summary_values(s)]
                for col, value in enumerate(values):
                    fmt = w.total if col == 0 else w.total_int if col in (1, 8) else None
                    w.put(ws, row, col, value, fmt or w.total_money)
                row += 1


def _summary_values(s: dict) -> list:
    return [
        s["fiscal_year"],
        *[s[f"{r}_thb"] for r in ROUTES],
        s["counted_thb"],
        s["written_thb"],
        s["n_counted_projects"],
    ]


def _place(p: dict) -> str:
    """Where a project was read: file, sheet (none for a CSV) and row."""
    sheet = p.get("source_sheet") or ""
    parts = [p["source_file"], f"แผ่นงาน {sheet}" if sheet else "", f"แถว {p['source_row']}"]
    return " · ".join(x for x in parts if x)


def _villages(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return inert_text(value)


def _safe_sheet_name(name: str, taken: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "", inert_text(name, keep_newlines=False)).strip("' ")[:31]
    name = name or "แผ่นงาน"
    base, n = name, 2
    while name.lower() in taken or name.lower() == "history":
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def _total_row(w: _Writer, ws, row: int, label: str, values: list, first_money: int, last: int):
    """A total row: the label merged over the columns before the money, then the money."""
    ws.merge_range(row, 0, row, first_money - 1, "", w.total)
    w.put(ws, row, 0, label, w.total)
    for i, value in enumerate(values):
        w.put(
            ws, row, first_money + i, value if value is not None else Decimal("0.00"), w.total_money
        )
    for col in range(first_money + len(values), last + 1):
        w.put(ws, row, col, None, w.total)


def _route_totals(
    w: _Writer,
    ws,
    row: int,
    totals: list[dict],
    years: list[int],
    label: str,
    first: int,
    last: int,
    column: str = "counted_thb",
) -> int:
    """Total rows per funding route and over every route, as workbook_totals has them (for one
    section or the whole district); returns the next row."""
    for route in (*ROUTES, None):
        rows = [t for t in totals if (t["is_all_routes"] if route is None else t["route"] == route)]
        if not rows:
            continue
        by_year = {t["fiscal_year"]: t for t in rows if not t["is_all_years"]}
        overall = next(t for t in rows if t["is_all_years"])
        name = f"{label} ({ROUTE_TH[route]})" if route else f"{label} (ทุกวิธีดำเนินการ)"
        values = [by_year[y][column] if y in by_year else None for y in years]
        text = f"{name}: {overall['n_projects']} โครงการ"
        _total_row(w, ws, row, text, [*values, overall[column]], first, last)
        row += 1
    return row


def _years(plan: PlanData) -> list[int]:
    """The fiscal years that carry a budget, ascending (as the totals mart has them)."""
    return sorted({t["fiscal_year"] for t in plan.marts["totals"] if not t["is_all_years"]})


def _write_district(w: _Writer, plan: PlanData, d: dict, years: list[int], taken: set[str]) -> None:
    code, scope = d["district_code"], d["scope_name_th"]
    projects = district_rows(plan, "projects", code)
    totals = district_rows(plan, "totals", code)
    labels = [
        "ที่",
        "ระดับแผน",
        "ตำบล",
        "หมู่ที่",
        "โครงการ",
        "วัตถุประสงค์",
        "เป้าหมาย",
        "ตัวชี้วัด (KPI)",
        "ผลที่คาดว่าจะได้รับ",
        "หน่วยงานรับผิดชอบ",
        *[f"งบประมาณ {y} (บาท)" for y in years],
        "รวมตามแผน (บาท)",
        "วิธีดำเนินการ",
        "การนับงบ",
        "ที่มา (ไฟล์ แผ่นงาน แถว)",
    ]
    widths = [5, 14, 11, 6, 30, 24, 18, 18, 18, 16, *[13] * len(years), 14, 11, 14, 30]
    title = [f"บัญชีโครงการ (แบบ ผ.02) {scope} ({code})", COUNTED_NOTE]
    name = _safe_sheet_name(f"{code} {d['district_name_th']}", taken)
    ws, row = _start(w, plan, name, title, labels, widths, 5)
    money0, last = 10, len(labels) - 1
    if not projects:
        w.put(ws, row, 0, "ยังไม่มีโครงการที่รับเข้าแผน", w.section)
        return
    sections: dict[str, list[dict]] = {}
    for p in projects:
        sections.setdefault(p["section_th"], []).append(p)
    for section, group in sections.items():
        ws.merge_range(row, 0, row, last, "", w.section)
        w.put(ws, row, 0, section, w.section)
        row += 1
        for n, p in enumerate(group, start=1):
            amounts = {a["fiscal_year"]: a["amount_thb"] for a in p["amounts"]}
            values = [
                n,
                LEVEL_TH.get(p["plan_level"], p["plan_level"]),
                p["tambon_name_th"],
                _villages(p["village_numbers"]),
                p["project_name"],
                p["objective"],
                p["target"],
                p["kpi"],
                p["expected_result"],
                p["responsible_agency"],
                *[amounts.get(y) for y in years],
                p["written_thb"],
                p["route_th"],
                p["counted_note_th"],
                _place(p),
            ]
            w.put_row(ws, row, values)
            row += 1
        of_section = [t for t in totals if not t["is_all_sections"] and t["section_th"] == section]
        row = _route_totals(w, ws, row, of_section, years, f"รวม{section}", money0, last)
    row += 1
    district = [t for t in totals if t["is_all_sections"]]
    row = _route_totals(w, ws, row, district, years, f"รวม{scope} นับครั้งเดียว", money0, last)
    written = [t for t in district if t["is_all_routes"]]
    _route_totals(
        w, ws, row, written, years, f"รวม{scope} ตามที่เขียนในแผน", money0, last, "written_thb"
    )


def _write_requested(w: _Writer, plan: PlanData, years: list[int]) -> None:
    """The requests each agency is asked for, counted once: the projects agency_request_list
    lists (with their amounts per year from workbook_projects) and agency_request_totals."""
    labels = [
        "ที่",
        "อำเภอ / แผน",
        "ตำบล",
        "โครงการ",
        "วิธีดำเนินการ",
        *[f"งบประมาณ {y} (บาท)" for y in years],
        "รวม (บาท)",
        "ที่มา (ไฟล์ แผ่นงาน แถว)",
    ]
    title = [
        f"โครงการที่ขอรับการสนับสนุนหรือทำร่วม {_scope(plan)} แยกตามหน่วยงานที่ขอ (นับครั้งเดียว)",
        "งบประมาณเหล่านี้เป็นของหน่วยงานที่ขอ ไม่ใช่งบของตำบล; โครงการที่แผนระดับบนรับไปแล้ว อยู่ในแผนนั้น",
    ]
    widths = [5, 22, 12, 36, 12, *[13] * len(years), 14, 30]
    ws, row = _start(w, plan, REQUESTED_SHEET, title, labels, widths, 4)
    money0, last = 5, len(labels) - 1
    totals = _whole(plan, "request_totals")
    if not totals:
        w.put(ws, row, 0, "ไม่มีโครงการขอรับการสนับสนุน", w.section)
        return
    scope = {d["district_code"]: d["scope_name_th"] for d in plan.districts}
    requests: dict[str | None, list[dict]] = {}
    for p in plan.marts["projects"]:
        if p["is_counted"] and p["route"] in ("requested", "joint") and p["amounts"]:
            requests.setdefault(p["requested_from"], []).append(p)
    agencies = [t for t in totals if t["is_all_years"]]
    by_agency: dict[str | None, dict[int, Decimal]] = {}
    for t in totals:
        if not t["is_all_years"]:
            by_agency.setdefault(t["requested_from"], {})[t["fiscal_year"]] = t["amount_thb"]
    for agency in agencies:
        ws.merge_range(row, 0, row, last, "", w.section)
        w.put(ws, row, 0, agency["agency_th"], w.section)
        row += 1
        listed = requests.get(agency["requested_from"], [])
        for n, p in enumerate(listed, start=1):
            amounts = {a["fiscal_year"]: a["amount_thb"] for a in p["amounts"]}
            values = [
                n,
                scope.get(p["district_code"], p["district_code"]),
                p["tambon_name_th"],
                p["project_name"],
                p["route_th"],
                *[amounts.get(y) for y in years],
                p["written_thb"],
                _place(p),
            ]
            w.put_row(ws, row, values)
            row += 1
        by_year = by_agency.get(agency["requested_from"], {})
        label = f"รวม {agency['agency_th']}: {agency['n_projects']} โครงการ"
        values = [by_year.get(y) for y in years]
        _total_row(w, ws, row, label, [*values, agency["amount_thb"]], money0, last)
        row += 1


def _write_strategies(w: _Writer, plan: PlanData) -> None:
    """Money per provincial strategy, counted once, the written amount beside it."""
    labels = [
        "รหัส",
        "ยุทธศาสตร์จังหวัด",
        "ปีงบประมาณ",
        "จำนวนโครงการ (ที่นับ)",
        "นับครั้งเดียว (บาท)",
        "ตามที่เขียนในแผนทุกระดับ (บาท)",
    ]
    title = [f"งบประมาณตามยุทธศาสตร์จังหวัด {_scope(plan)} (นับครั้งเดียว)"]
    ws, row = _start(w, plan, STRATEGY_SHEET, title, labels, [8, 60, 12, 14, 20, 24], 2)
    rows = _whole(plan, "strategies")
    if not rows:
        w.put(ws, row, 0, "ยังไม่มีโครงการที่มีงบประมาณ", w.section)
        return
    for s in rows:
        values = [
            s["strategy_code"] or "-",
            s["strategy_name_th"],
            s["fiscal_year"],
            s["n_projects"],
            s["counted_thb"],
            s["written_thb"],
        ]
        w.put_row(ws, row, values)
        row += 1


def _write_followup(w: _Writer, plan: PlanData) -> None:
    """Requests by agency, taken up by a plan above or still waiting (agency_request_status)."""
    labels = [
        "หน่วยงานที่ขอ",
        "ปีงบประมาณ",
        "จำนวนคำขอ",
        "งบที่ขอ (บาท)",
        "แผนระดับบนรับแล้ว (โครงการ)",
        "รับแล้ว (บาท)",
        "ยังรอ (โครงการ)",
        "ยังรอ (บาท)",
    ]
    title = [
        f"คำขอรับการสนับสนุนแยกตามหน่วยงาน: รับแล้ว / ยังรอ {_scope(plan)}",
        "รับแล้ว = แผนระดับบนรับโครงการเข้าแผนแล้ว (เชื่อมโยงยืนยันแล้ว); "
        "ยังรอ = ยังไม่มีแผนระดับบนรับ (รายการที่ต้องติดตาม)",
    ]
    ws, row = _start(w, plan, FOLLOWUP_SHEET, title, labels, [40, 12, 12, 18, 16, 18, 14, 18], 1)
    rows = _whole(plan, "request_status")
    if not rows:
        w.put(ws, row, 0, "ไม่มีโครงการขอรับการสนับสนุน", w.section)
        return
    for s in rows:
        year = "ทุกปี" if s["is_all_years"] else s["fiscal_year"]
        values = [
            s["agency_th"],
            year,
            s["n_requests"],
            s["requested_thb"],
            s["n_taken_up"],
            s["taken_up_thb"],
            s["n_waiting"],
            s["waiting_thb"],
        ]
        if s["is_all_years"]:
            for col, value in enumerate(values):
                fmt = w.total_money if isinstance(value, Decimal) else None
                w.put(ws, row, col, value, fmt or (w.total_int if col else w.total))
        else:
            w.put_row(ws, row, values)
        row += 1


def _write_reviews(w: _Writer, plan: PlanData) -> None:
    """The links a person must decide, the two projects side by side (review_links)."""
    labels = [
        "ที่",
        "คำถาม",
        "คะแนน",
        "ระดับแผน",
        "พื้นที่",
        "โครงการ",
        "งบตามแผน (บาท)",
        "ที่มา",
        "ระดับแผน (อีกโครงการ)",
        "พื้นที่ (อีกโครงการ)",
        "โครงการ (อีกโครงการ)",
        "งบตามแผน (บาท) (อีกโครงการ)",
        "ที่มา (อีกโครงการ)",
    ]
    title = [
        f"การเชื่อมโยงที่รอคนตัดสิน {_scope(plan)}",
        "คะแนนอยู่ในช่วงที่ต้องให้คนตัดสิน: ระหว่างรอ งบของทั้งสองโครงการยังนับแยกกัน "
        "เมื่อยืนยันว่าเป็นโครงการเดียวกัน เงินจะนับที่โครงการเดียว",
    ]
    widths = [5, 16, 8, 12, 18, 30, 14, 24, 12, 18, 30, 14, 24]
    ws, row = _start(w, plan, REVIEW_SHEET, title, labels, widths, 3)
    rows = _whole(plan, "reviews")
    if not rows:
        w.put(ws, row, 0, "ไม่มีการเชื่อมโยงที่รอตัดสิน", w.section)
        return
    for n, r in enumerate(rows, start=1):
        values = [n, r["question_th"], r["score"]]
        for prefix in ("", "linked_"):
            values += [
                LEVEL_TH.get(r[f"{prefix}plan_level"], r[f"{prefix}plan_level"]),
                " ".join(
                    x for x in (r[f"{prefix}scope_name_th"], r[f"{prefix}tambon_name_th"]) if x
                ),
                r[f"{prefix}project_name"],
                r[f"{prefix}written_thb"],
                f"{r[f'{prefix}source_file']} · แถว {r[f'{prefix}source_row']}",
            ]
        w.put_row(ws, row, values)
        row += 1


def _write_changes(w: _Writer, plan: PlanData) -> None:
    """What changed since the last publication, with the money (publication_changes)."""
    labels = [
        "ที่",
        "การเปลี่ยนแปลง",
        "อำเภอ / แผน",
        "โครงการ",
        "ปีงบประมาณ",
        "งบเดิม (บาท)",
        "งบใหม่ (บาท)",
        "ไฟล์",
    ]
    title = [f"การเปลี่ยนแปลงจากการเผยแพร่ครั้งก่อน {_scope(plan)}"]
    ws, row = _start(w, plan, CHANGES_SHEET, title, labels, [5, 18, 24, 40, 12, 16, 16, 30], 2)
    rows = _whole(plan, "changes")
    if not rows:
        w.put(ws, row, 0, "ไม่มีการเปลี่ยนแปลงจากการเผยแพร่ครั้งก่อน", w.section)
        return
    for n, c in enumerate(rows, start=1):
        values = [
            n,
            c["change_th"],
            c["scope_name_th"],
            c["project_name"],
            c["fiscal_year"],
            c["old_amount_thb"],
            c["new_amount_thb"],
            c["source_file"],
        ]
        w.put_row(ws, row, values)
        row += 1


def _write_missing(w: _Writer, plan: PlanData) -> None:
    title = [f"ตำบลที่ยังไม่มีแผน {_scope(plan)}"]
    labels = ["ที่", "อำเภอ", "รหัสตำบล", "ตำบล"]
    ws, row = _start(w, plan, MISSING_SHEET, title, labels, [5, 24, 12, 24])
    if not plan.missing:
        w.put(ws, row, 0, "ทุกตำบลมีแผนแล้ว", w.section)
        return
    for n, t in enumerate(plan.missing, start=1):
        values = [
            n,
            f"{t['district_code']} {t['district_name_th']}",
            t["tambon_code"],
            t["tambon_name_th"],
        ]
        w.put_row(ws, row, values)
        row += 1
    w.put(ws, row, 0, f"รวม {len(plan.missing)} ตำบล", w.total)


def write_workbook(plan: PlanData, out: Path) -> Path:
    """Write the One Plan workbook to `out` (through a temporary file beside it)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    years = _years(plan)
    w = _Writer(tmp)
    try:
        taken = {name.lower() for name in FIXED_SHEETS}
        _write_summary(w, plan)
        for d in plan.districts:
            _write_district(w, plan, d, years, taken)
        _write_requested(w, plan, years)
        _write_strategies(w, plan)
        _write_followup(w, plan)
        _write_reviews(w, plan)
        _write_changes(w, plan)
        _write_missing(w, plan)
        w.close()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, out)
    return out


def _csv_cell(value: object) -> str:
    """A CSV field: money as plain digits, lists joined, text inert; text that Excel would
    read as a formula is prefixed with an apostrophe (the usual CSV-injection defence)."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) and pd.isna(value):
        return ""
    text = inert_text(value, keep_newlines=False)
    return "'" + text if text.startswith(CSV_FORMULA_START) else text


def _csv_column(values: list) -> list[str]:
    """`_csv_cell` of each value, computed once per distinct value (by type and value, so
    True and 1 or 1 and Decimal("1.00") stay apart)."""
    cache: dict[tuple, str] = {}
    out = []
    for value in values:
        try:
            key = (type(value), tuple(value) if isinstance(value, list) else value)
            text = cache.get(key)
            if text is None:
                text = cache[key] = _csv_cell(value)
        except TypeError:  # unhashable: computed for this cell
            text = _csv_cell(value)
        out.append(text)
    return out


def write_csv(plan: PlanData, out: Path) -> Path:
    """The oneplan view as CSV, UTF-8 with a BOM, one row per project and fiscal year (a
    project with no amount once, its year and amounts empty)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    columns = [_csv_column(list(values)) for values in zip(*plan.oneplan, strict=True)]
    if not plan.oneplan:
        columns = [[] for _ in plan.columns]
    try:
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(plan.columns)
            writer.writerows(zip(*columns, strict=True))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, out)
    return out


def export_workbook(db_path: Path, out: Path, district: str | None = None) -> Path:
    """`oneplan export --xlsx OUT [--district CODE]`: the workbook of the published plan."""
    plan = read_plan(db_path)
    if district is not None:
        plan = slice_district(plan, district)
    return write_workbook(plan, out)


# -- the district packs ------------------------------------------------------------------------
WORKBOOK_NAME = "oneplan.xlsx"
CSV_NAME = "oneplan.csv"
DISTRICTS_FOLDER = "districts"
ANNOTATED_FOLDER = "annotated"

_ISSUES_OF_FILES = """
select i.submission_id, i.source_file, i.source_sheet, i.source_row, i.column_name, i.cell,
    i.severity, i.code, i.raw_value, i.expected_value
from data_issues as i
inner join submissions as s on s.submission_id = i.submission_id
where s.status = 'current'
"""


# The stem of an annotated copy's name, in bytes: with its type, a " (n)" to make it unique
# and the temporary name it is written under (".NAME.tmp-PID") it stays within the 255 bytes
# a file name may have.
ANNOTATED_STEM_BYTES = 180


def annotated_name(source_file: str) -> str:
    """The file name of an annotated copy: the path under the district folder, flattened,
    inert, never hidden, always .xlsx, at most ANNOTATED_STEM_BYTES bytes before its type;
    a file that was not .xlsx keeps its type in the name, so `แผน.xls` and `แผน.xlsx` do not
    meet (`หันคา/ชุด 1/แผน.xls` -> `ชุด 1 - แผน (xls).xlsx`)."""
    parts = [p for p in source_file.split("/")[1:] if p not in ("", ".", "..")] or ["ไฟล์"]
    stem = " - ".join(parts)
    found = re.search(r"\.([A-Za-z0-9]{1,5})$", stem)
    kind = found.group(1).lower() if found else ""
    stem = stem[: found.start()] if found else stem
    stem = file_name_part(stem, ANNOTATED_STEM_BYTES)
    return f"{stem}.xlsx" if kind in ("xlsx", "") else f"{stem} ({kind}).xlsx"


def _current_files(db_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    con = connect(Path(db_path), read_only=True)
    try:
        files = _frame(
            con,
            "select submission_id, district_code, source_file, file_sha256 from submissions "
            "where status = 'current' order by district_code, source_file",
        )
        issues = _frame(con, _ISSUES_OF_FILES)
    finally:
        con.close()
    return files, issues


def _issue_order(issue: dict) -> tuple:
    """A total order of a file's issues (the query has none): the same issues give the same
    annotated copy and the same content key, whatever order DuckDB returns them in."""
    row = issue.get("source_row")
    return (
        (issue.get("source_sheet") is not None, str(issue.get("source_sheet") or "")),
        (row is not None, -1 if row is None else int(row)),
        *(
            (issue.get(k) is not None, "" if issue.get(k) is None else str(issue.get(k)))
            for k in ("cell", "column_name", "severity", "code", "raw_value", "expected_value")
        ),
    )


def _issues_by_submission(issues: pd.DataFrame) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for sid, group in issues.groupby("submission_id"):
        rows = []
        for r in group.to_dict("records"):
            issue = {
                k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in r.items()
            }
            if issue.get("source_row") is not None:
                issue["source_row"] = int(issue["source_row"])
            rows.append(issue)
        out[sid] = sorted(rows, key=_issue_order)
    return out


# -- content keys, the manifest and reuse -----------------------------------------------------
MANIFEST_NAME = ".oneplan-outputs.json"  # in each version folder: each output's content key
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
MANIFEST_FORMAT = "oneplan-outputs/1"


def content_key(*parts: object) -> str:
    """sha256 of the parts (str, numbers, Decimal, datetime, None, lists and dicts of them,
    as JSON; any other value by its repr): two outputs with the same key are the same output."""
    text = json.dumps(parts, default=repr, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plan_key(plan: PlanData, fingerprint: str) -> str:
    """The content key of a workbook written from `plan` (by the code of `fingerprint`): every
    row it renders, the scope and the as-of time."""
    return content_key(
        "workbook",
        fingerprint,
        plan.district,
        plan.districts,
        plan.marts,
        plan.missing,
        plan.loaded_at,
    )


def annotated_key(
    sha256: str | None, source_file: str, issues: list[dict], fingerprint: str
) -> str:
    """The content key of an annotated copy: the original's bytes (by hash), its name and
    its issues, and the code (`fingerprint`) that writes it."""
    return content_key("annotated", fingerprint, sha256, source_file, issues, "th")


def read_manifest(version: Path | None) -> dict[str, str]:
    """The content keys recorded in a version folder of ours ({} when there is none, when the
    folder is not ours, or when the manifest is not one we wrote)."""
    return _manifest_map(version, "files")


def read_manifest_hashes(version: Path | None) -> dict[str, str]:
    """The SHA-256 of each output as written, recorded in a version folder's manifest (an
    output with none recorded is never reused)."""
    return _manifest_map(version, "sha256")


def _manifest_map(version: Path | None, section: str) -> dict[str, str]:
    from oneplan.flows.paths import is_our_version

    if version is None or not is_our_version(Path(version)):
        return {}
    path = Path(version) / MANIFEST_NAME
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MANIFEST_MAX_BYTES:
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        return {}
    files = data.get(section)
    if not isinstance(files, dict):
        return {}
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}


def write_manifest(
    target: Path, files: dict[str, str], hashes: dict[str, str] | None = None
) -> Path:
    """The manifest: each output's content key and the SHA-256 of the file as written
    (flushed to disk before the rename)."""
    path = Path(target) / MANIFEST_NAME
    body = {
        "format": MANIFEST_FORMAT,
        "note": "content keys of the outputs written by oneplan; an output whose key is "
        "unchanged is taken from the previous version instead of being written again, when "
        "its bytes still have the SHA-256 recorded here",
        "files": dict(sorted(files.items())),
        "sha256": dict(sorted((hashes or {}).items())),
    }
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    write_durable(tmp, json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"))
    os.replace(tmp, path)
    fsync_dir(path.parent)
    return path


def _sha256_of(handle) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def _open_output(root: Path, relpath: str) -> int | None:
    """A descriptor of the regular file `relpath` under the folder `root`, walking folder by
    folder without following a link at any depth (a district folder of a published version
    replaced by a link to elsewhere is never entered); None when there is no such file."""
    cloexec = getattr(os, "O_CLOEXEC", 0)
    folder_flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | cloexec
    parts = relpath.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    try:
        fd = os.open(root, folder_flags)
    except OSError:
        return None
    try:
        for part in parts[:-1]:
            inner = os.open(part, folder_flags, dir_fd=fd)
            os.close(fd)
            fd = inner
        out = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | cloexec, dir_fd=fd)
    except OSError:
        return None
    finally:
        os.close(fd)
    if not stat.S_ISREG(os.fstat(out).st_mode):
        os.close(out)
        return None
    os.set_blocking(out, True)
    return out


def reuse_output(old: Path, new: Path, sha256: str | None = None, root: Path | None = None) -> bool:
    """Take `old` (a regular file of the previous version) as `new`: a hard link, or a copy
    when linking fails (another file system). False when it cannot, and always when its
    bytes do not have the SHA-256 the previous version's manifest recorded (`sha256`; an
    output edited by hand since is written anew) or a link lies on the way (`root`: the
    previous version folder, walked without following links; else only `old` itself)."""
    if sha256 is None:
        return False
    if root is None:
        root, relpath = Path(old).parent, Path(old).name
    else:
        relpath = Path(old).relative_to(root).as_posix()
    fd = _open_output(Path(root), relpath)
    if fd is None:
        return False
    with os.fdopen(fd, "rb") as src:
        if _sha256_of(src) != sha256:
            return False
        new.parent.mkdir(parents=True, exist_ok=True)
        if os.path.lexists(new):
            return False
        checked = os.fstat(src.fileno())
        try:
            os.link(old, new, follow_symlinks=False)
            linked = os.lstat(new)
            if (linked.st_dev, linked.st_ino) == (checked.st_dev, checked.st_ino):
                return True  # exactly the file whose bytes were checked
            os.unlink(new)  # `old` was swapped since: copy the checked bytes instead
        except OSError:
            pass
        tmp = new.with_name(f".{new.name}.tmp-{os.getpid()}")
        try:
            src.seek(0)
            with open(tmp, "xb") as dst:
                shutil.copyfileobj(src, dst)
            os.replace(tmp, new)
            return True
        except OSError:
            tmp.unlink(missing_ok=True)
            return False


# -- the jobs: each output that is a pure function of its inputs --------------------------------
@dataclass
class OutputJob:
    """One output file: where it goes (relative to the version folder), its content key,
    and what writes it (a module-level function and its arguments, so a worker process can
    run it)."""

    relpath: str
    key: str
    kind: str  # "workbook" | "annotated"
    args: tuple
    size: int  # rows to write, to judge whether a process pool pays


def annotate_limits():
    """The time and memory budget of one annotated copy (a child process, flows.contain):
    the reading limits' memory, and a minute (a plan file's copy takes a few seconds)."""
    from oneplan.flows.read import LIMITS

    return replace(LIMITS, seconds=60.0)


def _run_job(job: OutputJob, target: str) -> tuple[str, str | None]:
    """Write one output; returns (relpath, None) or (relpath, why it was not written).
    An annotated copy is made in a child process under a time and memory budget
    (`annotate_limits`): a file that would cost minutes or gigabytes gets none."""
    out = Path(target) / job.relpath
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if job.kind == "workbook":
            write_workbook(job.args[0], out)
        else:
            from oneplan.flows.contain import run_contained

            limits = annotate_limits()
            run_contained(_annotate_one, (*job.args, out, False), limits)
    except Exception as err:  # one odd workbook must not stop the publication
        with contextlib.suppress(OSError):  # nor may cleaning up after it
            out.unlink(missing_ok=True)
        return job.relpath, inert_text(f"{type(err).__name__}: {err}", keep_newlines=False)
    return job.relpath, None


def _annotate_one(
    path: str,
    source_file: str,
    district_code: str,
    issues: list[dict],
    sha256: str | None,
    out: Path,
    contained: bool = True,
):
    """The annotated copy of one file at `out`, made from the bytes that were hashed, parsed
    and published (`sha256`), read once without following links (`contained=False`: this
    process is the contained child already, the spreadsheet is read here); a file changed or
    swapped (for a link, a FIFO, another file) since is not copied (FileChanged)."""
    from oneplan.flows.check import CheckedFile, annotate
    from oneplan.flows.read import read_bytes
    from oneplan.flows.stage import FileChanged, _read_bytes

    data = _read_bytes(Path(path))
    if sha256 is None or hashlib.sha256(data).hexdigest() != sha256:
        raise FileChanged("the file is no longer the version that was published")
    checked = CheckedFile(
        path=Path(path),
        source_file=source_file,
        district_code=district_code,
        sheets=read_bytes(data, Path(path).suffix.lower() or Path(path).name, contained=contained),
        read_error=None,
        tables={},
        issues=issues,
        data=data,
    )
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        annotate(checked, tmp)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, out)  # readers see the whole copy or none
    return out


POOL_MIN_ROWS = 20_000  # below this the pool's start-up (about 2 s a worker) costs more


def output_workers() -> int:
    """Worker processes for the outputs: both cores of a 2-core machine, never more than 2
    (the DuckDB build and the web server share the machine); ONEPLAN_OUTPUT_WORKERS=1 turns
    the pool off."""
    wanted = os.environ.get("ONEPLAN_OUTPUT_WORKERS", "")
    limit = int(wanted) if wanted.isdigit() and int(wanted) > 0 else 2
    return max(1, min(limit, os.cpu_count() or 1))


def _ignore(_result) -> None:
    """No progress per output file."""


def run_jobs(
    jobs: list[OutputJob], target: Path, workers: int = 1, pool_min_rows: int = POOL_MIN_ROWS
) -> list[tuple[str, str | None]]:
    """Write the outputs of `jobs` into `target`, in `workers` worker processes when the work
    is big enough to pay for them; the results are the same either way.

    The workers are the parse step's (flows/parallel.py: plain `python -m` children, never
    a fork of this threaded process, and never a re-run of the caller's `__main__`, which
    a multiprocessing spawn would do to a script without the `if __name__` guard)."""
    from oneplan.flows.parallel import map_files

    big = sum(j.size for j in jobs) >= pool_min_rows
    if workers > 1 and len(jobs) > 1 and big:
        # Largest first, so the last job to finish is a small one.
        ordered = sorted(jobs, key=lambda j: -j.size)
        try:
            done = dict(map_files(_run_job, ordered, (str(target),), _ignore, workers))
            return [(j.relpath, done[j.relpath]) for j in jobs]
        except (PublishError, OSError):
            # A worker could not start or ended unexpectedly: the same outputs, written here.
            pass
    return [_run_job(j, str(target)) for j in jobs]


def annotated_jobs(
    db_path: Path, sources: dict[str, Path], fingerprint: str, packs: str = DISTRICTS_FOLDER
) -> list[OutputJob]:
    """A job per current file whose original is in `sources` (source_file -> path): its
    annotated copy, as `oneplan check --annotate` writes it, under
    <packs>/<district>/annotated/."""
    files, issues = _current_files(db_path)
    by_submission = _issues_by_submission(issues)
    jobs: list[OutputJob] = []
    taken: set[str] = set()
    for f in files.itertuples(index=False):
        path = sources.get(f.source_file)
        if path is None:
            continue
        folder = f"{packs}/{f.district_code}/{ANNOTATED_FOLDER}"
        name, n = annotated_name(f.source_file), 2
        while f"{folder}/{name}" in taken:
            name, n = f"{annotated_name(f.source_file)[:-5]} ({n}).xlsx", n + 1
        relpath = f"{folder}/{name}"
        taken.add(relpath)
        file_issues = by_submission.get(f.submission_id, [])
        sha = f.file_sha256 if isinstance(f.file_sha256, str) else None
        try:
            size = max(Path(path).stat().st_size // 100, 1)  # about a row per 100 bytes
        except OSError:
            size = 1
        jobs.append(
            OutputJob(
                relpath,
                annotated_key(sha, f.source_file, file_issues, fingerprint),
                "annotated",
                (str(path), f.source_file, f.district_code, file_issues, sha),
                size,
            )
        )
    return jobs


def write_annotated(
    db_path: Path, sources: dict[str, Path], out_dir: Path, log=None, workers: int = 1
) -> dict[str, Path]:
    """An annotated copy (as `oneplan check --annotate` writes it) of each current file whose
    original is in `sources` (source_file -> path), under out_dir/<district>/annotated/.
    A file that can no longer be read is left out with a warning; returns what was written."""
    from oneplan.flows.reference import build_fingerprint

    out_dir = Path(out_dir)
    jobs = annotated_jobs(db_path, sources, build_fingerprint(), packs=".")
    results = dict(run_jobs(jobs, out_dir, workers))
    written = {}
    for job in jobs:
        source_file = job.args[1]
        if results[job.relpath] is None:
            written[source_file] = out_dir / job.relpath
        elif log is not None:
            log.warning(
                "no annotated copy of %s: %s", inert_line(source_file), results[job.relpath]
            )
    return written


def write_outputs(
    db_path: Path,
    target: Path,
    sources: dict[str, Path] | None = None,
    published_as: Path | None = None,
    log=None,
    previous: Path | None = None,
    workers: int | None = None,
    pool_min_rows: int = POOL_MIN_ROWS,
) -> dict:
    """Everything people open, into an export version folder: oneplan.xlsx, oneplan.csv and
    districts/<code>/ (the district's workbook slice, its report in HTML and Markdown, and the
    annotated copies of the files it sent).

    Each workbook and annotated copy has a content key (its inputs and the build
    fingerprint), recorded in the folder's manifest; one whose key is the same in `previous`
    (the version the export points at, ours) is taken from there, not written again. The rest
    are written in a process pool of `workers` (default `output_workers()`) when big enough."""
    from oneplan.flows.reference import build_fingerprint
    from oneplan.flows.report import collect_quality, district_report, render_html, render_markdown

    target = Path(target)
    workers = output_workers() if workers is None else workers
    fingerprint = build_fingerprint()
    same = previous is not None and Path(previous) == target
    old_keys = read_manifest(previous) if previous is not None and not same else {}
    old_hashes = read_manifest_hashes(previous) if old_keys else {}
    plan = read_plan(db_path)
    jobs = [
        OutputJob(
            WORKBOOK_NAME, plan_key(plan, fingerprint), "workbook", (plan,), len(plan.oneplan)
        )
    ]
    report = collect_quality(Path(db_path))
    if published_as is not None:
        report["db"] = str(published_as)
    packs = target / DISTRICTS_FOLDER
    for code in [d["district_code"] for d in plan.districts]:
        folder = packs / code
        folder.mkdir(parents=True, exist_ok=True)
        one_plan = slice_district(plan, code)
        relpath = f"{DISTRICTS_FOLDER}/{code}/oneplan-{code}.xlsx"
        key = plan_key(one_plan, fingerprint)
        size = len(one_plan.marts["projects"])
        jobs.append(OutputJob(relpath, key, "workbook", (one_plan,), size))
        try:  # one district's report that cannot be rendered costs that report only
            one = district_report(report, code)
            (folder / "report.html").write_text(render_html(one), encoding="utf-8")
            (folder / "report.md").write_text(render_markdown(one), encoding="utf-8")
        except Exception as err:
            if log is not None:
                log.warning("no report for district %s: %s", code, inert_line(err))
    plan.by_district.clear()  # the slices hold their rows; a worker need not get them twice
    if sources:
        jobs += annotated_jobs(db_path, sources, fingerprint)
    keys: dict[str, str] = {}
    hashes: dict[str, str] = {}
    todo = []
    for job in jobs:
        old_hash = old_hashes.get(job.relpath)
        if old_keys.get(job.relpath) == job.key and reuse_output(
            Path(previous) / job.relpath, target / job.relpath, old_hash, Path(previous)
        ):
            keys[job.relpath] = job.key
            hashes[job.relpath] = old_hash
        else:
            todo.append(job)
    write_csv(plan, target / CSV_NAME)
    todo_keys = {j.relpath: j.key for j in todo}
    for relpath, error in run_jobs(todo, target, workers, pool_min_rows):
        written = file_sha256(target / relpath) if error is None else None
        if written is not None:
            keys[relpath] = todo_keys[relpath]
            hashes[relpath] = written
        elif log is not None:
            log.warning("no %s: %s", inert_line(relpath), error)
    write_manifest(target, keys, hashes)
    reused = [j.relpath for j in jobs if j.relpath not in todo_keys]
    if log is not None:
        log.info("outputs: %d written, %d taken from the previous version", len(todo), len(reused))
    return {
        "xlsx": target / WORKBOOK_NAME,
        "csv": target / CSV_NAME,
        "districts": packs,
        "manifest": target / MANIFEST_NAME,
        "reused": reused,
        "written": list(todo_keys),
    }
