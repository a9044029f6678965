"""The plan-levels step of consolidation: place each file's rows at its plan's level, link
projects across levels (transforms.linkage) and count each baht once; the link changes of
`project_changes`. Called by the flow's consolidation; the logic is in transforms/."""

from __future__ import annotations

from functools import partial

import pandas as pd
from oneplan.flows.reference import load_linkage_settings
from oneplan.transforms import schema
from oneplan.transforms.consolidate import Consolidated
from oneplan.transforms.issues import make_issue
from oneplan.transforms.levels import FilePlan
from oneplan.transforms.linkage import count_once, link_projects, review_issues
from oneplan.transforms.rules import Rules


def plans_of(staged: list[dict]) -> dict[str, FilePlan]:
    """submission_id -> the staged file's plan (level, default place, village)."""
    from oneplan.flows.stage import FileJob

    out = {}
    for item in staged:
        plan = item.get("plan") or {"plan_level": "tambon"}
        plan = {**plan, "village_numbers": tuple(plan.get("village_numbers") or ())}
        out[FileJob(**item["job"]).submission_id] = FilePlan(**plan)
    return out


def link_levels(
    consolidated: Consolidated, rules: Rules, place_names: dict[str, str]
) -> tuple[Consolidated, pd.DataFrame]:
    """Projects with funded_at_level and is_counted, grey-band links as warnings, and the
    links (schema.PROJECT_LINKS columns)."""
    projects, budgets = consolidated.projects, consolidated.budgets
    links = link_projects(projects, budgets, load_linkage_settings())
    counted = count_once(projects, links)
    projects = projects.merge(counted, on="project_id", how="left")
    issues = review_issues(links, projects, partial(make_issue, rules), place_names)
    all_issues = consolidated.issues
    if issues:
        all_issues = pd.concat([all_issues, pd.DataFrame(issues)], ignore_index=True)
    out = Consolidated(
        projects=projects,
        budgets=budgets,
        rejected=consolidated.rejected,
        issues=all_issues,
        row_log=consolidated.row_log,
    )
    return out, links


def link_changes(
    old_links: pd.DataFrame | None,
    new_links: pd.DataFrame,
    old_projects: pd.DataFrame | None,
    new_projects: pd.DataFrame,
    now: pd.Timestamp,
) -> pd.DataFrame:
    """`project_changes` rows for accepted links made and broken since the last publication
    (a link is the same link while both projects keep their ids)."""
    columns = schema.PROJECT_CHANGES.column_names

    def accepted(links):
        if links is None or links.empty:
            return pd.DataFrame(columns=["link_id", "project_id", "linked_project_id"])
        return links[links["status"] == "accepted"]

    old, new = accepted(old_links), accepted(new_links)
    made = new[~new["link_id"].isin(old["link_id"])].assign(change="link_made")
    broken = old[~old["link_id"].isin(new["link_id"])].assign(change="link_broken")
    rows = []
    for change, frame, projects in (
        ("link_made", made, new_projects),
        ("link_broken", broken, old_projects if old_projects is not None else new_projects),
    ):
        if frame.empty:
            continue
        about = projects.set_index("project_id")
        for link in frame.itertuples(index=False):
            if link.project_id not in about.index:
                continue
            p = about.loc[link.project_id]
            rows.append(
                {
                    "changed_at": now,
                    "change": change,
                    "project_id": link.project_id,
                    "district_code": p["district_code"],
                    "tambon_code": p["tambon_code"],
                    "project_name": p["project_name"],
                    "submission_id": p["submission_id"],
                    "linked_project_id": link.linked_project_id,
                }
            )
    return pd.DataFrame(rows, columns=columns)
