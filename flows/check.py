"""`oneplan check`: what a district officer runs on a plan file before sending it.

Each file is read exactly as the nightly run reads it (`flows.stage.read_plan_file`, then
`transforms.staging.staged_tables`), and the files given together are consolidated with
`transforms.consolidate.consolidate_district`, so duplicate projects are reported too. The
report lists, per file and sheet, every issue with its cell, its message (rendered from the
issue record by `transforms.issues.render_issue`) and the catalogue's "how to fix", the rows
accepted / rejected / skipped and a verdict.

Exit codes: 0 no error, 1 at least one error, 2 a file could not be read at all (or the
district is unknown, or the annotated copy could not be written).

No Prefect here: the command has to answer in a second or two.
"""

from __future__ import annotations

import io
import math
import os
import sys
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
from oneplan.flows.read import ReadError, read_regular_bytes
from oneplan.flows.reference import load_areas, load_issue_labels, load_rules
from oneplan.flows.stage import read_plan_file
from oneplan.transforms.areas import CHAI_NAT, province_codes, resolve_district_folder
from oneplan.transforms.completeness import uncovered_tambons
from oneplan.transforms.consolidate import StagedFile, consolidate_district
from oneplan.transforms.issues import make_issue, render_issue
from oneplan.transforms.levels import place_rows, resolve_province_folder
from oneplan.transforms.outputs import inert_line, inert_text
from oneplan.transforms.rules import Rules
from oneplan.transforms.sheet import FileResult, Sheet
from oneplan.transforms.staging import staged_tables

SEVERITIES = ("error", "warning", "info")
READ_ERROR_CODES = frozenset(
    {
        "unreadable_file",
        "password_protected",
        "not_a_spreadsheet",
        "unsupported_encoding",
        "empty_file",
        "unsupported_file_type",
    }
)
ISSUES_SHEET = "ปัญหาที่พบ"
# Light fills that keep the cell's text readable: error red, warning amber, info blue.
FILL_COLORS = {"error": "FF9C9C", "warning": "FFC000", "info": "9DC3E6"}
EXCEL_MAX_CHARS = 32767

TEXT = {
    "th": {
        "title": "ตรวจไฟล์แผนพัฒนาตำบล อำเภอ{district} ({code}): {n} ไฟล์",
        "file": "ไฟล์ {name}",
        "sheet": 'แผ่นงาน "{name}"',
        "whole_file": "ทั้งไฟล์",
        "csv_sheet": "ข้อมูลในไฟล์",
        "sheet_rows": "รับ {accepted} แถว · ปฏิเสธ {rejected} แถว · ข้าม {skipped} แถว",
        "no_issue": "ไม่พบปัญหา",
        "cell": "เซลล์ {cell}",
        "row": "แถว {row}",
        "column": "คอลัมน์ {column}",
        "fix": "วิธีแก้: {fix}",
        "rows": "แถวที่อ่าน {read} แถว: รับ {accepted} · ปฏิเสธ {rejected} · ข้าม {skipped}",
        "counts": "ปัญหาที่พบ: ข้อผิดพลาด {error} · คำเตือน {warning} · ข้อสังเกต {info}",
        "no_projects": "หมายเหตุ: ไม่พบโครงการที่รับได้ในไฟล์นี้",
        "symlink": (
            "หมายเหตุ: ไฟล์นี้เป็นลิงก์ไปยัง {target} ระบบประจำคืนจะไม่อ่านลิงก์ที่ชี้ออกนอกกล่องรับไฟล์ ให้ส่งไฟล์จริง"
        ),
        "pass": "ผ่าน: ไม่พบข้อผิดพลาด",
        "fail": "ไม่ผ่าน: พบข้อผิดพลาด {n} รายการ",
        "unreadable": "ไม่ผ่าน: อ่านไฟล์ไม่ได้ ระบบจะข้ามไฟล์นี้ทั้งไฟล์",
        "total": "รวม {n} ไฟล์: ข้อผิดพลาด {error} · คำเตือน {warning} · ข้อสังเกต {info}",
        "total_unreadable": "ไม่ผ่าน: อ่านไม่ได้ {n} ไฟล์",
        "annotated": "บันทึกสำเนาที่ทำเครื่องหมายแล้วที่ {out}",
        "not_annotated": "ไม่ได้ทำสำเนาที่ทำเครื่องหมายของ {name} เพราะอ่านไฟล์ไม่ได้",
        "severity": {"error": "ข้อผิดพลาด", "warning": "คำเตือน", "info": "ข้อสังเกต"},
        "summary": "สรุป: ข้อผิดพลาด {error} · คำเตือน {warning} · ข้อสังเกต {info}",
        "summary_head": "{label} {n} รายการ",
        "group": "{label} ({code}) × {n}: {where}",
        "more": "และอีก {n}",
        "rows_in": "{sheet} แถว {rows}",
        "details": "รายละเอียดทีละไฟล์และแผ่นงาน",
        "summary_more": "... และอีก {n} หัวข้อ (ดูรายละเอียดด้านล่าง)",
    },
    "en": {
        "title": "Checking tambon plan files, district {district_en} ({code}): {n} file(s)",
        "file": "File {name}",
        "sheet": 'Sheet "{name}"',
        "whole_file": "Whole file",
        "csv_sheet": "File contents",
        "sheet_rows": "{accepted} row(s) accepted · {rejected} rejected · {skipped} skipped",
        "no_issue": "no problem found",
        "cell": "cell {cell}",
        "row": "row {row}",
        "column": "column {column}",
        "fix": "How to fix: {fix}",
        "rows": ("Rows read {read}: {accepted} accepted · {rejected} rejected · {skipped} skipped"),
        "counts": "Problems: {error} error(s) · {warning} warning(s) · {info} info",
        "no_projects": "Note: no project could be accepted from this file",
        "symlink": (
            "Note: this file is a link to {target}; the nightly run does not read links "
            "pointing outside the inbox, send the real file"
        ),
        "pass": "PASS: no errors found",
        "fail": "FAIL: {n} error(s) found",
        "unreadable": "FAIL: the file could not be read; the nightly run skips all of it",
        "total": "{n} files: {error} error(s) · {warning} warning(s) · {info} info",
        "total_unreadable": "FAIL: {n} file(s) could not be read",
        "annotated": "Annotated copy written to {out}",
        "not_annotated": "No annotated copy of {name}: the file could not be read",
        "severity": {"error": "error", "warning": "warning", "info": "info"},
        "summary": "Summary: {error} error(s) · {warning} warning(s) · {info} info",
        "summary_head": "{label}: {n}",
        "group": "{code} × {n}: {where}",
        "more": "and {n} more",
        "rows_in": "{sheet} rows {rows}",
        "details": "Details, file by file and sheet by sheet",
        "summary_more": "... and {n} more (see the details below)",
    },
}


class CheckError(Exception):
    """A problem with the command itself (unknown district, bad output path): exit 2."""

    def __init__(self, message_th: str, message_en: str):
        super().__init__(message_th)
        self.message = {"th": message_th, "en": message_en}


@dataclass
class CheckedFile:
    """One file as the nightly run would see it, after consolidation with the others."""

    path: Path
    source_file: str  # the name used in messages
    district_code: str
    sheets: list[Sheet] | None  # None when the file could not be read
    read_error: str | None
    tables: dict[str, pa.Table]
    issues: list[dict] = field(default_factory=list)
    row_log: list[dict] = field(default_factory=list)
    data: bytes | None = None  # the bytes that were read, when kept (the annotated copy)

    @property
    def submission_id(self) -> str:
        return f"check-{self.source_file}"

    def severity_counts(self) -> dict[str, int]:
        counts = Counter(i["severity"] for i in self.issues)
        return {s: counts.get(s, 0) for s in SEVERITIES}

    def outcome_counts(self, sheet: str | None = None) -> dict[str, int]:
        log = [e for e in self.row_log if sheet is None or e["source_sheet"] == sheet]
        counts = Counter(e["outcome"] for e in log)
        return {
            "read": len(log),
            **{k: counts.get(k, 0) for k in ("accepted", "rejected", "skipped")},
        }


@dataclass
class CheckResult:
    files: list[CheckedFile]
    district_names: dict[str, tuple[str, str]]  # code -> (Thai, English)

    @property
    def exit_code(self) -> int:
        if any(f.read_error for f in self.files):
            return 2
        if any(i["severity"] == "error" for f in self.files for i in f.issues):
            return 1
        return 0


# -- reading ----------------------------------------------------------------------------------
def resolve_district(
    files: list[Path], district: str | None, areas: pd.DataFrame
) -> dict[Path, str]:
    """The district code of each file: `--district` when given, else the file's folder name."""
    known = sorted(areas["district_code"].unique())
    codes = ", ".join(known) if len(known) <= 12 else ", ".join(known[:12]) + ", …"
    if district is not None:
        code = resolve_district_folder(district, areas)
        if code is None:
            raise CheckError(
                f'oneplan check: ไม่รู้จักอำเภอ "{district}" '
                f"ให้ระบุรหัสอำเภอ ({codes}) หรือชื่ออำเภอ เช่น --district สรรพยา",
                f'oneplan check: unknown district "{district}"; '
                f"give a district code ({codes}) or name, e.g. --district Sapphaya",
            )
        return dict.fromkeys(files, code)
    out = {}
    for path in files:
        folder = path.absolute().parent.name
        code = resolve_district_folder(folder, areas) or resolve_province_folder(
            folder, sorted({c[:2] for c in areas["district_code"]})
        )
        # A file in a tambon folder inside the district folder (อำเภอ/ต.บ้านเชี่ยน/แผน.xlsx).
        for above in path.absolute().parents[1:3] if code is None else ():
            code = resolve_district_folder(above.name, areas)
            if code is not None:
                break
        if code is None:
            raise CheckError(
                f'oneplan check: ไม่ทราบว่าไฟล์ "{path.name}" เป็นของอำเภอใด '
                f'(โฟลเดอร์ "{folder}" ไม่ใช่ชื่ออำเภอ) ให้ระบุ --district '
                f"เป็นรหัสอำเภอ ({codes}) หรือชื่ออำเภอ",
                f'oneplan check: cannot tell the district of "{path.name}" '
                f'(folder "{folder}" is not a district); give --district with a code '
                f"({codes}) or name",
            )
        out[path] = code
    return out


def _source_names(files: list[Path]) -> dict[Path, str]:
    """The file name, or the path as given when two files share a name."""
    names = Counter(p.name for p in files)
    return {p: p.name if names[p.name] == 1 else str(p) for p in files}


def _tambon_folders(path: Path, areas: pd.DataFrame) -> tuple[str, ...]:
    """The folders between the file's district folder and the file (none when the file sits
    in its district folder, or no district folder is above it)."""
    parents = path.absolute().parents
    for depth in (1, 2):
        if len(parents) > depth and resolve_district_folder(parents[depth].name, areas):
            return tuple(p.name for p in reversed(parents[:depth]))
    return ()


def read_one(
    path: Path,
    source_file: str,
    district: tuple[str, str],
    rules: Rules,
    folders: tuple[str, ...] = (),
    provinces: str = CHAI_NAT,
) -> CheckedFile:
    """Read one file exactly as the nightly run does (`flows.stage.read_plan_file`), tambons
    matched in the `provinces` in scope; never raises."""
    code, name_th = district
    data = None
    try:
        # Read once, as a regular file within the size limit (a FIFO or a link to a device
        # is refused by its type): the check and the annotated copy use these bytes.
        data = read_regular_bytes(path)
        sheets, result = read_plan_file(path, source_file, code, name_th, provinces, folders, data)
    except ReadError as err:
        sheets, result = None, FileResult()
        result.issues.append(
            make_issue(
                rules, err.code, source_file=source_file, value=err.detail, expected=err.expected
            )
        )
    except OSError as err:
        sheets, result = None, FileResult()
        detail = f"{type(err).__name__}: {err.strerror or err}"
        result.issues.append(
            make_issue(rules, "unreadable_file", source_file=source_file, value=detail)
        )
    read_error = next(
        (i["code"] for i in result.issues if sheets is None and i["code"] in READ_ERROR_CODES),
        "unreadable_file" if sheets is None else None,
    )
    return CheckedFile(
        path=path,
        source_file=source_file,
        district_code=code,
        sheets=sheets,
        read_error=read_error,
        tables=staged_tables(result),
        data=data if sheets is not None else None,
    )


def _missing(value: object) -> bool:
    """NaN, NaT or NA (what pandas.isna says of a scalar), never a list or a text."""
    kind = type(value)
    if kind in (str, int, bool, list, tuple):
        return False
    if kind is float:
        return value != value
    return value is None or bool(pd.isna(value))


def _records(frame: pd.DataFrame) -> list[dict]:
    """The rows as dicts, a missing value as None and `source_row` as an int: column by
    column (`to_dict("records")` boxes every cell through pandas, most of a check's
    consolidation time)."""
    columns = {name: frame[name].tolist() for name in frame.columns}
    out = []
    for i in range(len(frame)):
        clean = {}
        for key, values in columns.items():
            value = values[i]
            clean[key] = None if _missing(value) else value
        if clean.get("source_row") is not None:
            clean["source_row"] = int(clean["source_row"])
        out.append(clean)
    return out


def check_files(
    paths: list[Path], district: str | None = None, provinces: str = CHAI_NAT
) -> CheckResult:
    """Read and consolidate the given files, districts and tambons being those of the
    `provinces` in scope (as `oneplan run --provinces`); raises CheckError when the district
    or the provinces are unknown."""
    rules = load_rules()
    try:
        province_codes(provinces)
    except ValueError as err:
        raise CheckError(
            f"oneplan check: --provinces ไม่ถูกต้อง: {err}",
            f"oneplan check: --provinces: {err}",
        ) from None
    areas = load_areas(provinces)
    codes = resolve_district(paths, district, areas)
    districts = place_rows(areas).drop_duplicates("district_code").set_index("district_code")
    names = {
        c: (districts.loc[c, "district_name_th"], districts.loc[c, "district_name_en"])
        for c in set(codes.values())
    }
    tambon_names = dict(zip(areas["tambon_code"], areas["tambon_name_th"], strict=True))
    sources = _source_names(paths)
    checked = [
        read_one(
            p,
            sources[p],
            (codes[p], names[codes[p]][0]),
            rules,
            _tambon_folders(p, areas),
            provinces,
        )
        for p in sorted(paths, key=lambda p: sources[p])
    ]
    for code in sorted(set(codes.values())):
        group = [f for f in checked if f.district_code == code]
        staged = [StagedFile(f.submission_id, f.source_file, f.tables) for f in group]
        consolidated = consolidate_district(staged, code, tambon_names, rules)
        issues = _records(consolidated.issues)
        row_log = _records(consolidated.row_log)
        for f in group:
            f.issues = [i for i in issues if i["submission_id"] == f.submission_id]
            f.row_log = [e for e in row_log if e["submission_id"] == f.submission_id]
        readable = [f for f in group if not f.read_error]
        if readable:
            readable[0].issues += coverage_issues(
                consolidated.projects, areas, code, names[code][0], readable[0], rules
            )
    return CheckResult(checked, names)


def coverage_issues(
    projects: pd.DataFrame,
    areas: pd.DataFrame,
    code: str,
    district_name_th: str,
    f: CheckedFile,
    rules: Rules,
) -> list[dict]:
    """A warning per tambon of the district that the files checked together have no project
    in, when they are a district's plan (transforms.completeness); on the first file."""
    tambons = projects["tambon_code"] if len(projects) else []
    missing = uncovered_tambons(tambons, areas, code)
    return [
        {
            **make_issue(
                rules,
                "tambon_not_covered",
                source_file=f.source_file,
                value=name,
                expected=district_name_th,
            ),
            "submission_id": f.submission_id,
        }
        for _, name in missing
    ]


# -- the report -------------------------------------------------------------------------------
def issue_fix(issue: dict, rules: Rules, lang: str) -> str:
    entry = rules.issue(issue["code"])
    return entry.fix_th if lang == "th" else entry.fix_en


def _location(issue: dict, t: dict) -> str:
    parts = []
    if issue.get("cell"):
        parts.append(t["cell"].format(cell=issue["cell"]))
    if issue.get("source_row") is not None:
        parts.append(t["row"].format(row=issue["source_row"]))
    if issue.get("column_name"):
        parts.append(t["column"].format(column=issue["column_name"]))
    return " · ".join(parts)


def _severity_rank(issue: dict) -> int:
    return SEVERITIES.index(issue["severity"])


def _by_severity(f: CheckedFile) -> list[tuple[str, dict]]:
    """(sheet name, issue) of every issue: errors first, then warnings, then info; within a
    severity, file-level issues first, then by sheet in workbook order, then by row."""
    groups = _sheet_groups(f)
    order = {name: n for n, (name, _) in enumerate(groups)}
    pairs = [(name, issue) for name, issues in groups for issue in issues]
    return sorted(
        pairs,
        key=lambda p: (_severity_rank(p[1]), order[p[0]], p[1].get("source_row") or 0),
    )


def _sheet_groups(f: CheckedFile) -> list[tuple[str, list[dict]]]:
    """(sheet name, its issues: errors first, then warnings, then info, each by row), in
    workbook order; file-level issues first."""
    order = [s.name for s in f.sheets or []]
    groups: dict[str, list[tuple[int, dict]]] = {name: [] for name in order}
    for n, issue in enumerate(f.issues):
        groups.setdefault(issue.get("source_sheet") or "", []).append((n, issue))
    if "" in groups and "" not in order:
        order.insert(0, "")
    order += [name for name in groups if name not in order]
    out = []
    for name in order:
        items = sorted(
            groups[name], key=lambda x: (_severity_rank(x[1]), x[1].get("source_row") or 0, x[0])
        )
        out.append((name, [issue for _, issue in items]))
    return out


def _one_line(text: str) -> str:
    """A value from a file on one terminal line: its line breaks cannot start a line of
    their own that reads like a verdict."""
    return inert_text(text, keep_newlines=False)


def _overall_verdict(result: CheckResult, t: dict) -> str:
    unreadable = sum(bool(f.read_error) for f in result.files)
    errors = sum(f.severity_counts()["error"] for f in result.files)
    if unreadable:
        return t["total_unreadable"].format(n=unreadable)
    return t["fail"].format(n=errors) if errors else t["pass"]


def file_verdict(f: CheckedFile, t: dict) -> str:
    if f.read_error:
        return t["unreadable"]
    n = f.severity_counts()["error"]
    return t["fail"].format(n=n) if n else t["pass"]


SUMMARY_GROUPS = 12  # groups shown in the summary: with the title and verdict, one screen
SUMMARY_PLACES = 8  # places listed in one group's line


def _row_spans(rows: list[int]) -> list[str]:
    """Row numbers as runs: [2, 3, 4, 9] -> ["2-4", "9"]."""
    spans: list[list[int]] = []
    for row in sorted(set(rows)):
        if spans and row == spans[-1][1] + 1:
            spans[-1][1] = row
        else:
            spans.append([row, row])
    return [f"{a}" if a == b else f"{a}-{b}" for a, b in spans]


def _places(issues: list[dict], t: dict, with_file: bool) -> list[str]:
    """Where a group's issues are, compactly: `sheet แถว 8, 11, 14` per sheet (the cell
    when the issue has one), the value (a tambon's name) for a file-level issue."""
    by_sheet: dict[tuple[str, str], list[int]] = {}
    loose: list[str] = []
    for issue in issues:
        file = issue.get("source_file") or "" if with_file else ""
        sheet = issue.get("source_sheet") or ""
        if issue.get("cell"):
            loose.append(f"{file} › {issue['cell']}" if file else issue["cell"])
        elif issue.get("source_row") is not None:
            by_sheet.setdefault((file, sheet), []).append(int(issue["source_row"]))
        else:
            what = sheet or issue.get("raw_value") or file or ""
            loose.append(f"{file} › {what}" if file and what != file else what)
    for (file, sheet), rows in by_sheet.items():
        spans = _row_spans(rows)
        shown = ", ".join(spans[:SUMMARY_PLACES])
        if len(spans) > SUMMARY_PLACES:
            shown += " " + t["more"].format(n=len(spans) - SUMMARY_PLACES)
        place = t["rows_in"].format(sheet=sheet, rows=shown).strip()
        loose.append(f"{file} › {place}" if file else place)
    return [place for place in loose if place]


def format_summary(result: CheckResult, lang: str = "th") -> list[str]:
    """The report's first screen: the verdict, then the problems grouped by code, errors
    first, then warnings, info last, each group with its count and where it is."""
    t = TEXT[lang]
    labels = load_issue_labels() if lang == "th" else {}
    issues = [i for f in result.files for i in f.issues]
    counts = Counter(i["severity"] for i in issues)
    lines = [t["summary"].format(**{s: counts.get(s, 0) for s in SEVERITIES})]
    groups: dict[tuple[int, str], list[dict]] = {}
    for issue in issues:
        groups.setdefault((_severity_rank(issue), issue["code"]), []).append(issue)
    shown = 0
    with_file = len(result.files) > 1
    for severity in SEVERITIES:
        mine = sorted(
            (
                (code, items)
                for (rank, code), items in groups.items()
                if SEVERITIES[rank] == severity
            ),
            key=lambda kv: (-len(kv[1]), kv[0]),
        )
        if not mine:
            continue
        label = t["severity"][severity]
        lines.append("  " + t["summary_head"].format(label=label, n=counts[severity]))
        for code, items in mine:
            if shown == SUMMARY_GROUPS:
                break
            shown += 1
            places = _places(items, t, with_file)
            where = ", ".join(places[:SUMMARY_PLACES])
            if len(places) > SUMMARY_PLACES:
                where += " " + t["more"].format(n=len(places) - SUMMARY_PLACES)
            name = labels.get(code, code.replace("_", " "))
            line = t["group"].format(label=name, code=code, n=len(items), where=where)
            lines.append("    " + _one_line(line))
    if len(groups) > shown:
        lines.append("    " + t["summary_more"].format(n=len(groups) - shown))
    return lines


def format_report(result: CheckResult, lang: str = "th") -> str:
    """The readable report: a one-screen summary (verdict, problems grouped by code, errors
    first), then per file, per sheet, each issue with location, message and fix."""
    t = TEXT[lang]
    rules = load_rules()
    lines: list[str] = []
    for code, (name_th, name_en) in sorted(result.district_names.items()):
        n = sum(f.district_code == code for f in result.files)
        lines.append(t["title"].format(district=name_th, district_en=name_en, code=code, n=n))
    lines.append(_overall_verdict(result, t))
    lines += format_summary(result, lang)
    lines += ["", t["details"]]
    for f in result.files:
        lines += ["", t["file"].format(name=f.source_file)]
        if f.path.is_symlink():
            lines.append("  " + t["symlink"].format(target=f.path.resolve()))
        is_csv = f.sheets is not None and len(f.sheets) == 1 and f.sheets[0].name == ""
        for sheet, issues in _sheet_groups(f):
            if sheet:
                heading = t["sheet"].format(name=_one_line(sheet))
            else:
                heading = t["csv_sheet"] if is_csv else t["whole_file"]
            sheet_names = {s.name for s in f.sheets or []}
            if sheet in sheet_names:
                heading += ": " + t["sheet_rows"].format(**f.outcome_counts(sheet))
            if not issues:
                lines.append(f"  {heading} · {t['no_issue']}")
                continue
            lines.append(f"  {heading}")
            for issue in issues:
                label = t["severity"][issue["severity"]]
                where = _one_line(_location(issue, t))
                body = _one_line(render_issue(rules, issue, lang, with_location=False))
                if where:
                    lines.append(f"    [{label}] {where}")
                    lines.append(f"      {body}")
                else:
                    lines.append(f"    [{label}] {body}")
                fix = issue_fix(issue, rules, lang)
                if fix:
                    lines.append("      " + t["fix"].format(fix=fix))
        if not f.read_error:
            counts = f.outcome_counts()
            lines.append("  " + t["rows"].format(**counts))
            if not counts["accepted"]:
                lines.append("  " + t["no_projects"])
        lines.append("  " + t["counts"].format(**f.severity_counts()))
        lines.append("  " + file_verdict(f, t))
    if len(result.files) > 1:
        totals = Counter()
        for f in result.files:
            totals.update(f.severity_counts())
        lines += ["", t["total"].format(n=len(result.files), **{s: totals[s] for s in SEVERITIES})]
        lines.append(_overall_verdict(result, t))
    # Nothing read from a file reaches the terminal raw: no escape sequence, no carriage
    # return overwriting a line (a fake green "ผ่าน").
    return inert_text("\n".join(lines))


# -- the annotated copy ---------------------------------------------------------------------
def _excel_text(value: object) -> object:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:EXCEL_MAX_CHARS]
    elif isinstance(value, float) and not math.isfinite(value):
        value = str(value)
    return value


def _sheet_title(name: str, fallback: str) -> str:
    """A sheet title Excel opens: inert (a control character such as ESC in a CSV's name
    makes a workbook that does not open), no characters titles refuse, 31 characters."""
    name = inert_line(name)
    title = "".join(ch for ch in name if ch not in "[]:*?/\\").strip("'")[:31]
    return title or fallback


def _reproduce(f: CheckedFile):
    """A new workbook with the cells and merges of a file openpyxl cannot open as it is."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    sheets = {}
    for sheet in f.sheets or []:
        ws = wb.create_sheet(_sheet_title(sheet.name, _sheet_title(f.path.stem, "ข้อมูล")))
        sheets[sheet.name] = ws
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None or value == "":
                    continue
                cell = ws.cell(row=r, column=c, value=_excel_text(value))
                if cell.data_type == "f":  # text that merely starts with "=" stays text
                    cell.data_type = "s"
        for (r0, c0), (r1, c1) in sheet.merged:
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    return wb, sheets


def _open_original(f: CheckedFile):
    from openpyxl import load_workbook

    source = io.BytesIO(f.data) if f.data is not None else f.path  # the bytes read, if kept
    with warnings.catch_warnings():  # "extension is not supported" notes are not for officers
        warnings.simplefilter("ignore")
        wb = load_workbook(source, keep_vba=False, keep_links=True, rich_text=True)
    return wb, {ws.title: ws for ws in wb.worksheets}


def _target_cell(issue: dict, f: CheckedFile) -> tuple[int, int] | None:
    """(row, column), 1-based, of the cell an issue is about: its A1 cell, else the row's
    first non-blank cell (column A when the row is blank), else None (sheet-level)."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    if issue.get("cell"):
        letters, row = coordinate_from_string(issue["cell"].rsplit("!", 1)[-1])
        return row, column_index_from_string(letters)
    row = issue.get("source_row")
    if row is None:
        return None
    for sheet in f.sheets or []:
        if sheet.name == (issue.get("source_sheet") or "") and row - 1 < len(sheet.rows):
            for c, value in enumerate(sheet.rows[row - 1], start=1):
                if value is not None and str(value).strip():
                    return row, c
    return row, 1


def _comment_text(issues: list[dict], rules: Rules, lang: str) -> str:
    t = TEXT[lang]
    parts = []
    for issue in issues:
        body = render_issue(rules, issue, lang, with_location=False)
        text = f"[{t['severity'][issue['severity']]}] {body}"
        fix = issue_fix(issue, rules, lang)
        if fix:
            text += "\n" + t["fix"].format(fix=fix)
        parts.append(text)
    return "\n\n".join(parts)


def _text_cell(ws, row: int, col: int, value: object):
    """Write a cell of ours: text stays text (never a formula, whatever it starts with),
    without control characters; numbers stay numbers."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = _excel_text(inert_text(value))
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


ISSUE_WIDTHS = (11, 14, 6, 13, 22, 23, 50, 40)  # columns of the issue sheet, in characters


def _row_height(values: list[object], widths: tuple[int, ...]) -> float:
    """Points for a row of wrapped text (openpyxl cannot measure and LibreOffice does not
    grow such rows): the most lines any cell needs at its column's width, 15 pt a line."""
    lines = 1
    for value, width in zip(values, widths, strict=False):
        if isinstance(value, str):
            per_line = max(width * 1.1, 1)
            lines = max(lines, sum(math.ceil(max(len(p), 1) / per_line) for p in value.split("\n")))
    return 15.0 * min(lines, 15)


def _link_location(title: str, coordinate: str) -> str:
    """An in-workbook hyperlink target: the sheet title quoted the way Excel quotes it."""
    return "'" + title.replace("'", "''") + "'!" + coordinate


def _print_setup(ws, header_rows: str = "1:1") -> None:
    """A4 landscape, one page wide, header row repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = header_rows
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4


class _StyleCache:
    """Styles of new cells of one workbook, made once per key and then copied: openpyxl
    hashes a style object on every assignment, which costs more than writing the cell."""

    def __init__(self, make):
        self.make = make  # make(cell, key): set the style of `key` on a fresh cell
        self.arrays: dict = {}

    def apply(self, cell, key) -> None:
        from copy import copy

        array = self.arrays.get(key)
        if array is None:
            self.make(cell, key)
            self.arrays[key] = copy(cell._style)
        else:
            cell._style = copy(array)


def _add_issues_sheet(wb, f: CheckedFile, rules: Rules, lang: str, sheets=None) -> None:
    """The first sheet: every issue on a row (severity, sheet, row, cell, Thai label, code,
    message, fix), each row linked to its cell; printable on A4 landscape."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    sheets = sheets or {}
    if ISSUES_SHEET in wb.sheetnames:
        wb.remove(wb[ISSUES_SHEET])
    ws = wb.create_sheet(ISSUES_SHEET, 0)
    t = TEXT[lang]
    labels = load_issue_labels() if lang == "th" else {}
    head = (
        ["ระดับ", "แผ่นงาน", "แถว", "เซลล์", "ปัญหา", "รหัส", "รายละเอียด", "วิธีแก้"]
        if lang == "th"
        else ["severity", "sheet", "row", "cell", "problem", "code", "details", "how to fix"]
    )
    wrap = Alignment(wrap_text=True, vertical="top")
    link_font = Font(color="0563C1", underline="single")

    def issue_style(cell, key: tuple) -> None:
        fill, link = key
        cell.alignment = wrap
        if fill:
            cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
        if link:
            cell.font = link_font

    styles = _StyleCache(issue_style)
    for col, label in enumerate(head, start=1):
        cell = _text_cell(ws, 1, col, label)
        cell.font = Font(bold=True)
        cell.alignment = wrap
    row = 1
    for sheet, issue in _by_severity(f):
        row += 1
        code = issue["code"]
        label = labels.get(code, code) if lang == "th" else code.replace("_", " ")
        values = [
            t["severity"][issue["severity"]],
            sheet,
            issue.get("source_row"),
            issue.get("cell"),
            label,
            issue["code"],
            render_issue(rules, issue, lang, with_location=False),
            issue_fix(issue, rules, lang),
        ]
        color = FILL_COLORS[issue["severity"]]
        # The link sits on the cell (or sheet) column, not on the message: LibreOffice draws
        # a hyperlink cell as one unwrapped line, cutting a long message at the column edge.
        linked = ((4,) if issue.get("cell") else (2,)) if sheet in sheets else ()
        for col, value in enumerate(values, start=1):
            cell = _text_cell(ws, row, col, value)
            styles.apply(cell, (col == 1 and color, col in linked))
        ws.row_dimensions[row].height = _row_height(values, ISSUE_WIDTHS)
        target = _target_cell(issue, f)
        if linked:
            from openpyxl.utils import get_column_letter

            r, c = target if target is not None else (1, 1)
            location = _link_location(sheets[sheet].title, f"{get_column_letter(c)}{r}")
            for col in linked:
                link = ws.cell(row, col)
                link.hyperlink = Hyperlink(ref=link.coordinate, location=location)
    if not f.issues:
        row += 1
        _text_cell(ws, row, 1, t["no_issue"])
    _text_cell(ws, row + 2, 1, file_verdict(f, t)).font = Font(bold=True)
    for letter, width in zip("ABCDEFGH", ISSUE_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    _print_setup(ws)
    for other in wb.worksheets:
        other.sheet_view.tabSelected = other is ws
    wb.active = 0


def annotate(f: CheckedFile, out: Path, lang: str = "th") -> Path:
    """Write a copy of the workbook with each problem cell filled by severity and commented,
    plus a first sheet listing every issue. The original file is never written."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    rules = load_rules()
    wb, sheets = None, {}
    if f.path.suffix.lower() in {".xlsx", ".xlsm"}:
        try:
            wb, sheets = _open_original(f)
        except Exception:  # openpyxl refuses some files calamine reads: rebuild the cells
            wb = None
    if wb is None:
        wb, sheets = _reproduce(f)
    by_cell: dict[tuple[str, int, int], list[dict]] = {}
    for issue in f.issues:
        target = _target_cell(issue, f)
        sheet = issue.get("source_sheet") or ""
        if target is not None and sheet in sheets:
            by_cell.setdefault((sheet, *target), []).append(issue)

    def fill(cell, key: tuple) -> None:
        cell.fill = PatternFill("solid", start_color=key[1], end_color=key[1])

    fills = _StyleCache(fill)  # keyed by the cell's own style and the colour
    for (sheet, row, col), issues in by_cell.items():
        cell = sheets[sheet].cell(row=row, column=col)
        worst = min(SEVERITIES.index(i["severity"]) for i in issues)
        color = FILL_COLORS[SEVERITIES[worst]]
        fills.apply(cell, (tuple(cell._style) if cell.has_style else None, color))
        text = _excel_text(inert_text(_comment_text(issues, rules, lang)))
        if cell.comment is not None and cell.comment.text:
            text = cell.comment.text.rstrip() + "\n\n" + text
        lines = sum(len(part) // 40 + 1 for part in text.split("\n"))
        cell.comment = Comment(text, "oneplan check", height=min(20 * lines + 20, 600), width=320)
    _add_issues_sheet(wb, f, rules, lang, sheets)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _file_id(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at `path` (links followed), or None when there is none."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def annotate_targets(
    files: list[CheckedFile], out: Path, replace: bool = False
) -> dict[Path, Path]:
    """Where each readable file's annotated copy goes: OUT itself for one file, else
    OUT's stem + "-" + the file's stem, beside OUT.

    A target that is one of the checked files (the same path, a link to it, or a hard link:
    compared by device and inode) is refused always; an existing target is kept unless
    `replace`."""
    readable = [f for f in files if not f.read_error]
    if len(files) == 1:
        targets = {f.path: out for f in readable}
    else:
        targets = {f.path: out.with_name(f"{out.stem}-{f.path.stem}.xlsx") for f in readable}
    originals = {f.path.resolve() for f in files}
    original_ids = {_file_id(f.path) for f in files} - {None}
    for target in targets.values():
        if target.resolve() in originals or _file_id(target) in original_ids:
            raise CheckError(
                f"oneplan check: จะไม่เขียนทับไฟล์ต้นฉบับ {target}: ให้ระบุชื่อไฟล์ใหม่ใน --annotate",
                f"oneplan check: refusing to overwrite the original {target}; "
                "give --annotate a new file name",
            )
        if os.path.lexists(target) and not replace:
            raise CheckError(
                f"oneplan check: มีไฟล์ {target} อยู่แล้ว จึงไม่เขียนทับ (ระบุ --replace หากต้องการเขียนทับ)",
                f"oneplan check: {target} exists; it is kept (give --replace to write over it)",
            )
    return targets


def write_annotated_copy(f: CheckedFile, target: Path, lang: str, replace: bool) -> Path:
    """The annotated copy of `f` at `target`, written aside and then put in place with one
    rename (`replace`: over an existing target, which is replaced, never written through: a
    hard link to another file keeps that file's bytes) or one link (no `replace`: fails
    when the target appeared meanwhile)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        annotate(f, tmp, lang)
        if replace:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


# -- the command ------------------------------------------------------------------------------
def run_check(args) -> int:
    """`oneplan check FILE... [--district D] [--provinces P] [--lang th|en]
    [--annotate OUT.xlsx]`; the provinces in scope as `oneplan run` takes them (option >
    ONEPLAN_PROVINCES > config file > 18)."""
    from oneplan.flows.config import ConfigError, resolve

    lang = args.lang
    try:
        provinces = resolve({"provinces": getattr(args, "provinces", None)})["provinces"].value
    except ConfigError as err:
        print(inert_text(f"oneplan check: {err}", keep_newlines=False), file=sys.stderr)
        return 2
    # The same file named twice is checked once (it is not a duplicate of itself).
    unique = {Path(p).resolve(): Path(p) for p in reversed(args.files)}
    paths = list(reversed(unique.values()))
    try:
        result = check_files(paths, args.district, provinces)
        replace = bool(getattr(args, "replace", False))
        targets = (
            annotate_targets(result.files, Path(args.annotate), replace) if args.annotate else {}
        )
    except CheckError as err:
        print(inert_text(err.message[lang]), file=sys.stderr)
        return 2
    print(format_report(result, lang))
    code = result.exit_code
    if args.annotate:
        t = TEXT[lang]
        print()
        for f in result.files:
            if f.path not in targets:
                print(inert_text(t["not_annotated"].format(name=f.source_file)))
                continue
            try:
                written = write_annotated_copy(f, targets[f.path], lang, replace)
            except Exception as err:
                message = f"oneplan check: --annotate {targets[f.path]}: {err}"
                print(inert_text(message, keep_newlines=False), file=sys.stderr)
                code = 2
                continue
            print(inert_text(t["annotated"].format(out=written)))
    return code
