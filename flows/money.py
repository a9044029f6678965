"""A district whose accepted money falls sharply from the previous publication is published
with a warning (`district_money_fell`): a stalled upload or a lost file must not quietly
become the committee's new plan. The totals are summed in SQL
(sql/reports/district_money_falls.sql) over the previous publication and this run's tables."""

from __future__ import annotations

import duckdb
import pyarrow as pa
from oneplan.flows.db import report_query
from oneplan.flows.reference import load_rules
from oneplan.transforms.issues import make_issue


def district_money_falls(
    previous: dict[str, pa.Table] | None, tables: dict[str, pa.Table], share: float
) -> list[dict]:
    """One inbox-level warning per district whose accepted money fell by more than `share`
    (0.5 = by more than half) since the previous publication; none on a first publication."""
    if previous is None or not previous["projects"].num_rows:
        return []
    con = duckdb.connect()
    try:
        con.register("old_projects", previous["projects"])
        con.register("old_budgets", previous["project_budgets"])
        con.register("new_projects", tables["projects"])
        con.register("new_budgets", tables["project_budgets"])
        rows = con.execute(report_query("district_money_falls"), [share]).fetchall()
    finally:
        con.close()
    rules = load_rules()
    issues = []
    for code, old, new in rows:
        fall = (old - new) / old
        value = f"{old:,.2f} → {new:,.2f} (-{fall:.1%})"
        issue = make_issue(
            rules, "district_money_fell", source_file=code, value=value, expected=f"{share:.0%}"
        )
        issues.append({"submission_id": None, "source_file": code, **issue, "source_sheet": ""})
    return issues
