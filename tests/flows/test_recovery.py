"""Stable reads and recovery (issue 9, parts 3 and 7): a file that changes while it is read
is skipped and its previous version stays published; a corrupt published database is moved
aside and rebuilt; every error of `oneplan run` / `oneplan status` is one line with its
documented exit code; SIGTERM of `oneplan run` leaves no Prefect server behind."""

import errno
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from oneplan.flows import stage
from oneplan.flows.cli import main
from oneplan.flows.errors import PublishError
from oneplan.flows.oneplan_flow import run_plan
from oneplan.flows.recover import read_previous_or_recover
from oneplan.flows.reference import ROOT
from oneplan.flows.stage import FileChanged, discover_inbox, read_stable, stage_file

from tests.flows._procs import alive, descendants

DISTRICT = "1804"
V1 = "ที่,โครงการ,ตำบล,2568\n1,ก่อสร้างถนน คสล. หมู่ที่ 3,ตลุก,123456\n"
V2 = "ที่,โครงการ,ตำบล,2568\n1,ก่อสร้างถนน คสล. หมู่ที่ 3,ตลุก,98765\n"
PARTIAL = "ที่,โครงการ,ตำบล,2568\n1,ก่อสร้างถนน คสล. หมู่ที่ 3,ตลุก,12"


def inbox_with(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "inbox" / DISTRICT / "แผน.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(tmp_path: Path) -> dict:
    return run_plan(tmp_path / "inbox", tmp_path / "out" / "p.duckdb", tmp_path / "out" / "x")


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def rewrite_during_read(monkeypatch, path: Path, text: str) -> None:
    """Another program rewrites the file after the reader's stat, before its read."""
    real = stage._read_bytes

    def racing(target):
        path.write_text(text, encoding="utf-8")
        return real(target)

    monkeypatch.setattr(stage, "_read_bytes", racing)


def test_a_file_rewritten_between_stat_and_read_is_not_parsed(tmp_path, monkeypatch):
    path = inbox_with(tmp_path, V2)
    [job], _ = discover_inbox(tmp_path / "inbox")
    rewrite_during_read(monkeypatch, path, PARTIAL)
    with pytest.raises(FileChanged):
        read_stable(job)
    result = stage_file(job, str(tmp_path / "staging"))
    assert (result["staged"], "changed" in result) == (None, True)
    assert not (tmp_path / "staging").exists() or not any((tmp_path / "staging").iterdir())


def test_a_file_removed_after_discovery_is_skipped_not_a_crash(tmp_path):
    path = inbox_with(tmp_path, V1)
    [job], _ = discover_inbox(tmp_path / "inbox")
    path.unlink()
    result = stage_file(job, str(tmp_path / "staging"))
    assert (result["staged"], result["changed"]) == (None, "-")


def test_status_of_a_folder_is_one_line(tmp_path, capsys):
    assert main(["status", "--db", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"oneplan status: {tmp_path} is a folder, not a DuckDB file\n"


def test_same_size_and_mtime_but_other_bytes_is_caught_by_the_hash(tmp_path, monkeypatch):
    path = inbox_with(tmp_path, V1)
    [job], _ = discover_inbox(tmp_path / "inbox")
    stat = path.stat()
    same_length = V1.replace("123456", "654321")

    real = stage._read_bytes

    def swapped(target):
        path.write_text(same_length, encoding="utf-8")
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        return real(target)

    monkeypatch.setattr(stage, "_read_bytes", swapped)
    with pytest.raises(FileChanged):
        read_stable(job)


def test_a_file_still_being_written_keeps_its_published_version(tmp_path, monkeypatch):
    """The CSV published as 12.00 instead of 123,456.00: now the half-written version is
    skipped with a warning, the previous one stays published, the next run reads it."""
    path = inbox_with(tmp_path, V1)
    run(tmp_path)
    db = tmp_path / "out" / "p.duckdb"
    path.write_text(V2, encoding="utf-8")
    rewrite_during_read(monkeypatch, path, PARTIAL)
    run(tmp_path)
    assert query(db, "select amount_thb from oneplan") == [(123456,)]
    issues = query(db, "select code, severity, source_file, submission_id from data_issues")
    [(first_id,)] = query(db, "select submission_id from submissions where status = 'current'")
    assert issues == [("file_changed_during_read", "warning", f"{DISTRICT}/แผน.csv", first_id)]
    monkeypatch.undo()
    path.write_text(V2, encoding="utf-8")
    run(tmp_path)
    assert query(db, "select amount_thb from oneplan") == [(98765,)]
    assert query(db, "select count(*) from data_issues") == [(0,)]


def test_a_corrupt_published_database_is_moved_aside_and_rebuilt(tmp_path, capsys):
    inbox_with(tmp_path, V1)
    run(tmp_path)
    db = tmp_path / "out" / "p.duckdb"
    # Damaged past its header (a file with no DuckDB header is not ours: test_paths.py).
    garbage = db.read_bytes()[:12] + b"not a database " * 1000
    db.write_bytes(garbage)
    assert main(["status", "--db", str(db)]) == 1
    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert line.startswith(f"oneplan status: {db} cannot be read (Corrupt database file: ")
    assert line.endswith("the next `oneplan run` moves it aside and rebuilds it")
    assert captured.out == ""
    run(tmp_path)
    [moved] = [p for p in db.parent.iterdir() if p.name.startswith("p.duckdb.corrupt-")]
    assert moved.read_bytes() == garbage
    assert query(db, "select amount_thb from oneplan") == [(123456,)]
    [(code, value)] = query(db, "select code, raw_value from data_issues")
    assert (code, value) == ("database_recovered", str(moved))
    assert main(["status", "--db", str(db)]) == 0


def test_a_locked_database_is_not_taken_for_corrupt(tmp_path):
    inbox_with(tmp_path, V1)
    run(tmp_path)
    db = tmp_path / "out" / "p.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            f"con = duckdb.connect({str(db)!r})\nprint('locked', flush=True)\ntime.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(PublishError, match="Could not set lock"):
            read_previous_or_recover(db, logging.getLogger("test"))
    finally:
        holder.kill()
        holder.wait()
    assert [p.name for p in db.parent.iterdir() if "corrupt" in p.name] == []
    assert query(db, "select amount_thb from oneplan") == [(123456,)]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--provinces", "99", "--db", "{tmp}/p.duckdb"],
            "oneplan run: --provinces: unknown province code(s) ['99']: use e.g. 18 or all",
        ),
        (["--db", "{tmp}"], "oneplan run: --db {tmp} is a folder, not a DuckDB file"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(tmp_path, capsys, extra, message):
    inbox_with(tmp_path, V1)
    extra = [e.format(tmp=tmp_path) for e in extra]
    args = ["run", "--inbox", str(tmp_path / "inbox"), "--export", str(tmp_path / "x"), *extra]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [message.format(tmp=tmp_path)]
    assert not (tmp_path / "x").exists() and not (tmp_path / "p.duckdb").exists()


@pytest.mark.e2e  # starts a Prefect server
@pytest.mark.parametrize(
    ("error", "line"),
    [
        (
            OSError(errno.ENOSPC, "No space left on device"),
            "oneplan run: not published: [Errno 28] No space left on device",
        ),
        (
            duckdb.IOException("IO Error: could not write\nHINT: check the disk"),
            "oneplan run: not published: IO Error: could not write HINT: check the disk",
        ),
    ],
)
def test_disk_full_and_duckdb_errors_are_one_line_and_exit_1(
    harness, tmp_path, capsys, monkeypatch, error, line
):
    import oneplan.flows.publish as publish_module

    def failing(*args, **kwargs):
        raise error

    monkeypatch.setattr(publish_module, "build", failing)
    inbox_with(tmp_path, V1)
    db, export = tmp_path / "p.duckdb", tmp_path / "x"
    code = main(
        ["run", "--inbox", str(tmp_path / "inbox"), "--db", str(db), "--export", str(export)]
    )
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.strip().splitlines()[-1] == line
    assert "Traceback" not in captured.err + captured.out
    assert not db.exists()


@pytest.mark.e2e  # starts a Prefect server
def test_sigterm_of_oneplan_run_stops_the_temporary_server(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_API")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    oneplan = Path(sys.executable).with_name("oneplan")
    inbox = ROOT / "data" / "sample" / "inbox"
    process = subprocess.Popen(
        [
            str(oneplan),
            "run",
            "--inbox",
            str(inbox),
            "--db",
            str(tmp_path / "p.duckdb"),
            "--export",
            str(tmp_path / "x"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        server = set()
        while time.monotonic() < deadline and not server:
            server = {
                pid
                for pid in descendants(process.pid)
                if b"uvicorn" in (Path("/proc") / str(pid) / "cmdline").read_bytes()
            }
            time.sleep(0.2)
        assert server, "the temporary Prefect server never started"
        time.sleep(1.0)
        children = descendants(process.pid)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 143, err
    # (Prefect may log the crash of its flow run around our line.)
    assert "oneplan run: stopped (SIGTERM): nothing published" in err.splitlines()
    assert "Traceback" not in err
    time.sleep(0.5)
    assert [pid for pid in children if alive(pid)] == []


# -- issue 22 item 4: a stalled upload is not a new plan ---------------------------------------
def long_plan(n: int = 26) -> str:
    rows = [f'{i},ก่อสร้างถนน คสล. หมู่ที่ {i},ตลุก,"2,500,000.00"' for i in range(1, n + 1)]
    return "ที่,โครงการ,ตำบล,2568\n" + "\n".join(rows) + "\n"


def published(db: Path) -> tuple[int, object]:
    return query(db, "select count(*), sum(amount_thb) from oneplan")[0]


def test_a_file_modified_within_the_quiet_period_waits_for_the_next_run(tmp_path, monkeypatch):
    path = inbox_with(tmp_path, V1)
    run(tmp_path)
    db = tmp_path / "out" / "p.duckdb"
    monkeypatch.setenv("ONEPLAN_QUIET_SECONDS", "120")
    path.write_text(V2, encoding="utf-8")  # modified just now: may still be uploading
    run(tmp_path)
    assert query(db, "select amount_thb from oneplan") == [(123456,)]
    [(first_id,)] = query(db, "select submission_id from submissions where status = 'current'")
    [(code, severity, source, sid)] = query(
        db, "select code, severity, source_file, submission_id from data_issues"
    )
    assert (code, severity, source, sid) == (
        "file_recently_modified",
        "info",
        f"{DISTRICT}/แผน.csv",
        first_id,
    )
    old = time.time() - 180
    os.utime(path, (old, old))  # quiet for three minutes now
    run(tmp_path)
    assert query(db, "select amount_thb from oneplan") == [(98765,)]
    assert query(db, "select count(*) from data_issues") == [(0,)]


def test_a_new_file_within_the_quiet_period_is_read(tmp_path, monkeypatch):
    """Nothing published before to keep: the file is read (a first run never waits)."""
    monkeypatch.setenv("ONEPLAN_QUIET_SECONDS", "120")
    inbox_with(tmp_path, V1)
    run(tmp_path)
    db = tmp_path / "out" / "p.duckdb"
    assert query(db, "select amount_thb from oneplan") == [(123456,)]
    assert query(db, "select count(*) from data_issues") == [(0,)]


def test_a_csv_cut_mid_number_keeps_the_previous_version(tmp_path):
    """Went out as 3 projects and 2,500.00 instead of 26 and 2,500,000.00 each."""
    whole = long_plan()
    path = inbox_with(tmp_path, whole)
    run(tmp_path)
    db = tmp_path / "out" / "p.duckdb"
    assert published(db) == (26, 65_000_000)
    cut = whole[: whole.index("หมู่ที่ 4") + len('หมู่ที่ 4,ตลุก,"2,500')]
    path.write_text(cut, encoding="utf-8")
    for _ in range(2):  # the next run reuses the staged parse: still not published
        run(tmp_path)
        assert published(db) == (26, 65_000_000)
        [(code, severity, value)] = query(db, "select code, severity, raw_value from data_issues")
        assert (code, severity) == ("file_incomplete", "warning")
        assert value == "last line cut inside a quoted value"
    path.write_text(whole.replace('"2,500,000.00"', '"2,600,000.00"', 1), encoding="utf-8")
    run(tmp_path)
    assert published(db) == (26, 65_100_000)


def test_a_cut_csv_with_nothing_published_before_is_read_with_a_warning(tmp_path):
    inbox_with(tmp_path, long_plan(3)[:-20])
    run(tmp_path)
    db = tmp_path / "out" / "p.duckdb"
    [(sid, value)] = query(
        db, "select submission_id, raw_value from data_issues where code = 'file_incomplete'"
    )
    assert value == "last line cut: 3 of 4 fields"
    assert query(db, "select submission_id from submissions") == [(sid,)]


def test_a_workbook_that_fails_its_zip_integrity_keeps_the_previous_version(tmp_path):
    import xlsxwriter

    path = tmp_path / "inbox" / DISTRICT / "แผน.xlsx"
    path.parent.mkdir(parents=True)
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("ต.ตลุก")
    ws.write_row(0, 0, ["ที่", "โครงการ", "2568"])
    ws.write_row(1, 0, [1, "ก่อสร้างถนน คสล. หมู่ที่ 3", 2500000])
    wb.close()
    whole = path.read_bytes()
    run(tmp_path)
    db = tmp_path / "out" / "p.duckdb"
    assert published(db) == (1, 2_500_000)
    for broken in (whole[: len(whole) * 2 // 3], whole[:-30]):
        path.write_bytes(broken)
        run(tmp_path)
        assert published(db) == (1, 2_500_000)
        [(code, value)] = query(db, "select code, raw_value from data_issues")
        assert code == "file_incomplete" and value.startswith("zip archive cut short or damaged")


def test_a_district_whose_money_falls_by_more_than_half_is_published_with_a_warning(
    tmp_path, capsys
):
    """The committee must see it: in data_issues (the quality report) and `oneplan status`."""
    path = inbox_with(tmp_path, long_plan())
    run(tmp_path)
    db = tmp_path / "out" / "p.duckdb"
    path.write_text(long_plan(3), encoding="utf-8")  # whole, but 3 projects of 26
    run(tmp_path)
    assert published(db) == (3, 7_500_000)
    [(code, severity, source, value, expected)] = query(
        db, "select code, severity, source_file, raw_value, expected_value from data_issues"
    )
    assert (code, severity, source, expected) == ("district_money_fell", "warning", DISTRICT, "50%")
    assert value == "65,000,000.00 → 7,500,000.00 (-88.5%)"
    report = (tmp_path / "out" / "x" / "quality" / "quality_report.md").read_text(encoding="utf-8")
    assert "65,000,000.00 → 7,500,000.00 (-88.5%)" in report
    assert main(["status", "--db", str(db), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert (
        f"  WARNING {DISTRICT}: The accepted money of this district fell by more than 50% from "
        "the previous publication: 65,000,000.00 → 7,500,000.00 (-88.5%) baht"
    ) in out.splitlines()
    path.write_text(long_plan(2), encoding="utf-8")  # 3 -> 2 projects: a third, no warning
    run(tmp_path)
    assert query(db, "select count(*) from data_issues") == [(0,)]
