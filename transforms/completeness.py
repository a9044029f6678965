"""What a plan file leaves out or shows broken: the tambons of the district it has no project
in, and cells showing a formula error.

A district office sends its plan as one workbook (a sheet per tambon) or as several files;
when all of one tambon's rows, or its whole sheet, are deleted, every remaining row still
reads cleanly. The plan is then checked against the official list of the district's tambons.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

# A plan that names fewer tambons than this is one tambon's plan (a file per tambon), not the
# district's: the district's other tambons are expected in other files.
MIN_TAMBONS_OF_A_DISTRICT_PLAN = 2


def uncovered_tambons(
    tambon_codes: Iterable[str], areas: pd.DataFrame, district_code: str
) -> list[tuple[str, str]]:
    """(tambon_code, tambon_name_th) of each tambon of `district_code` that none of
    `tambon_codes` (the tambons of the plan's accepted projects) is, in code order. Empty
    when the plan covers all of them, or fewer than MIN_TAMBONS_OF_A_DISTRICT_PLAN (then
    it is one tambon's plan, not the district's)."""
    district = areas[areas["district_code"] == district_code]
    official = dict(zip(district["tambon_code"], district["tambon_name_th"], strict=True))
    covered = {code for code in tambon_codes if code in official}
    if len(covered) < MIN_TAMBONS_OF_A_DISTRICT_PLAN:
        return []
    return [(code, official[code]) for code in sorted(official) if code not in covered]


MAX_ERROR_TEXT = 24  # longer than any error text with spaces around it: not one
MAX_ERROR_CELLS = 500  # per file: a broken summary sheet can hold thousands; the first 500 say it


def find_error_cells(sheets: list, pattern: re.Pattern) -> list[tuple[str, int, int, str]]:
    """(sheet name, 1-based row, 0-based column, shown text) of every cell, on any sheet
    (summary sheets, hidden sheets too), that shows a formula error such as #NAME? or #REF!
    (`pattern` matches a whole cell: flows.reference.load_error_values). The reader puts an
    .xlsx's error cells back into the grid as their text; .ods and .csv carry it as text."""
    found = []
    for sheet in sheets:
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row):
                if value.__class__ is str and 0 < len(value) <= MAX_ERROR_TEXT:
                    text = value.strip()
                    if pattern.fullmatch(text):
                        found.append((sheet.name, r, c, text))
                        if len(found) >= MAX_ERROR_CELLS:
                            return found
    return found


def error_cell_issues(
    sheets: list, issues: list[dict], rules, source_file: str, pattern: re.Pattern
) -> list[dict]:
    """An `error_cell` issue (an error: the file shows something broken) per cell showing a
    formula error, on any sheet, except cells another issue is already about (a #REF! budget
    is an unreadable budget already)."""
    from oneplan.transforms.issues import make_issue

    marked = {i["cell"] for i in issues if i.get("cell")}
    out = []
    for sheet, row, col0, value in find_error_cells(sheets, pattern):
        issue = make_issue(
            rules, "error_cell", source_file=source_file, sheet=sheet, row=row, col0=col0,
            value=value,
        )  # fmt: skip
        if issue["cell"] not in marked:
            out.append(issue)
    return out
