"""Versions of submissions and what changed in the plan between two publications."""

from __future__ import annotations

import pandas as pd
from oneplan.transforms import schema

SUBMISSION_STATUSES = ("current", "superseded", "withdrawn")
CHANGE_KINDS = (
    "added",
    "removed",
    "budget_changed",
    "moved_tambon",
    "details_changed",
    "link_made",  # flows.levels.link_changes
    "link_broken",
)
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
    base_cols = ["project_id", "district_code", "tambon_code", "project_name", "submission_id"]
    old_ids, new_ids = set(old_projects["project_id"]), set(new_projects["project_id"])
    added = new_projects[~new_projects["project_id"].isin(old_ids)][base_cols]
    removed = old_projects[~old_projects["project_id"].isin(new_ids)][base_cols]

    # A removed and an added project with the same district and name: the project moved.
    key = ["district_code", "project_name"]
    added = added.assign(nth=added.groupby(key).cumcount())
    removed = removed.assign(nth=removed.groupby(key).cumcount())
    moved = added.merge(
        removed[[*key, "nth", "project_id", "tambon_code"]],
        on=[*key, "nth"],
        suffixes=("", "_old"),
    )
    parts = [
        added[~added["project_id"].isin(moved["project_id"])][base_cols].assign(change="added"),
        removed[~removed["project_id"].isin(moved["project_id_old"])][base_cols].assign(
            change="removed"
        ),
        moved[base_cols].assign(change="moved_tambon", old_tambon_code=moved["tambon_code_old"]),
    ]

    both = old_ids & new_ids
    old_b = old_budgets[old_budgets["project_id"].isin(both)]
    new_b = new_budgets[new_budgets["project_id"].isin(both)]
    years = old_b.merge(
        new_b, on=["project_id", "fiscal_year"], how="outer", suffixes=("_old", "_new")
    )
    old_amount, new_amount = years["amount_thb_old"], years["amount_thb_new"]
    no_old, no_new = old_amount.isna(), new_amount.isna()
    both_there = ~no_old & ~no_new
    differs = (no_old != no_new) | (both_there & (old_amount.where(both_there) != new_amount))
    budget_rows = years[differs.astype(bool)]
    current = new_projects.set_index("project_id")
    if len(budget_rows):
        parts.append(
            current.loc[budget_rows["project_id"], base_cols[1:]]
            .reset_index()
            .assign(
                change="budget_changed",
                fiscal_year=budget_rows["fiscal_year"].to_numpy(),
                old_amount_thb=budget_rows["amount_thb_old"].to_numpy(),
                new_amount_thb=budget_rows["amount_thb_new"].to_numpy(),
            )
        )
    pairs = old_projects[old_projects["project_id"].isin(both)].merge(
        new_projects[new_projects["project_id"].isin(both)], on="project_id", suffixes=("_o", "")
    )
    pairs = pairs[~pairs["project_id"].isin(set(budget_rows["project_id"]))]
    if len(pairs):
        changed = pd.Series(False, index=pairs.index)
        for col in DETAIL_COLUMNS:
            if f"{col}_o" in pairs and col in pairs:
                changed |= _column_key(pairs[f"{col}_o"]) != _column_key(pairs[col])
        parts.append(pairs.loc[changed, base_cols].assign(change="details_changed"))

    columns = schema.PROJECT_CHANGES.column_names
    frame = pd.concat(
        [p for p in parts if len(p)] or [pd.DataFrame(columns=columns)], ignore_index=True
    )
    frame = frame.assign(changed_at=changed_at).reindex(columns=columns)
    frame = frame.astype({"fiscal_year": "Int64"}).astype(object).where(frame.notna(), None)
    order = {kind: i for i, kind in enumerate(CHANGE_KINDS)}
    return frame.sort_values(
        ["district_code", "change", "project_id", "fiscal_year"],
        key=lambda s: (
            s.map(order) if s.name == "change" else s.fillna(0) if s.name == "fiscal_year" else s
        ),
        ignore_index=True,
    )


def _column_key(values: pd.Series) -> pd.Series:
    """Values made comparable: lists as tuples, every missing value as one marker."""
    if values.dtype != object:  # text or numbers: only the missing values change
        return values.astype(object).where(values.notna(), "\x00")
    return values.map(
        lambda v: (
            "\x00"
            if v is None or (not hasattr(v, "__len__") and v != v)
            else repr(tuple(v))
            if hasattr(v, "__len__") and not isinstance(v, str)
            else v
        )
    )


def carry_versions(
    previous: pd.DataFrame | None,
    current: pd.DataFrame,
    key: list[str],
    now: pd.Timestamp,
) -> pd.DataFrame:
    """The version history of a table (valid_from / valid_to), carried on to this
    publication: a row of `current` identical to the open version of its key keeps that
    version; a new or changed row opens a version at `now`; an open version whose key is
    gone or whose row changed is closed at `now`. Closed versions stay as they were. The
    plan as it stood at publication T is the versions with valid_from <= T < valid_to."""
    value_columns = list(current.columns)
    current = current.assign(valid_from=now, valid_to=None)
    if previous is None or previous.empty:
        return current.reset_index(drop=True)
    open_ = previous["valid_to"].isna()
    closed, was_open = previous[~open_], previous[open_]

    def row_keys(frame: pd.DataFrame) -> pd.Series:
        parts = [_column_key(frame[c]).astype(str) for c in value_columns]
        return pd.Series(["\x1f".join(values) for values in zip(*parts, strict=True)], frame.index)

    old_rows = row_keys(was_open) if len(was_open) else pd.Series([], dtype=str)
    new_rows = row_keys(current) if len(current) else pd.Series([], dtype=str)
    kept_rows = set(old_rows) & set(new_rows)
    still = was_open[old_rows.isin(kept_rows)] if len(was_open) else was_open
    ended = was_open[~old_rows.isin(kept_rows)] if len(was_open) else was_open
    ended = ended.assign(valid_to=now)
    opened = current[~new_rows.isin(kept_rows)] if len(current) else current
    parts = [p for p in (closed, ended, still, opened) if len(p)]
    if not parts:
        return current.iloc[0:0]
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values([*key, "valid_from"], ignore_index=True)
