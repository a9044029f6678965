"""The publication of one run: every published table, from the consolidated rows of this run's
files, the submission history and the previous publication. Pure: Arrow and DataFrames in,
Arrow out; the caller reads the staged files and the previous database."""

from __future__ import annotations

import hashlib

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from oneplan.transforms import schema
from oneplan.transforms.consolidate import Consolidated, assemble_tables
from oneplan.transforms.decisions import decisions_table
from oneplan.transforms.history import carry_versions, project_changes, update_submissions
from oneplan.transforms.linkage import link_changes


def concat_as(spec: schema.Table, frames: list[pd.DataFrame | None]) -> pa.Table:
    """Rows of several frames (None or empty ones skipped) as one table of the schema."""
    present = [f for f in frames if f is not None and len(f)]
    target = schema.arrow_schema(spec)
    if not present:
        return target.empty_table()
    frame = pd.concat(present, ignore_index=True).reindex(columns=target.names)
    return pa.Table.from_pandas(frame, schema=target, preserve_index=False)


def submission_records(files: list[dict], loaded_at: pd.Timestamp) -> pd.DataFrame:
    """This run's files as submission records (one row per file, loaded now)."""
    rows = [
        {
            **{name: file[name] for name in schema.SUBMISSION_RECORD_COLUMNS[:-1]},
            "file_modified_at": pd.Timestamp(file["file_modified_at"]),
            "loaded_at": loaded_at,
        }
        for file in files
    ]
    return pd.DataFrame(rows, columns=list(schema.SUBMISSION_RECORD_COLUMNS))


def carry_first_loaded(history: pd.DataFrame, old_submissions: pd.DataFrame) -> pd.DataFrame:
    """A file seen before keeps the time it was first loaded."""
    first_loaded = old_submissions.set_index("submission_id")["loaded_at"]
    kept = pd.to_datetime(history["submission_id"].map(first_loaded), utc=True)
    return history.assign(loaded_at=kept.fillna(pd.to_datetime(history["loaded_at"], utc=True)))


def assemble_publication(
    consolidated: Consolidated,
    files: list[dict],
    inbox_issues: list[dict],
    areas: pd.DataFrame,
    loaded_at: pd.Timestamp,
    previous: dict[str, pa.Table] | None,
    *,
    files_parsed: int,
    rules_fingerprint: str,
    inputs_fingerprint: str,
    links: pd.DataFrame | None = None,
    decision_records: pd.DataFrame | None = None,
) -> dict[str, pa.Table]:
    """Every published base table (Arrow, the schema module's types), carrying the submission
    history, the change log and the publication log on from the previous publication.

    `files` are this run's files (submission_id, district_code, source_file, file_sha256,
    file_modified_at, plan_level); `areas` every place a row can point at (tambons, districts,
    the province); `links` the project links (schema.PROJECT_LINKS); `decision_records` the
    rows of the decisions file with their outcome (transforms.decisions); `previous` the history
    tables of the published database, or None."""
    now = pd.Timestamp(loaded_at)
    old = {name: t.to_pandas() for name, t in previous.items()} if previous else None
    history = update_submissions(
        old["submissions"] if old else None, submission_records(files, now), now
    )
    if old is not None:
        history = carry_first_loaded(history, old["submissions"])
    tables = assemble_tables(consolidated, history, areas, pd.DataFrame(inbox_issues))
    tables["project_links"] = concat_as(schema.PROJECT_LINKS, [links])
    tables["link_decisions"] = concat_as(
        schema.LINK_DECISIONS,
        [decisions_table(decision_records, old.get("link_decisions") if old else None, now)],
    )
    new_projects = tables["projects"].to_pandas()
    changes = pd.DataFrame(columns=schema.PROJECT_CHANGES.column_names)
    if old is not None and len(old["publications"]):
        changes = project_changes(
            old["projects"],
            old["project_budgets"],
            new_projects,
            tables["project_budgets"].to_pandas(),
            now,
        )
        made_broken = link_changes(
            old.get("project_links"), links, old["projects"], new_projects, now
        )
        if len(made_broken):
            changes = pd.concat([changes, made_broken], ignore_index=True)
    earlier = (lambda name: old[name]) if old is not None else (lambda name: None)
    tables["project_changes"] = concat_as(
        schema.PROJECT_CHANGES, [earlier("project_changes"), changes]
    )
    publication = pd.DataFrame(
        [
            {
                "published_at": now,
                "n_submissions": len(files),
                "n_files_parsed": files_parsed,
                "n_files_reused": len(files) - files_parsed,
                "n_projects": len(new_projects),
                "n_changes": len(changes),
                "rules_fingerprint": rules_fingerprint,
                "inputs_fingerprint": inputs_fingerprint,
            }
        ]
    )
    tables["publications"] = concat_as(schema.PUBLICATIONS, [earlier("publications"), publication])
    for name, source, key in (
        ("project_history", "projects", ["project_id"]),
        ("budget_history", "project_budgets", ["project_id", "fiscal_year"]),
    ):
        versions = carry_versions(
            old[name] if old is not None else None, tables[source].to_pandas(), key, now
        )
        tables[name] = concat_as(schema.TABLES_BY_NAME[name], [versions])
    return tables


def inputs_fingerprint(stage_keys: list[str], inbox_issues: list[dict], scope: str) -> str:
    """What a publication is built from: each file's staged parse (its key covers the bytes,
    path, district, scope and reading rules), the inbox-level issues, and `scope` (the area
    scope and the code's fingerprint)."""
    digest = hashlib.sha256()
    for part in sorted(stage_keys):
        digest.update(part.encode())
    for issue in sorted(f"{i['code']}\x1f{i['source_file']}" for i in inbox_issues):
        digest.update(issue.encode())
    digest.update(scope.encode())
    return digest.hexdigest()[:32]


def is_unchanged(previous: dict[str, pa.Table] | None, inputs: str) -> bool:
    """True when the latest previous publication was built from exactly these inputs."""
    if previous is None or not previous["publications"].num_rows:
        return False
    publications = previous["publications"]
    latest = pc.index(publications["published_at"], pc.max(publications["published_at"]))
    return publications["inputs_fingerprint"][latest.as_py()].as_py() == inputs


def has_readable_row(tables: dict[str, pa.Table]) -> bool:
    """Whether any current submission has a row read (else there is nothing to publish)."""
    submissions = tables["submissions"]
    current = pc.equal(submissions["status"], "current")
    return (pc.sum(pc.filter(submissions["n_rows_read"], current)).as_py() or 0) > 0
