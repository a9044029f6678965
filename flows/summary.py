"""The run summary: per district files, projects, rejected rows and budget per fiscal year
(counted once, as plan_summary computes it), read back from the published database, as a
dict, plain text and Markdown."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from oneplan.flows.db import connect, report_query


def run_summary(db_path: Path) -> dict:
    """Summary of a published database (JSON-safe: amounts as strings), with each current
    file's rows by outcome and issues by severity (`file_outcomes`)."""
    con = connect(db_path, read_only=True)
    try:
        rows = con.execute(report_query("summary_per_district")).fetchall()
        money = con.execute(report_query("plan_money")).fetchall()
        inbox_issues = con.execute(report_query("summary_inbox_issues")).fetchone()[0]
        files = _fetch_dicts(con, report_query("file_outcomes"))
    finally:
        con.close()
    years = sorted({int(row[1]) for row in money})
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
    # Budgets counted once per district and year, and the plan's total per year, as the
    # plan_summary mart has them (a sum here could disagree with the workbook's).
    totals = {str(y): "0.00" for y in years}
    for code, year, is_total, *_routes, counted, _written, _n in money:
        if is_total:
            totals[str(year)] = f"{counted:.2f}"
        elif code in by_district:
            by_district[code]["budget_by_year"][str(year)] = f"{counted:.2f}"
    return {
        "db": str(db_path),
        "fiscal_years": years,
        "districts": list(by_district.values()),
        "total_budget_by_year": totals,
        "inbox_issues": inbox_issues,
        "projects": sum(d["projects"] for d in by_district.values()),
        "rejected_rows": sum(d["rejected_rows"] for d in by_district.values()),
        "file_outcomes": files,
    }


def _fetch_dicts(con, query: str) -> list[dict]:
    result = con.execute(query)
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


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
        f"Published `{summary['db']}`. Budgets in baht per fiscal year (BE), counted once "
        "over all plan levels (plan_summary).",
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
