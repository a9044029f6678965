"""`oneplan`: the command line.

oneplan run [--inbox DIR] [--db FILE] [--export DIR]   build and publish the One Plan
oneplan config                                          each setting in force and its source
oneplan status [--lang th|en]                           last publication and last run
oneplan sample [--out DIR]                              (re)write the bundled sample inbox
oneplan dictionary                                      print the data dictionary (Markdown)
oneplan check FILE... [--district D] [--lang th|en] [--annotate OUT.xlsx [--replace]]
                                                        check plan files before sending them
oneplan export --xlsx FILE [--district CODE]            the One Plan workbook of the database

Exit codes of `oneplan run`: 0 published (or nothing changed), 1 not published (the reason in
one line: bad data, a DuckDB error, disk full), 2 bad arguments (no inbox, --db a folder,
unknown --provinces), 143 stopped by SIGTERM (the temporary Prefect server is stopped too).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "60",
    # The flow run's log (one line per file) goes to the Prefect server at INFO; the
    # terminal shows warnings and errors only, beside the progress lines.
    "PREFECT_LOGGING_LEVEL": "INFO",
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING",
    # No "Finished in state Completed()" line per task, in worker processes too.
    "PREFECT_LOGGING_LOGGERS_PREFECT_TASK_RUNS_LEVEL": "WARNING",
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
    """With no Prefect server configured, one temporary server for this run (the caller
    starts it and points PREFECT_API_URL at it, so process and Dask workers report to it
    instead of each starting a server of their own). None when one is configured."""
    if os.environ.get("PREFECT_API_URL"):
        return None
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        return None
    from prefect.server.api.server import SubprocessASGIServer

    return SubprocessASGIServer()  # started by the caller, inside its try/finally


class _Terminated(SystemExit):
    """SIGTERM, raised in the main thread so every `finally` (the server's stop) runs."""


def _terminate(signum, frame):
    raise _Terminated(128 + signum)


def _argument_error(args: argparse.Namespace) -> str | None:
    """Why the arguments of `oneplan run` cannot work, before anything starts."""
    from oneplan.transforms.areas import province_codes

    if not Path(args.inbox).is_dir():
        return f"inbox {args.inbox} does not exist or is not a folder"
    if Path(args.db).is_dir():
        return f"--db {args.db} is a folder, not a DuckDB file"
    from oneplan.flows.errors import PublishError
    from oneplan.flows.paths import check_database_file

    try:
        check_database_file(Path(os.path.abspath(args.db)))
    except PublishError as err:
        return str(err)
    try:
        province_codes(args.provinces)
    except ValueError as err:
        return f"--provinces: {err}"
    return None


def _flush_api_logs() -> None:
    """Send the run's queued log records before the temporary server they go to stops."""
    from prefect.logging.handlers import APILogHandler

    for name in ("prefect.flow_runs", "prefect.task_runs"):
        for handler in logging.getLogger(name).handlers:
            if isinstance(handler, APILogHandler):
                handler.flush()


def _settings(command: str, args: argparse.Namespace, sample: bool):
    """The configuration in force for this command (options > environment > config file >
    defaults), or None after printing the one-line reason."""
    from oneplan.flows.config import KEYS, ConfigError, resolve

    options = {key: getattr(args, key, None) for key in KEYS}
    try:
        return resolve(options, sample=sample)
    except ConfigError as err:
        print(f"oneplan {command}: {err}", file=sys.stderr)
        return None


def _run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    settings = _settings("run", args, sample=True)
    if settings is None:
        return 2
    from oneplan.flows.config import ConfigError, check_sample_scope

    try:
        check_sample_scope(settings)
    except ConfigError as err:
        print(f"oneplan run: {err}", file=sys.stderr)
        return 2
    args.inbox, args.db, args.export = (settings[k].value for k in ("inbox", "db", "export"))
    args.staging, args.provinces = settings["staging"].value, settings["provinces"].value
    inbox = Path(args.inbox)
    problem = _argument_error(args)
    if problem:
        print(f"oneplan run: {problem}", file=sys.stderr)
        return 2
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
    import duckdb
    from oneplan.flows import progress
    from oneplan.flows.errors import PublishError
    from oneplan.flows.oneplan_flow import make_task_runner, oneplan_flow
    from oneplan.flows.summary import summary_text

    expected = (PublishError, OSError, duckdb.Error)
    _quiet_expected_failures(expected)
    print(f"oneplan: reading {inbox} ({args.runner} runner) ...", flush=True)
    flow = oneplan_flow.with_options(task_runner=make_task_runner(args.runner, args.dask_address))
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous_handler = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None
    server = None
    try:
        server = _shared_temporary_server()
        if server is not None:
            server.start()
            os.environ["PREFECT_API_URL"] = server.api_url
            print(
                f"  temporary Prefect server started ({time.perf_counter() - started:.1f} s since "
                "the command began; set PREFECT_API_URL to use a running one)",
                flush=True,
            )
        with progress.reporting(progress.terminal_reporter(sys.stdout)):
            summary = flow(
                inbox=str(inbox),
                db=str(args.db),
                export=str(args.export),
                staging=args.staging,
                provinces=args.provinces,
            )
    except expected as err:
        print(f"oneplan run: not published: {_one_line(err)}", file=sys.stderr)
        return 1
    except _Terminated as stop:
        print("oneplan run: stopped (SIGTERM): nothing published", file=sys.stderr)
        return stop.code
    finally:
        if server is not None:
            _flush_api_logs()
            server.stop()
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous_handler)
    print(summary_text(summary))
    if summary.get("unchanged"):
        print(f"\nNothing changed since the last publication: {args.db} and {args.export}/ kept.")
    else:
        print(
            f"\nPublished {args.db} and Parquet in {args.export}/ "
            f"({summary['files_parsed']} file(s) parsed, {summary['files_reused']} unchanged)."
        )
    print(outputs_text(summary["outputs"]))
    if summary["rejected_rows"]:
        print("Rejected rows: select * from rejected_rows; every issue: select * from data_issues;")
    print(f"Wall time: {time.perf_counter() - started:.1f} s")
    return 0


OUTPUT_LABELS = {
    "database": "database (DuckDB)",
    "parquet": "Parquet, one file a table",
    "quality_report": "quality report (per district, in Thai)",
    "workbook": "One Plan workbook (committee)",
    "csv": "CSV (Excel, UTF-8)",
    "district_packs": "district packs (workbook, report, annotated files)",
}


def outputs_text(outputs: dict[str, str]) -> str:
    """The end of a run: every output a person opens, one a line."""
    width = max(len(label) for label in OUTPUT_LABELS.values())
    lines = ["What to open:"]
    lines += [f"  {OUTPUT_LABELS[key]:<{width}}  {path}" for key, path in outputs.items()]
    return "\n".join(lines)


def _one_line(err: BaseException) -> str:
    """An error as one line (DuckDB messages carry hints on further lines)."""
    from oneplan.transforms.outputs import inert_line

    text = " ".join(inert_line(err).split())
    return text[:500] or type(err).__name__


def _sample(args: argparse.Namespace) -> int:
    from oneplan.sample.generator import write_sample

    manifest = write_sample(Path(args.out))
    n_projects = sum(d["n_projects"] for d in manifest["districts"].values())
    print(f"wrote sample to {args.out}: {n_projects} projects")
    return 0


def _status(args: argparse.Namespace) -> int:
    from oneplan.flows.runs import read_runs
    from oneplan.flows.status import status_report

    settings = _settings("status", args, sample=True)
    if settings is None:
        return 2
    db = Path(settings["db"].value)
    if not db.exists():
        runs = read_runs(db, limit=1)
        if runs:  # never published, but a run was tried: say how it ended
            print(status_report(db, lang=args.lang))
            return 1
        message = {
            "th": f"ยังไม่มีการเผยแพร่: ไม่พบ {db}",
            "en": f"{db} does not exist: nothing has been published yet",
        }[args.lang]
        print(f"oneplan status: {message}", file=sys.stderr)
        return 1
    if db.is_dir():
        print(f"oneplan status: {db} is a folder, not a DuckDB file", file=sys.stderr)
        return 2
    import duckdb

    try:
        print(status_report(db, lang=args.lang))
    except (duckdb.Error, OSError) as err:
        print(
            f"oneplan status: {db} cannot be read ({_one_line(err)[:200]}); the next "
            "`oneplan run` moves it aside and rebuilds it",
            file=sys.stderr,
        )
        return 1
    last = read_runs(db, limit=1)
    return 3 if last and last[-1].get("status") == "failed" else 0


def _config(args: argparse.Namespace) -> int:
    from oneplan.flows.config import describe

    settings = _settings("config", args, sample=not args.deployed)
    if settings is None:
        return 2
    print(describe(settings))
    missing = [key for key in ("inbox", "db", "export") if not settings[key].is_set]
    if missing:
        print(f"not configured: {', '.join(missing)} (a deployed run would refuse to start)")
        return 1
    return 0


def _sql(args: argparse.Namespace) -> int:
    from oneplan.flows.db import connect_sandboxed

    settings = _settings("sql", args, sample=True)
    if settings is None:
        return 2
    db = Path(settings["db"].value)
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
    from oneplan.flows.read import SPREADSHEET_SUFFIXES

    if any(Path(f).suffix.lower() in SPREADSHEET_SUFFIXES for f in args.files):
        from oneplan.flows.contain import prestart

        prestart()  # the reader child starts while this process imports pandas
    from oneplan.flows.check import run_check

    return run_check(args)


def _export(args: argparse.Namespace) -> int:
    from oneplan.flows.reference import load_areas
    from oneplan.flows.workbook import export_workbook
    from oneplan.transforms.areas import resolve_district_folder

    settings = _settings("export", args, sample=True)
    if settings is None:
        return 2
    db, out = Path(settings["db"].value), Path(args.xlsx)
    if not db.is_file():
        print(f"oneplan export: {db} does not exist: run `oneplan run` first", file=sys.stderr)
        return 1
    if out.suffix.lower() != ".xlsx" or out.is_dir():
        print(f"oneplan export: --xlsx {out}: give a file name ending in .xlsx", file=sys.stderr)
        return 2
    if out.exists() and not args.replace:
        print(
            f"oneplan export: {out} exists; it is kept (give --replace to write over it)",
            file=sys.stderr,
        )
        return 2
    district = None
    if args.district is not None:
        areas = load_areas()
        district = resolve_district_folder(args.district, areas)
        if district is None:
            codes = ", ".join(sorted(areas["district_code"].unique()))
            print(
                f"oneplan export: unknown district {args.district!r} (one of {codes})",
                file=sys.stderr,
            )
            return 2
    written = export_workbook(db, out, district)
    print(f"oneplan export: wrote {written}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from oneplan.flows.serve import ServeError, serve

    settings = _settings("serve", args, sample=False)
    if settings is None:
        return 2
    try:
        serve(settings=settings, cron=args.cron, timezone=args.timezone)
    except ServeError as err:
        print(f"oneplan serve: {err}", file=sys.stderr)
        return 2
    return 0


class _Version(argparse.Action):
    """--version, looked up only when asked for (importlib.metadata costs every command)."""

    def __call__(self, parser, namespace, values, option_string=None):
        import oneplan

        print(f"oneplan {oneplan.__version__}")  # on stdout, as argparse's own action
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    from oneplan.flows.defaults import ROOT

    given = "(default: ONEPLAN_{0}, else oneplan.toml, else {1})"

    parser = argparse.ArgumentParser(
        prog="oneplan", description="Chai Nat provincial One Plan pipeline"
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="build and publish the One Plan (Prefect flow)")
    _path_options(run, given, "the sample")
    run.add_argument(
        "--runner",
        choices=("local", "process", "dask"),
        default="local",
        help="where files are parsed: one task, on both cores (default), one task per file "
        "on one process per core, or one task per file on a Dask cluster",
    )
    run.add_argument("--dask-address", help="scheduler address of an existing Dask cluster")
    run.add_argument(
        "--provinces",
        help="official areas in scope: a province code (default 18, Chai Nat), codes "
        "separated by commas, or all",
    )
    run.set_defaults(func=_run)
    sample = sub.add_parser("sample", help="write the deterministic sample inbox")
    from oneplan.flows.config import in_checkout

    # Installed, the package's own copy is read-only data: write a new one here instead.
    sample_out = ROOT / "data" / "sample" if in_checkout() else Path.cwd() / "sample"
    sample.add_argument(
        "--out", default=sample_out, help=f"where to write it (default: {sample_out})"
    )
    sample.set_defaults(func=_sample)
    status = sub.add_parser(
        "status",
        help="when the plan was last published, what changed, how the last run ended "
        "(exit 0; 1 nothing published; 3 the last run failed)",
    )
    status.add_argument("--db", help="published DuckDB file " + given.format("DB", "the sample's"))
    status.add_argument("--lang", choices=("th", "en"), default="th", help="language (default th)")
    status.set_defaults(func=_status)
    sql = sub.add_parser(
        "sql",
        help="run a read-only query (text or a .sql file) and print it",
        description="Run one query against the published database, read-only and sandboxed: "
        "external access is off and the configuration locked, so a query cannot COPY to a "
        "file, ATTACH another database or read any file but the database itself.",
    )
    sql.add_argument("query", help="SQL text, or the path of a .sql file")
    sql.add_argument("--db", help="published DuckDB file " + given.format("DB", "the sample's"))
    sql.set_defaults(func=_sql)
    dictionary = sub.add_parser("dictionary", help="print the data dictionary")
    dictionary.set_defaults(func=_dictionary)
    check = sub.add_parser(
        "check",
        help="check plan files as the nightly run reads them (exit 0 ok, 1 errors, 2 unreadable)",
    )
    check.add_argument("files", nargs="+", metavar="FILE", help="plan file(s) of one district")
    check.add_argument("--district", help="district code or name (default: the file's folder name)")
    check.add_argument(
        "--provinces",
        help="official areas in scope, as for run: a province code (default 18, Chai Nat, or "
        "ONEPLAN_PROVINCES), codes separated by commas, or all",
    )
    check.add_argument("--lang", choices=("th", "en"), default="th", help="report language")
    check.add_argument(
        "--annotate", metavar="OUT.xlsx", help="write a copy with problem cells marked"
    )
    check.add_argument(
        "--replace", action="store_true", help="write the annotated copy over an existing OUT"
    )
    check.set_defaults(func=_check)
    export = sub.add_parser(
        "export", help="write the One Plan workbook (.xlsx) of the published database"
    )
    export.add_argument("--xlsx", required=True, metavar="FILE", help="workbook to write")
    export.add_argument("--district", help="only this district (code or name)")
    export.add_argument("--db", help="published DuckDB file " + given.format("DB", "the sample's"))
    export.add_argument("--replace", action="store_true", help="write over an existing FILE")
    export.set_defaults(func=_export)
    serve = sub.add_parser(
        "serve", help="serve the nightly deployment on a Prefect server (PREFECT_API_URL)"
    )
    _path_options(serve, given, "refuse to start")
    serve.add_argument("--provinces", help="official areas in scope (default 18, Chai Nat)")
    serve.add_argument("--cron", default="0 2 * * *", help="schedule (default: 0 2 * * *)")
    serve.add_argument("--timezone", default="Asia/Bangkok", help="time zone of the schedule")
    serve.set_defaults(func=_serve)
    config = sub.add_parser(
        "config", help="print each setting in force and where it came from (exit 1: incomplete)"
    )
    _path_options(config, given, "the sample, for `oneplan run` only")
    config.add_argument("--provinces", help="official areas in scope")
    config.add_argument(
        "--deployed", action="store_true", help="as a deployed run sees it (no sample defaults)"
    )
    config.set_defaults(func=_config)
    return parser


def _path_options(parser: argparse.ArgumentParser, given: str, fallback: str) -> None:
    parser.add_argument(
        "--inbox", help="folder with one sub-folder per district " + given.format("INBOX", fallback)
    )
    parser.add_argument("--db", help="DuckDB file to publish " + given.format("DB", fallback))
    parser.add_argument(
        "--export", help="folder for the Parquet export " + given.format("EXPORT", fallback)
    )
    parser.add_argument(
        "--staging", help="folder for staged parses (default: staging/ beside the database)"
    )


def main(argv: list[str] | None = None) -> int:
    if argv is None and hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `oneplan status | head` ends quietly
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
