"""`oneplan status`: when the plan was last published, from which files, what changed."""

from __future__ import annotations

from pathlib import Path

from oneplan.flows.db import connect

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
        pubs = con.execute(
            "select published_at, n_submissions, n_files_parsed, n_files_reused, n_projects, "
            "n_changes from publications order by published_at desc limit 2"
        ).fetchall()
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
            """
            select a.district_code, a.district_name_th, count(distinct s.submission_id),
                max(s.file_modified_at),
                (select count(*) from projects p where p.district_code = a.district_code)
            from (select distinct district_code, district_name_th from areas) as a
            left join submissions as s
                on s.district_code = a.district_code and s.status = 'current'
            group by all order by a.district_code
            """
        ).fetchall():
            when = f"latest file {latest:%Y-%m-%d %H:%M}" if latest else "no file"
            lines.append(f"  {code} {name}: {n_files} file(s), {n_proj} projects, {when}")
        history = con.execute(
            "select status, count(*) from submissions where status <> 'current' group by 1 "
            "order by 1"
        ).fetchall()
        if history:
            lines.append("  history: " + ", ".join(f"{n} {status}" for status, n in history))
        lines.append("")
        if len(pubs) == 1:
            lines.append("First publication: nothing to compare with.")
            return "\n".join(lines)
        lines.append(f"Changes since the previous publication: {n_changes}")
        for change, n in con.execute(
            "select change, count(*) from project_changes where changed_at = ? group by 1 "
            "order by 1",
            [published_at],
        ).fetchall():
            lines.append(f"  {CHANGE_LABELS.get(change, change)}: {n}")
        for row in con.execute(
            """
            select change, source_file, project_name, fiscal_year, old_amount_thb,
                new_amount_thb, old_tambon_code, c.tambon_code
            from project_changes as c
            left join submissions as s using (submission_id)
            where changed_at = ? order by change, source_file, project_name collate th
            limit ?
            """,
            [published_at, max_changes],
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
