"""`oneplan`: the command line.

oneplan run [--inbox DIR] [--db FILE] [--export DIR]   build and publish the One Plan
oneplan sample [--out DIR]                              (re)write the bundled sample inbox
oneplan dictionary                                      print the data dictionary (Markdown)
oneplan check FILE... [--district D] [--lang th|en] [--annotate OUT.xlsx]
                                                        check plan files before sending them
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "60",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    # The temporary server's own shutdown chatter (a recorder cancelled mid-flush) is noise.
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
}


def _quiet_expected_failures(expected: tuple[type[BaseException], ...]) -> None:
    """Keep Prefect's console log from printing a traceback for a run that could not publish
    for a known reason: the CLI prints that reason in one line, and the flow run's state in
    Prefect still carries it."""

    class _DropExpected(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return not (record.exc_info and isinstance(record.exc_info[1], expected))

    for name in ("prefect.flow_runs", "prefect.task_runs"):
        logging.getLogger(name).addFilter(_DropExpected())


def _shared_temporary_server():
    """With no Prefect server configured, start one temporary server for this run and point
    PREFECT_API_URL at it, so process and Dask workers report to it instead of each starting
    a server of their own. None when a server is already configured."""
    if os.environ.get("PREFECT_API_URL"):
        return None
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        return None
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start()
    os.environ["PREFECT_API_URL"] = server.api_url
    return server


def _run(args: argparse.Namespace) -> int:
    inbox = Path(args.inbox)
    if not inbox.is_dir():
        print(f"oneplan run: inbox {inbox} does not exist or is not a folder", file=sys.stderr)
        return 2
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
    from oneplan.flows.errors import PublishError
    from oneplan.flows.oneplan_flow import make_task_runner, oneplan_flow
    from oneplan.flows.summary import summary_text

    _quiet_expected_failures((PublishError, OSError))
    print(f"oneplan: reading {inbox} ({args.runner} runner) ...", flush=True)
    flow = oneplan_flow.with_options(task_runner=make_task_runner(args.runner, args.dask_address))
    server = _shared_temporary_server()
    try:
        summary = flow(
            inbox=str(inbox), db=str(args.db), export=str(args.export), provinces=args.provinces
        )
    except (PublishError, OSError) as err:
        print(f"oneplan run: not published: {err}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            server.stop()
    print(summary_text(summary))
    if summary.get("unchanged"):
        print(f"\nNothing changed since the last publication: {args.db} and {args.export}/ kept.")
    else:
        print(
            f"\nPublished {args.db} and Parquet in {args.export}/ "
            f"({summary['files_parsed']} file(s) parsed, {summary['files_reused']} unchanged)."
        )
    print(f"Quality report (per district, in Thai): {summary['quality_report']}")
    if summary["rejected_rows"]:
        print("Rejected rows: select * from rejected_rows; every issue: select * from data_issues;")
    return 0


def _sample(args: argparse.Namespace) -> int:
    from oneplan.sample.generator import write_sample

    manifest = write_sample(Path(args.out))
    n_projects = sum(d["n_projects"] for d in manifest["districts"].values())
    print(f"wrote sample to {args.out}: {n_projects} projects")
    return 0


def _status(args: argparse.Namespace) -> int:
    from oneplan.flows.status import status_report

    db = Path(args.db)
    if not db.exists():
        print(
            f"oneplan status: {db} does not exist: nothing has been published yet", file=sys.stderr
        )
        return 1
    print(status_report(db))
    return 0


def _sql(args: argparse.Namespace) -> int:
    from oneplan.flows.db import connect_sandboxed

    db = Path(args.db)
    if not db.exists():
        print(f"oneplan sql: {db} does not exist: run `oneplan run` first", file=sys.stderr)
        return 1
    query = Path(args.query).read_text() if args.query.endswith(".sql") else args.query
    con = connect_sandboxed(db)
    try:
        print(str(con.sql(query)), end="")
    except Exception as err:  # a mistyped query gets DuckDB's message, not a traceback
        print(f"oneplan sql: {err}", file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0


def _dictionary(args: argparse.Namespace) -> int:
    from oneplan.transforms.schema import data_dictionary_markdown

    print(data_dictionary_markdown())
    return 0


def _check(args: argparse.Namespace) -> int:
    from oneplan.flows.check import run_check

    return run_check(args)


def _serve(args: argparse.Namespace) -> int:
    from oneplan.flows.serve import ServeError, serve

    try:
        serve(args.inbox, args.db, args.export, cron=args.cron, timezone=args.timezone)
    except ServeError as err:
        print(f"oneplan serve: {err}", file=sys.stderr)
        return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    from oneplan.flows.defaults import DEFAULT_DB, DEFAULT_EXPORT, DEFAULT_INBOX, ROOT

    parser = argparse.ArgumentParser(
        prog="oneplan", description="Chai Nat provincial One Plan pipeline"
    )
    from oneplan import __version__

    parser.add_argument("--version", action="version", version=f"oneplan {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="build and publish the One Plan (Prefect flow)")
    run.add_argument(
        "--inbox", default=DEFAULT_INBOX, help="folder with one sub-folder per district"
    )
    run.add_argument("--db", default=DEFAULT_DB, help="DuckDB file to publish")
    run.add_argument("--export", default=DEFAULT_EXPORT, help="folder for the Parquet export")
    run.add_argument(
        "--runner",
        choices=("local", "process", "dask"),
        default="local",
        help="where the per-file parse tasks run: threads here (default), one process per "
        "core, or a Dask cluster",
    )
    run.add_argument("--dask-address", help="scheduler address of an existing Dask cluster")
    run.add_argument(
        "--provinces",
        default="18",
        help="official areas in scope: a province code (default 18, Chai Nat), codes "
        "separated by commas, or all",
    )
    run.set_defaults(func=_run)
    sample = sub.add_parser("sample", help="write the deterministic sample inbox")
    sample.add_argument("--out", default=ROOT / "data" / "sample")
    sample.set_defaults(func=_sample)
    status = sub.add_parser("status", help="when the plan was last published and what changed")
    status.add_argument("--db", default=DEFAULT_DB, help="published DuckDB file")
    status.set_defaults(func=_status)
    sql = sub.add_parser(
        "sql",
        help="run a read-only query (text or a .sql file) and print it",
        description="Run one query against the published database, read-only and sandboxed: "
        "external access is off and the configuration locked, so a query cannot COPY to a "
        "file, ATTACH another database or read any file but the database itself.",
    )
    sql.add_argument("query", help="SQL text, or the path of a .sql file")
    sql.add_argument("--db", default=DEFAULT_DB, help="published DuckDB file")
    sql.set_defaults(func=_sql)
    dictionary = sub.add_parser("dictionary", help="print the data dictionary")
    dictionary.set_defaults(func=_dictionary)
    check = sub.add_parser(
        "check",
        help="check plan files as the nightly run reads them (exit 0 ok, 1 errors, 2 unreadable)",
    )
    check.add_argument("files", nargs="+", metavar="FILE", help="plan file(s) of one district")
    check.add_argument("--district", help="district code or name (default: the file's folder name)")
    check.add_argument("--lang", choices=("th", "en"), default="th", help="report language")
    check.add_argument(
        "--annotate", metavar="OUT.xlsx", help="write a copy with problem cells marked"
    )
    check.set_defaults(func=_check)
    serve = sub.add_parser(
        "serve", help="serve the nightly deployment on a Prefect server (PREFECT_API_URL)"
    )
    serve.add_argument("--inbox", default=DEFAULT_INBOX, help="default inbox of the runs")
    serve.add_argument("--db", default=DEFAULT_DB, help="default DuckDB file of the runs")
    serve.add_argument("--export", default=DEFAULT_EXPORT, help="default Parquet export folder")
    serve.add_argument("--cron", default="0 2 * * *", help="schedule (default: 0 2 * * *)")
    serve.add_argument("--timezone", default="Asia/Bangkok", help="time zone of the schedule")
    serve.set_defaults(func=_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    if argv is None and hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `oneplan status | head` ends quietly
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
