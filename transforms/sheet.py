"""Turn the cells of one plan file into projects, budgets, rejected rows, issues and a row log.

One generic reader for every district: what a header, a section row, a subtotal or a summary
sheet looks like comes from `Rules` (the tables in `data/`), never from per-district code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from oneplan.transforms.areas import TambonMatch, TambonMatcher, places_in_text
from oneplan.transforms.issues import make_issue
from oneplan.transforms.numbers import (
    ParseError,
    parse_budget,
    parse_fiscal_year,
    parse_village_numbers,
    village_numbers_from_name,
    year_in_header,
    year_in_text,
)
from oneplan.transforms.rules import PLAN_MEASURE, HeaderMatch, Rules
from oneplan.transforms.text import clean_text, normalize_header, to_arabic_digits

TEXT_COLUMNS = ("objective", "target", "kpi", "expected_result", "responsible_agency")
BUDGET_COLUMNS = ("budget_year", "amount")
MAX_HEADER_ROWS = 3
# Text that wraps onto the next rows is joined, column by column, to the project above.
WRAPPING_COLUMNS = ("project_name", *TEXT_COLUMNS, "remarks")
# A cell merged down over several project rows applies to each of them.
MERGED_DOWN_COLUMNS = (
    "tambon", "village", "category", "method", "funding_source", "responsible_agency",
    "requested_agency",
    "district", "province",
)  # fmt: skip
# Row kinds (data/row_kinds.csv) that mark a layout row; `title_<route>` kinds are section
# titles that also set the funding route of the rows under them.
BLOCK_KINDS = ("signature", "note")
# The official form's strategy chain (data/row_kinds.csv `chain_*`): the project field each
# line sets for the rows under it, highest level first (a line clears the levels below it).
CHAIN_FIELDS = {
    "chain_national": "national_strategy_text",
    "chain_provincial": "provincial_strategy_text",
    "chain_local": "local_strategy_text",
    "chain_tactic": "tactic_text",
}
CHAIN_ORDER = tuple(CHAIN_FIELDS.values())
# How a chain line is logged and what it does to the category, as the older kinds it extends:
# the local strategy is a section heading, a กลยุทธ์ a sub-section, `(1) แผนงาน...` the
# category itself; the ก.-จ. lines only carry their text.
CHAIN_AS = {
    "chain_local": "section",
    "chain_tactic": "subsection",
    "chain_plan": "subsection",
}
# A two-digit year under an amount group label (`งบประมาณ` over `66`).
_SHORT_YEAR_RE = re.compile(r"(?:ปี\s*)?([5-9][0-9])")


@dataclass(frozen=True)
class Sheet:
    """The cells of one sheet: `rows[i]` is the row a person sees as number i + 1."""

    name: str
    rows: list[list]
    merged: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()
    visible: bool = True  # False for a hidden or very hidden sheet


@dataclass(frozen=True)
class FileContext:
    source_file: str  # path relative to the inbox, for messages
    district_code: str
    district_name_th: str
    file_stem: str
    folders: tuple[str, ...] = ()  # folders between the district folder and the file
    default_place: str | None = None  # district/province code: rows of a wider plan (levels.py)


@dataclass
class FileResult:
    """Everything one file yields; rows are dicts, turned into frames by the caller."""

    projects: list[dict] = field(default_factory=list)
    budgets: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)
    row_log: list[dict] = field(default_factory=list)
    # Sheets whose rows name no tambon anywhere, placed district-wide (one warning per file).
    district_wide_sheets: list[str] = field(default_factory=list)
    # Rows naming a place outside the provinces in scope: (sheet, the place named), per row.
    out_of_scope: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Header:
    first_row: int  # 0-based
    last_row: int
    columns: dict[int, HeaderMatch]  # column index -> canonical column (first of each kind)
    labels: dict[int, str]  # column index -> header text as written (joined over header rows)
    ce_years: dict[int, str] = field(default_factory=dict)  # column -> label with a CE year

    def col(self, name: str) -> int | None:
        for c, m in self.columns.items():
            if m.column == name:
                return c
        return None

    @property
    def budget_years(self) -> list[tuple[int, int]]:
        return [(c, m.fiscal_year) for c, m in self.columns.items() if m.column == "budget_year"]

    @property
    def measure_years(self) -> list[tuple[int, int, str]]:
        """(column, fiscal year, measure) of the year columns that measure something other
        than the plan's money (an ordinance's grant, money spent...)."""
        return [
            (c, m.fiscal_year, m.measure)
            for c, m in self.columns.items()
            if m.column == "measure_year"
        ]


class _Lookups:
    """What the rules say of each distinct cleaned text, computed once: the same texts come
    back down a column and from file to file (agencies, methods, categories, amounts, the
    header cells), and `Rules.match_header` / `Rules.row_kind` cost a normalisation and a
    pass over every pattern. Bounded: cleared when it holds `MAX_TEXTS` texts."""

    MAX_TEXTS = 200_000

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.headers: dict[str, HeaderMatch | None] = {}
        self.kinds: dict[str, str | None] = {}
        self.years: dict[str, tuple[int, bool] | None] = {}
        self.routes: dict[str, str | None] = {}

    def _room(self, memo: dict) -> None:
        if len(memo) >= self.MAX_TEXTS:
            memo.clear()

    def match_header(self, text: str) -> HeaderMatch | None:
        try:
            return self.headers[text]
        except KeyError:
            self._room(self.headers)
            found = self.headers[text] = self.rules.match_header(text)
            return found

    def row_kind(self, text: str) -> str | None:
        try:
            return self.kinds[text]
        except KeyError:
            self._room(self.kinds)
            kind = self.kinds[text] = self.rules.row_kind(text)
            return kind

    def funding_route(self, text: str) -> str | None:
        try:
            return self.routes[text]
        except KeyError:
            self._room(self.routes)
            route = self.routes[text] = self.rules.funding_route(text)
            return route

    def header_year(self, text: str) -> tuple[int, bool] | None:
        try:
            return self.years[text]
        except KeyError:
            self._room(self.years)
            match = self.match_header(text)
            if match is not None and match.column == "budget_year":
                year = (match.fiscal_year, False)
            else:
                year = year_in_header(text)
            self.years[text] = year
            return year


_LAST_LOOKUPS: _Lookups | None = None
_UNSEEN = object()  # a text not looked up yet (None is a lookup's answer)


def _lookups(rules: Rules) -> _Lookups:
    """The memo of these rules (one slot: a run reads every file with the same rules)."""
    global _LAST_LOOKUPS
    memo = _LAST_LOOKUPS
    if memo is None or memo.rules is not rules:
        memo = _LAST_LOOKUPS = _Lookups(rules)
    return memo


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
    match_header = _lookups(rules).match_header
    for c, cell in enumerate(row):
        text = clean_text(cell)
        if text is not None and len(text) <= 120:
            out[c] = match_header(text)
        elif text is not None:
            out[c] = None
    return out


def _header_year(text: str, rules: Rules) -> tuple[int, bool] | None:
    """The fiscal year a header cell names (`ปี ๒๕๖๘`, `2568`, `งบประมาณ 2025`, ...), as
    (BE year, written in CE), or None."""
    return _lookups(rules).header_year(text)


def _column_match(parts: list[str], rules: Rules) -> tuple[HeaderMatch | None, bool]:
    """The canonical column of a header column written over one or more rows, and whether its
    year was written in CE. A year cell above or below an amount label (`ปี ๒๕๖๘` over
    `งบประมาณ (บาท)`, `งบประมาณ` over `2568`) makes a budget column of that year."""
    label = " ".join(parts)
    measure = rules.amount_measure(label)
    years = [y for y in (_header_year(p, rules) for p in (label, *parts)) if y is not None]
    if not years and measure is not None:  # `งบประมาณ` over a two-digit `66`
        years = [(2500 + int(f.group(1)), False) for f in map(_short_year, parts) if f]
    if years and measure is not None and measure != PLAN_MEASURE:
        # A year column of a group that is not the plan's money (เทศบัญญัติ 2566).
        year, was_ce = years[0]
        return HeaderMatch("measure_year", year, measure), was_ce
    match = (
        rules.match_header(label) or rules.match_header(parts[-1]) or rules.match_header(parts[0])
    )
    if match is not None and match.column == "budget_year":
        return match, False
    # A year with an amount label, a unit ("(บาท)") or nothing else names a budget column; a
    # year beside another known column (a long layout's ปีงบประมาณ) does not.
    if years and (match is None or match.column in ("amount", "fiscal_year")):
        year, was_ce = years[0]
        return HeaderMatch("budget_year", year), was_ce
    return match, False


def _short_year(text: str) -> re.Match | None:
    return _SHORT_YEAR_RE.fullmatch(to_arabic_digits(text))


def _spread_group_labels(grid: list[list], first: int, last: int, rules: Rules) -> None:
    """A group label written once over its year columns, not merged (`เทศบัญญัติ` in the
    first of three columns whose years are on the row below): copied right along the blank
    cells of its row while the row below holds a year, so every year column has its group."""
    for r in range(first, last):
        row, below = grid[r], grid[r + 1]
        for c in range(1, min(len(row), len(below))):
            if clean_text(row[c]) is not None:
                continue
            left = clean_text(row[c - 1])
            if left is None or rules.amount_measure(left) is None:
                continue
            under, under_left = clean_text(below[c]), clean_text(below[c - 1])
            if (
                under
                and under_left
                and _is_year_cell(under, rules)
                and _is_year_cell(under_left, rules)
            ):
                row[c] = row[c - 1]


def _is_group_over(text: str, below: list, c: int, rules: Rules) -> bool:
    """Whether a cell is a group label over an amount column: it names an amount measure and
    the cell under it is itself an amount label or a year (not a title over `ที่`)."""
    under = clean_text(below[c]) if c < len(below) else None
    return (
        under is not None
        and rules.amount_measure(text) is not None
        and (rules.amount_measure(under) is not None or _is_year_cell(under, rules))
    )


def _is_year_cell(text: str, rules: Rules) -> bool:
    return _header_year(text, rules) is not None or _short_year(text) is not None


def find_header(sheet: Sheet, rules: Rules, scan_rows: int | None = None) -> Header | None:
    """Locate the header block by scoring rows on known headers; join multi-row headers.

    The header row is the one (within the first `rules.header_scan_rows`) naming the most
    distinct canonical columns; up to two rows below it whose every cell is itself a header
    (e.g. the fiscal years under a merged งบประมาณ), or above it whose every cell names a
    fiscal year (`ปี ๒๕๖๘` over `งบประมาณ (บาท)`), are joined to it, column by column.
    """
    limit = rules.header_scan_rows if scan_rows is None else scan_rows
    scan = min(len(sheet.rows), limit)
    grid = _filled(sheet.rows, sheet.merged, scan + MAX_HEADER_ROWS)
    best_row, best_score = None, 1
    for r in range(scan):
        found = {m.column for m in _row_matches(grid[r], rules).values() if m}
        if not found & {"project_name", "seq", "budget_year", "amount"}:
            continue
        score = len(found)
        if score > best_score:
            best_row, best_score = r, score
        if score >= 3 and "project_name" in found:
            # The first full header: a second table further down keeps its own.
            best_row = r
            break
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
        if not new or not all(
            m is not None
            or _header_year(clean_text(grid[last + 1][c]) or "", rules)
            # a sub-group of the group above (งบประมาณ | เทศบัญญัติ under one label)
            or rules.amount_measure(clean_text(grid[last + 1][c]) or "") is not None
            or (
                _short_year(clean_text(grid[last + 1][c]) or "") is not None
                and c < len(above)
                and rules.amount_measure(clean_text(above[c]) or "") is not None
            )
            for c, m in new.items()
        ):
            break
        last += 1
    first = best_row
    _spread_group_labels(grid, first, last, rules)
    while first > 0 and last - first + 1 < MAX_HEADER_ROWS:
        cells = [
            (c, text)
            for c, text in enumerate(clean_text(v) for v in grid[first - 1])
            if text is not None and (c >= len(grid[first]) or text != clean_text(grid[first][c]))
        ]
        # Above: the years over the amount labels, or a group over them (งบประมาณและที่ผ่านมา).
        if not cells or not all(
            _header_year(text, rules) or _is_group_over(text, grid[first], c, rules)
            for c, text in cells
        ):
            break
        first -= 1
    _spread_group_labels(grid, first, last, rules)
    columns: dict[int, HeaderMatch] = {}
    labels: dict[int, str] = {}
    ce_years: dict[int, str] = {}
    width = max(len(grid[r]) for r in range(first, last + 1))
    for c in range(width):
        parts: list[str] = []
        for r in range(first, last + 1):
            text = clean_text(grid[r][c]) if c < len(grid[r]) else None
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        if not parts:
            continue
        labels[c] = " ".join(parts)
        match, was_ce = _column_match(parts, rules)
        if match is not None:
            columns[c] = match
            if was_ce:
                ce_years[c] = labels[c]
    return Header(first, last, columns, labels, ce_years)


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
        self.sheet, self.ctx = sheet, ctx
        self.cleaned = cleaned  # clean_text of every cell, computed once per sheet
        self.current: list[str | None] = []
        self.rownum = 0
        self.rules, self.matcher, self.result = rules, matcher, result
        self.look = _lookups(rules)
        self.default_tambon = default_tambon
        self.category: str | None = None
        self.category_is_subsection = True  # no heading yet: a sub-section may stand for one
        self.category_from_chain = False  # the category is a strategy-chain line's
        # Categories of `(1) แผนงาน...` lines: a budget programme, not meant to name a
        # provincial strategy (the form's ง. line does), so not reported as unknown.
        self.plan_areas: set[str] = set()
        self.heading_tambon: str | None = None
        self.title_route: str | None = None  # from a section title above the rows
        self.block: str | None = None  # a signature / note block under the table
        self.reported_categories: set[str] = set()
        self.previous: dict | None = None  # the project a continuation row would extend
        self.long_group: dict | None = None
        self.merged_down: dict[tuple[int, int], str] = {}
        self.sheet_year: int | None = None  # the year of a one-amount-column sheet
        self.revision: str | None = None  # the amendment section the rows are in
        self.chain: dict[str, str | None] = dict.fromkeys(CHAIN_ORDER)
        self.set_header(header)

    def set_header(self, header: Header) -> None:
        """Read the rows below with this header's columns (the first, or one repeated further
        down the sheet)."""
        self.header = h = header
        amount = h.col("amount")
        if self.sheet_year and not h.budget_years and h.col("fiscal_year") is None and amount:
            h.columns[amount] = HeaderMatch("budget_year", self.sheet_year)
        self.c_seq, self.c_name = h.col("seq"), h.col("project_name")
        self.c_tambon, self.c_village = h.col("tambon"), h.col("village")
        self.c_category, self.c_method = h.col("category"), h.col("method")
        self.c_source = h.col("funding_source")
        self.c_strategy = h.col("strategy")
        self.c_requested = h.col("requested_agency")
        self.measure_cols = h.measure_years
        self.c_year, self.c_amount = h.col("fiscal_year"), h.col("amount")
        self.c_district, self.c_province = h.col("district"), h.col("province")
        self.text_cols = {name: h.col(name) for name in TEXT_COLUMNS}
        self.wrapping = {c for c, m in h.columns.items() if m.column in WRAPPING_COLUMNS}
        self.wide = h.budget_years
        self.is_long = not self.wide and self.c_year is not None and self.c_amount is not None
        self.budget_cols = (
            {c for c, _ in self.wide}
            | {c for c, _, _ in self.measure_cols}
            | ({self.c_year, self.c_amount} if self.is_long else set())
        )
        # A required column missing is one error for the table (`missing_reported`), its rows
        # rejected with the reason. A table with no amount column at all is a list of
        # projects: they are kept without money (one no_budget_column warning per file); an
        # amount column whose year cannot be told is missing its years.
        self.missing = []
        self.missing_reported = False
        self.has_no_amount = not self.wide and not self.is_long and self.c_amount is None
        if self.c_name is None:
            self.missing.append("โครงการ")
        if not self.wide and not self.is_long and not self.has_no_amount:
            self.missing.append("ปีงบประมาณ")
        context = {c for c, m in h.columns.items() if m.column in MERGED_DOWN_COLUMNS}
        for (r0, c0), (r1, _) in self.sheet.merged:
            if r1 > r0 and r0 > h.last_row and c0 in context:
                value = self.cleaned[r0][c0] if c0 < len(self.cleaned[r0]) else None
                for r in range(r0 + 1, min(r1, len(self.cleaned) - 1) + 1):
                    self.merged_down.setdefault((r, c0), value)

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
        """The cleaned text of a cell of the current row (cut to max_cell_chars, reported);
        a cell under one merged down from a project row above reads as that cell."""
        if col is None:
            return None
        value = self.current[col] if col < len(self.current) else None
        if value is None and self.merged_down:
            value = self.merged_down.get((rownum - 1, col))
        if value is not None and len(value) > self.rules.max_cell_chars:
            self.issue("cell_truncated", rownum, col, value, self.rules.max_cell_chars)
            value = value[: self.rules.max_cell_chars]
        return value

    # -- the row loop ------------------------------------------------------------------
    def read(self, nonblank: list[int]) -> None:
        """Read the non-blank rows (0-based indices, in order) below the header."""
        self._check_header_years()
        rows = [i for i in nonblank if i > self.header.last_row]
        filled_of = {
            i: [(c, v) for c, v in enumerate(self.cleaned[i]) if v is not None] for i in rows
        }
        self.header_like = {i: self._is_header_like(filled_of[i]) for i in rows}
        titles = self._titles_above_repeats(rows, filled_of)
        skip_to = -1
        for i in rows:
            if i <= skip_to:
                continue
            self.current = self.cleaned[i]
            filled = filled_of[i]
            repeat = self._repeated_header(i, filled)
            if repeat is not None:
                for r in rows:
                    if i <= r <= repeat.last_row:
                        self.log(r + 1, "skipped", "header")
                self.set_header(repeat)
                self._check_header_years()
                self.previous = self.long_group = None
                self.block = None
                skip_to = repeat.last_row
                continue
            if i in titles:
                self.read_title(i + 1, filled)
            else:
                self.read_row(self.sheet.rows[i], i + 1, filled)

    def _check_header_years(self) -> None:
        for c, year in self.wide:
            self._check_year_range(year, self.header.first_row + 1, c)
        for c, label in self.header.ce_years.items():
            year = self.header.columns[c].fiscal_year
            self.issue("fiscal_year_ce", self.header.first_row + 1, c, label, year)

    def _is_header_like(self, filled: list[tuple[int, str]]) -> bool:
        """Whether a row names mostly known headers, ที่ or โครงการ among them."""
        if len(filled) < 2:
            return False
        found, misses, allowed = set(), 0, len(filled) // 2
        look = self.look
        known = look.headers
        for _, v in filled:
            if len(v) > 120:
                m = None
            else:
                m = known.get(v, _UNSEEN)
                if m is _UNSEEN:
                    m = look.match_header(v)
            if m is None:
                misses += 1
                if misses > allowed:
                    return False
            else:
                found.add(m.column)
        return len(filled) - misses >= 2 and bool(found & {"project_name", "seq"})

    def _repeated_header(self, i: int, filled) -> Header | None:
        """The header that starts again at row i (a page break in a printed plan, or a second
        table stacked under the first), else None."""
        if not self.header_like[i]:
            return None
        rest = self.sheet.rows[i:]
        merged = tuple(
            ((r0 - i, c0), (r1 - i, c1)) for (r0, c0), (r1, c1) in self.sheet.merged if r0 >= i
        )
        found = find_header(Sheet(self.sheet.name, rest, merged), self.rules, scan_rows=1)
        if found is None or found.col("project_name") is None:
            return None
        return Header(
            found.first_row + i, found.last_row + i, found.columns, found.labels, found.ce_years
        )

    def _titles_above_repeats(self, rows: list[int], filled_of: dict) -> set[int]:
        """Rows of text alone right above a repeated header: its title, not a project."""
        titles: set[int] = set()
        for k, r in enumerate(rows):
            if not self.header_like[r]:
                continue
            for back in range(k - 1, max(k - 4, -1), -1):
                cells = [v for _, v in filled_of[rows[back]]]
                if len(cells) != 1 or _is_number(cells[0]) or self._is_header_like([(0, cells[0])]):
                    break
                titles.add(rows[back])
        return titles

    def read_title(self, rownum: int, filled) -> None:
        text = " ".join(v for _, v in filled)
        found = self.matcher.find_in_text(text, self.ctx.district_code)
        if found is not None:  # a table per tambon, each under a title naming its tambon
            self.default_tambon = found.tambon_code
        kind = self.look.row_kind(text) or ""
        revision = self.rules.plan_revision(text)
        if revision is not None:  # an amendment's marker right above its repeated header
            self.revision = revision
            self.log(rownum, "skipped", "amendment")
        elif kind.startswith("title"):
            self.title_route = kind.removeprefix("title_") if kind != "title" else None
            self.log(rownum, "skipped", "section_title")
        else:
            self.apply_chain(kind, text)
            self.log(rownum, "skipped", "title")
        self.previous = self.long_group = None

    def apply_chain(self, kind: str, text: str) -> bool:
        """A strategy-chain line (ก. ยุทธศาสตร์ชาติ ..., 1. ยุทธศาสตร์..., (1) แผนงาน...):
        its text applies to the rows under it. Returns whether `kind` is a chain kind."""
        if not kind.startswith("chain_"):
            return False
        field = CHAIN_FIELDS.get(kind)
        if field is not None:
            self.chain[field] = text
            for lower in CHAIN_ORDER[CHAIN_ORDER.index(field) + 1 :]:
                self.chain[lower] = None
        if kind == "chain_local":  # also the section heading it always was
            self.category, self.category_is_subsection = text, False
            self.category_from_chain = True
        elif kind == "chain_tactic" and self.category_is_subsection:
            self.category = text
        elif kind == "chain_plan" and (self.category_from_chain or self.category_is_subsection):
            # The form's แผนงาน under its strategy line: the category of the rows under it
            # (under a ด้าน heading the heading stays the category, as with any sub-section).
            self.category, self.category_is_subsection = text, False
            self.category_from_chain = True
            self.plan_areas.add(text)
        return True

    def _layout_kind(self, filled, seq, has_budget) -> str | None:
        """The kind of a row that holds no project: a section heading, numbered sub-section,
        section title, unit row, repeated year row, signature or note; None otherwise."""
        texts = [v for _, v in filled]
        if all(self.look.row_kind(v) == "unit" for v in texts):
            return "unit"
        if len(filled) < len(self.header.columns) and all(
            len(v) <= 120 and self.look.match_header(v) is not None for v in texts
        ):
            return "header"  # a part of the header repeated alone (งบประมาณ (บาท) over years)
        numbered = seq is not None and _is_number(seq)
        joined = " ".join(texts)
        block = self._block_kind(filled, joined, numbered)
        if block is not None:
            return block
        if has_budget and not self._is_year_row(filled):
            return None
        if self._is_year_row(filled):
            return "header"
        kind = self.look.row_kind(joined) or self.look.row_kind(texts[0])
        if kind in BLOCK_KINDS and not numbered:
            return kind
        if self.block is not None and not numbered:
            return self.block
        if not numbered and len(filled) <= 2 and self.rules.plan_revision(joined) is not None:
            return "amendment"
        if kind is not None and kind.startswith("title") and len(filled) <= 2 and not numbered:
            return kind
        if kind == "tambon" and len(filled) == 1:
            found = self.matcher.find_in_text(joined, self.ctx.district_code)
            if found is not None:
                self.heading_tambon = found.tambon_code
                return kind
        beside_number = len(filled) == 2 and filled[0][0] == self.c_seq
        alone = len(filled) == 1 or beside_number
        if kind is not None and kind.startswith("chain_") and alone and not numbered:
            return kind
        if kind in ("section", "subsection") and alone:
            return kind
        return None

    def _block_kind(self, filled, joined: str, numbered: bool) -> str | None:
        """A signature or note block under the table, in any column: a row with no number,
        no readable amount and no project name of its own, where a cell opens a block
        (ลงชื่อ..., (....), a position title) or a block is already open above it."""
        if numbered or self._has_amount(filled):
            return None
        name = (
            self.current[self.c_name]
            if self.c_name is not None and self.c_name < len(self.current)
            else None
        )
        if name is not None and self.look.row_kind(name) not in BLOCK_KINDS:
            return None
        kind = self.look.row_kind(joined)
        if kind in BLOCK_KINDS:
            return kind
        for _, v in filled:
            cell_kind = self.look.row_kind(v)
            if cell_kind in BLOCK_KINDS:
                return cell_kind
        if self.block is not None and name is None:
            return self.block
        return None

    def _has_amount(self, filled) -> bool:
        """Whether an amount column of the row holds a readable amount."""
        for c, v in filled:
            if c in self.budget_cols and c != self.c_year:
                try:
                    if parse_budget(v) is not None:
                        return True
                except ParseError:
                    continue
        return False

    def _is_year_row(self, filled) -> bool:
        """Cells that only repeat the fiscal year of their budget column (under a repeated
        header): "2568" under the 2568 column is not 2,568 baht."""
        years = dict(self.wide) | {c: y for c, y, _ in self.measure_cols}
        return all(c in years and self._year_of(v) == years[c] for c, v in filled)

    def _year_of(self, text: str) -> int | None:
        found = self.look.header_year(text)
        if found is not None and not found[1]:
            return found[0]
        short = _short_year(text)
        return 2500 + int(short.group(1)) if short else None

    def read_row(self, row: list, rownum: int, filled: list[tuple[int, str]]) -> None:
        first_col, first = filled[0]
        seq = self.text(row, self.c_seq, rownum)
        has_budget = any(c in self.budget_cols for c, _ in filled)
        kind = self.look.row_kind(first)
        if (
            kind == "subtotal"
            and (seq is None or first_col == self.c_seq)
            and (first_col != self.c_seq or not _is_number(seq))
        ):
            self.log(rownum, "skipped", "subtotal")
            self.previous = self.long_group = None
            return
        layout = self._layout_kind(filled, seq, has_budget)
        if layout is not None:
            self.read_layout(rownum, layout, filled)
            return
        self.block = None
        if self._continues(filled, seq, has_budget):
            self.continue_previous(row, rownum, filled)
            return
        if seq is not None and len(filled) == 1 and first_col == self.c_seq and _is_stub(seq):
            self.log(rownum, "skipped", "blank_stub")
            return
        name = self.text(row, self.c_name, rownum)
        self.read_project(row, rownum, name)

    def read_layout(self, rownum: int, kind: str, filled) -> None:
        text = " ".join(v for c, v in filled if c != self.c_seq or len(filled) == 1)
        if kind == "amendment":
            # The projects under an amendment marker were added or changed by it.
            self.revision = self.rules.plan_revision(" ".join(v for _, v in filled))
        elif self.apply_chain(kind, text):
            kind = CHAIN_AS.get(kind, "strategy_chain")
        elif kind.startswith("title"):
            # A section title sets the funding route of the rows under it, until the next.
            self.title_route = kind.removeprefix("title_") if kind != "title" else None
            kind = "section_title"
        elif kind == "section" or (kind == "subsection" and self.category_is_subsection):
            # A sub-section is the category only when no ด้าน/ยุทธศาสตร์ heading is above it.
            self.category = " ".join(v for c, v in filled if c != self.c_seq or len(filled) == 1)
            self.category_is_subsection = kind == "subsection"
            self.category_from_chain = False
        elif kind == "tambon":
            self.default_tambon = self.heading_tambon
        elif kind in BLOCK_KINDS:
            self.block = kind
        self.log(rownum, "skipped", kind)
        self.previous = self.long_group = None

    def _continues(self, filled, seq, has_budget) -> bool:
        """A row whose only cells are text continuing the project above (a name, objective,
        target... wrapped onto the next row, or beside a number cell merged down)."""
        if self.previous is None or seq is not None or has_budget:
            return False
        if not any(c in self.wrapping for c, _ in filled) and not (
            self.c_village is not None and all(c == self.c_village for c, _ in filled)
        ):
            return False
        if any(c == self.c_tambon for c, _ in filled):
            return False  # a row naming its own tambon is a project of its own
        return self.c_seq is not None or len(filled) == 1

    def continue_previous(self, row, rownum, filled) -> None:
        project = self.previous
        keys = {c: m.column for c, m in self.header.columns.items()}
        for c, _ in filled:
            key = keys.get(c)
            if key not in WRAPPING_COLUMNS:
                continue
            value = self.text(row, c, rownum)
            project[key] = value if project[key] is None else f"{project[key]} {value}"
        if project["villages_from_name"]:
            # The village may sit in the part of the name that spilled over.
            project["village_numbers"] = village_numbers_from_name(project["project_name"])
        elif self.c_village is not None and self.current[self.c_village] is not None:
            more = parse_village_numbers(_cell(row, self.c_village))
            project["village_numbers"] += [v for v in more if v not in project["village_numbers"]]
        self.log(rownum, "skipped", "continuation")

    def read_project(self, row: list, rownum: int, name: str | None) -> None:
        reasons: list[str] = []

        def reject(code, col=None, value=None, expected=None):
            if self.rules.rejects_row(code) and code not in reasons:
                reasons.append(code)
            self.issue(code, rownum, col, value, expected)

        if self._outside_scope(row, rownum):
            self.previous = self.long_group = None
            return
        if self.missing:
            reasons.append("missing_required_column")
            if not self.missing_reported:  # one error per table, not one per row
                self.missing_reported = True
                self.issue("missing_required_column", None, None, ", ".join(self.missing))
        if name is None and self.c_name is not None:
            reject("missing_project_name", self.c_name)
        tambon = self._tambon(row, rownum, reject, name)
        budgets = self._budgets(row, rownum, reject)
        measures = self._measures(row, rownum, reject)
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
            group["measures"].update(measures)
            group["n_lines"] += 1
            group["lines"].append(rownum)
            self.log(rownum, "accepted", "project")
            return
        project = self._project(row, rownum, name, tambon)
        project["measures"] = measures
        if self.has_no_amount:
            project["no_budget_column"] = True
        self.result.projects.append(project)
        self._add_budgets(project, budgets)
        self.previous = project
        self.long_group = project if self.is_long else None
        self.log(rownum, "accepted", "project")

    # -- pieces of a project row --------------------------------------------------------
    def _outside_scope(self, row, rownum) -> bool:
        """A row whose own จังหวัด/อำเภอ cells name a place outside the provinces in scope is
        skipped as `out_of_scope` (counted for one info per file), never matched as a
        misspelt tambon of ours."""
        province = self.text(row, self.c_province, rownum)
        district = self.text(row, self.c_district, rownum)
        if province is None and district is None:
            # No such cells: the place cell may write them (ต.หนองโพ อ.ตาคลี จ.นครสวรรค์).
            province, district = places_in_text(self.text(row, self.c_tambon, rownum))
        if (province is None and district is None) or not self.matcher.outside_scope(
            province, district
        ):
            return False
        self.result.out_of_scope.append((self.sheet.name, province or district))
        self.log(rownum, "skipped", "out_of_scope")
        return True

    def _tambon(self, row, rownum, reject, name: str | None = None) -> str | None:
        written = self.text(row, self.c_tambon, rownum)
        if written is None:
            if self.default_tambon is None and self.c_tambon is not None:
                reject("blank_tambon", self.c_tambon, name)  # on the blank cell itself
            elif self.default_tambon is None:
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

    def _measures(self, row, rownum, reject) -> dict[tuple[str, int], Decimal]:
        """The amounts of the year columns that measure something else than the plan's
        money, by (measure, year): kept apart, never added to the budgets."""
        out = {}
        for col, year, measure in self.measure_cols:
            raw = _cell(row, col)
            try:
                amount = parse_budget(raw)
            except ParseError as err:
                reject(err.code, col, raw)
                continue
            if amount is not None:
                out[(measure, year)] = amount
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
        """The route a method / source-of-funds cell gives, else the section title's; a row
        naming the agency it asks (หน่วยงานที่จะขอประสาน, ผ.02/2) is a request of it."""
        if self.text(row, self.c_requested, rownum) is not None:
            return "requested"
        for col in (self.c_method, self.c_source):
            written = self.text(row, col, rownum)
            if written is None:
                continue
            route = self.look.funding_route(written)
            if route is not None:
                return route
            self.issue("unknown_funding_route", rownum, col, written)
        return self.title_route

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
            # Raw texts for transforms.alignment (strategy, funding source, the section above).
            "strategy_text": self.text(row, self.c_strategy, rownum),
            "section_text": self.category,
            "funding_source_text": (
                self._cut(self.c_requested) or self._cut(self.c_source) or self._cut(self.c_method)
            ),
            "plan_revision": self.revision,
            **self.chain,
            "n_lines": 1,
            "budgets": {},
            "villages_from_name": from_name,
            "remarks": None,
            "lines": [rownum],
        }
        for key, col in self.text_cols.items():
            project[key] = self.text(row, col, rownum)
        return project

    def _cut(self, col: int | None) -> str | None:
        """A cell of the current row cut to max_cell_chars, without a second truncation issue
        (for cells `text` has already read and reported)."""
        value = self.current[col] if col is not None and col < len(self.current) else None
        return value[: self.rules.max_cell_chars] if value is not None else None

    def _category(self, row, rownum) -> str | None:
        """The row's category (its column, else the section above); a category that matches
        no provincial strategic issue is reported once per sheet."""
        written = self.text(row, self.c_category, rownum)
        category = written or self.category
        if (
            category is not None
            and self.rules.strategies
            and category not in self.reported_categories
            and (written is not None or category not in self.plan_areas)
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


def _is_stub(seq: str) -> bool:
    """A number cell with nothing beside it: a blank numbered row (`5`, `5.`, `(5)`, `-`);
    text in the number column is content, read as a row (and rejected when it has no name)."""
    core = to_arabic_digits(seq).strip("()[]. ")
    return core in ("", "-") or core.isdigit()


def _is_number(text: str | None) -> bool:
    return text is not None and text.replace(".", "", 1).isdigit()


def _sheet_default_tambon(
    sheet: Sheet, header: Header, ctx: FileContext, matcher: TambonMatcher
) -> str | None:
    """The tambon a sheet's rows belong to when they have no tambon cell: sheet name, then
    the folders the file sits in (innermost first), then file name, then a title row above
    the header."""
    for text in (sheet.name, *reversed(ctx.folders), ctx.file_stem):
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


def _title_texts(sheet: Sheet, header: Header) -> list[str]:
    out = []
    for r in range(header.first_row):
        words = [t for t in (clean_text(v) for v in sheet.rows[r]) if t]
        if words:
            out.append(" ".join(dict.fromkeys(words)))  # a merged title counts once
    return out


def _sheet_year(sheet: Sheet, header: Header, ctx: FileContext) -> tuple[int, str] | None:
    """The fiscal year of a sheet whose table has one amount column and no year column:
    from the sheet name, else a title row above the table, else the file name. Returns
    (year, where it was read, in Thai) or None."""
    if header.budget_years or header.col("fiscal_year") is not None:
        return None
    if header.col("amount") is None:
        return None
    sources = [(sheet.name, "ชื่อแผ่นงาน")]
    sources += [(t, "หัวเรื่อง") for t in _title_texts(sheet, header)]
    sources.append((ctx.file_stem, "ชื่อไฟล์"))
    for text, where in sources:
        year = year_in_text(text)
        if year is not None:
            return year, f'{where} "{text}"'
    return None


def read_sheet(
    sheet: Sheet, ctx: FileContext, rules: Rules, matcher: TambonMatcher, result: FileResult
) -> None:
    """Append what one sheet yields to `result`: every non-blank row is logged exactly once,
    each entry carrying the sheet's count of non-blank rows (`n_sheet_rows`) for the
    row-accounting check; a row the reader left without an outcome is logged `unread` with
    an error, never lost."""
    start = len(result.row_log)
    nonblank = _read_sheet(sheet, ctx, rules, matcher, result)
    logged = {e["source_row"] for e in result.row_log[start:]}
    for i in nonblank:
        if i + 1 not in logged:
            _log(result, sheet.name, i + 1, "skipped", "unread")
            result.issues.append(
                make_issue(
                    rules, "row_not_read", source_file=ctx.source_file, sheet=sheet.name,
                    row=i + 1,
                )
            )  # fmt: skip
    for entry in result.row_log[start:]:
        entry["n_sheet_rows"] = len(nonblank)


def _read_sheet(
    sheet: Sheet, ctx: FileContext, rules: Rules, matcher: TambonMatcher, result: FileResult
) -> list[int]:
    """Read one sheet into `result`; returns its non-blank rows (0-based)."""
    # Rows of empty strings (calamine's blank cells, often thousands below the table) are
    # recognised with one C-level count instead of a clean_text call per cell.
    cleaned = [
        [None] * len(row) if row.count("") == len(row) else [clean_text(v) for v in row]
        for row in sheet.rows
    ]
    nonblank = [i for i, row in enumerate(cleaned) if row.count(None) != len(row)]

    def skip_all(kind: str) -> None:
        for i in nonblank:
            _log(result, sheet.name, i + 1, "skipped", kind)

    def file_issue(code: str, value=None, expected=None) -> None:
        result.issues.append(
            make_issue(
                rules, code, source_file=ctx.source_file, sheet=sheet.name, value=value,
                expected=expected,
            )
        )  # fmt: skip

    if not nonblank:
        file_issue("empty_sheet")
        return nonblank
    sheet_kind = rules.sheet_kind(sheet.name) if sheet.name else None
    if sheet_kind is not None:
        # Summary and notes sheets as they always were; the other kinds (chart, ordinance)
        # by their own name.
        kind = "summary_sheet" if sheet_kind in ("summary", "notes") else f"{sheet_kind}_sheet"
        file_issue(kind if kind in rules.issue_codes else "summary_sheet", sheet.name)
        skip_all(kind)
        return nonblank
    header = find_header(sheet, rules)
    if header is None:
        file_issue("no_header")
        skip_all("no_header")
        return nonblank
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
        key = match.column
        if match.column == "budget_year":
            key = f"budget_{match.fiscal_year}"
        elif match.column == "measure_year":
            key = f"{match.measure}_{match.fiscal_year}"
        if key in seen:
            del header.columns[c]
            result.issues.append(
                make_issue(
                    rules, "ambiguous_header", **reader_issue, expected=header.labels[seen[key]]
                )
            )
            continue
        seen[key] = c
    if header.measure_years and not header.budget_years and header.col("amount") is None:
        # Only another measure's years (what the ordinance granted...): not the plan.
        measures = sorted({m for _, _, m in header.measure_years})
        file_issue("measure_only_sheet", ", ".join(measures))
        skip_all("measure_sheet")
        return nonblank
    year = _sheet_year(sheet, header, ctx)
    if year is not None:
        header.columns[header.col("amount")] = HeaderMatch("budget_year", year[0])
        file_issue("fiscal_year_inferred", year[0], year[1])
    for i in nonblank:
        if i < header.first_row:
            _log(result, sheet.name, i + 1, "skipped", "title")
        elif i <= header.last_row:
            _log(result, sheet.name, i + 1, "skipped", "header")
    default_tambon = _sheet_default_tambon(sheet, header, ctx, matcher)
    texts = (sheet.name, *ctx.folders, ctx.file_stem, *_title_texts(sheet, header))
    if (
        default_tambon is None
        and header.col("tambon") is None
        and len(ctx.district_code) == 4
        and not any(matcher.names_a_tambon(text) for text in texts)
    ):
        # A plan naming no tambon anywhere (a เทศบาล's, covering its municipal area): its
        # rows are placed district-wide, at the district of its folder. One that names a
        # tambon of another district is not guessed at: its rows stay rejected (no_tambon).
        default_tambon = ctx.district_code
        result.district_wide_sheets.append(sheet.name)
    reader = _SheetReader(sheet, cleaned, header, ctx, rules, matcher, result, default_tambon)
    reader.sheet_year = year[0] if year is not None else None
    for text in _title_texts(sheet, header):
        kind = rules.row_kind(text) or ""
        if kind.startswith("title_"):
            reader.title_route = kind.removeprefix("title_")
        elif not reader.apply_chain(kind, text):
            revision = rules.plan_revision(text)
            if revision is not None:  # the whole sheet is an amendment
                reader.revision = revision
    n_before = len(result.projects)
    n_logged = len(result.row_log)
    reader.read(nonblank)
    if not any(e["outcome"] != "skipped" for e in result.row_log[n_logged:]):
        # A table with no project row left (all of a tambon's rows deleted, say): say so.
        file_issue("sheet_without_projects", sheet.name)
    if len(header.budget_years) == 1 and not reader.is_long:
        # One amount column for one year: the sheet may be one year of a one-sheet-per-year plan.
        for project in result.projects[n_before:]:
            project["year_sheet"] = True
    return nonblank


def _project_key(project: dict) -> tuple:
    return (project["tambon_code"], project["project_name"])


def _budget_key(project: dict) -> tuple:
    return (*_project_key(project), tuple(sorted(project["budgets"].items())))


def _merge_year_sheets(result: FileResult) -> None:
    """One plan written as one sheet per fiscal year: the same project (tambon and name) on
    several year sheets is one project with a budget each year, kept at its first row."""
    first: dict[tuple, dict] = {}
    merged: dict[tuple[str, int], dict] = {}
    kept = []
    for project in result.projects:
        if not project.get("year_sheet"):
            kept.append(project)
            continue
        key = _project_key(project)
        into = first.get(key)
        if (
            into is not None
            and into["source_sheet"] != project["source_sheet"]
            and not set(into["budgets"]) & set(project["budgets"])
        ):
            into["budgets"].update(project["budgets"])
            into.setdefault("measures", {}).update(project.get("measures") or {})
            into["n_lines"] += project["n_lines"]
            merged[(project["source_sheet"], project["source_row"])] = into
            continue
        first.setdefault(key, project)
        kept.append(project)
    _point_rows_at(result, kept, merged, "project_year")


def _revision_name(revision: str | None) -> str:
    return revision or "แผนเดิม"


def _merge_revisions(result: FileResult, ctx: FileContext, rules: Rules) -> None:
    """The same project (same place and villages, same name once normalised) added again by a later
    amendment section of the file (`เพิ่มเติมครั้งที่ 5/2567`, usually for other years) is
    one project with the years merged, kept at its first row. Where the two give one year
    different amounts the later one wins, with a warning naming both revisions."""
    first: dict[tuple, dict] = {}
    merged: dict[tuple[str, int], dict] = {}
    kept = []
    for project in result.projects:
        key = (
            project["tambon_code"],
            normalize_header(project["project_name"]),
            tuple(sorted(project["village_numbers"])),
        )
        into = first.get(key)
        revision = project.get("plan_revision")
        if into is None or revision is None or revision == into.get("plan_revision"):
            first.setdefault(key, project)
            kept.append(project)
            continue
        changed = []
        for year, amount in sorted(project["budgets"].items()):
            before = into["budgets"].get(year)
            if before is not None and before != amount:
                changed.append(
                    f"{year}: {before:,.2f} ({_revision_name(into.get('plan_revision'))})"
                    f" → {amount:,.2f} ({revision})"
                )
            into["budgets"][year] = amount
        into.setdefault("measures", {}).update(project.get("measures") or {})
        for column, value in project.items():  # details the first row left empty
            if into.get(column) is None and value is not None:
                into[column] = value
        into["plan_revision"] = revision
        into["n_lines"] += project["n_lines"]
        for line in project["lines"]:
            merged[(project["source_sheet"], line)] = into
        if changed:
            result.issues.append(
                make_issue(
                    rules, "amendment_changed_amount", source_file=ctx.source_file,
                    sheet=project["source_sheet"], row=project["source_row"],
                    value=project["project_name"], expected="; ".join(changed),
                )
            )  # fmt: skip
    _point_rows_at(result, kept, merged, "project_amended")


def _point_rows_at(result: FileResult, kept: list, merged: dict, kind: str) -> None:
    """After merging rows into projects above them: keep `kept`, and log each merged row
    ((sheet, row) -> the project it joined) as `kind`, pointing at that project's row."""
    if not merged:
        return
    result.projects[:] = kept
    for entry in result.row_log:
        into = merged.get((entry["source_sheet"], entry["source_row"]))
        if into is not None and entry["outcome"] == "accepted":
            entry["kind"] = kind
            entry["project_sheet"], entry["project_row"] = into["source_sheet"], into["source_row"]


def _skip_hidden_copies(result: FileResult, copies, seen, ctx: FileContext, rules) -> None:
    """Projects of a hidden sheet that repeat a visible sheet's: their rows are skipped as
    duplicates here, before year sheets are merged (after which the copy would no longer look
    the same as the sheet it copies)."""
    if not copies:
        return
    ids = {id(p) for p in copies}
    result.projects[:] = [p for p in result.projects if id(p) not in ids]
    rows = {(p["source_sheet"], r) for p in copies for r in p["lines"]}
    for entry in result.row_log:
        if (entry["source_sheet"], entry["source_row"]) in rows:
            entry["outcome"], entry["kind"] = "skipped", "duplicate"
    for p in copies:
        kept = seen[_budget_key(p)]
        where = " › ".join(
            str(x) for x in (ctx.source_file, kept["source_sheet"], kept["source_row"])
        )
        result.issues.append(
            make_issue(
                rules, "duplicate_project", source_file=ctx.source_file, sheet=p["source_sheet"],
                row=p["source_row"], value=p["project_name"], expected=where,
            )
        )  # fmt: skip


def _file_notes(result: FileResult, ctx: FileContext, rules: Rules) -> None:
    """One issue per file, not per row: projects placed district-wide because the plan
    names no tambon (warning), projects of a list without an amount column (warning), rows
    skipped as naming a place outside the provinces in scope (info)."""
    wide = [
        p
        for p in result.projects
        if p["source_sheet"] in result.district_wide_sheets
        and p["tambon_code"] == ctx.district_code
    ]
    no_amount = [p for p in result.projects if p.get("no_budget_column")]
    places = list(dict.fromkeys(place for _, place in result.out_of_scope))
    outside = [{"source_sheet": sheet} for sheet, _ in result.out_of_scope]
    for code, found, value, expected in (
        ("placed_district_wide", wide, len(wide), ctx.district_name_th),
        ("no_budget_column", no_amount, len(no_amount), None),
        ("out_of_scope_rows", outside, len(outside), ", ".join(places[:5])),
    ):
        if found:
            sheet = found[0]["source_sheet"]
            result.issues.append(
                make_issue(
                    rules, code, source_file=ctx.source_file, sheet=sheet, value=str(value),
                    expected=expected,
                )
            )  # fmt: skip


def read_sheets(
    sheets: list[Sheet], ctx: FileContext, rules: Rules, matcher: TambonMatcher
) -> FileResult:
    """Read every sheet of one file into one `FileResult`.

    Visible sheets are read first, so a hidden copy never wins over the sheet it copies
    (the copy's rows then count once, as duplicates); a hidden sheet with projects of its
    own is read and reported.
    """
    result = FileResult()
    visible = [s for s in sheets if s.visible]
    for sheet in visible:
        read_sheet(sheet, ctx, rules, matcher, result)
    seen = {_budget_key(p): p for p in result.projects}
    for sheet in (s for s in sheets if not s.visible):
        n_before = len(result.projects)
        read_sheet(sheet, ctx, rules, matcher, result)
        mine = result.projects[n_before:]
        copies = [p for p in mine if _budget_key(p) in seen]
        code = "hidden_sheet" if len(copies) < len(mine) else "hidden_sheet_copy"
        result.issues.append(
            make_issue(rules, code, source_file=ctx.source_file, sheet=sheet.name, value=sheet.name)
        )
        _skip_hidden_copies(result, copies, seen, ctx, rules)
    _merge_year_sheets(result)
    _merge_revisions(result, ctx, rules)
    _file_notes(result, ctx, rules)
    for project in result.projects:
        if not project["budgets"] and not project.get("no_budget_column"):
            result.issues.append(
                make_issue(
                    rules, "no_budget", source_file=ctx.source_file, sheet=project["source_sheet"],
                    row=project["source_row"], value=project["project_name"],
                )
            )  # fmt: skip
    if not result.row_log:
        result.issues.append(make_issue(rules, "empty_file", source_file=ctx.source_file))
    elif not any(e["outcome"] in ("accepted", "rejected") for e in result.row_log):
        # No project in the whole file: one warning says it, not one per sheet as well.
        result.issues[:] = [i for i in result.issues if i["code"] != "sheet_without_projects"]
        result.issues.append(make_issue(rules, "no_projects", source_file=ctx.source_file))
    return result
