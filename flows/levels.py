"""The plan-levels step of consolidation: place each file's rows at its plan's level, link
projects across levels (transforms.linkage) and count each baht once; the link changes of
`project_changes` (transforms.linkage.link_changes). Called by the flow's consolidation; the
logic is in transforms/."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd
from oneplan.flows.reference import load_linkage_settings
from oneplan.transforms.consolidate import Consolidated
from oneplan.transforms.decisions import (
    MAX_DECISION_BYTES,
    decision_issues,
    parse_decisions,
    resolve_decisions,
)
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


@dataclass(frozen=True)
class DecisionsFile:
    """The decisions file as read tonight: its rows, the problems reading it, its name in
    messages and a digest of its bytes (a changed file is a changed input)."""

    source: str = "link_decisions.csv"
    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    digest: str = "none"


def read_link_decisions(path: Path) -> DecisionsFile:
    """The decisions file at `path` (none there: no decisions). Hostile input: a link or
    anything but a regular file is refused, the size is checked before reading."""
    source = path.name
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return DecisionsFile(source)
    except OSError as err:
        return DecisionsFile(source, problems=[("link_decisions_unreadable", None, str(err), "-")])
    if not stat.S_ISREG(info.st_mode):
        problem = ("link_decisions_unreadable", None, "not a regular file (a link?)", "-")
        return DecisionsFile(source, problems=[problem], digest="refused")
    if info.st_size > MAX_DECISION_BYTES:
        problem = ("link_decisions_unreadable", None, f"{info.st_size} bytes", MAX_DECISION_BYTES)
        return DecisionsFile(source, problems=[problem], digest="too-big")
    with open(path, "rb") as handle:
        data = handle.read(MAX_DECISION_BYTES + 1)
    rows, problems = parse_decisions(data, source)
    return DecisionsFile(source, rows, problems, hashlib.sha256(data).hexdigest()[:16])


def link_levels(
    consolidated: Consolidated,
    rules: Rules,
    place_names: dict[str, str],
    decisions: DecisionsFile | None = None,
) -> tuple[Consolidated, pd.DataFrame]:
    """Projects with funded_at_level and is_counted, grey-band links as warnings, and the
    links (schema.PROJECT_LINKS columns); a person's decisions applied (see
    decision_records for what is published of them)."""
    projects, budgets = consolidated.projects, consolidated.budgets
    apply, _, problems = resolve_decisions(decisions.rows if decisions else [], projects)
    links = link_projects(projects, budgets, load_linkage_settings(), apply)
    counted = count_once(projects, links)
    projects = projects.merge(counted, on="project_id", how="left")
    issues = review_issues(links, projects, partial(make_issue, rules), place_names)
    if decisions is not None:
        issues += decision_issues(
            [*decisions.problems, *problems], decisions.source, partial(make_issue, rules)
        )
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


def decision_records(decisions: DecisionsFile | None, projects: pd.DataFrame) -> pd.DataFrame:
    """Every row of the decisions file with its outcome tonight (the link_decisions rows)."""
    return resolve_decisions(decisions.rows if decisions else [], projects)[1]
