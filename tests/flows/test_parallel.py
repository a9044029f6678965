"""Parsing on both cores (flows/parallel.py): the same staged parses as a plain loop, in input
order with progress per file, errors propagated, and no process left behind when stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from oneplan.flows import contain, parallel
from oneplan.flows.errors import PublishError
from oneplan.flows.parallel import POOL_MIN_BYTES, POOL_MIN_FILES, map_files, parse_workers
from oneplan.flows.reference import ROOT
from oneplan.flows.stage import FileJob, discover_inbox, stage_file
from oneplan.flows.steps import Steps, parse

from tests.flows._procs import alive, descendants

SAMPLE_INBOX = ROOT / "data" / "sample" / "inbox"
PID = "__import__('os').getpid()"


def _staged_bytes(staged: dict) -> dict[str, bytes]:
    folder = Path(staged["staged"])
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_the_pool_stages_the_sample_exactly_as_a_plain_loop(tmp_path):
    jobs, _ = discover_inbox(SAMPLE_INBOX)
    assert len(jobs) >= POOL_MIN_FILES
    loop = [stage_file(job, str(tmp_path / "loop")) for job in jobs]
    done = []
    pooled = map_files(stage_file, jobs, (str(tmp_path / "pool"),), done.append, workers=2)
    assert [s["job"] for s in pooled] == [s["job"] for s in loop]  # input order
    assert sorted(s["job"]["source_file"] for s in done) == sorted(j.source_file for j in jobs)
    for a, b in zip(loop, pooled, strict=True):
        assert Path(a["staged"]).name == Path(b["staged"]).name
        assert (a["plan"], a["reused"]) == (b["plan"], b["reused"])
        assert _staged_bytes(a) == _staged_bytes(b), a["job"]["source_file"]


def test_results_in_input_order_whatever_order_they_finish_in():
    items = [f"__import__('time').sleep({s}) or {i}" for i, s in enumerate((1.5, 0, 0.5, 0, 0))]
    done = []
    assert map_files(eval, items, (), done.append, workers=2) == [0, 1, 2, 3, 4]
    assert sorted(done) == [0, 1, 2, 3, 4]


def test_one_worker_is_a_loop_here_and_more_are_processes_beside_this_one():
    assert map_files(eval, [PID] * 6, (), lambda _: None, workers=1) == [os.getpid()] * 6
    slow = f"__import__('time').sleep(0.3) or {PID}"
    pids = map_files(eval, [slow] * 12, (), lambda _: None, workers=2)
    # this process parses while the two workers start (under load it may parse them all)
    assert len(set(pids)) <= 3
    assert not [pid for pid in set(pids) - {os.getpid()} if alive(pid)]  # stopped at the end


def _jobs(sizes: list[int]) -> list[FileJob]:
    return [FileJob(f"/x/{i}.xlsx", f"1805/{i}.xlsx", "1805", "สรรคบุรี", "0", "", "18", size)
            for i, size in enumerate(sizes)]  # fmt: skip


def test_workers_only_for_enough_files_and_bytes():
    big = POOL_MIN_BYTES
    assert parse_workers(_jobs([big] * (POOL_MIN_FILES - 1))) == 1  # too few files
    assert parse_workers(_jobs([10] * 50)) == 1  # too little to parse
    assert parse_workers(_jobs([big // 4] * POOL_MIN_FILES)) == parallel.pool_workers()
    assert parallel.pool_workers() == min(2, len(os.sched_getaffinity(0)))


def test_an_oserror_in_a_worker_propagates_as_from_a_loop(tmp_path):
    present = [str(tmp_path)] * 5
    missing = str(tmp_path / "gone" / "file.xlsx")
    with pytest.raises(FileNotFoundError) as err:
        map_files(os.stat, [*present, missing, *present], (), lambda _: None, workers=2)
    assert err.value.filename == missing


def test_a_worker_that_dies_stops_the_run():
    # Each item kills the worker that takes it; this process, taking items meanwhile, waits.
    die = (
        f"__import__('time').sleep(2) if __import__('os').getpid() == {os.getpid()} "
        "else __import__('os').kill(__import__('os').getpid(), 9)"
    )
    with pytest.raises(PublishError, match="a parse worker process ended unexpectedly"):
        map_files(eval, [die] * 8, (), lambda _: None, workers=2)


def test_an_interrupt_leaves_no_worker_nor_reader_child_behind():
    """Each worker is inside a contained child (as a workbook read is) when the run is
    interrupted: workers and their children all end."""
    before = descendants(os.getpid())
    at_interrupt: set[int] = set()

    def interrupt(signum, frame):
        at_interrupt.update(descendants(os.getpid()) - before)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 8)
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            map_files(contain.run_contained, [time.sleep] * 4, ((60,),), print, workers=2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < 30
    # two workers, each with its contained child (and this process's own child, when it was
    # started for this call)
    assert len(at_interrupt) >= 4
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and [p for p in at_interrupt if alive(p)]:
        time.sleep(0.1)
    assert [p for p in at_interrupt if alive(p)] == []


def test_steps_answer_staged_files_without_a_worker(tmp_path):
    jobs, _ = discover_inbox(SAMPLE_INBOX)
    staging = str(tmp_path / "staging")
    first = Steps().each(parse, jobs, staging)
    again = Steps().each(parse, jobs, staging)
    assert not any(s["reused"] for s in first)
    assert all(s["reused"] for s in again)
    assert [s["staged"] for s in again] == [s["staged"] for s in first]


def test_workers_never_run_the_callers_script_again(tmp_path):
    """A caller's script without the `if __name__ == "__main__"` guard runs once: workers
    are `python -m` children, not multiprocessing spawns (which re-run an unguarded
    script in every worker). The outputs step uses the same workers."""
    marker = tmp_path / "ran"
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import operator\n"
        "from pathlib import Path\n"
        "from oneplan.flows.parallel import map_files\n"
        f"with open({str(marker)!r}, 'a') as f:\n"
        "    f.write('ran\\n')\n"
        "print(map_files(operator.neg, [1, 2, 3, 4, 5, 6], (), lambda r: None, 2))\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[-1, -2, -3, -4, -5, -6]"
    assert marker.read_text() == "ran\n"
