"""One district's staged files into publishable rows: duplicates counted once, stable ids,
district-wide checks, and the row accounting of every file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
from oneplan.transforms import schema
from oneplan.transforms.alignment import align_projects
from oneplan.transforms.issues import make_issue
from oneplan.transforms.rules import Rules

OUTCOMES = ("accepted", "rejected", "skipped")


@dataclass(frozen=True)
class StagedFile:
    """One file's submission record plus its staged tables."""

    submission_id: str
    source_file: str
    tables: dict[str, pa.Table]


@dataclass
class Consolidated:
    """Every district's consolidated rows, ready for `assemble_tables`."""

    projects: pd.DataFrame
    budgets: pd.DataFrame
    rejected: pd.DataFrame
    issues: pd.DataFrame
    row_log: pd.DataFrame


def project_id(
    district_code: str, tambon_code: str, project_name: str, occurrence: int, plan_key: str = ""
) -> str:
    """Stable id: the same project (district, tambon, name, n-th of that name) on every run.

    The budget and details are left out on purpose, so a resubmission that only changes
    them keeps its id. `plan_key` keeps plans of other levels apart (levels.place_projects;
    empty for a tambon plan, whose ids are as they always were).
    """
    key = f"{district_code}\x1f{tambon_code}\x1f{project_name}\x1f{occurrence}"
    if plan_key:
        key += f"\x1f{plan_key}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


TABLE_NAMES = tuple(schema.STAGED_TABLES)


def with_file_columns(
    tables: dict[str, pa.Table], submission_id: str, source_file: str, district_code: str
) -> dict[str, pa.Table]:
    """One file's staged tables with the columns that place each row among all files
    (schema.STAGED_FILE_COLUMNS): submission_id, source_file, district_code and the row's
    order within the file."""
    values = {
        "submission_id": submission_id,
        "source_file": source_file,
        "district_code": district_code,
    }
    out = {}
    for name, table in tables.items():
        n = table.num_rows
        for i, column in enumerate(schema.STAGED_FILE_COLUMNS):
            arrow_type = schema.arrow_type(column)
            if column.name == "row_order":
                array = pa.array(range(n), arrow_type)
            else:
                array = pa.array([values[column.name]] * n, arrow_type)
            table = table.add_column(i, column.name, array)
        out[name] = table
    return out


def consolidate_district(
    files: list[StagedFile], district_code: str, tambon_names: dict[str, str], rules: Rules
) -> Consolidated:
    """Consolidate one district's files; see `consolidate`."""
    frames = {
        name: pd.concat(
            [
                with_file_columns(f.tables, f.submission_id, f.source_file, district_code)[
                    name
                ].to_pandas()
                for f in files
            ],
            ignore_index=True,
        )
        for name in TABLE_NAMES
    }
    return consolidate(frames, tambon_names, rules)


def consolidate(
    frames: dict[str, pd.DataFrame], tambon_names: dict[str, str], rules: Rules
) -> Consolidated:
    """All staged rows (every file of every district, with the file columns) into projects and
    budgets.

    A project repeated within a district with the same tambon, name and budgets (a copied
    sheet, a file sent twice) counts once: the first in file (path order), sheet and row
    order is kept; later copies become rows skipped as `duplicate`, with an info issue
    pointing at the kept one.
    """
    projects, budgets = frames["projects"], frames["budgets"]
    row_log, issues, rejected = frames["row_log"], frames["issues"], frames["rejected"]

    key_cols = ["source_file", "source_sheet", "source_row"]
    projects = projects.assign(
        budget_signature=_budget_signatures(projects, budgets, key_cols)
    ).sort_values(["source_file", "row_order"], ignore_index=True)
    if "plan_key" not in projects:
        projects["plan_key"] = ""
    dup_key = ["district_code", "tambon_code", "plan_key", "project_name", "budget_signature"]
    projects["is_duplicate"] = projects.duplicated(dup_key, keep="first")

    new_issues = []
    if projects["is_duplicate"].any():
        first = projects[~projects["is_duplicate"]].drop_duplicates(dup_key).set_index(dup_key)
        for dup in projects[projects["is_duplicate"]].itertuples(index=False):
            kept = first.loc[tuple(getattr(dup, c) for c in dup_key)]
            # Language-neutral location, readable inside the Thai and the English message.
            where = " › ".join(
                str(part) for part in (kept.source_file, kept.source_sheet, kept.source_row) if part
            )
            new_issues.append(
                _issue(rules, "duplicate_project", dup, value=dup.project_name, expected=where)
            )
        dups = projects.loc[projects["is_duplicate"], key_cols].rename(
            columns={"source_sheet": "project_sheet", "source_row": "project_row"}
        )
        dups["dup"] = True
        row_log = row_log.merge(
            dups, on=["source_file", "project_sheet", "project_row"], how="left"
        )
        is_dup = row_log["dup"].eq(True)
        row_log.loc[is_dup, "outcome"] = "skipped"
        row_log.loc[is_dup, "kind"] = "duplicate"
        row_log = row_log.drop(columns="dup")
    kept = projects[~projects["is_duplicate"]].copy()
    kept["occurrence"] = kept.groupby(
        ["district_code", "tambon_code", "plan_key", "project_name"]
    ).cumcount()
    kept["project_id"] = [
        project_id(d, t, n, o, k)
        for d, t, n, o, k in zip(
            kept["district_code"],
            kept["tambon_code"],
            kept["project_name"],
            kept["occurrence"],
            kept["plan_key"],
            strict=True,
        )
    ]
    budgets = budgets.merge(kept[[*key_cols, "project_id"]], on=key_cols, how="inner")
    if rules.alignment is not None:
        kept, findings = align_projects(kept, rules.alignment, tambon_names)
        located = list(kept.itertuples(index=False))
        new_issues += [
            _issue(rules, f.code, located[f.index], value=f.value, column=f.column)
            for f in findings
        ]

    new_issues += _same_name_other_tambon(kept, tambon_names, rules)
    new_issues += _large_budgets(budgets, kept, rules)
    if new_issues:
        issues = pd.concat([issues, pd.DataFrame(new_issues)], ignore_index=True)
    return Consolidated(
        projects=kept.drop(columns=["budget_signature", "is_duplicate", "occurrence", "plan_key"]),
        budgets=budgets[["project_id", "fiscal_year", "amount_thb"]],
        rejected=rejected,
        issues=issues,
        row_log=row_log,
    )


def _budget_signatures(projects: pd.DataFrame, budgets: pd.DataFrame, key_cols) -> list[str]:
    """Each project's budgets as one comparable string ("2568=100.00|2569=0.00")."""
    signature: dict[tuple, list[str]] = {}
    for *key, year, amount in zip(
        *(budgets[c] for c in key_cols), budgets["fiscal_year"], budgets["amount_thb"], strict=True
    ):
        signature.setdefault(tuple(key), []).append(f"{year}={amount}")
    return [
        "|".join(sorted(signature.get(tuple(key), [])))
        for key in zip(*(projects[c] for c in key_cols), strict=True)
    ]


def _issue(rules: Rules, code: str, row, *, value=None, expected=None, column=None) -> dict:
    found = make_issue(
        rules,
        code,
        source_file=row.source_file,
        sheet=row.source_sheet or None,
        row=row.source_row,
        column_name=column,
        value=value,
        expected=expected,
    )
    found["source_sheet"] = row.source_sheet
    return {"submission_id": row.submission_id, "source_file": row.source_file, **found}


def _same_name_other_tambon(kept: pd.DataFrame, tambon_names: dict[str, str], rules) -> list:
    """Info on each project whose name also stands in another tambon of its district."""
    tambons = kept.groupby(["district_code", "project_name"])["tambon_code"].agg(set)
    shared = tambons[tambons.map(len) > 1]
    out = []
    if shared.empty:
        return out
    for row in kept.itertuples(index=False):
        codes = shared.get((row.district_code, row.project_name))
        if codes is None:
            continue
        others = sorted(tambon_names.get(t, t) for t in codes - {row.tambon_code})
        out.append(
            _issue(
                rules,
                "same_name_other_tambon",
                row,
                value=row.project_name,
                expected="ต." + ", ต.".join(others),
            )
        )
    return out


def _large_budgets(budgets: pd.DataFrame, kept: pd.DataFrame, rules: Rules) -> list:
    """Amounts over `large_budget_factor` times their district's 99th percentile."""
    if budgets.empty:
        return []
    frame = budgets.merge(kept, on="project_id", suffixes=("", "_p"))
    amounts = frame["amount_thb"].astype(float)
    p99 = amounts.groupby(frame["district_code"]).transform(lambda a: a.quantile(0.99))
    bound = float(rules.large_budget_factor) * p99
    large = frame[(bound > 0) & (amounts > bound)]
    return [
        _issue(
            rules,
            "budget_too_large",
            row,
            value=f"{row.amount_thb:,.2f}",
            expected=f"{limit:,.0f}",
            column=str(row.fiscal_year),
        )
        for row, limit in zip(large.itertuples(index=False), bound[large.index], strict=True)
    ]


def row_counts(row_log: pd.DataFrame) -> pd.DataFrame:
    """Per submission: rows read and rows accepted / rejected / skipped (they always add up)."""
    counts = (
        row_log.groupby(["submission_id", "outcome"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=list(OUTCOMES), fill_value=0)
    )
    counts.columns = [f"n_rows_{c}" for c in counts.columns]
    counts["n_rows_read"] = counts.sum(axis=1)
    return counts.reset_index()


def assemble_tables(
    consolidated: Consolidated,
    submissions: pd.DataFrame,
    areas: pd.DataFrame,
    extra_issues: pd.DataFrame,
) -> dict[str, pa.Table]:
    """The published base tables as Arrow, with the schema module's column order and types.

    `submissions` has one row per file version (current ones and history); the row counts
    of the files consolidated here are filled in, the others keep theirs.
    """

    def pick(name: str) -> list[pd.DataFrame]:
        frame = getattr(consolidated, name)
        return [] if frame.empty else [frame]

    def table(spec, frames: list[pd.DataFrame]) -> pa.Table:
        target = schema.arrow_schema(spec)
        if not frames:
            return target.empty_table()
        frame = pd.concat(frames, ignore_index=True)
        return pa.Table.from_pandas(frame[target.names], schema=target, preserve_index=False)

    logs = pick("row_log")
    subs = submissions.copy()
    counted = ["n_rows_read", "n_rows_accepted", "n_rows_rejected", "n_rows_skipped"]
    if logs:
        counts = row_counts(pd.concat(logs, ignore_index=True))
        subs = subs.merge(counts, on="submission_id", how="left", suffixes=("_kept", ""))
        for col in counted:
            if f"{col}_kept" in subs:
                subs[col] = subs[col].fillna(subs.pop(f"{col}_kept"))
    for col in counted:
        subs[col] = subs[col].fillna(0).astype("int32") if col in subs else 0
    issues = pick("issues")
    if not extra_issues.empty:
        issues.append(extra_issues)
    issue_frame = [f.assign(source_sheet=f["source_sheet"].fillna("")) for f in issues]
    return {
        "areas": table(schema.AREAS, [areas]),
        "submissions": table(schema.SUBMISSIONS, [subs]),
        "projects": table(schema.PROJECTS, pick("projects")),
        "project_budgets": table(schema.PROJECT_BUDGETS, pick("budgets")),
        "rejected_rows": table(schema.REJECTED_ROWS, pick("rejected")),
        "data_issues": table(schema.DATA_ISSUES, issue_frame),
    }
