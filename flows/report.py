"""The data quality report of a published One Plan: one section per district, in Markdown (for
the Prefect artifact and the repository) and as one self-contained HTML page (for the districts).

Per district: the current files and their rows by outcome (`submissions`), the issues by severity
and code (`data_issues` joined to `submissions`), the files in the district's folder that were
not read at all (inbox-level issues, `submission_id` NULL), and the tambons with no plan yet
(`coverage`). Reads the published database read-only; never writes to it.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pandas as pd
from oneplan.flows.db import connect, report_query
from oneplan.flows.reference import load_issue_labels, load_rules
from oneplan.transforms.areas import resolve_district_folder
from oneplan.transforms.issues import render_issue
from oneplan.transforms.outputs import (
    ROUTE_TH,
    ROUTES,
    inert_text,
    markdown_text,
    stacked_bars,
    text_bar,
)
from oneplan.transforms.thaidate import thai_datetime

SEVERITIES = ("error", "warning", "info")
MAX_LISTED = 2000  # issues listed one by one per district; the rest are counted
TEMPLATES = Path(__file__).resolve().parent / "templates"
ROUTE_COLORS = {"own": "#2f6fb0", "joint": "#5aa469", "requested": "#e08a2c", "unstated": "#9aa4ae"}
OUTCOME_COLORS = {"accepted": "#5aa469", "rejected": "#d64545", "skipped": "#9aa4ae"}
SEVERITY_COLORS = {"error": "#d64545", "warning": "#e0a800", "info": "#4a90d9"}
SEVERITY_TH = {"error": "ข้อผิดพลาด", "warning": "คำเตือน", "info": "ข้อสังเกต"}
OUTCOMES = ("read", "accepted", "rejected", "skipped")
OUTCOME_TH = {"read": "แถวที่อ่าน", "accepted": "รับ", "rejected": "ปฏิเสธ", "skipped": "ข้าม"}

_FILES = report_query("quality_files")

_FILE_SEVERITIES = report_query("quality_file_severities")

_CODES = report_query("quality_codes")

_INBOX = report_query("quality_inbox")
_INBOX_COLUMNS = (
    "source_file",
    "source_sheet",
    "source_row",
    "column_name",
    "cell",
    "severity",
    "code",
    "raw_value",
    "expected_value",
)

_MISSING = report_query("quality_missing")


def _issue_item(row: tuple, labels: dict[str, str], rules) -> dict:
    (_, source_file, sheet, source_row, column, cell, severity, code, raw, expected) = row
    issue = {
        "source_file": source_file,
        "source_sheet": sheet or "",
        "source_row": source_row,
        "column_name": column,
        "cell": cell,
        "severity": severity,
        "code": code,
        "raw_value": raw,
        "expected_value": expected,
    }
    entry = rules.issue_codes.get(code)
    return {
        **issue,
        "label_th": labels.get(code, code),
        "body": render_issue(rules, issue, "th", with_location=False),
        "fix_th": entry.fix_th if entry else "",
    }


def collect_quality(db_path: Path) -> dict:
    """Everything the report shows, read from the published database (read-only)."""
    con = connect(db_path, read_only=True)
    try:
        areas = pd.DataFrame(
            con.execute(report_query("quality_areas")).fetchall(),
            columns=[
                "district_code",
                "district_name_th",
                "district_name_en",
                "tambon_code",
                "area_level",
            ],
        )
        files = con.execute(_FILES).fetchall()
        file_severities = con.execute(_FILE_SEVERITIES).fetchall()
        codes = con.execute(_CODES).fetchall()
        inbox = con.execute(_INBOX).fetchall()
        missing = con.execute(_MISSING).fetchall()
        listed = con.execute(report_query("issue_list")).fetchall()
        money = con.execute(report_query("plan_money")).fetchall()
        loaded_at = con.execute(report_query("quality_loaded_at")).fetchone()[0]
        scopes = dict(
            con.execute("select district_code, scope_name_th from district_labels").fetchall()
        )
    finally:
        con.close()
    rules = load_rules()
    labels = load_issue_labels()
    per_file_sev: dict[str, dict[str, int]] = {}
    for submission_id, severity, n in file_severities:
        per_file_sev.setdefault(submission_id, dict.fromkeys(SEVERITIES, 0))[severity] = n
    districts: dict[str, dict] = {}
    # The province's own row (provincial plans) shows only when a file of it was read.
    with_files = {code for code, *_ in files}
    tambons = areas[areas["area_level"] == "tambon"]
    shown = areas[areas["district_code"].isin(set(tambons["district_code"]) | with_files)]
    for row in shown.drop_duplicates("district_code").itertuples(index=False):
        districts[row.district_code] = {
            "district_code": row.district_code,
            "district_name_th": row.district_name_th,
            "district_name_en": row.district_name_en,
            # อำเภอ<name>, or the province's own plans as the provincial plan
            "scope_name_th": scopes.get(row.district_code, row.district_name_th),
            "n_tambons": int((tambons["district_code"] == row.district_code).sum()),
            "files": [],
            "rows": dict.fromkeys(OUTCOMES, 0),
            "severities": dict.fromkeys(SEVERITIES, 0),
            "codes": [],
            "issues": [],
            "n_issues_not_listed": 0,
            "money": {},
            "unread_files": [],
            "missing_tambons": [],
        }
    for code, source_file, n_read, n_acc, n_rej, n_skip, submission_id in files:
        d = districts[code]
        rows = dict(zip(OUTCOMES, (n_read, n_acc, n_rej, n_skip), strict=True))
        sev = per_file_sev.get(submission_id, dict.fromkeys(SEVERITIES, 0))
        d["files"].append({"source_file": source_file, "rows": rows, "severities": sev})
        for key, n in rows.items():
            d["rows"][key] += n
    for code, severity, issue_code, n in codes:
        d = districts[code]
        d["severities"][severity] += n
        entry = rules.issue_codes.get(issue_code)
        d["codes"].append(
            {
                "severity": severity,
                "code": issue_code,
                "label_th": labels.get(issue_code, issue_code),
                "n": n,
                "fix_th": entry.fix_th if entry else "",
            }
        )
    for d in districts.values():
        d["codes"].sort(key=lambda c: (SEVERITIES.index(c["severity"]), -c["n"], c["code"]))
    for row in listed:
        d = districts[row[0]]
        if len(d["issues"]) < MAX_LISTED:
            d["issues"].append(_issue_item(row, labels, rules))
        else:
            d["n_issues_not_listed"] += 1
    years: set[int] = set()
    plan_money: dict[int, dict] = {}
    for code, year, is_total, *amounts, _n_projects in money:
        years.add(int(year))
        row = dict(zip((*ROUTES, "counted", "written"), amounts, strict=True))
        if is_total:
            plan_money[int(year)] = row
        elif code in districts:
            districts[code]["money"][int(year)] = row
    inbox_rest = []
    for row in inbox:
        issue = dict(zip(_INBOX_COLUMNS, row, strict=True))
        source_file = issue["source_file"]
        item = {
            **issue,
            "message": render_issue(rules, issue, "th"),
            "message_en": render_issue(rules, issue, "en"),
        }
        folder = source_file.split("/", 1)[0] if "/" in source_file else None
        district = resolve_district_folder(folder, areas) if folder else None
        if district in districts:
            districts[district]["unread_files"].append(item)
        else:
            inbox_rest.append(item)
    for code, tambon_code, tambon_name_th in missing:
        districts[code]["missing_tambons"].append(
            {"tambon_code": tambon_code, "tambon_name_th": tambon_name_th}
        )
    return {
        "db": str(db_path),
        "loaded_at": thai_datetime(loaded_at) if loaded_at is not None else None,
        "fiscal_years": sorted(years),
        "districts": list(districts.values()),
        # The whole plan per year, as plan_summary computes it (never added up here).
        "plan_money": plan_money,
        "inbox_issues": inbox_rest,
        # Rows rejected per file, most first: a rejection must be a real error, so a file
        # high on this list is the first to check (with the district) before trusting totals.
        "rejected_by_file": sorted(
            (
                {"source_file": f, "n_rows_rejected": n_rej, "n_rows_read": n_read}
                for _, f, n_read, _, n_rej, _, _ in files
                if n_rej
            ),
            key=lambda e: (-e["n_rows_rejected"], e["source_file"]),
        ),
    }


def district_report(report: dict, district_code: str) -> dict:
    """The report of one district (its section only, for the district's pack)."""
    return {
        **report,
        "districts": [d for d in report["districts"] if d["district_code"] == district_code],
        "inbox_issues": [],
    }


@lru_cache(maxsize=4)
def _n(value: int) -> str:
    return f"{value:,}"


def _baht(value: Decimal) -> str:
    return f"{value:,.2f}"


def _overview_rows(report: dict) -> tuple[list[str], list[list[str]]]:
    head = [
        "อำเภอ",
        "ไฟล์",
        *[OUTCOME_TH[o] for o in OUTCOMES],
        *[SEVERITY_TH[s] for s in SEVERITIES],
        "ตำบลที่ยังไม่มีแผน",
    ]
    body = []
    for d in report["districts"]:
        body.append(
            [
                f"{d['district_code']} {d['district_name_th']}",
                _n(len(d["files"])),
                *[_n(d["rows"][o]) for o in OUTCOMES],
                *[_n(d["severities"][s]) for s in SEVERITIES],
                f"{len(d['missing_tambons'])} / {d['n_tambons']}",
            ]
        )
    districts = report["districts"]
    body.append(
        [
            "รวม",
            _n(sum(len(d["files"]) for d in districts)),
            *[_n(sum(d["rows"][o] for d in districts)) for o in OUTCOMES],
            *[_n(sum(d["severities"][s] for d in districts)) for s in SEVERITIES],
            f"{sum(len(d['missing_tambons']) for d in districts)} / "
            f"{sum(d['n_tambons'] for d in districts)}",
        ]
    )
    return head, body


def _money_rows(report: dict) -> tuple[list[str], list[list[str]]]:
    """Baht per district and fiscal year, funding routes apart, counted once, the written
    amount beside it, and the whole plan per year: every number as plan_summary has it."""
    head = [
        "อำเภอ",
        "ปีงบประมาณ",
        *[ROUTE_TH[r] for r in ROUTES],
        "รวม (นับครั้งเดียว)",
        "ตามที่เขียนในแผน (รวมทุกระดับ)",
    ]
    body = []
    for d in report["districts"]:
        for year, money in sorted(d["money"].items()):
            body.append(
                [
                    f"{d['district_code']} {d['district_name_th']}",
                    str(year),
                    *[_baht(money[r]) for r in ROUTES],
                    _baht(money["counted"]),
                    _baht(money["written"]),
                ]
            )
    if len(report["districts"]) > 1:
        for year, money in sorted(report.get("plan_money", {}).items()):
            body.append(
                [
                    "รวม",
                    str(year),
                    *[_baht(money[r]) for r in ROUTES],
                    _baht(money["counted"]),
                    _baht(money["written"]),
                ]
            )
    return head, body


def _charts(report: dict) -> list[dict]:
    """The three charts: baht by district, year and route; rows by outcome; issues by severity."""
    districts = report["districts"]
    money_rows = [
        (
            f"{d['district_code']} {d['district_name_th']} ปี {year}",
            [d["money"][year][r] for r in ROUTES],
            d["money"][year]["counted"],
        )
        for d in districts
        for year in sorted(d["money"])
    ]
    outcome_rows = [
        (
            f"{d['district_code']} {d['district_name_th']}",
            [d["rows"][o] for o in ("accepted", "rejected", "skipped")],
        )
        for d in districts
    ]
    severity_rows = [
        (f"{d['district_code']} {d['district_name_th']}", [d["severities"][s] for s in SEVERITIES])
        for d in districts
    ]
    return [
        {
            "id": "chart-budget",
            "title": "งบประมาณรายอำเภอและปีงบประมาณ แยกตามวิธีดำเนินการ (บาท)",
            "series": [(ROUTE_TH[r], ROUTE_COLORS[r]) for r in ROUTES],
            "bars": stacked_bars(money_rows),
            "money": True,
        },
        {
            "id": "chart-rows",
            "title": "แถวที่อ่านรายอำเภอ: รับ / ปฏิเสธ / ข้าม",
            "series": [
                (OUTCOME_TH[o], OUTCOME_COLORS[o]) for o in ("accepted", "rejected", "skipped")
            ],
            "bars": stacked_bars(outcome_rows),
            "money": False,
        },
        {
            "id": "chart-issues",
            "title": "ปัญหาที่พบรายอำเภอ ตามระดับ",
            "series": [(SEVERITY_TH[s], SEVERITY_COLORS[s]) for s in SEVERITIES],
            "bars": stacked_bars(severity_rows),
            "money": False,
        },
    ]


def _file_head() -> list[str]:
    return ["ไฟล์", *[OUTCOME_TH[o] for o in OUTCOMES], *[SEVERITY_TH[s] for s in SEVERITIES]]


def _file_row(f: dict) -> list[str]:
    return [
        f["source_file"],
        *[_n(f["rows"][o]) for o in OUTCOMES],
        *[_n(f["severities"][s]) for s in SEVERITIES],
    ]


def _where(issue: dict) -> str:
    parts = [issue["source_file"]]
    if issue.get("source_sheet"):
        parts.append(f"แผ่นงาน {issue['source_sheet']}")
    if issue.get("cell"):
        parts.append(f"เซลล์ {issue['cell'].rsplit('!', 1)[-1]}")
    if issue.get("source_row") is not None:
        parts.append(f"แถว {issue['source_row']}")
    if issue.get("column_name"):
        parts.append(f"คอลัมน์ {issue['column_name']}")
    return " · ".join(parts)


def _md_cell(value: object) -> str:
    return markdown_text(value)


def _md_table(head: list[str], body: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(_md_cell(h) for h in head) + " |", "|" + " --- |" * len(head)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in body]
    return lines


def _md_chart(chart: dict) -> list[str]:
    """A chart as text bars in a code block (the Prefect artifact shows no SVG)."""
    bars = chart["bars"]
    if not bars:
        return []
    top = max(float(b["total"]) for b in bars) or 1.0
    width = max(len(b["label"]) for b in bars)
    names = " · ".join(name for name, _ in chart["series"])
    lines = ["", f"**{chart['title']}** (รวม {names})", "", "```"]
    for b in bars:
        value = _baht(b["total"]) if chart["money"] else _n(b["total"])
        label = inert_text(b["label"], keep_newlines=False).replace("`", "'")
        lines.append(f"{label.ljust(width)}  {text_bar(float(b['total']), top):<31} {value}")
    return [*lines, "```"]


def render_markdown(report: dict) -> str:
    """The report as Markdown (Thai, with the issue codes of data/issue_codes.csv); every
    value from the data is escaped, so no file name can make a link or raw HTML."""
    out = [
        "# รายงานคุณภาพข้อมูลแผนพัฒนาตำบล (Data quality report)",
        "",
        f"ฐานข้อมูล {markdown_text(report['db'])}"
        + (f" · ประมวลผล {report['loaded_at']}" if report["loaded_at"] else ""),
        "",
        "## ภาพรวมรายอำเภอ",
        "",
        *_md_table(*_overview_rows(report)),
    ]
    charts = _charts(report)
    for chart in charts[1:]:
        out += _md_chart(chart)
    out += ["", "## งบประมาณรายอำเภอและปีงบประมาณ (บาท)", ""]
    out += _md_table(*_money_rows(report))
    out += _md_chart(charts[0])
    for d in report["districts"]:
        out += [
            "",
            f"## {d['district_code']} {d['scope_name_th']} ({d['district_name_en']})",
            "",
        ]
        rows = d["rows"]
        out.append(
            f"ไฟล์ {_n(len(d['files']))} · แถวที่อ่าน {_n(rows['read'])} "
            f"(รับ {_n(rows['accepted'])} · ปฏิเสธ {_n(rows['rejected'])} · "
            f"ข้าม {_n(rows['skipped'])}) · "
            + " · ".join(f"{SEVERITY_TH[s]} {_n(d['severities'][s])}" for s in SEVERITIES)
        )
        if d["files"]:
            out += [
                "",
                "### ไฟล์ที่อ่าน",
                "",
                *_md_table(_file_head(), [_file_row(f) for f in d["files"]]),
            ]
        else:
            out += ["", "ยังไม่ได้ส่งไฟล์"]
        if d["codes"]:
            out += [
                "",
                "### ปัญหาตามรหัส",
                "",
                *_md_table(
                    ["ระดับ", "รหัส", "ปัญหา", "จำนวน", "วิธีแก้"],
                    [
                        [
                            SEVERITY_TH[c["severity"]],
                            c["code"],
                            c["label_th"],
                            _n(c["n"]),
                            c["fix_th"],
                        ]
                        for c in d["codes"]
                    ],
                ),
            ]
        if d["issues"]:
            out += ["", f"### รายการปัญหา ({_n(len(d['issues']) + d['n_issues_not_listed'])})", ""]
            for i in d["issues"]:
                fix = f" วิธีแก้: {markdown_text(i['fix_th'])}" if i["fix_th"] else ""
                out.append(
                    f"- [{SEVERITY_TH[i['severity']]}] {markdown_text(_where(i))}: "
                    f"{markdown_text(i['body'])}{fix}"
                )
            if d["n_issues_not_listed"]:
                out.append(
                    f"- และอีก {_n(d['n_issues_not_listed'])} รายการ (ดูทั้งหมดในตาราง data\\_issues)"
                )
        if d["unread_files"]:
            out += ["", "### ไฟล์ที่ไม่ได้อ่าน", ""]
            out += [f"- {_md_cell(i['message'])}" for i in d["unread_files"]]
        missing = d["missing_tambons"]
        out += ["", f"### ตำบลที่ยังไม่มีแผน ({len(missing)} จาก {d['n_tambons']})", ""]
        if missing:
            out += [f"- {t['tambon_code']} ต.{_md_cell(t['tambon_name_th'])}" for t in missing]
        else:
            out.append("ครบทุกตำบล")
    if report["inbox_issues"]:
        out += ["", "## ปัญหาในกล่องรับไฟล์ (นอกโฟลเดอร์อำเภอ)", ""]
        out += [f"- {_md_cell(i['message'])}" for i in report["inbox_issues"]]
    return "\n".join(out) + "\n"


def _numeric(cell: str) -> bool:
    return cell.replace(",", "").replace(".", "").replace(" / ", "").isdigit()


def _cells(
    head: list[str], body: list[list[str]], total: bool | None = False, classes=None
) -> dict:
    """A table for the template: every cell with its CSS class (numbers right-aligned); the
    last row is a total row when `total`, every row headed "รวม" when `total` is None."""
    rows = []
    for i, row in enumerate(body):
        cells = []
        for j, cell in enumerate(row):
            cls = classes[i][j] if classes and classes[i][j] else ""
            if not cls and j > 0 and _numeric(str(cell)):
                cls = "n"
            cells.append({"text": inert_text(cell), "cls": cls})
        is_total = (total and i == len(body) - 1) or (total is None and row[0] == "รวม")
        rows.append({"cells": cells, "total": is_total})
    return {"head": head, "rows": rows}


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(report: dict) -> str:
    """The report as one self-contained HTML page, from templates/quality_report.html (inline
    CSS and SVG charts, no scripts, no web fonts); every value is escaped by the template."""
    districts = []
    for d in report["districts"]:
        codes = None
        if d["codes"]:
            body = [
                [SEVERITY_TH[c["severity"]], c["code"], c["label_th"], _n(c["n"]), c["fix_th"]]
                for c in d["codes"]
            ]
            classes = [[c["severity"], "", "", "n", ""] for c in d["codes"]]
            codes = _cells(["ระดับ", "รหัส", "ปัญหา", "จำนวน", "วิธีแก้"], body, classes=classes)
        issues = [
            {
                "severity": i["severity"],
                "severity_th": SEVERITY_TH[i["severity"]],
                "file": inert_text(i["source_file"]),
                "sheet": inert_text(i["source_sheet"]),
                "cell": inert_text((i["cell"] or "").rsplit("!", 1)[-1]),
                "row": "" if i["source_row"] is None else str(i["source_row"]),
                "column": inert_text(i["column_name"] or ""),
                "label": i["label_th"],
                "body": inert_text(i["body"]),
                "fix": i["fix_th"],
            }
            for i in d["issues"]
        ]
        districts.append(
            {
                **d,
                "summary": (
                    f"ไฟล์ {_n(len(d['files']))} · แถวที่อ่าน {_n(d['rows']['read'])} "
                    f"(รับ {_n(d['rows']['accepted'])} · ปฏิเสธ {_n(d['rows']['rejected'])} · "
                    f"ข้าม {_n(d['rows']['skipped'])}) · "
                ),
                "severity_counts": [
                    (s, f"{SEVERITY_TH[s]} {_n(d['severities'][s])}") for s in SEVERITIES
                ],
                "file_table": _cells(_file_head(), [_file_row(f) for f in d["files"]]),
                "code_table": codes,
                "issue_list": issues,
                "n_issues": len(d["issues"]) + d["n_issues_not_listed"],
                "n_not_listed": _n(d["n_issues_not_listed"]),
            }
        )
    charts = _charts(report)
    for chart in charts:
        for bar in chart["bars"]:
            bar["value"] = _baht(bar["total"]) if chart["money"] else _n(bar["total"])
            for seg in bar["segments"]:
                value = seg["value"]
                seg["text"] = _baht(value) if chart["money"] else _n(value)
    return (
        _environment()
        .get_template("quality_report.html")
        .render(
            report=report,
            css=_CSS,
            overview=_cells(*_overview_rows(report), total=True),
            money=_cells(*_money_rows(report), total=None),
            charts=charts,
            districts=districts,
            inbox_issues=report["inbox_issues"],
            bar_width=560,
            label_width=230,
        )
    )


_CSS = """
body { font-family: "Noto Sans Thai", "Sarabun", "Tahoma", "Leelawadee UI", "Thonburi",
  "Garuda", "Loma", sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem;
  color: #1f2328; line-height: 1.5; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; margin-top: 2.5rem;
  border-bottom: 2px solid #d0d7de; padding-bottom: .2rem; } h3 { font-size: 1.05rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; background: #f6f8fa; }
.error { background: #ffd7d7; } .warning { background: #ffe8b3; } .info { background: #dbeafe; }
.muted { color: #57606a; } ul.tambons { columns: 3; }
figure.chart { margin: 1rem 0 2rem; } figure.chart figcaption { font-weight: bold; }
svg.chart text { font-size: 12px; fill: #1f2328; } svg.chart text.value { fill: #57606a; }
.legend span { display: inline-block; margin-right: 1rem; }
.legend i { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem;
  vertical-align: middle; }
table.issues td { font-size: .9rem; }
@page { size: A4; margin: 15mm 12mm; }
@media print { body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
  h2 { break-before: page; } figure.chart, tr { break-inside: avoid; }
  td:not(.n) { overflow-wrap: anywhere; } td.n { white-space: nowrap; }
  svg.chart { max-width: 100%; height: auto; } }
"""


def quality_report_markdown(db_path: Path) -> str:
    """The report as Markdown, for a Prefect markdown artifact."""
    return render_markdown(collect_quality(Path(db_path)))


def write_quality_report(
    db_path: Path, out_dir: Path, published_as: Path | None = None
) -> dict[str, Path]:
    """Write quality_report.md and quality_report.html into `out_dir`; returns their paths.

    `published_as` is the database path the report names, when it is written from the
    temporary file that is about to be published there."""
    report = collect_quality(Path(db_path))
    if published_as is not None:
        report["db"] = str(published_as)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for kind, text in (("md", render_markdown(report)), ("html", render_html(report))):
        path = out_dir / f"quality_report.{kind}"
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written[kind] = path
    return written
