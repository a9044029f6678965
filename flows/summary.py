"""The run summary: per district files, projects, rejected rows and budget per fiscal year,
read back from the published database, as a dict, plain text and Markdown."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from oneplan.flows.db import connect

_PER_DISTRICT = """
with

area as (select distinct district_code, district_name_th from areas),

files as (
    select district_code, count(*) as n_files, sum(n_rows_rejected) as n_rejected
    from submissions where status = 'current' group by district_code
),

projects_n as (select district_code, count(*) as n_projects from projects group by district_code),

issues_n as (
    select s.district_code,
        count(*) filter (where i.severity = 'error') as n_errors,
        count(*) filter (where i.severity = 'warning') as n_warnings
    from data_issues as i inner join submissions as s using (submission_id)
    group by s.district_code
)

select area.district_code, area.district_name_th,
    coalesce(n_files, 0), coalesce(n_projects, 0), coalesce(n_rejected, 0),
    coalesce(n_errors, 0), coalesce(n_warnings, 0)
from area
left join files using (district_code)
left join projects_n using (district_code)
left join issues_n using (district_code)
order by area.district_code
"""

# Money counted once: a project taken into a plan above (or a copy) counts there.
_BUDGETS = """
select district_code, fiscal_year, sum(amount_thb)
from oneplan where is_counted
group by district_code, fiscal_year order by district_code, fiscal_year
"""


def run_summary(db_path: Path) -> dict:
    """Summary of a published database (JSON-safe: amounts as strings)."""
    con = connect(db_path, read_only=True)
    try:
        rows = con.execute(_PER_DISTRICT).fetchall()
        budgets = con.execute(_BUDGETS).fetchall()
        inbox_issues = con.execute(
            "select count(*) from data_issues where submission_id is null"
        ).fetchone()[0]
    finally:
        con.close()
    years = sorted({year for _, year, _ in budgets})
    by_district: dict[str, dict] = {}
    for code, name, n_files, n_projects, n_rejected, n_errors, n_warnings in rows:
        by_district[code] = {
            "district_code": code,
            "district_name_th": name,
            "files": n_files,
            "projects": n_projects,
            "rejected_rows": n_rejected,
            "errors": n_errors,
            "warnings": n_warnings,
            "budget_by_year": {str(y): "0.00" for y in years},
        }
    for code, year, amount in budgets:
        by_district[code]["budget_by_year"][str(year)] = f"{amount:.2f}"
    totals = {
        str(y): f"{sum(Decimal(d['budget_by_year'][str(y)]) for d in by_district.values()):.2f}"
        for y in years
    }
    return {
        "db": str(db_path),
        "fiscal_years": years,
        "districts": list(by_district.values()),
        "total_budget_by_year": totals,
        "inbox_issues": inbox_issues,
        "projects": sum(d["projects"] for d in by_district.values()),
        "rejected_rows": sum(d["rejected_rows"] for d in by_district.values()),
    }


MAX_EMPTY_DISTRICTS_SHOWN = 20


def _table(summary: dict) -> tuple[list[str], list[list[str]]]:
    years = [str(y) for y in summary["fiscal_years"]]
    head = ["district", "files", "projects", "rejected", "errors", "warnings", *years]
    body = []
    shown = summary["districts"]
    if len(shown) > MAX_EMPTY_DISTRICTS_SHOWN:
        # A regional or national run: list the districts that sent something.
        shown = [d for d in shown if d["files"]]
    for d in shown:
        body.append(
            [
                f"{d['district_code']} {d['district_name_th']}",
                str(d["files"]),
                str(d["projects"]),
                str(d["rejected_rows"]),
                str(d["errors"]),
                str(d["warnings"]),
                *[f"{Decimal(d['budget_by_year'][y]):,.2f}" for y in years],
            ]
        )
    body.append(
        [
            "total",
            str(sum(d["files"] for d in summary["districts"])),
            str(summary["projects"]),
            str(summary["rejected_rows"]),
            str(sum(d["errors"] for d in summary["districts"])),
            str(sum(d["warnings"] for d in summary["districts"])),
            *[f"{Decimal(summary['total_budget_by_year'][y]):,.2f}" for y in years],
        ]
    )
    return head, body


def summary_text(summary: dict) -> str:
    """A fixed-width table for the terminal (Thai names are padded by character count)."""
    head, body = _table(summary)
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    lines = []
    for r in [head, *body]:
        cells = [r[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    return "\n".join(lines)


def summary_markdown(summary: dict) -> str:
    head, body = _table(summary)
    out = [
        "# One Plan run",
        "",
        f"Published `{summary['db']}`. Budgets in baht per fiscal year (BE).",
        "",
    ]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    out += ["| " + " | ".join(r) + " |" for r in body]
    if summary.get("quality_report"):
        out += ["", f"Quality report per district: `{summary['quality_report']}`"]
    if summary.get("inbox_issues"):
        out += [
            "",
            f"{summary['inbox_issues']} inbox-level issue(s): "
            "see `data_issues` where submission_id is null.",
        ]
    return "\n".join(out) + "\n"
