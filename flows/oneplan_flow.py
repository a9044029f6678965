"""The nightly One Plan flow: the steps of flows/steps.py, each a Prefect task (the parse one
task for every file not staged yet, parsed on both cores; one task per file on a process or
Dask task runner), and `run_plan`, the same steps without Prefect."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from oneplan.flows import progress
from oneplan.flows.config import flow_paths
from oneplan.flows.config import resolve as resolve_config
from oneplan.flows.errors import PublishError
from oneplan.flows.parallel import map_files, parse_workers
from oneplan.flows.paths import check_database_file, check_outside_published, check_run_paths
from oneplan.flows.report import quality_report_markdown
from oneplan.flows.runs import record_run, state_reason
from oneplan.flows.stage import stage_file
from oneplan.flows.steps import Steps, parse, run_steps, start_run
from oneplan.flows.summary import summary_markdown
from oneplan.transforms.areas import CHAI_NAT
from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed

__all__ = ["make_task_runner", "oneplan_flow", "run_plan"]


def _io_error(task, task_run, state) -> bool:
    """Retry only when the failure was I/O (a flaky share), never a bad-data error."""
    try:
        state.result()
    except OSError:
        return True
    except Exception:
        return False
    return False


parse_file = task(  # one file: on process and Dask task runners
    parse,
    name="parse",
    retries=2,
    retry_delay_seconds=2,
    retry_condition_fn=_io_error,
    cache_policy=NO_CACHE,
    task_run_name="parse {job.source_file}",
)


def parse_batch(jobs: list, staging: str) -> list[dict]:
    """Parse files not staged yet, on both cores (flows/parallel.py), in their order."""
    return map_files(
        stage_file, jobs, (staging,), progress.current().file_done, parse_workers(jobs)
    )


parse_files = task(
    parse_batch,
    name="parse",
    retries=2,
    retry_delay_seconds=2,
    retry_condition_fn=_io_error,
    cache_policy=NO_CACHE,
    task_run_name="parse files",
)


class PrefectSteps(Steps):
    """Each step a Prefect task. The parse is one task for the files not staged yet, which
    parses them on both cores (flows/parallel.py), when the flow runs on the local task
    runner; on a process or Dask runner, one task per file, mapped over the runner's
    workers. Files already staged are reused without a task (an unchanged night pays for no
    task runs, which cost ~0.1 s each against a real server)."""

    def __init__(self, per_file: bool = False) -> None:
        self.tasks: dict[Callable, object] = {}
        self.per_file = per_file

    def call(self, fn: Callable, *args):
        if fn not in self.tasks:
            self.tasks[fn] = task(fn, name=fn.__name__, cache_policy=NO_CACHE)
        return self.tasks[fn](*args)

    def parse_new(self, fn: Callable, items: list, args: tuple, on_done: Callable) -> list:
        if not self.per_file:
            return parse_files(items, args[0])  # reports each file as it is done
        futures = parse_file.map(items, staging=unmapped(args[0]))
        for future in as_completed(futures):
            on_done(future.result())
        return [future.result() for future in futures]  # in inbox order


def parses_per_file() -> bool:
    """One parse task per file on a process or Dask task runner (the files spread over its
    workers); else (the local thread runner) one parse task that uses both cores itself."""
    from prefect.context import FlowRunContext
    from prefect.task_runners import ThreadPoolTaskRunner

    context = FlowRunContext.get()
    return context is not None and not isinstance(context.task_runner, ThreadPoolTaskRunner)


@contextlib.contextmanager
def quiet_task_logs() -> Iterator[None]:
    """Keep Prefect's "Finished in state Completed()" line per task out of the flow run's
    log: the flow logs one line per file and a warning per district with errors instead.
    Warnings and errors of tasks still get through."""
    logger = logging.getLogger("prefect.task_runs")
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)


def _deployment_context() -> tuple[bool, tuple[dict, ...]]:
    """Whether this flow run was started by a deployment, and the job variables the API gave
    it and its deployment (see config.check_job_variables)."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    flow_run = context.flow_run if context is not None else None
    if flow_run is None or flow_run.deployment_id is None:
        return False, ()
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment(flow_run.deployment_id)
    return True, (flow_run.job_variables or {}, deployment.job_variables or {})


def _record_outcome(flow, flow_run, state) -> None:
    """Flow hook: append the run's outcome beside the database (see flows/runs.py), so a
    failed night shows in `oneplan status` although it published nothing."""
    try:
        paths = flow_paths(flow_run.parameters or {}, deployed=flow_run.deployment_id is not None)
        # A refused run writes nothing where it was pointed (a --db inside the inbox, or a
        # file that is not ours): only the configured database's log may record it.
        check_run_paths(paths["inbox"], paths["db"], paths["export"], paths["staging"])
    except PublishError:
        # Refused (e.g. parameters outside the roots): record it beside the configured
        # database if there is one; else only the Prefect state carries the reason.
        try:
            paths = {"db": resolve_config({})["db"].value}
            if paths["db"] is None:
                return
            check_database_file(Path(paths["db"]))
            check_outside_published("database", Path(paths["db"]))
        except PublishError:
            return
    details = {"flow_run_id": str(flow_run.id)}
    if state.is_completed():
        summary = state.result(raise_on_failure=False)
        unchanged = isinstance(summary, dict) and summary.get("unchanged")
        status = "unchanged" if unchanged else "published"
        reason = ""
    else:
        status, reason = "failed", state_reason(state)
    try:
        record_run(paths["db"], status, flow_run.start_time, reason=reason, **details)
    except OSError as err:
        get_run_logger().warning("could not record the run beside %s: %s", paths["db"], err)


@flow(
    name="oneplan-nightly",
    log_prints=True,
    on_completion=[_record_outcome],
    on_failure=[_record_outcome],
    on_crashed=[_record_outcome],
)
def oneplan_flow(
    inbox: str | None = None,
    db: str | None = None,
    export: str | None = None,
    staging: str | None = None,
    provinces: str | None = None,
) -> dict:
    """Build the provincial One Plan from the inbox: discover, parse, consolidate, assemble,
    build, check, export, swap (flows/steps.py).

    Paths not given come from the environment (ONEPLAN_*) or oneplan.toml; run by a
    deployment, they must be configured there and parameters must stay inside them (see
    flows/config.py). `provinces` is the scope of the official areas: Chai Nat ("18") by
    default, several codes ("18,17") or "all" for a regional or national plan."""
    deployed, job_variables = _deployment_context()
    paths = flow_paths(
        {"inbox": inbox, "db": db, "export": export, "staging": staging, "provinces": provinces},
        deployed=deployed,
        job_variables=job_variables,
    )
    inbox, db, export, staging = paths["inbox"], paths["db"], paths["export"], paths["staging"]
    provinces = paths["provinces"] or CHAI_NAT
    log = get_run_logger()
    run = start_run(inbox, db, export, staging, provinces, log)
    log.info("reading %s into %s and %s", run.inbox, run.db, run.export)
    followed = progress.TeeReporter(progress.current(), progress.LogReporter(log))
    with quiet_task_logs(), progress.reporting(followed):
        summary = run_steps(run, PrefectSteps(per_file=parses_per_file()))
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
    """The Prefect task runner of the flow.

    local: threads in this process, the parse one task that uses both cores itself
    (flows/parallel.py); process: one task per file, one worker process per core; dask:
    one task per file on a Dask cluster, the one at `dask_address` or a local one with a
    worker per core. Whatever the runner, the build task writes DuckDB from this process.
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
    return run_steps(start_run(inbox, db, export, staging, provinces), Steps())
