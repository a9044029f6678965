"""The steps of a run, in order, shared by the Prefect flow and the Prefect-free `run_plan`:

    discover -> parse (per file) -> consolidate -> assemble publication -> build database
    -> checks -> export -> swap

Each step is a plain function of the run and the previous steps' results. `run_steps` is the
one list of them; a `Steps` runner calls each step directly (`run_plan`) or as a Prefect task
(the flow), timing it and reporting progress.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from oneplan.flows import progress, publish
from oneplan.flows.cache import consolidate_districts, frames_for_combine, submission_ids
from oneplan.flows.config import link_decisions_path, run_settings
from oneplan.flows.errors import PublishError
from oneplan.flows.export import published_version, remove_stale_builds
from oneplan.flows.levels import (
    DecisionsFile,
    decision_records,
    link_levels,
    plans_of,
    read_link_decisions,
)
from oneplan.flows.lock import run_lock
from oneplan.flows.money import district_money_falls
from oneplan.flows.parallel import map_files, parse_workers
from oneplan.flows.paths import check_run_paths, mark_staging
from oneplan.flows.recover import read_previous_or_recover, recovered_issue
from oneplan.flows.reference import build_fingerprint, load_areas, load_rules, rules_fingerprint
from oneplan.flows.stage import (
    FileJob,
    discover_inbox,
    keep_previous_versions,
    read_staged_verified,
    stage_file,
    stage_key,
    staged_already,
)
from oneplan.flows.summary import run_summary
from oneplan.transforms import schema
from oneplan.transforms.consolidate import Consolidated, combine_parts, project_measures
from oneplan.transforms.issues import with_messages
from oneplan.transforms.levels import place_rows
from oneplan.transforms.outputs import inert_line
from oneplan.transforms.publication import (
    assemble_publication,
    has_readable_row,
    inputs_fingerprint,
    is_unchanged,
)

_log = logging.getLogger("oneplan")
VERSION_FORMAT = "%Y%m%dT%H%M%S%fZ"  # an export version folder's name: its run's start, UTC


@dataclass(frozen=True)
class Run:
    """What one run works on, fixed when it starts."""

    inbox: Path
    db: Path
    export: Path
    staging: Path
    provinces: str
    loaded_at: datetime
    log: logging.Logger | logging.LoggerAdapter = _log
    quiet_seconds: float = 0.0  # see flows.config DEFAULT_QUIET_SECONDS

    @property
    def version(self) -> str:
        return self.loaded_at.strftime(VERSION_FORMAT)


def start_run(inbox, db, export, staging, provinces, log=_log) -> Run:
    """The run's paths and start time. Every path is checked before anything is written
    (flows.paths): overlapping places or an export that is not ours are refused."""
    paths = check_run_paths(inbox, db, export, staging)
    quiet_seconds, _ = run_settings(paths.db)
    return Run(
        paths.inbox,
        paths.db,
        paths.export,
        paths.staging,
        provinces,
        datetime.now(UTC),
        log,
        quiet_seconds,
    )


def step_counts(out: object) -> str:
    """What a step produced, counted, for the run's log: files found, rows consolidated,
    tables assembled. Empty for steps that produce a path (never the version folder's name:
    the log names the paths a user knows)."""
    if isinstance(out, tuple) and len(out) == 2 and isinstance(out[0], list):
        return f"{len(out[0])} plan file(s), {len(out[1])} inbox issue(s)"
    if isinstance(out, tuple) and out and isinstance(out[0], Consolidated):
        c = out[0]
        return (
            f"{len(c.projects)} project(s), {len(c.rejected)} rejected row(s), "
            f"{len(c.issues)} issue(s), {len(out[1])} link(s)"
        )
    if isinstance(out, dict) and "projects" in out and isinstance(out["projects"], pa.Table):
        return ", ".join(
            f"{out[name].num_rows} {name}"
            for name in ("projects", "project_budgets", "rejected_rows", "data_issues")
            if name in out
        )
    return ""


class Steps:
    """Runs each step as a plain call, timing it."""

    def step(self, name: str, fn: Callable, *args):
        started = time.perf_counter()
        out = self.call(fn, *args)
        progress.current().stage_done(name, time.perf_counter() - started, step_counts(out))
        return out

    def call(self, fn: Callable, *args):
        return fn(*args)

    def each(self, fn: Callable, items: list, *args) -> list:
        """The parse step: `fn(item, *args)` for every file, in order, with progress reported
        per file done. Files whose parse is staged already are answered without work; the
        others are parsed on both cores when there are a few (flows/parallel.py)."""
        reporter = progress.current()
        reporter.start_files(len(items))
        started = time.perf_counter()
        out = self.parse_files(fn, items, args, reporter.file_done)
        reused = sum(bool(item.get("reused")) for item in out)
        detail = f"{len(out)} file(s): {len(out) - reused} read, {reused} unchanged"
        reporter.stage_done("parse", time.perf_counter() - started, detail)
        return out

    def parse_files(self, fn: Callable, items: list, args: tuple, on_done: Callable) -> list:
        """Files whose parse is staged already answered without work, the others parsed by
        `parse_new`; in input order."""
        assert fn is parse, "only the parse step runs per item"
        staged = [staged_already(job, *args) for job in items]
        for item in staged:
            if item is not None:
                on_done(item)
        todo = [i for i, item in enumerate(staged) if item is None]
        if todo:
            parsed = self.parse_new(fn, [items[i] for i in todo], args, on_done)
            for i, item in zip(todo, parsed, strict=True):
                staged[i] = item
        return staged

    def parse_new(self, fn: Callable, items: list, args: tuple, on_done: Callable) -> list:
        return map_files(stage_file, items, args, on_done, parse_workers(items))


# ---- the steps -------------------------------------------------------------------------


def discover(run: Run) -> tuple[list[FileJob], list[dict]]:
    """Every plan file of the inbox, and the inbox-level issues; refuses an inbox with none."""
    jobs, inbox_issues = discover_inbox(
        run.inbox, run.provinces, run.quiet_seconds, run.loaded_at.timestamp()
    )
    if not jobs:
        raise PublishError(f"no plan file (.xlsx .xls .ods .csv) under {run.inbox}")
    return jobs, inbox_issues


def parse(job: FileJob, staging: str) -> dict:
    """Parse one file into its staged tables (skipped when an identical parse is staged)."""
    return stage_file(job, staging)


def read_staged(staged: list[dict]) -> dict[str, pa.Table]:
    """Every staged table kind of all files: each file's one staged file read once (its
    tables as Arrow IPC streams, no decoding), the kinds concatenated over files in order."""
    parts: dict[str, list[pa.Table]] = {kind: [] for kind in schema.STAGED_TABLES}
    for item in staged:
        for kind, table in read_staged_checked(item).items():
            if table.num_rows:
                parts[kind].append(table)
    tables = {}
    for kind, spec in schema.STAGED_TABLES.items():
        full = schema.staged_arrow_schema(spec)
        tables[kind] = pa.concat_tables(parts[kind]) if parts[kind] else full.empty_table()
    return tables


def read_staged_checked(item: dict) -> dict[str, pa.Table]:
    """One file's staged tables, checked against the hashes written with them; a staged
    parse that is gone, unreadable or not as written (edited on disk) is parsed again from
    the file, never trusted, never the end of the run."""
    target = Path(item["staged"])
    try:
        return read_staged_verified(target)
    except (OSError, ValueError) as err:
        _log.warning(
            "staged parse %s not as written (%s): parsing %s again",
            target.name,
            err,
            inert_line(item["job"]["source_file"]),
        )
    job = FileJob(**item["job"])
    if stage_key(job) != target.name:  # not this job's own parse (a previous version)
        raise PublishError(f"staged parse {target.name} of {job.source_file} is not as written")
    shutil.rmtree(target, ignore_errors=True)
    again = stage_file(job, str(target.parent))
    if again.get("staged") is None:
        raise PublishError(f"{job.source_file} changed while its staged parse was repaired")
    return read_staged_verified(Path(again["staged"]))


def consolidate(
    run: Run,
    staged: list[dict],
    previous_submissions: pa.Table | None = None,
    decisions: DecisionsFile | None = None,
) -> tuple[tuple[Consolidated, pd.DataFrame], list[dict], list[dict]]:
    """All staged rows of every district into publishable rows (duplicates counted once),
    each placed at its plan's level and linked across levels (money counted once). Each
    district's consolidation is cached in the staging folder (flows.cache): one changed file
    consolidates its district again.

    A district whose consolidation fails is that district's failure: its files are replaced
    by their previously published versions (a `processing_failed` issue each) and it is
    consolidated again; if that fails too, its files are left out. Returns the consolidated
    rows and links, the staged files published, and the issues."""
    areas = load_areas(run.provinces)
    issues: list[dict] = []
    for previous in (previous_submissions, None):  # their previous versions, then without
        failures: list = []
        linked = consolidate_levels(staged, areas, run.staging, decisions, failures)
        if not failures:
            return linked, staged, issues
        error = {id(item): err for items, err in failures for item in items}
        marked = [
            {**item, "failed": error[id(item)]} if id(item) in error else item for item in staged
        ]
        dropped = {FileJob(**item["job"]).submission_id for item in staged if id(item) in error}
        for issue in issues:  # a previous version kept above and failing again: left out
            if issue.get("submission_id") in dropped:
                issue["submission_id"] = None
        staged, held = keep_previous_versions(marked, previous)
        issues += held
    return consolidate_levels(staged, areas, run.staging, decisions), staged, issues


def consolidate_levels(
    staged: list[dict],
    areas: pd.DataFrame,
    staging: Path | None = None,
    decisions: DecisionsFile | None = None,
    failures: list | None = None,
) -> tuple[Consolidated, pd.DataFrame]:
    """Consolidated district by district (cached in `staging` when given; with `failures`,
    a district that fails is left out and listed there, see flows.cache), then linked
    across levels over all districts."""
    tambon_names = dict(zip(areas["tambon_code"], areas["tambon_name_th"], strict=True))
    rules = load_rules()
    tables = read_staged(staged)
    part = consolidate_districts(staged, tables, tambon_names, rules, staging, failures)
    consolidated = combine_parts([part], frames_for_combine(tables), submission_ids(staged))
    places = place_rows(areas)
    place_names = dict(zip(places["tambon_code"], places["tambon_name_th"], strict=True))
    linked, links = link_levels(consolidated, rules, place_names, decisions)
    measures = project_measures(tables["measures"].to_pandas(), linked.projects)
    return replace(linked, measures=measures), links


def files_of(staged: list[dict]) -> list[dict]:
    """The submission record of each staged file, with its plan level."""
    plans = plans_of(staged)
    out = []
    for s in staged:
        submission_id = FileJob(**s["job"]).submission_id
        plan_level = plans[submission_id].plan_level
        out.append({"submission_id": submission_id, **s["job"], "plan_level": plan_level})
    return out


def assemble(
    run: Run,
    staged: list[dict],
    linked: tuple[Consolidated, pd.DataFrame],
    inbox_issues: list[dict],
    previous: dict[str, pa.Table] | None,
    inputs: str,
    decisions: DecisionsFile | None = None,
) -> dict[str, pa.Table]:
    """The published tables, with the history carried on; refuses a plan with no row read."""
    tables = publication_tables(
        staged,
        linked,
        inbox_issues,
        place_rows(load_areas(run.provinces)),
        run.loaded_at,
        previous,
        files_parsed=sum(not s["reused"] for s in staged),
        inputs=inputs,
        decisions=decisions,
    )
    if not has_readable_row(tables):
        raise PublishError("no readable row in any file of the inbox: nothing to publish")
    falls = district_money_falls(previous, tables, run_settings(run.db)[1])
    if falls:  # published, with a warning per district the committee must see
        for issue in falls:
            run.log.warning(
                "district %s: accepted money %s", issue["source_file"], issue["raw_value"]
            )
        tables = publication_tables(
            staged,
            linked,
            [*inbox_issues, *falls],
            place_rows(load_areas(run.provinces)),
            run.loaded_at,
            previous,
            files_parsed=sum(not s["reused"] for s in staged),
            inputs=inputs,
        )
    return tables


def publication_tables(
    staged: list[dict],
    linked: tuple[Consolidated, pd.DataFrame],
    inbox_issues: list[dict],
    places: pd.DataFrame,
    loaded_at: datetime,
    previous: dict[str, pa.Table] | None,
    *,
    files_parsed: int,
    inputs: str,
    decisions: DecisionsFile | None = None,
) -> dict[str, pa.Table]:
    """Every published table of the consolidated rows. Each issue's messages are rendered
    from its record here, the one place the published messages are made."""
    consolidated, links = linked
    rules = load_rules()
    consolidated = replace(consolidated, issues=with_messages(consolidated.issues, rules))
    return assemble_publication(
        consolidated,
        files_of(staged),
        with_messages(pd.DataFrame(inbox_issues), rules).to_dict("records"),
        places,
        loaded_at,
        previous,
        files_parsed=files_parsed,
        rules_fingerprint=rules_fingerprint(),
        inputs_fingerprint=inputs,
        links=links,
        decision_records=decision_records(decisions, consolidated.projects),
    )


def build(run: Run, tables: dict[str, pa.Table]) -> Path:
    """The new database, beside the published one (untouched until the swap)."""
    return publish.build(tables, run.db)


def check(built: Path) -> None:
    """The data checks of sql/checks on the new database; an offending row refuses it."""
    publish.check(built)


def sources_of(staged: list[dict]) -> dict[str, Path]:
    """Each current file's path in the inbox by its source_file (for the annotated copies)."""
    return {s["job"]["source_file"]: Path(s["job"]["path"]) for s in staged}


def export(run: Run, built: Path, sources: dict[str, Path] | None = None) -> Path:
    """The Parquet export, quality report, workbook, CSV and district packs of the new
    database, in a new version folder."""
    return publish.export(built, run.db, run.export, run.version, sources)


def swap(run: Run, built: Path, target: Path) -> None:
    """Publish: the database and the export swapped in, one rename each."""
    publish.swap(built, run.db, run.export, target)


# ---- the list ----------------------------------------------------------------------------


def run_steps(run: Run, steps: Steps) -> dict:
    """The run, step by step, under the run lock; returns the run summary.

    Until the swap the published database and export are untouched, so a run that fails or
    is killed at any step leaves the previous publication whole."""
    with run_lock(run.db, run.staging, run.export):
        mark_staging(run.staging)
        for path in remove_stale_builds(run.db, run.export, run.staging):
            run.log.warning("removed %s left by an interrupted run", path)
        jobs, inbox_issues = steps.step("discover", discover, run)
        staged = steps.each(parse, jobs, str(run.staging))
        previous, moved = read_previous_or_recover(run.db, run.log)
        staged, held = keep_previous_versions(staged, previous and previous["submissions"])
        inbox_issues = [*inbox_issues, *held]
        if moved:
            inbox_issues.append(recovered_issue(run.db, moved))
        decisions = read_link_decisions(link_decisions_path(run.inbox, run.db))
        inputs = inputs_fingerprint(
            [Path(s["staged"]).name for s in staged],
            inbox_issues,
            f"{run.provinces}\x1f{build_fingerprint()}\x1f{decisions.digest}",
        )
        if is_unchanged(previous, inputs) and export_is_of(run.export, previous):
            run.log.info(
                "nothing changed since the last publication: %s and %s kept", run.db, run.export
            )
            return summarize(run, staged, unchanged=True)
        linked, staged, failed = steps.step(
            "consolidate",
            consolidate,
            run,
            staged,
            previous and previous["submissions"],
            decisions,
        )
        inbox_issues = [*inbox_issues, *failed]
        tables = steps.step(
            "assemble", assemble, run, staged, linked, inbox_issues, previous, inputs, decisions
        )
        built = publish.building_path(run.db)
        try:
            steps.step("build", build, run, tables)
            steps.step("checks", check, built)
            target = steps.step("export", export, run, built, sources_of(staged))
            steps.step("swap", swap, run, built, target)
        except BaseException:
            publish.discard(built)
            raise
        run.log.info(
            "published %s and %s (%d projects)", run.db, run.export, tables["projects"].num_rows
        )
        return summarize(run, staged, unchanged=False)


def export_is_of(export: Path, previous: dict[str, pa.Table] | None) -> bool:
    """True when the export points at the version built with the latest previous
    publication (the version folder is named after its run's start, as `Run.version`).

    A run killed between the database rename and the export swap leaves the new database
    beside the old export: that is not "unchanged", and the next run publishes again."""
    if previous is None or not previous["publications"].num_rows:
        return False
    version = published_version(export)
    moment = pc.max(previous["publications"]["published_at"]).as_py()
    if version is None or moment is None:
        return False
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return version.name == moment.strftime(VERSION_FORMAT)


def summarize(run: Run, staged: list[dict], unchanged: bool) -> dict:
    """The run summary of the published database; logs one line per file and a warning per
    district with errors."""
    files_parsed = 0 if unchanged else sum(not s["reused"] for s in staged)
    summary = run_summary(run.db)
    log_outcomes(run, summary)
    summary.update(files_parsed=files_parsed, files_reused=len(staged) - files_parsed)
    summary["unchanged"] = unchanged
    summary["outputs"] = publish.published_outputs(run.db, run.export)
    summary["quality_report"] = summary["outputs"]["quality_report"]
    return summary


def log_outcomes(run: Run, summary: dict) -> None:
    """One log line per current file (rows by outcome, issues by severity), then a warning
    per district whose files have errors, and one for files and folders not read."""
    errors: dict[str, list[int]] = {}
    for f in summary["file_outcomes"]:
        run.log.info(
            "%s: %d accepted, %d rejected, %d skipped; %d error(s), %d warning(s), %d info",
            inert_line(f["source_file"]),
            f["n_rows_accepted"],
            f["n_rows_rejected"],
            f["n_rows_skipped"],
            f["n_errors"],
            f["n_warnings"],
            f["n_infos"],
        )
        if f["n_errors"]:
            errors.setdefault(
                inert_line(f"{f['district_code']} {f['district_name_th']}"), []
            ).append(f["n_errors"])
    for district, counts in errors.items():
        run.log.warning(
            "district %s: %d error(s) in %d file(s): see the quality report",
            district,
            sum(counts),
            len(counts),
        )
    if summary["inbox_issues"]:
        run.log.warning(
            "%d issue(s) with files or folders of the inbox that were not read: "
            "see data_issues where submission_id is null",
            summary["inbox_issues"],
        )
