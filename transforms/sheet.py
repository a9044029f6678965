"""Turn the cells of one plan file into projects, budgets, rejected rows, issues and a row log.

One generic reader for every district: what a header, a section row, a subtotal or a summary
sheet looks like comes from `Rules` (the tables in `data/`), never from per-district code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from oneplan.transforms.areas import TambonMatch, TambonMatcher
from oneplan.transforms.issues import make_issue
from oneplan.transforms.numbers import (
    ParseError,
    parse_budget,
    parse_fiscal_year,
    parse_village_numbers,
    village_numbers_from_name,
)
from oneplan.transforms.rules import HeaderMatch, Rules
from oneplan.transforms.text import clean_text

TEXT_COLUMNS = ("objective", "target", "kpi", "expected_result", "responsible_agency")
BUDGET_COLUMNS = ("budget_year", "amount")
MAX_HEADER_ROWS = 3


@dataclass(frozen=True)
class Sheet:
    """The cells of one sheet: `rows[i]` is the row a person sees as number i + 1."""

    name: str
    rows: list[list]
    merged: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()


@dataclass(frozen=True)
class FileContext:
    source_file: str  # path relative to the inbox, for messages
    district_code: str
    district_name_th: str
    file_stem: str
    default_place: str | None = None  # district/province code: rows of a wider plan (levels.py)


@dataclass
class FileResult:
    """Everything one file yields; rows are dicts, turned into frames by the caller."""

    projects: list[dict] = field(default_factory=list)
    budgets: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)
    row_log: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Header:
    first_row: int  # 0-based
    last_row: int
    columns: dict[int, HeaderMatch]  # column index -> canonical column (first of each kind)
    labels: dict[int, str]  # column index -> header text as written (joined over header rows)

    def col(self, name: str) -> int | None:
        for c, m in self.columns.items():
            if m.column == name:
                return c
        return None

    @property
    def budget_years(self) -> list[tuple[int, int]]:
        return [(c, m.fiscal_year) for c, m in self.columns.items() if m.column == "budget_year"]


def _filled(rows: list[list], merged, upto: int) -> list[list]:
    """Copy of the first `upto` rows with each merged range's value written into all its cells."""
    grid = [list(r) for r in rows[:upto]]
    for (r0, c0), (r1, c1) in merged:
        if r0 >= upto or r0 >= len(grid) or c0 >= len(grid[r0]):
            continue
        value = grid[r0][c0]
        for r in range(r0, min(r1, upto - 1) + 1):
            row = grid[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            for c in range(c0, c1 + 1):
                if clean_text(row[c]) is None:
                    row[c] = value
    return grid


def _row_matches(row: list, rules: Rules) -> dict[int, HeaderMatch | None]:
    out = {}
    for c, cell in enumerate(row):
        text = clean_text(cell)
        if text is not None and len(text) <= 120:
            out[c] = rules.match_header(text)
        elif text is not None:
            out[c] = None
    return out


def find_header(sheet: Sheet, rules: Rules) -> Header | None:
    """Locate the header block by scoring rows on known headers; join multi-row headers.

    The header row is the one (within the first `rules.header_scan_rows`) naming the most
    distinct canonical columns; up to two rows below it whose every cell is itself a header
    (e.g. the fiscal years under a merged งบประมาณ) are joined to it, column by column.
    """
    scan = min(len(sheet.rows), rules.header_scan_rows)
    grid = _filled(sheet.rows, sheet.merged, scan + MAX_HEADER_ROWS)
    best_row, best_score = None, 1
    for r in range(scan):
        found = {m.column for m in _row_matches(grid[r], rules).values() if m}
        if not found & {"project_name", "seq", "budget_year", "amount"}:
            continue
        score = len(found)
        if score > best_score:
            best_row, best_score = r, score
    if best_row is None:
        return None
    last = best_row
    while last + 1 < len(grid) and last - best_row + 1 < MAX_HEADER_ROWS:
        above, below = grid[last], _row_matches(grid[last + 1], rules)
        # Cells repeated from the row above are vertically merged headers: they neither
        # qualify nor disqualify the row; the rest must all be headers themselves.
        new = {
            c: m
            for c, m in below.items()
            if c >= len(above) or clean_text(above[c]) != clean_text(grid[last + 1][c])
        }
        if not new or not all(new.values()):
            break
        last += 1
    columns: dict[int, HeaderMatch] = {}
    labels: dict[int, str] = {}
    width = max(len(grid[r]) for r in range(best_row, last + 1))
    for c in range(width):
        parts: list[str] = []
        for r in range(best_row, last + 1):
            text = clean_text(grid[r][c]) if c < len(grid[r]) else None
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        if not parts:
            continue
        labels[c] = " ".join(parts)
        match = (
            rules.match_header(labels[c])
            or rules.match_header(parts[-1])
            or rules.match_header(parts[0])
        )
        if match is not None:
            columns[c] = match
    return Header(best_row, last, columns, labels)


def _json_raw(row: list, header: Header) -> str:
    cells = {}
    for c, cell in enumerate(row):
        text = clean_text(cell)
        if text is not None:
            label = header.labels.get(c) or f"column {c + 1}"
            if label in cells:
                label = f"{label} ({c + 1})"
            cells[label] = text if len(text) <= 1000 else text[:1000] + "…"
    return json.dumps(cells, ensure_ascii=False)


class _SheetReader:
    """Reads the data rows under one header; keeps the state that flows down the sheet."""

    def __init__(self, sheet, cleaned, header, ctx, rules, matcher, result, default_tambon):
        self.sheet, self.header, self.ctx = sheet, header, ctx
        self.cleaned = cleaned  # clean_text of every cell, computed once per sheet
        self.current: list[str | None] = []
        self.rules, self.matcher, self.result = rules, matcher, result
        self.default_tambon = default_tambon
        self.category: str | None = None
        self.reported_categories: set[str] = set()
        self.previous: dict | None = None  # the project a continuation row would extend
        self.long_group: dict | None = None
        h = header
        self.c_seq, self.c_name = h.col("seq"), h.col("project_name")
        self.c_tambon, self.c_village = h.col("tambon"), h.col("village")
        self.c_category, self.c_method = h.col("category"), h.col("method")
        self.c_source = h.col("funding_source")
        self.c_year, self.c_amount = h.col("fiscal_year"), h.col("amount")
        self.text_cols = {name: h.col(name) for name in TEXT_COLUMNS}
        self.wide = h.budget_years
        self.is_long = not self.wide and self.c_year is not None and self.c_amount is not None
        self.budget_cols = {c for c, _ in self.wide} | (
            {self.c_year, self.c_amount} if self.is_long else set()
        )
        self.missing = []
        if self.c_name is None:
            self.missing.append("โครงการ")
        if not self.wide and not self.is_long:
            self.missing.append("งบประมาณ")

    # -- helpers -------------------------------------------------------------------------
    def issue(self, code, row=None, col=None, value=None, expected=None):
        label = self.header.labels.get(col) if col is not None else None
        self.result.issues.append(
            make_issue(
                self.rules,
                code,
                source_file=self.ctx.source_file,
                sheet=self.sheet.name,
                row=row,
                col0=col,
                column_name=label,
                value=value,
                expected=expected,
            )
        )

    def log(self, row: int, outcome: str, kind: str) -> None:
        _log(self.result, self.sheet.name, row, outcome, kind)

    def text(self, row: list, col: int | None, rownum: int) -> str | None:
        """The cleaned text of a cell of the current row (cut to max_cell_chars, reported)."""
        if col is None or col >= len(self.current):
            return None
        value = self.current[col]
        if value is not None and len(value) > self.rules.max_cell_chars:
            self.issue("cell_truncated", rownum, col, value, self.rules.max_cell_chars)
            value = value[: self.rules.max_cell_chars]
        return value

    # -- the row loop ------------------------------------------------------------------
    def read(self) -> None:
        for c, year in self.wide:
            self._check_year_range(year, self.header.first_row + 1, c)
        for i in range(self.header.last_row + 1, len(self.sheet.rows)):
            self.current = self.cleaned[i]
            filled = [(c, v) for c, v in enumerate(self.current) if v is not None]
            if filled:
                self.read_row(self.sheet.rows[i], i + 1, filled)

    def read_row(self, row: list, rownum: int, filled: list[tuple[int, str]]) -> None:
        first_col, first = filled[0]
        seq = self.text(row, self.c_seq, rownum)
        has_budget = any(c in self.budget_cols for c, _ in filled)
        kind = self.rules.row_kind(first)
        if (
            kind == "subtotal"
            and (seq is None or first_col == self.c_seq)
            and (first_col != self.c_seq or not _is_number(seq))
        ):
            self.log(rownum, "skipped", "subtotal")
            self.previous = self.long_group = None
            return
        if kind == "section" and len(filled) == 1:
            self.category = first
            self.log(rownum, "skipped", "section")
            self.previous = self.long_group = None
            return
        name = self.text(row, self.c_name, rownum)
        if (
            name is not None
            and seq is None
            and not has_budget
            and len(filled) == 1
            and self.previous is not None
        ):
            project = self.previous
            project["project_name"] = f"{project['project_name']} {name}"
            if project["villages_from_name"]:
                # The village may sit in the part of the name that spilled over.
                project["village_numbers"] = village_numbers_from_name(project["project_name"])
            self.log(rownum, "skipped", "continuation")
            return
        if seq is not None and len(filled) == 1 and first_col == self.c_seq:
            self.log(rownum, "skipped", "blank_stub")
            return
        self.read_project(row, rownum, name)

    def read_project(self, row: list, rownum: int, name: str | None) -> None:
        reasons: list[str] = []

        def reject(code, col=None, value=None, expected=None):
            if code not in reasons:
                reasons.append(code)
            self.issue(code, rownum, col, value, expected)

        for missing in self.missing:
            reject("missing_required_column", None, missing)
        if name is None and self.c_name is not None:
            reject("missing_project_name", self.c_name)
        tambon = self._tambon(row, rownum, reject)
        budgets = self._budgets(row, rownum, reject)
        if reasons:
            self.result.rejected.append(
                {
                    "source_sheet": self.sheet.name,
                    "source_row": rownum,
                    "reasons": reasons,
                    "raw": _json_raw(row, self.header),
                }
            )
            self.log(rownum, "rejected", "rejected")
            self.previous = None
            return
        if self.is_long and self._extends_group(tambon, name, budgets):
            group = self.long_group
            self._add_budgets(group, budgets)
            group["n_lines"] += 1
            self.log(rownum, "accepted", "project")
            return
        project = self._project(row, rownum, name, tambon)
        self.result.projects.append(project)
        self._add_budgets(project, budgets)
        self.previous = project
        self.long_group = project if self.is_long else None
        self.log(rownum, "accepted", "project")

    # -- pieces of a project row --------------------------------------------------------
    def _tambon(self, row, rownum, reject) -> str | None:
        written = self.text(row, self.c_tambon, rownum)
        if written is None:
            if self.default_tambon is None:
                reject("no_tambon")
            return self.default_tambon
        found: TambonMatch = self.matcher.match(written, self.ctx.district_code)
        if found.status == "exact":
            return found.tambon_code
        if found.status == "fuzzy":
            self.issue("fuzzy_tambon_match", rownum, self.c_tambon, written, found.tambon_name_th)
            return found.tambon_code
        if found.status == "wrong_district":
            reject("tambon_wrong_district", self.c_tambon, written, self.ctx.district_name_th)
        else:
            reject("unknown_tambon", self.c_tambon, written, self.ctx.district_name_th)
        return None

    def _budgets(self, row, rownum, reject) -> list[tuple[int, Decimal]]:
        out = []
        if self.is_long:
            raw_year = _cell(row, self.c_year)
            raw_amount = _cell(row, self.c_amount)
            try:
                amount = parse_budget(raw_amount)
            except ParseError as err:
                reject(err.code, self.c_amount, raw_amount)
                amount = None
            if clean_text(raw_year) is None and amount is None:
                return out
            try:
                year, was_ce = parse_fiscal_year(raw_year)
            except ParseError as err:
                reject(err.code, self.c_year, raw_year)
                return out
            if was_ce:
                self.issue("fiscal_year_ce", rownum, self.c_year, raw_year, year)
            self._check_year_range(year, rownum, self.c_year)
            if amount is not None:
                out.append((year, amount))
            return out
        for col, year in self.wide:
            raw = _cell(row, col)
            try:
                amount = parse_budget(raw)
            except ParseError as err:
                reject(err.code, col, raw)
                continue
            if amount is not None:
                out.append((year, amount))
        return out

    def _check_year_range(self, year, rownum, col):
        rules = self.rules
        if not rules.fiscal_year_min <= year <= rules.fiscal_year_max:
            self.issue(
                "fiscal_year_out_of_range",
                rownum,
                col,
                year,
                f"{rules.fiscal_year_min}-{rules.fiscal_year_max}",
            )

    def _funding_route(self, row, rownum) -> str | None:
        for col in (self.c_method, self.c_source):
            written = self.text(row, col, rownum)
            if written is None:
                continue
            route = self.rules.funding_route(written)
            if route is not None:
                return route
            self.issue("unknown_funding_route", rownum, col, written)
        return None

    def _project(self, row, rownum, name, tambon) -> dict:
        villages = []
        if self.c_village is not None:
            villages = parse_village_numbers(_cell(row, self.c_village))
        from_name = not villages
        if from_name:
            villages = village_numbers_from_name(name)
        project = {
            "source_sheet": self.sheet.name,
            "source_row": rownum,
            "tambon_code": tambon,
            "village_numbers": villages,
            "project_name": name,
            "category": self._category(row, rownum),
            "funding_route": self._funding_route(row, rownum),
            "n_lines": 1,
            "budgets": {},
            "villages_from_name": from_name,
        }
        for key, col in self.text_cols.items():
            project[key] = self.text(row, col, rownum)
        return project

    def _category(self, row, rownum) -> str | None:
        """The row's category (its column, else the section above); a category that matches
        no provincial strategic issue is reported once per sheet."""
        written = self.text(row, self.c_category, rownum)
        category = written or self.category
        if (
            category is not None
            and self.rules.strategies
            and category not in self.reported_categories
            and self.rules.strategy_for(category) is None
        ):
            self.reported_categories.add(category)
            self.issue("unknown_category", rownum, self.c_category if written else None, category)
        return category

    def _add_budgets(self, project: dict, budgets: list[tuple[int, Decimal]]) -> None:
        for year, amount in budgets:
            project["budgets"][year] = amount

    def _extends_group(self, tambon, name, budgets) -> bool:
        group = self.long_group
        if group is None or group["tambon_code"] != tambon or group["project_name"] != name:
            return False
        return not any(year in group["budgets"] for year, _ in budgets)


def _log(result: FileResult, sheet: str, row: int, outcome: str, kind: str) -> None:
    result.row_log.append(
        {"source_sheet": sheet, "source_row": row, "outcome": outcome, "kind": kind}
    )


def _cell(row: list, col: int | None):
    return row[col] if col is not None and col < len(row) else None


def _is_number(text: str | None) -> bool:
    return text is not None and text.replace(".", "", 1).isdigit()


def _sheet_default_tambon(
    sheet: Sheet, header: Header, ctx: FileContext, matcher: TambonMatcher
) -> str | None:
    """The tambon a sheet's rows belong to when they have no tambon cell: sheet name, then
    file name, then a title row above the header."""
    for text in (sheet.name, ctx.file_stem):
        found = matcher.find_in_text(text, ctx.district_code)
        if found:
            return found.tambon_code
    if ctx.default_place:  # a district or province plan: its title names no one tambon
        return ctx.default_place
    for r in range(header.first_row):
        words = [t for t in (clean_text(v) for v in sheet.rows[r]) if t]
        found = matcher.find_in_text(" ".join(words), ctx.district_code)
        if found:
            return found.tambon_code
    return None


def read_sheet(
    sheet: Sheet, ctx: FileContext, rules: Rules, matcher: TambonMatcher, result: FileResult
) -> None:
    """Append what one sheet yields to `result`: every non-blank row is logged exactly once."""
    cleaned = [[clean_text(v) for v in row] for row in sheet.rows]
    nonblank = [i for i, row in enumerate(cleaned) if any(v is not None for v in row)]

    def skip_all(kind: str) -> None:
        for i in nonblank:
            _log(result, sheet.name, i + 1, "skipped", kind)

    def file_issue(code: str, value=None) -> None:
        result.issues.append(
            make_issue(rules, code, source_file=ctx.source_file, sheet=sheet.name, value=value)
        )

    if not nonblank:
        file_issue("empty_sheet")
        return
    sheet_kind = rules.sheet_kind(sheet.name) if sheet.name else None
    if sheet_kind is not None:
        file_issue("summary_sheet", sheet.name)
        skip_all("summary_sheet")
        return
    header = find_header(sheet, rules)
    if header is None:
        file_issue("no_header")
        skip_all("no_header")
        return
    seen: dict[str, int] = {}
    for c, label in sorted(header.labels.items()):
        match = header.columns.get(c)
        reader_issue = dict(
            source_file=ctx.source_file,
            sheet=sheet.name,
            row=header.first_row + 1,
            col0=c,
            column_name=label,
            value=label,
        )
        if match is None:
            result.issues.append(make_issue(rules, "unknown_header", **reader_issue))
            continue
        key = match.column if match.column != "budget_year" else f"budget_{match.fiscal_year}"
        if key in seen:
            del header.columns[c]
            result.issues.append(
                make_issue(
                    rules, "ambiguous_header", **reader_issue, expected=header.labels[seen[key]]
                )
            )
            continue
        seen[key] = c
    for i in nonblank:
        if i < header.first_row:
            _log(result, sheet.name, i + 1, "skipped", "title")
        elif i <= header.last_row:
            _log(result, sheet.name, i + 1, "skipped", "header")
    default_tambon = _sheet_default_tambon(sheet, header, ctx, matcher)
    _SheetReader(sheet, cleaned, header, ctx, rules, matcher, result, default_tambon).read()


def read_sheets(
    sheets: list[Sheet], ctx: FileContext, rules: Rules, matcher: TambonMatcher
) -> FileResult:
    """Read every sheet of one file into one `FileResult`."""
    result = FileResult()
    for sheet in sheets:
        read_sheet(sheet, ctx, rules, matcher, result)
    if not result.row_log:
        result.issues.append(make_issue(rules, "empty_file", source_file=ctx.source_file))
    elif not any(e["outcome"] in ("accepted", "rejected") for e in result.row_log):
        result.issues.append(make_issue(rules, "no_projects", source_file=ctx.source_file))
    return result
