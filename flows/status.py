"""`oneplan status`: when the plan was last published, from which files, what changed."""

from __future__ import annotations

from pathlib import Path

from oneplan.flows.db import connect, report_query

CHANGE_LABELS = {
    "added": "added",
    "removed": "removed",
    "budget_changed": "budget changed",
    "moved_tambon": "moved tambon",
    "details_changed": "details changed",
}


def status_report(db_path: Path, max_changes: int = 20) -> str:
    """Plain-text status of a published database."""
    con = connect(db_path, read_only=True)
    try:
        pubs = con.execute(report_query("status_publications")).fetchall()
        if not pubs:
            return f"{db_path}: no publication recorded"
        published_at, n_subs, parsed, reused, n_projects, n_changes = pubs[0]
        lines = [
            f"Published {published_at:%Y-%m-%d %H:%M:%S %Z} to {db_path}",
            f"  {n_projects} projects from {n_subs} current file(s) "
            f"({parsed} parsed, {reused} unchanged and reused)",
        ]
        if len(pubs) > 1:
            lines.append(f"  previous publication: {pubs[1][0]:%Y-%m-%d %H:%M:%S %Z}")
        lines.append("")
        lines.append("Submissions (current):")
        for code, name, n_files, latest, n_proj in con.execute(
            report_query("status_districts")
        ).fetchall():
            when = f"latest file {latest:%Y-%m-%d %H:%M}" if latest else "no file"
            lines.append(f"  {code} {name}: {n_files} file(s), {n_proj} projects, {when}")
        history = con.execute(report_query("status_history")).fetchall()
        if history:
            lines.append("  history: " + ", ".join(f"{n} {status}" for status, n in history))
        lines.append("")
        if len(pubs) == 1:
            lines.append("First publication: nothing to compare with.")
            return "\n".join(lines)
        lines.append(f"Changes since the previous publication: {n_changes}")
        for change, n in con.execute(
            report_query("status_change_counts"), [published_at]
        ).fetchall():
            lines.append(f"  {CHANGE_LABELS.get(change, change)}: {n}")
        for row in con.execute(
            report_query("status_changes"), [published_at, max_changes]
        ).fetchall():
            change, source, name, year, old, new, old_tambon, tambon = row
            detail = ""
            if change == "budget_changed":
                detail = f" {year}: {_money(old)} -> {_money(new)}"
            elif change == "moved_tambon":
                detail = f" {old_tambon} -> {tambon}"
            lines.append(f"    {CHANGE_LABELS.get(change, change)}: {name} ({source}){detail}")
        if n_changes > max_changes:
            lines.append(f"    ... {n_changes - max_changes} more: select * from project_changes")
        return "\n".join(lines)
    finally:
        con.close()


def _money(amount) -> str:
    return "none" if amount is None else f"{amount:,.2f}"
