"""Progress and logs of a run on the bundled sample: one line per file as it parses, one per
stage with its time, one log line per file with its counts, a warning per district with errors."""

import io
import json
import logging
import re
from pathlib import Path

import duckdb
import pytest
from oneplan.flows import progress
from oneplan.flows.oneplan_flow import quiet_task_logs, run_plan
from oneplan.flows.reference import ROOT

SAMPLE = ROOT / "data" / "sample"
MANIFEST = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
STAGES = ["discover", "parse", "consolidate", "assemble", "build", "checks", "export", "swap"]
STAGE_LINE = re.compile(r"^  (\w+) +\d+\.\d\d s$")
FILE_LINE = re.compile(r"^  \[ *(\d+)/(\d+)\] (.+) \((parsed|unchanged, staged parse reused)\)$")


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _run(tmp_path, out: io.StringIO) -> list[logging.LogRecord]:
    handler = _Records()
    logger = logging.getLogger("oneplan")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        with progress.reporting(progress.LineReporter(out)):
            run_plan(SAMPLE / "inbox", tmp_path / "oneplan.duckdb", tmp_path / "export")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return handler.records


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("progress")
    cold, again = io.StringIO(), io.StringIO()
    cold_logs = _run(tmp, cold)
    again_logs = _run(tmp, again)
    return {
        "db": tmp / "oneplan.duckdb",
        "cold": cold.getvalue().splitlines(),
        "again": again.getvalue().splitlines(),
        "cold_logs": cold_logs,
        "again_logs": again_logs,
    }


def test_one_line_per_file_as_it_parses_then_one_per_stage(runs):
    lines = runs["cold"]
    n = len(MANIFEST["files"])
    files = [FILE_LINE.match(line) for line in lines[1 : n + 1]]
    assert all(files), lines[1 : n + 1]
    assert [int(m[1]) for m in files] == list(range(1, n + 1))
    assert {m[2] for m in files} == {str(n)}
    assert sorted(m[3] for m in files) == sorted(MANIFEST["files"])
    assert {m[4] for m in files} == {"parsed"}
    stages = [STAGE_LINE.match(line) for line in [lines[0], *lines[n + 1 :]]]
    assert all(stages), lines
    assert [m[1] for m in stages] == STAGES


def test_an_unchanged_rerun_reports_reused_files_and_stops_after_parse(runs):
    lines = runs["again"]
    files = [FILE_LINE.match(line) for line in lines if FILE_LINE.match(line)]
    assert len(files) == len(MANIFEST["files"])
    assert {m[4] for m in files} == {"unchanged, staged parse reused"}
    assert [STAGE_LINE.match(line)[1] for line in lines if STAGE_LINE.match(line)] == [
        "discover",
        "parse",
    ]


def _file_lines(records) -> dict[str, str]:
    out = {}
    for r in records:
        message = r.getMessage()
        if r.levelno == logging.INFO and " accepted, " in message:
            source_file, counts = message.split(": ", 1)
            out[source_file] = counts
    return out


def test_the_log_has_one_line_per_file_with_its_counts(runs):
    con = duckdb.connect(str(runs["db"]), read_only=True)
    issues = dict(
        ((f, s), n)
        for f, s, n in con.execute(
            "select source_file, severity, count(*) from data_issues "
            "where submission_id is not null group by all"
        ).fetchall()
    )
    con.close()
    for logs in (runs["cold_logs"], runs["again_logs"]):
        lines = _file_lines(logs)
        assert sorted(lines) == sorted(MANIFEST["files"])
        for source_file, expected in MANIFEST["files"].items():
            n = {s: issues.get((source_file, s), 0) for s in ("error", "warning", "info")}
            assert lines[source_file] == (
                f"{expected['n_rows_accepted']} accepted, {expected['n_rows_rejected']} "
                f"rejected, {expected['n_rows_skipped']} skipped; {n['error']} error(s), "
                f"{n['warning']} warning(s), {n['info']} info"
            ), source_file


def test_a_warning_per_district_with_errors_and_none_for_the_others(runs):
    con = duckdb.connect(str(runs["db"]), read_only=True)
    with_errors = dict(
        con.execute(
            "select s.district_code, count(*) from data_issues as i "
            "inner join submissions as s using (submission_id) "
            "where i.severity = 'error' group by all"
        ).fetchall()
    )
    con.close()
    assert 0 < len(with_errors) < len(MANIFEST["districts"])
    warnings = [r.getMessage() for r in runs["cold_logs"] if r.levelno == logging.WARNING]
    districts = [w for w in warnings if w.startswith("district ")]
    assert sorted(w.split()[1] for w in districts) == sorted(with_errors)
    for w in districts:
        code = w.split()[1]
        assert f": {with_errors[code]} error(s) in " in w
    assert [w for w in warnings if w not in districts] == []  # the sample's inbox is tidy


def test_files_and_folders_not_read_get_one_warning(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "1806").mkdir(parents=True)
    (inbox / "1806" / "หันคา.csv").write_text("ที่,โครงการ,2569\n1,ขุดสระน้ำ,90000\n", "utf-8")
    (inbox / "1806" / "notes.docx").write_bytes(b"PK")
    (inbox / "loose.xlsx").write_bytes(b"PK")
    (inbox / "nowhere").mkdir()
    handler = _Records()
    logger = logging.getLogger("oneplan")
    logger.addHandler(handler)
    try:
        run_plan(inbox, tmp_path / "o.duckdb", tmp_path / "export")
    finally:
        logger.removeHandler(handler)
    warnings = [r.getMessage() for r in handler.records if r.levelno == logging.WARNING]
    assert warnings == [
        "3 issue(s) with files or folders of the inbox that were not read: "
        "see data_issues where submission_id is null"
    ]


def test_quiet_task_logs_drops_task_info_but_keeps_warnings():
    logger = logging.getLogger("prefect.task_runs")
    before = logger.level
    with quiet_task_logs():
        assert not logger.isEnabledFor(logging.INFO)
        assert logger.isEnabledFor(logging.WARNING)
    assert logger.level == before


def test_line_reporter_lines():
    out = io.StringIO()
    reporter = progress.LineReporter(out)
    reporter.start_files(10)
    reporter.file_done({"job": {"source_file": "1801/a.xlsx"}, "reused": False})
    reporter.file_done({"job": {"source_file": "1802/b.csv"}, "reused": True})
    reporter.stage_done("consolidate", 1.234)
    assert out.getvalue().splitlines() == [
        "  [ 1/10] 1801/a.xlsx (parsed)",
        "  [ 2/10] 1802/b.csv (unchanged, staged parse reused)",
        "  consolidate     1.23 s",
    ]


def test_a_terminal_gets_a_progress_bar_and_a_pipe_gets_lines():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert isinstance(progress.terminal_reporter(Tty()), progress.BarReporter)
    assert type(progress.terminal_reporter(io.StringIO())) is progress.LineReporter
    out = Tty()
    with progress.reporting(progress.terminal_reporter(out)) as bar:
        bar.start_files(2)
        bar.file_done({"job": {"source_file": "1801/a.xlsx"}, "reused": False})
        bar.file_done({"job": {"source_file": "1801/b.xlsx"}, "reused": False})
        bar.stage_done("parse", 0.5)
    text = out.getvalue()
    assert "2/2" in text and "1801/b.xlsx" in text  # the bar drew both files
    assert text.endswith("\x1b[2K  parse           0.50 s\n")  # then the stage line


def test_log_reporter_logs_files_every_n_or_every_few_seconds_and_steps_with_counts():
    """300 files in 23 s: a line every 25 files or 5 s, whichever comes first, and the last
    one; not 300 lines. Each step with its time and what it produced."""
    handler = _Records()
    log = logging.getLogger("oneplan.test-progress")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    now = [0.0]
    reporter = progress.LogReporter(log, every_files=25, every_seconds=5.0, clock=lambda: now[0])
    try:
        reporter.start_files(300)
        for n in range(300):
            now[0] = n * 1.0 if n < 20 else 20 + (n - 20) * 0.01  # 20 slow files, then fast
            reporter.file_done({"job": {"source_file": f"1801/f{n}.xlsx"}, "reused": n % 3 == 0})
        reporter.stage_done("consolidate", 1.234, "307 project(s)")
        reporter.stage_done("swap", 0.01)
    finally:
        log.removeHandler(handler)
    lines = [r.getMessage() for r in handler.records]
    assert lines[0] == "parse: 300 file(s) to read"
    files = [line for line in lines if line.startswith("parse: ") and "/300" in line]
    done = [int(line.split()[1].split("/")[0]) for line in files]
    # every 5 s while files are slow, every 25 files when fast, and the last one
    assert done == [6, 11, 16, 21, 46, 71, 96, 121, 146, 171, 196, 221, 246, 271, 296, 300]
    assert (
        files[-1]
        == "parse: 300/300 file(s) (200 read, 100 unchanged) in 22.8 s; last: 1801/f299.xlsx"
    )
    assert lines[-2:] == [
        "step consolidate done in 1.23 s: 307 project(s)",
        "step swap done in 0.01 s",
    ]


def test_step_counts_say_what_each_step_produced(runs):
    from oneplan.flows.steps import step_counts

    assert step_counts(([1, 2, 3], [{}])) == "3 plan file(s), 1 inbox issue(s)"
    assert step_counts(Path("/x/.export.versions/20261207")) == ""
    assert step_counts(None) == ""
