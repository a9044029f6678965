"""Versions of submissions and what changed in the plan between two publications."""

from __future__ import annotations

import pandas as pd

SUBMISSION_STATUSES = ("current", "superseded", "withdrawn")
CHANGE_KINDS = ("added", "removed", "budget_changed", "moved_tambon", "details_changed")
DETAIL_COLUMNS = (
    "village_numbers",
    "category",
    "objective",
    "target",
    "kpi",
    "expected_result",
    "responsible_agency",
    "funding_route",
)


def update_submissions(
    previous: pd.DataFrame | None, current: pd.DataFrame, now: pd.Timestamp
) -> pd.DataFrame:
    """Merge this run's files into the submission history.

    A district's current plan is the set of files in its folder now. A file that is here
    again keeps its first_seen_at; a previous version whose path now holds other bytes is
    `superseded`; a previous file whose path is gone is `withdrawn`. Rows that were already
    superseded or withdrawn keep their status and last_seen_at.
    """
    current = current.assign(status="current", last_seen_at=now)
    if previous is None or previous.empty:
        return current.assign(first_seen_at=now)
    first_seen = previous.set_index("submission_id")["first_seen_at"]
    current["first_seen_at"] = current["submission_id"].map(first_seen).fillna(now)
    older = previous[~previous["submission_id"].isin(current["submission_id"])].copy()
    live_paths = set(zip(current["district_code"], current["source_file"], strict=True))
    was_current = older["status"] == "current"
    still_there = [
        (d, f) in live_paths
        for d, f in zip(older["district_code"], older["source_file"], strict=True)
    ]
    older.loc[was_current & pd.Series(still_there, index=older.index), "status"] = "superseded"
    older.loc[was_current & ~pd.Series(still_there, index=older.index), "status"] = "withdrawn"
    # History rows keep every column they had (their row counts among them).
    return pd.concat([current, older], ignore_index=True)


def project_changes(
    old_projects: pd.DataFrame,
    old_budgets: pd.DataFrame,
    new_projects: pd.DataFrame,
    new_budgets: pd.DataFrame,
    changed_at: pd.Timestamp,
) -> pd.DataFrame:
    """What changed between two publications, one row per change.

    added / removed: a project_id on one side only; moved_tambon: a removed and an added
    project with the same district and name (ids carry the tambon, so a move changes the id);
    budget_changed: per fiscal year whose amount differs (NULL amount = no budget that year);
    details_changed: same id, same budgets, other details.
    """
    columns = [
        "changed_at",
        "change",
        "project_id",
        "district_code",
        "tambon_code",
        "project_name",
        "fiscal_year",
        "old_amount_thb",
        "new_amount_thb",
        "old_tambon_code",
        "submission_id",
    ]
    rows: list[dict] = []
    old = old_projects.set_index("project_id")
    new = new_projects.set_index("project_id")
    added = new.index.difference(old.index)
    removed = old.index.difference(new.index)

    def base(pid, side, change):
        p = side.loc[pid]
        return {
            "changed_at": changed_at,
            "change": change,
            "project_id": pid,
            "district_code": p["district_code"],
            "tambon_code": p["tambon_code"],
            "project_name": p["project_name"],
            "fiscal_year": None,
            "old_amount_thb": None,
            "new_amount_thb": None,
            "old_tambon_code": None,
            "submission_id": p["submission_id"],
        }

    removed_by_name = {}
    for pid in removed:
        removed_by_name.setdefault(
            (old.at[pid, "district_code"], old.at[pid, "project_name"]), []
        ).append(pid)
    moved_from = set()
    for pid in added:
        candidates = removed_by_name.get(
            (new.at[pid, "district_code"], new.at[pid, "project_name"])
        )
        if candidates:
            source = candidates.pop(0)
            moved_from.add(source)
            rows.append(
                base(pid, new, "moved_tambon") | {"old_tambon_code": old.at[source, "tambon_code"]}
            )
        else:
            rows.append(base(pid, new, "added"))
    rows += [base(pid, old, "removed") for pid in removed if pid not in moved_from]

    both = new.index.intersection(old.index)
    old_b = _budget_map(old_budgets, both)
    new_b = _budget_map(new_budgets, both)
    for pid in both:
        before, after = old_b.get(pid, {}), new_b.get(pid, {})
        changed_years = sorted(y for y in set(before) | set(after) if before.get(y) != after.get(y))
        for year in changed_years:
            rows.append(
                base(pid, new, "budget_changed")
                | {
                    "fiscal_year": year,
                    "old_amount_thb": before.get(year),
                    "new_amount_thb": after.get(year),
                }
            )
        if not changed_years and _details(old.loc[pid]) != _details(new.loc[pid]):
            rows.append(base(pid, new, "details_changed"))
    frame = pd.DataFrame(rows, columns=columns)
    order = {kind: i for i, kind in enumerate(CHANGE_KINDS)}
    return frame.sort_values(
        ["district_code", "change", "project_id", "fiscal_year"],
        key=lambda s: s.map(order) if s.name == "change" else s,
        ignore_index=True,
    )


def _budget_map(budgets: pd.DataFrame, ids) -> dict[str, dict[int, object]]:
    subset = budgets[budgets["project_id"].isin(ids)]
    out: dict[str, dict[int, object]] = {}
    for pid, year, amount in zip(
        subset["project_id"], subset["fiscal_year"], subset["amount_thb"], strict=True
    ):
        out.setdefault(pid, {})[int(year)] = amount
    return out


def _details(project: pd.Series) -> tuple:
    values = []
    for col in DETAIL_COLUMNS:
        value = project.get(col)
        if col == "village_numbers":
            value = tuple(value) if value is not None else ()
        elif pd.isna(value):
            value = None
        values.append(value)
    return tuple(values)
