"""The reader's knowledge of layouts, built from the tables in `data/`.

Header synonyms, row kinds, sheet kinds, funding routes and issue codes are data; this module
turns the loaded tables (plain DataFrames) into compiled matchers. Reading the CSV files is the
job of `flows.reference`; everything here is pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
from oneplan.transforms.text import clean_text, normalize_header, to_arabic_digits

SEVERITIES = ("error", "warning", "info")
# The checks of a project row's own cells, whose codes may reject the row (issue_codes.csv
# `rejects_row`). A row failing one of the first six has no name or no place: it cannot be
# a project, so its code must reject it; a budget or year that cannot be read may instead
# leave that amount out of an accepted project.
MUST_REJECT = frozenset(
    {
        "missing_required_column",
        "missing_project_name",
        "no_tambon",
        "blank_tambon",
        "unknown_tambon",
        "tambon_wrong_district",
    }
)
ROW_CHECKS = MUST_REJECT | {"unreadable_budget", "negative_budget", "unreadable_fiscal_year"}


@dataclass(frozen=True)
class IssueCode:
    code: str
    severity: str
    rejects_row: bool
    message_th: str
    message_en: str
    fix_th: str
    fix_en: str


@dataclass(frozen=True)
class HeaderMatch:
    column: str
    fiscal_year: int | None = None
    # For a year column under a group label (data/amount_measures.csv): what it measures.
    # "plan" columns are budget_year columns; the others are `measure_year` columns.
    measure: str | None = None


PLAN_MEASURE = "plan"


@dataclass(frozen=True)
class Rules:
    header_exact: dict[str, str]
    header_regex: tuple[tuple[re.Pattern[str], str], ...]
    row_kinds: tuple[tuple[str, re.Pattern[str]], ...]
    sheet_kinds: tuple[tuple[str, re.Pattern[str]], ...]
    funding_routes: tuple[tuple[str, str], ...]
    issue_codes: dict[str, IssueCode]
    fiscal_year_min: int = 2560
    fiscal_year_max: int = 2580
    large_budget_factor: Decimal = Decimal(10)
    header_scan_rows: int = 40
    max_cell_chars: int = 2000
    canonical_columns: frozenset[str] = field(default_factory=frozenset)
    strategies: tuple[tuple[int, re.Pattern[str]], ...] = ()
    alignment: Any = None  # transforms.alignment.Alignment: strategies, areas, agencies
    # data/amount_measures.csv: (measure, pattern searched in a normalised group label)
    amount_measures: tuple[tuple[str, re.Pattern[str]], ...] = ()
    # data/plan_revisions.csv: amendment markers (groups action, n, year)
    plan_revisions: tuple[re.Pattern[str], ...] = ()

    def amount_measure(self, label: str) -> str | None:
        """What a column group's label measures ('plan' for the plan's own money, else e.g.
        'ordinance', 'spent'), or None when the label names no amount."""
        key = normalize_header(label)
        if not key:
            return None
        for measure, pattern in self.amount_measures:
            if pattern.search(key):
                return measure
        return None

    def plan_revision(self, text: str) -> str | None:
        """The amendment a marker text names, written `<action> ครั้งที่ <n>/<BE year>`
        (`เพิ่มเติม 5/68` -> `เพิ่มเติม ครั้งที่ 5/2568`), or None."""
        cleaned = clean_text(text)
        if cleaned is None or len(cleaned) > 200:
            return None
        cleaned = to_arabic_digits(cleaned)
        for pattern in self.plan_revisions:
            found = pattern.search(cleaned)
            if found is None:
                continue
            parts = found.groupdict()
            out = f"{parts['action']} ครั้งที่ {int(parts['n'])}"
            year = parts.get("year")
            if year:
                out += f"/{2500 + int(year) if len(year) == 2 else int(year)}"
            return out
        return None

    def strategy_for(self, category: str) -> int | None:
        """The provincial strategic issue a category text belongs to (by keyword), or None."""
        for number, pattern in self.strategies:
            if pattern.search(category):
                return number
        return None

    def match_header(self, text: str) -> HeaderMatch | None:
        """Canonical column for a header text, or None when the header is unknown."""
        key = normalize_header(text)
        if not key:
            return None
        column = self.header_exact.get(key)
        if column is not None:
            return HeaderMatch(column)
        for pattern, column in self.header_regex:
            found = pattern.match(key)
            if found:
                year = found.groupdict().get("year")
                return HeaderMatch(column, int(year) if year else None)
        return None

    def row_kind(self, text: str) -> str | None:
        """'subtotal' / 'section' when a row's leading text marks it as such, else None."""
        for kind, pattern in self.row_kinds:
            if pattern.search(text):
                return kind
        return None

    def sheet_kind(self, sheet_name: str) -> str | None:
        """'summary' / 'notes' for sheets that hold no projects, else None."""
        name = (clean_text(sheet_name) or "").lower()
        for kind, pattern in self.sheet_kinds:
            if pattern.search(name):
                return kind
        return None

    def funding_route(self, text: str) -> str | None:
        """own / joint / requested for a method or source-of-funds text; None when unknown."""
        key = normalize_header(text)
        for pattern, route in self.funding_routes:
            if pattern in key:
                return route
        return None

    def rejects_row(self, code: str) -> bool:
        """Whether a row check's issue rejects the row (issue_codes.csv `rejects_row`)."""
        return self.issue(code).rejects_row

    def issue(self, code: str) -> IssueCode:
        try:
            return self.issue_codes[code]
        except KeyError:
            raise KeyError(f"issue code {code!r} is not in data/issue_codes.csv") from None


def build_rules(
    header_synonyms: pd.DataFrame,
    row_kinds: pd.DataFrame,
    sheet_kinds: pd.DataFrame,
    funding_routes: pd.DataFrame,
    issue_codes: pd.DataFrame,
    strategies: pd.DataFrame | None = None,
    amount_measures: pd.DataFrame | None = None,
    plan_revisions: pd.DataFrame | None = None,
    **settings,
) -> Rules:
    """Compile the data tables into a `Rules`; raises ValueError naming the bad table row."""
    exact: dict[str, str] = {}
    regex: list[tuple[re.Pattern[str], str]] = []
    for i, row in enumerate(header_synonyms.itertuples(index=False), start=2):
        if row.match == "exact":
            key = normalize_header(row.pattern)
            if key in exact and exact[key] != row.column:
                raise ValueError(
                    f"header_synonyms.csv line {i}: {row.pattern!r} already means {exact[key]!r}"
                )
            exact[key] = row.column
        elif row.match == "regex":
            regex.append((re.compile(row.pattern), row.column))
        else:
            raise ValueError(f"header_synonyms.csv line {i}: match must be exact or regex")
    codes = {}
    for i, row in enumerate(issue_codes.fillna("").itertuples(index=False), start=2):
        if row.severity not in SEVERITIES:
            raise ValueError(f"issue_codes.csv line {i}: severity {row.severity!r}")
        rejects = str(row.rejects_row).strip().lower() == "true"
        if rejects and row.code not in ROW_CHECKS:
            raise ValueError(
                f"issue_codes.csv line {i}: {row.code} is not a check of a row's cells; "
                "rejects_row must be false"
            )
        if not rejects and row.code in MUST_REJECT:
            raise ValueError(
                f"issue_codes.csv line {i}: a row with {row.code} cannot be a project; "
                "rejects_row must be true"
            )
        codes[row.code] = IssueCode(
            row.code, row.severity, rejects, row.message_th, row.message_en, row.fix_th, row.fix_en
        )
    return Rules(
        header_exact=exact,
        header_regex=tuple(regex),
        row_kinds=tuple((r.kind, re.compile(r.pattern)) for r in row_kinds.itertuples()),
        sheet_kinds=tuple(
            (r.kind, re.compile(r.pattern, re.IGNORECASE)) for r in sheet_kinds.itertuples()
        ),
        funding_routes=tuple(
            (normalize_header(r.pattern), r.funding_route) for r in funding_routes.itertuples()
        ),
        issue_codes=codes,
        canonical_columns=frozenset(header_synonyms["column"]),
        strategies=tuple(
            (int(r.strategy_no), re.compile(r.category_keywords))
            for r in (strategies.itertuples() if strategies is not None else ())
        ),
        amount_measures=tuple(
            (r.measure, re.compile(normalize_header_pattern(r.pattern)))
            for r in (amount_measures.itertuples() if amount_measures is not None else ())
        ),
        plan_revisions=tuple(
            re.compile(r.pattern, re.IGNORECASE)
            for r in (plan_revisions.itertuples() if plan_revisions is not None else ())
        ),
        **settings,
    )


def normalize_header_pattern(pattern: str) -> str:
    """A measure pattern (alternatives of plain words) as its labels are matched: each
    alternative reduced by normalize_header, so `งบประมาณ (บาท)` and `งบประมาณ(บาท)` agree."""
    return "|".join(re.escape(normalize_header(p)) for p in pattern.split("|") if p.strip())
