"""The plan-levels step of consolidation: place each file's rows at its plan's level, link
projects across levels (transforms.linkage) and count each baht once; the link changes of
`project_changes` (transforms.linkage.link_changes). Called by the flow's consolidation; the
logic is in transforms/."""

from __future__ import annotations

from functools import partial

import pandas as pd
from oneplan.flows.reference import load_linkage_settings
from oneplan.transforms.consolidate import Consolidated
from oneplan.transforms.issues import make_issue
from oneplan.transforms.levels import FilePlan
from oneplan.transforms.linkage import (  # noqa: F401 - link_changes re-exported
    count_once,
    link_changes,
    link_projects,
    review_issues,
)
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
