"""The nightly One Plan flow: discover the inbox, parse each file (one task per file), then
consolidate, publish the DuckDB database and export Parquet (one load task, one writer)."""

from __future__ import annotations

import hashlib
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
from oneplan.flows.db import read_previous
from oneplan.flows.errors import PublishError
from oneplan.flows.export import remove_stale_builds
from oneplan.flows.levels import link_changes, link_levels, plans_of
from oneplan.flows.lock import run_lock
from oneplan.flows.publish import QUALITY_FOLDER, publish
from oneplan.flows.reference import (
    DEFAULT_DB,
    DEFAULT_EXPORT,
    DEFAULT_INBOX,
    build_fingerprint,
    load_areas,
    load_rules,
    rules_fingerprint,
)
from oneplan.flows.report import quality_report_markdown
from oneplan.flows.stage import FileJob, discover_inbox, stage_file
from oneplan.flows.summary import run_summary, summary_markdown
from oneplan.transforms import schema
from oneplan.transforms.areas import CHAI_NAT
from oneplan.transforms.consolidate import FILE_COLUMNS, assemble_tables, consolidate
from oneplan.transforms.history import project_changes, update_submissions
from oneplan.transforms.levels import place_projects, place_rows
from oneplan.transforms.staging import STAGED_SCHEMAS
from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

_log = logging.getLogger("oneplan")


def _io_error(task, task_run, state) -> bool:
    """Retry only when the failure was I/O (a flaky share), never a bad-data error."""
    try:
        state.result()
    except OSError:
        return True
    except Exception:
        return False
    return False


@task(
    retries=2,
    retry_delay_seconds=2,
    retry_condition_fn=_io_error,
    cache_policy=NO_CACHE,
    task_run_name="parse {job.source_file}",
)
def parse_file(job: FileJob, staging_dir: str) -> dict:
    """Parse one file into staged Parquet (skipped when an identical parse is staged)."""
    return stage_file(job, staging_dir)


def build_tables(
    staged: list[dict],
    inbox_issues: list[dict],
    loaded_at: datetime,
    previous: dict[str, pa.Table] | None = None,
    files_parsed: int = 0,
    provinces: str = CHAI_NAT,
    inputs: str = "",
) -> dict[str, pa.Table]:
    """Consolidate the staged files of each district into the published tables (Arrow),
    carrying the submission history and the change log on from the previous publication."""
    areas = load_areas(provinces)
    now = pd.Timestamp(loaded_at)
    tambon_names = dict(zip(areas["tambon_code"], areas["tambon_name_th"], strict=True))
    jobs = [FileJob(**item["job"]) for item in staged]
    plans = plans_of(staged)
    current = [
        {
            "submission_id": job.submission_id,
            "district_code": job.district_code,
            "source_file": job.source_file,
            "file_sha256": job.file_sha256,
            "file_modified_at": pd.Timestamp(job.file_modified_at),
            "loaded_at": now,
            "plan_level": plans[job.submission_id].plan_level,
        }
        for job in jobs
    ]
    frames = read_staged(staged)
    frames["projects"] = place_projects(frames["projects"], plans)
    places = place_rows(areas)
    place_names = dict(zip(places["tambon_code"], places["tambon_name_th"], strict=True))
    consolidated = consolidate(frames, tambon_names, load_rules())
    consolidated, links = link_levels(consolidated, load_rules(), place_names)
    columns = [
        "submission_id",
        "district_code",
        "source_file",
        "file_sha256",
        "file_modified_at",
        "loaded_at",
        "plan_level",
    ]
    old = {name: t.to_pandas() for name, t in previous.items()} if previous else None
    history = update_submissions(
        old["submissions"] if old else None, pd.DataFrame(current, columns=columns), now
    )
    if old is not None:
        # A file seen before keeps the time it was first loaded.
        first_loaded = old["submissions"].set_index("submission_id")["loaded_at"]
        kept = pd.to_datetime(history["submission_id"].map(first_loaded), utc=True)
        history["loaded_at"] = kept.fillna(pd.to_datetime(history["loaded_at"], utc=True))
    tables = assemble_tables(consolidated, history, places, pd.DataFrame(inbox_issues))
    tables["project_links"] = _arrow(schema.PROJECT_LINKS, [links])
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
    history_of = (lambda name: old[name]) if old is not None else (lambda name: None)
    tables["project_changes"] = _arrow(
        schema.PROJECT_CHANGES, [history_of("project_changes"), changes]
    )
    publication = pd.DataFrame(
        [
            {
                "published_at": now,
                "n_submissions": len(current),
                "n_files_parsed": files_parsed,
                "n_files_reused": len(current) - files_parsed,
                "n_projects": len(new_projects),
                "n_changes": len(changes),
                "rules_fingerprint": rules_fingerprint(),
                "inputs_fingerprint": inputs,
            }
        ]
    )
    tables["publications"] = _arrow(schema.PUBLICATIONS, [history_of("publications"), publication])
    return tables


def read_staged(staged: list[dict]) -> dict[str, pd.DataFrame]:
    """Every staged table kind of all files, each read in one scan over the Parquet files
    (a file whose table was empty wrote none)."""
    frames = {}
    for name, staged_schema in STAGED_SCHEMAS.items():
        full = pa.schema(
            [pa.field(c, pa.int32() if c == "row_order" else pa.string()) for c in FILE_COLUMNS]
            + list(staged_schema)
        )
        candidates = (Path(item["staged"]) / f"{name}.parquet" for item in staged)
        paths = [str(path) for path in candidates if path.exists()]
        table = ds.dataset(paths, format="parquet", schema=full).to_table() if paths else None
        frames[name] = (table if table is not None else full.empty_table()).to_pandas()
    return frames


def _arrow(spec: schema.Table, frames: list[pd.DataFrame | None]) -> pa.Table:
    """Rows of several frames (None or empty ones skipped) as one table of the schema."""
    present = [f for f in frames if f is not None and len(f)]
    target = schema.arrow_schema(spec)
    if not present:
        return target.empty_table()
    frame = pd.concat(present, ignore_index=True).reindex(columns=target.names)
    return pa.Table.from_pandas(frame, schema=target, preserve_index=False)


@task(cache_policy=NO_CACHE)
def discover(inbox: str, provinces: str) -> tuple[list[FileJob], list[dict]]:
    """Scan the inbox."""
    return discover_inbox(Path(inbox), provinces)


def inputs_fingerprint(staged: list[dict], inbox_issues: list[dict], provinces: str) -> str:
    """What a publication is built from: each file's staged parse (its key covers the bytes,
    path, district, scope and reading rules), the inbox-level issues, and the code."""
    digest = hashlib.sha256()
    for part in sorted(Path(item["staged"]).name for item in staged):
        digest.update(part.encode())
    for issue in sorted(f"{i['code']}\x1f{i['source_file']}" for i in inbox_issues):
        digest.update(issue.encode())
    digest.update(f"{provinces}\x1f{build_fingerprint()}".encode())
    return digest.hexdigest()[:32]


def _unchanged(previous: dict[str, pa.Table] | None, inputs: str, export_dir: Path) -> bool:
    """True when the published plan was built from exactly these inputs and is all there."""
    if previous is None or not previous["publications"].num_rows or not export_dir.exists():
        return False
    publications = previous["publications"].to_pandas()
    latest = publications.sort_values("published_at").iloc[-1]
    return latest["inputs_fingerprint"] == inputs


def publish_staged(
    staged: list[dict],
    inbox_issues: list[dict],
    db: str,
    export: str,
    loaded_at: datetime,
    log: logging.Logger | logging.LoggerAdapter = _log,
    provinces: str = CHAI_NAT,
) -> dict:
    """Consolidate, build the database and export aside, swap both in; returns the summary.
    The caller holds the run lock."""
    db_path, export_dir = Path(db), Path(export)
    files_parsed = sum(not s["reused"] for s in staged)
    inputs = inputs_fingerprint(staged, inbox_issues, provinces)
    previous = read_previous(db_path)
    if _unchanged(previous, inputs, export_dir):
        log.info("nothing changed since the last publication: %s kept", db)
        summary = run_summary(db_path)
        summary.update(files_parsed=0, files_reused=len(staged), unchanged=True)
        summary["quality_report"] = str(export_dir / QUALITY_FOLDER / "quality_report.html")
        return summary
    tables = build_tables(
        staged, inbox_issues, loaded_at, previous, files_parsed, provinces, inputs
    )
    counts = tables["submissions"].to_pandas()
    if counts.loc[counts["status"] == "current", "n_rows_read"].sum() == 0:
        raise PublishError("no readable row in any file of the inbox: nothing to publish")
    publish(tables, db_path, export_dir, version=loaded_at.strftime("%Y%m%dT%H%M%S%fZ"))
    log.info("published %s and %s (%d projects)", db, export, tables["projects"].num_rows)
    summary = run_summary(db_path)
    summary.update(files_parsed=files_parsed, files_reused=len(staged) - files_parsed)
    summary["unchanged"] = False
    summary["quality_report"] = str(export_dir / QUALITY_FOLDER / "quality_report.html")
    return summary


@task(cache_policy=NO_CACHE)
def publish_plan(
    staged: list[dict],
    inbox_issues: list[dict],
    db: str,
    export: str,
    loaded_at: datetime,
    provinces: str,
) -> dict:
    """Consolidate, build the database and export aside, swap both in; returns the summary."""
    return publish_staged(staged, inbox_issues, db, export, loaded_at, get_run_logger(), provinces)


def _start(inbox: str, db: str, staging: str | None) -> tuple[str, datetime]:
    if not Path(inbox).is_dir():
        raise PublishError(f"inbox {inbox} does not exist or is not a folder")
    return staging or str(Path(db).resolve().parent / "staging"), datetime.now(UTC)


def _remove_leftovers(db: str, export: str, staging: str, log) -> None:
    for path in remove_stale_builds(Path(db), Path(export), Path(staging)):
        log.warning("removed %s left by an interrupted run", path)


def _require_files(jobs: list[FileJob], inbox: str) -> None:
    if not jobs:
        raise PublishError(f"no plan file (.xlsx .xls .ods .csv) under {inbox}")


@flow(name="oneplan-nightly", log_prints=True)
def oneplan_flow(
    inbox: str = str(DEFAULT_INBOX),
    db: str = str(DEFAULT_DB),
    export: str = str(DEFAULT_EXPORT),
    staging: str | None = None,
    provinces: str = CHAI_NAT,
) -> dict:
    """Build the provincial One Plan from the inbox: parse, consolidate, publish, export.

    `provinces` is the scope of the official areas: Chai Nat ("18") by default, several
    codes ("18,17") or "all" for a regional or national plan."""
    staging_dir, loaded_at = _start(inbox, db, staging)
    with run_lock(Path(db)):
        _remove_leftovers(db, export, staging_dir, get_run_logger())
        jobs, inbox_issues = discover(inbox, provinces)
        _require_files(jobs, inbox)
        futures = parse_file.map(jobs, staging_dir=unmapped(staging_dir))
        staged = [f.result() for f in futures]
        summary = publish_plan(staged, inbox_issues, db, export, loaded_at, provinces)
    create_markdown_artifact(
        key="oneplan-run-summary",
        markdown=summary_markdown(summary),
        description="Per-district files, projects, rejected rows and budget per fiscal year",
    )
    create_markdown_artifact(
        key="oneplan-quality-report",
        markdown=quality_report_markdown(Path(db)),
        description="Per district: files, rows by outcome, issues by severity and code, "
        "tambons missing",
    )
    return summary


RUNNERS = ("local", "process", "dask")


def make_task_runner(runner: str = "local", dask_address: str | None = None):
    """The Prefect task runner for the per-file parse tasks.

    local: threads in this process; process: one worker process per core (parsing is
    CPU-bound Python, so this is the fast choice on one machine); dask: a Dask cluster,
    the one at `dask_address` or a local one with a worker per core. Whatever the runner,
    the load task writes DuckDB from this process alone.
    """
    workers = os.cpu_count() or 1
    if runner == "local":
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=workers)
    if runner == "process":
        from prefect.task_runners import ProcessPoolTaskRunner

        return ProcessPoolTaskRunner(max_workers=workers)
    if runner == "dask":
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(
            cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True}
        )
    raise ValueError(f"unknown runner {runner!r}: choose one of {', '.join(RUNNERS)}")


def run_plan(
    inbox: str | Path,
    db: str | Path,
    export: str | Path,
    staging: str | None = None,
    provinces: str = CHAI_NAT,
) -> dict:
    """The flow's steps in this process without Prefect (for tests and benchmarks that
    must not pay the Prefect start-up); the nightly run uses `oneplan_flow`."""
    inbox, db, export = str(inbox), str(db), str(export)
    staging_dir, loaded_at = _start(inbox, db, staging)
    with run_lock(Path(db)):
        _remove_leftovers(db, export, staging_dir, _log)
        jobs, inbox_issues = discover_inbox(Path(inbox), provinces)
        _require_files(jobs, inbox)
        staged = [stage_file(job, staging_dir) for job in jobs]
        return publish_staged(staged, inbox_issues, db, export, loaded_at, _log, provinces)
