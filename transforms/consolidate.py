"""One district's staged files into publishable rows: duplicates counted once, stable ids,
district-wide checks, and the row accounting of every file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
from oneplan.transforms import schema
from oneplan.transforms.alignment import align_projects
from oneplan.transforms.issues import make_issue
from oneplan.transforms.rules import Rules
from oneplan.transforms.text import to_arabic_digits

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
    # schema.PROJECT_MEASURES rows (the other measures of the kept projects); None: none
    measures: pd.DataFrame | None = None


def project_measures(staged: pd.DataFrame | None, projects: pd.DataFrame) -> pd.DataFrame:
    """The staged measures (stg_measures) of the kept projects, by project_id: a duplicate's
    measures go with it, as its budgets do."""
    columns = schema.PROJECT_MEASURES.column_names
    if staged is None or staged.empty or projects.empty:
        return pd.DataFrame(columns=columns)
    keys = ["submission_id", "source_sheet", "source_row"]
    found = staged.merge(projects[[*keys, "project_id"]], on=keys, how="inner")
    return found[columns].reset_index(drop=True)


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
                with_file_columns(
                    {name: _staged(f.tables, name)}, f.submission_id, f.source_file, district_code
                )[name].to_pandas()
                for f in files
            ],
            ignore_index=True,
        )
        for name in TABLE_NAMES
    }
    return consolidate(frames, tambon_names, rules)


def _staged(tables: dict[str, pa.Table], name: str) -> pa.Table:
    """A file's staged table of this kind (empty when the file has none of it)."""
    found = tables.get(name)
    if found is not None:
        return found
    return schema.staged_arrow_schema(schema.STAGED_TABLES[name], False).empty_table()


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
    part = consolidate_projects(
        frames["projects"], frames["budgets"], tambon_names, rules, frames.get("measures")
    )
    out = combine_parts([part], frames, list(pd.unique(frames["budgets"]["submission_id"])))
    out.measures = project_measures(frames.get("measures"), out.projects)
    return out


@dataclass
class ProjectsPart:
    """The consolidated projects of some districts (`consolidate_projects`): what the row
    log, issues and rejected rows of their files need to be published."""

    projects: pd.DataFrame  # kept projects, in file (path) and row order, with project_id
    budgets: pd.DataFrame  # their budget rows with project_id and the file columns
    issues: pd.DataFrame  # issues found here (duplicates, alignment, names, large budgets)
    duplicates: pd.DataFrame  # source_file, source_sheet, source_row of each skipped copy


KEY_COLUMNS = ["source_file", "source_sheet", "source_row"]
PART_ONLY_COLUMNS = ["budget_signature", "is_duplicate", "occurrence", "plan_key", "name_key"]


def consolidate_projects(
    projects: pd.DataFrame,
    budgets: pd.DataFrame,
    tambon_names: dict[str, str],
    rules: Rules,
    measures: pd.DataFrame | None = None,
) -> ProjectsPart:
    """Staged projects and budgets into kept projects with stable ids (see `consolidate`).

    Two rows are the same project only when the whole row's amounts agree: every year's
    budget and every other measure (`measures`, stg_measures rows: what the ordinance
    granted...). Every check here is judged within a district (a file's district for
    budgets): the staged rows of districts apart can be consolidated apart and their parts
    combined."""
    key_cols = KEY_COLUMNS
    projects = projects.assign(
        budget_signature=_budget_signatures(projects, _with_measures(budgets, measures), key_cols)
    ).sort_values(["source_file", "row_order"], ignore_index=True)
    if "plan_key" not in projects:
        projects["plan_key"] = ""
    # Copies are judged on the name as read with Thai digits as ASCII (`หมู่ ๑` = `หมู่ 1`);
    # invisible characters (RLO, ZWSP, ...) are gone already (text.clean_text).
    projects["name_key"] = [
        to_arabic_digits(n) if isinstance(n, str) else n for n in projects["project_name"].tolist()
    ]
    dup_key = ["district_code", "tambon_code", "plan_key", "name_key", "budget_signature"]
    projects["is_duplicate"] = projects.duplicated(dup_key, keep="first")

    new_issues = []
    is_dup = projects["is_duplicate"]
    if is_dup.any():
        new_issues += _duplicate_issues(projects, dup_key, rules)
    duplicates = projects.loc[is_dup, key_cols].reset_index(drop=True)
    kept = projects[~is_dup].copy()
    kept["occurrence"] = kept.groupby(
        ["district_code", "tambon_code", "plan_key", "project_name"]
    ).cumcount()
    kept["project_id"] = [
        project_id(d, t, n, o, k)
        for d, t, n, o, k in zip(
            kept["district_code"].tolist(),
            kept["tambon_code"].tolist(),
            kept["project_name"].tolist(),
            kept["occurrence"].tolist(),
            kept["plan_key"].tolist(),
            strict=True,
        )
    ]
    budgets = budgets.merge(kept[[*key_cols, "project_id"]], on=key_cols, how="inner")
    if rules.alignment is not None:
        kept, findings = align_projects(kept, rules.alignment, tambon_names)
        located = kept.iloc[[f.index for f in findings]][list(_LOCATION)]
        new_issues += [
            _issue(rules, f.code, row, value=f.value, column=f.column)
            for f, row in zip(findings, located.itertuples(index=False), strict=True)
        ]

    new_issues += _same_name_other_tambon(kept, tambon_names, rules)
    new_issues += _large_budgets(budgets, rules)
    return ProjectsPart(
        projects=kept.drop(columns=PART_ONLY_COLUMNS).reset_index(drop=True),
        budgets=budgets,
        issues=pd.DataFrame(new_issues),
        duplicates=duplicates,
    )


def combine_parts(
    parts: list[ProjectsPart], frames: dict[str, pd.DataFrame], file_order: list[str]
) -> Consolidated:
    """The consolidated rows of all districts from their parts and every file's staged row
    log, issues and rejected rows (`frames`; its projects and budgets only lend their columns
    when no part has a row): projects in file (path) and row order, budgets in `file_order`
    (submission ids, the staged order), each skipped copy marked in the row log."""
    order = {submission: i for i, submission in enumerate(file_order)}
    projects = _concat([p.projects for p in parts], frames["projects"])
    file_codes = pd.factorize(projects["source_file"], sort=True)[0]
    projects = _ordered(projects, file_codes)
    budgets = _concat([p.budgets for p in parts], frames["budgets"])
    budgets = _ordered(budgets, budgets["submission_id"].map(order).to_numpy(dtype="int64"))
    duplicates = [p.duplicates for p in parts if len(p.duplicates)]
    row_log = frames["row_log"]
    if duplicates:
        row_log = mark_duplicates(row_log, pd.concat(duplicates, ignore_index=True))
    issues = frames["issues"]
    found = [p.issues for p in parts if len(p.issues)]
    if found:
        issues = pd.concat([issues, *found], ignore_index=True)
    return Consolidated(
        projects=projects,
        budgets=budgets[["project_id", "fiscal_year", "amount_thb"]].reset_index(drop=True),
        rejected=frames["rejected"],
        issues=issues,
        row_log=row_log,
    )


def _ordered(frame: pd.DataFrame, file_codes: np.ndarray) -> pd.DataFrame:
    """Rows by file (its code) then row order within the file, a RangeIndex."""
    order = np.lexsort((frame["row_order"].to_numpy(), file_codes))
    if (order == np.arange(len(order))).all():
        return frame.reset_index(drop=True)
    return frame.take(order).reset_index(drop=True)


def _concat(frames: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    present = [f for f in frames if len(f)]
    if not present:
        return frames[0] if frames else empty.iloc[:0]
    return present[0] if len(present) == 1 else pd.concat(present, ignore_index=True)


_LOCATION = ("submission_id", "source_file", "source_sheet", "source_row", "project_name")


def _with_measures(budgets: pd.DataFrame, measures: pd.DataFrame | None) -> pd.DataFrame:
    """Budget rows and, for the signature only, each other measure as a row whose year is
    written `<measure>:<year>` (so `ordinance:2568=1.00` never equals `2568=1.00`)."""
    if measures is None or measures.empty:
        return budgets
    cols = [*KEY_COLUMNS, "fiscal_year", "amount_thb"]
    other = measures.assign(
        fiscal_year=measures["measure"].astype(str) + ":" + measures["fiscal_year"].astype(str)
    )[cols]
    plan = budgets[cols].assign(fiscal_year=budgets["fiscal_year"].astype(str))
    return pd.concat([plan, other], ignore_index=True)


def _location_key(values: tuple) -> tuple:
    """A row's location as a dict key: a missing value (None, NaN) is None, so two rows both
    missing it match, as in a pandas merge."""
    return tuple(None if v is None or v != v else v for v in values)


def _budget_signatures(projects: pd.DataFrame, budgets: pd.DataFrame, key_cols) -> pd.Series:
    """Each project's budgets as one comparable string ("2568=100.00|2569=0.00"), years in
    text order; "" for a project with no budget.

    Plain dicts, not an Arrow group-by: that loads Arrow's query engine (pyarrow.acero,
    datasets, filesystems), a tenth of a second of `oneplan check` for a few hundred rows."""
    if budgets.empty:
        return pd.Series("", index=projects.index, dtype="object")
    entries = budgets["fiscal_year"].astype(str) + "=" + budgets["amount_thb"].astype(str)
    groups: dict[tuple, list[str]] = {}
    rows = zip(*(budgets[c].tolist() for c in key_cols), strict=True)
    for key, entry in zip(rows, entries.tolist(), strict=True):
        groups.setdefault(_location_key(key), []).append(entry)
    signature = {key: "|".join(sorted(group)) for key, group in groups.items()}
    keys = zip(*(projects[c].tolist() for c in key_cols), strict=True)
    values = [signature.get(_location_key(key), "") for key in keys]
    return pd.Series(values, index=projects.index)


def _duplicate_issues(projects: pd.DataFrame, dup_key: list[str], rules: Rules) -> list:
    """An info issue on each later copy of a project, naming the copy that is kept."""
    where_cols = {
        "source_file": "kept_file",
        "source_sheet": "kept_sheet",
        "source_row": "kept_row",
    }
    first = (
        projects.loc[~projects["is_duplicate"], [*dup_key, *where_cols]]
        .drop_duplicates(dup_key)
        .rename(columns=where_cols)
    )
    dups = projects.loc[projects["is_duplicate"], [*dup_key, *_LOCATION]].merge(
        first, on=dup_key, how="left"
    )
    out = []
    for dup in dups.itertuples(index=False):
        # Language-neutral location, readable inside the Thai and the English message.
        where = " › ".join(
            str(part) for part in (dup.kept_file, dup.kept_sheet, dup.kept_row) if part
        )
        out.append(_issue(rules, "duplicate_project", dup, value=dup.project_name, expected=where))
    return out


def mark_duplicates(row_log: pd.DataFrame, duplicates: pd.DataFrame) -> pd.DataFrame:
    """The row log with each duplicate project's row (source_file, source_sheet, source_row
    of `duplicates`) skipped as `duplicate`."""
    if duplicates.empty:
        return row_log
    keys = duplicates.rename(
        columns={"source_sheet": "project_sheet", "source_row": "project_row"}
    ).drop_duplicates()
    on = ["source_file", "project_sheet", "project_row"]
    is_dup = pd.MultiIndex.from_frame(row_log[on]).isin(pd.MultiIndex.from_frame(keys[on]))
    if not is_dup.any():
        return row_log
    row_log = row_log.copy()
    row_log.loc[is_dup, "outcome"] = "skipped"
    row_log.loc[is_dup, "kind"] = "duplicate"
    return row_log


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
    group = ["district_code", "project_name"]
    places = kept[[*group, "tambon_code"]].drop_duplicates()
    n_tambons = places.groupby(group)["tambon_code"].nunique(dropna=False)
    shared = n_tambons[n_tambons > 1].index
    if shared.empty:
        return []
    in_shared = pd.MultiIndex.from_frame(kept[group]).isin(shared)
    codes = (
        places[pd.MultiIndex.from_frame(places[group]).isin(shared)]
        .groupby(group)["tambon_code"]
        .agg(list)
        .to_dict()
    )
    out = []
    for row in kept.loc[in_shared, [*_LOCATION, "district_code", "tambon_code"]].itertuples(
        index=False
    ):
        others = codes[(row.district_code, row.project_name)]
        names = sorted(tambon_names.get(t, t) for t in set(others) - {row.tambon_code})
        out.append(
            _issue(
                rules,
                "same_name_other_tambon",
                row,
                value=row.project_name,
                expected="ต." + ", ต.".join(names),
            )
        )
    return out


def _large_budgets(budgets: pd.DataFrame, rules: Rules) -> list:
    """Amounts over `large_budget_factor` times their district's 99th percentile."""
    if budgets.empty:
        return []
    # Every budget row carries its file's columns (district_code: the file's district).
    frame = budgets.reset_index(drop=True)
    amounts = frame["amount_thb"].astype(float)
    p99 = amounts.groupby(frame["district_code"]).transform("quantile", 0.99)
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


def nonblank_counts(row_log: pd.DataFrame) -> pd.DataFrame:
    """Per submission: the non-blank rows of its sheets as the reader counted them before
    reading (`n_sheet_rows`, once per sheet), which the row log must match one for one."""
    per_sheet = row_log.groupby(["submission_id", "source_sheet"])["n_sheet_rows"].max()
    counts = per_sheet.fillna(0).groupby(level="submission_id").sum().astype("int64")
    return counts.rename("n_rows_nonblank").reset_index()


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
    counted = [
        "n_rows_read", "n_rows_accepted", "n_rows_rejected", "n_rows_skipped", "n_rows_nonblank"
    ]  # fmt: skip
    if logs:
        log = pd.concat(logs, ignore_index=True)
        counts = row_counts(log)
        if "n_sheet_rows" in log:
            counts = counts.merge(nonblank_counts(log), on="submission_id", how="left")
        else:  # a row log from before the reader counted its sheets' rows
            counts["n_rows_nonblank"] = counts["n_rows_read"]
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
        "project_measures": table(
            schema.PROJECT_MEASURES,
            []
            if consolidated.measures is None or consolidated.measures.empty
            else [consolidated.measures],
        ),
        "rejected_rows": table(schema.REJECTED_ROWS, pick("rejected")),
        "data_issues": table(schema.DATA_ISSUES, issue_frame),
    }
