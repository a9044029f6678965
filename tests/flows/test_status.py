"""`oneplan status` (Thai by default, English with --lang en, Bangkok times) and the run record
beside the database (flows/runs.py): a failed run is visible in status, in the flow run's
state and in the exit code, and leaves the last publication in place."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from oneplan.flows.cli import main
from oneplan.flows.oneplan_flow import run_plan
from oneplan.flows.runs import read_runs, record_run, runs_path
from oneplan.flows.status import bangkok, status_report

CSV = 'ที่,ตำบล,โครงการ,2568\n1,ตลุก,ถนน,"150,000"\n2,เขาแก้ว,ขุดลอกคลอง,"20,000.50"\n'


@pytest.fixture
def site(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "1804").mkdir(parents=True)
    (inbox / "1804" / "plan.csv").write_text(CSV, encoding="utf-8")
    return {
        "inbox": inbox,
        "db": tmp_path / "out" / "oneplan.duckdb",
        "export": tmp_path / "out" / "export",
    }


def test_bangkok_times():
    moment = datetime(2026, 12, 1, 19, 0, 5, tzinfo=UTC)
    assert bangkok(moment) == "2026-12-02 02:00:05 +07"
    assert bangkok("2026-12-01T19:00:05+00:00", seconds=False) == "2026-12-02 02:00"
    assert bangkok(None) == "-"


def test_record_and_read_runs(tmp_path):
    db = tmp_path / "oneplan.duckdb"
    started = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
    record_run(db, "published", started, started)
    record_run(db, "failed", started, reason="PublishError: no\nplan  file", flow_run_id="x")
    with open(runs_path(db), "ab") as handle:
        handle.write(b'{"status": "published", "cut')  # a line a crash cut short
    runs = read_runs(db)
    assert [r["status"] for r in runs] == ["published", "failed"]
    assert runs[-1]["reason"] == "PublishError: no plan file"
    assert runs[-1]["flow_run_id"] == "x"
    assert runs[0]["started_at"] == "2026-12-01T19:00:00+00:00"
    assert read_runs(tmp_path / "other.duckdb") == []


def test_read_runs_reads_only_the_tail(tmp_path):
    db = tmp_path / "oneplan.duckdb"
    for i in range(3000):  # ~400 KB: status reads the last 64 KB only
        record_run(db, "published", None, reason=f"run {i}")
    assert runs_path(db).stat().st_size > 200_000
    runs = read_runs(db, limit=5)
    assert [r["reason"] for r in runs] == [f"run {i}" for i in range(2995, 3000)]


def test_status_in_thai_and_english(site):
    run_plan(site["inbox"], site["db"], site["export"])
    moment = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
    record_run(site["db"], "published", moment, moment)
    thai = status_report(site["db"])
    assert thai.splitlines()[0] == "การรันล่าสุด: เผยแพร่สำเร็จ เมื่อ 2 ธันวาคม 2569 02:00:00 น."
    assert "  2 โครงการ จาก 1 ไฟล์ปัจจุบัน (อ่านใหม่ 1 ไฟล์, ไม่เปลี่ยนแปลงและใช้ซ้ำ 0 ไฟล์)" in thai
    assert "เผยแพร่ครั้งแรก: ไม่มีครั้งก่อนให้เปรียบเทียบ" in thai
    assert " น. ที่ " in thai and " 2569 " in thai  # publication time in Bangkok, BE
    assert "2026" not in thai
    english = status_report(site["db"], lang="en")
    assert english.splitlines()[0] == "Last run: published at 2026-12-02 02:00:00 +07"
    assert "  2 projects from 1 current file(s) (1 parsed, 0 unchanged and reused)" in english


def test_status_shows_a_failed_last_run_with_its_reason(site, capsys):
    run_plan(site["inbox"], site["db"], site["export"])
    record_run(
        site["db"],
        "failed",
        datetime(2026, 12, 1, 19, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 19, 0, 9, tzinfo=UTC),
        reason="PublishError: no plan file (.xlsx .xls .ods .csv) under /srv/inbox",
    )
    assert main(["status", "--db", str(site["db"])]) == 3  # a shell hook can test this
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [
        "การรันล่าสุด: ล้มเหลว เมื่อ 2 ธันวาคม 2569 02:00:09 น.",
        "  สาเหตุ: ไม่พบไฟล์แผน (.xlsx .xls .ods .csv) ในกล่องรับไฟล์ "
        "(PublishError: no plan file (.xlsx .xls .ods .csv) under /srv/inbox)",
        "  ข้อมูลที่เผยแพร่ไว้ก่อนหน้ายังคงเดิม",
    ]
    assert main(["status", "--db", str(site["db"]), "--lang", "en"]) == 3
    assert capsys.readouterr().out.splitlines()[0] == "Last run: FAILED at 2026-12-02 02:00:09 +07"


def test_a_run_stopped_by_sigterm_has_a_thai_reason_and_the_signal_after_it(tmp_path, capsys):
    """A run stopped by SIGTERM is recorded as the Prefect state gave it: an exception type
    with no message ("TerminationSignal:" before). Status says why in Thai, then the detail."""
    db = tmp_path / "oneplan.duckdb"
    stopped = datetime(2026, 12, 1, 19, 0, 30, tzinfo=UTC)
    record_run(db, "failed", stopped, stopped, reason="TerminationSignal:")
    assert main(["status", "--db", str(db)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[1:3] == [
        "การรันล่าสุด: ล้มเหลว เมื่อ 2 ธันวาคม 2569 02:00:30 น.",
        "  สาเหตุ: การรันถูกหยุดก่อนเสร็จ (ได้รับสัญญาณให้หยุด เช่น SIGTERM เมื่อหยุดบริการหรือปิดเครื่อง)"
        " จึงไม่ได้เผยแพร่ (TerminationSignal)",
    ]


@pytest.mark.parametrize(
    ("recorded", "thai"),
    [
        ("OSError: [Errno 28] No space left on device", "พื้นที่ดิสก์เต็ม"),
        ("IOException: IO Error: could not write", "ฐานข้อมูล DuckDB แจ้งข้อผิดพลาด"),
        ("ConfigError: refusing to run on defaults: set ONEPLAN_INBOX", "ยังไม่ได้ตั้งค่า"),
        ("ZeroDivisionError: division by zero", "การรันล้มเหลวด้วยเหตุที่ไม่ได้คาดไว้"),
        ("", "การรันล้มเหลวด้วยเหตุที่ไม่ได้คาดไว้"),
    ],
)
def test_every_failure_has_a_thai_reason(recorded, thai):
    from oneplan.flows.status import failure_reason

    why, detail = failure_reason(recorded, "th")
    assert why.startswith(thai)
    assert detail == (recorded or "-")
    assert failure_reason(recorded, "en")[0].isascii()


def test_a_signal_with_no_message_is_recorded_by_its_type():
    from oneplan.flows.runs import state_reason
    from oneplan.flows.status import failure_reason
    from prefect.exceptions import TerminationSignal
    from prefect.states import Crashed

    state = Crashed(message="Execution was aborted by a termination signal.")
    state.data = None
    try:
        raise TerminationSignal(signal=15)
    except TerminationSignal as err:
        error = err
    assert state_reason(_FailedWith(error)) == "TerminationSignal"
    recorded = state_reason(state)
    assert recorded == "CrashedRun: Execution was aborted by a termination signal."
    assert failure_reason(recorded)[0].startswith("การรันถูกหยุดก่อนเสร็จ")


class _FailedWith:
    """A state whose result is `error` (what Prefect hands a hook for a crashed run)."""

    def __init__(self, error: BaseException):
        self.error, self.message, self.name = error, "", "Crashed"

    def result(self, raise_on_failure: bool = True):
        return self.error


def test_status_without_a_publication(tmp_path, capsys):
    db = tmp_path / "oneplan.duckdb"
    assert main(["status", "--db", str(db)]) == 1
    assert capsys.readouterr().err.strip() == f"oneplan status: ยังไม่มีการเผยแพร่: ไม่พบ {db}"
    record_run(db, "failed", None, reason="PublishError: no readable row")
    assert main(["status", "--db", str(db), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "Last run: FAILED" in out
    assert "reason: no readable row in any file (PublishError: no readable row)" in out


@pytest.mark.e2e
def test_failed_flow_run_is_recorded_failed_and_exits_1(site, harness, capsys, monkeypatch):
    """A real flow run (Prefect test server) that cannot publish: exit code 1, the Prefect
    state Failed with the reason, the run recorded as failed, the last publication kept."""
    from prefect.client.orchestration import get_client

    for name in ("INBOX", "DB", "EXPORT", "STAGING", "CONFIG", "ROOTS"):
        monkeypatch.delenv(f"ONEPLAN_{name}", raising=False)
    args = ["--db", str(site["db"]), "--export", str(site["export"])]
    assert main(["run", "--inbox", str(site["inbox"]), *args]) == 0
    published = site["db"].stat().st_mtime_ns
    empty = site["inbox"].parent / "empty-inbox"
    empty.mkdir()
    assert main(["run", "--inbox", str(empty), *args]) == 1
    err = capsys.readouterr().err
    assert f"oneplan run: not published: no plan file (.xlsx .xls .ods .csv) under {empty}" in err
    runs = read_runs(site["db"])
    assert [r["status"] for r in runs] == ["published", "failed"]
    assert runs[-1]["reason"] == f"PublishError: no plan file (.xlsx .xls .ods .csv) under {empty}"
    assert site["db"].stat().st_mtime_ns == published
    con = duckdb.connect(str(site["db"]), read_only=True)
    try:
        [(total,)] = con.execute("select sum(amount_thb) from project_budgets").fetchall()
    finally:
        con.close()
    assert total == Decimal("170000.50")
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(runs[-1]["flow_run_id"]).state
    assert state.is_failed()
    assert str(empty) in state.message
    assert "ล้มเหลว" in status_report(site["db"]).splitlines()[0]
    assert json.loads(Path(os.fspath(runs_path(site["db"]))).read_text().splitlines()[0])


@pytest.mark.e2e
def test_a_refused_run_writes_nothing_where_it_was_pointed(site, harness, capsys, monkeypatch):
    """Issue 22 item 7: a run refused for its paths (here a --db inside the inbox) used to
    record its failure in `<db>.runs.jsonl`, i.e. inside the inbox."""
    for name in ("INBOX", "DB", "EXPORT", "STAGING", "CONFIG", "ROOTS"):
        monkeypatch.delenv(f"ONEPLAN_{name}", raising=False)
    inbox = site["inbox"]
    before = sorted(p.relative_to(inbox) for p in inbox.rglob("*"))
    db = inbox / "1804" / "x.duckdb"
    args = ["run", "--inbox", str(inbox), "--db", str(db), "--export", str(site["export"])]
    assert main(args) == 1
    assert "must not be inside the inbox folder" in capsys.readouterr().err
    assert sorted(p.relative_to(inbox) for p in inbox.rglob("*")) == before
    assert not site["export"].exists()
