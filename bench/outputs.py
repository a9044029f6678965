"""Time the outputs step alone (`flows.workbook.write_outputs`) on a published database.

    python -m bench.outputs prepare [--corpus district-region]
        (run_plan once into bench/results/outputs-<corpus>/)
    python -m bench.outputs time [--corpus district-region] [--runs 3] [--changed]

`time` writes the outputs of the prepared database into fresh version folders, `--runs` times,
and prints each run's seconds and the median. With `--changed`, each timed run is given the
previous run's folder as the previous version (the incremental path) after one file's issues
were altered (a fake issue is added to one submission in a copy of the database), so one
district's pack and one annotated copy must be rewritten.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _paths(corpus: str) -> tuple[Path, Path]:
    inbox = ROOT / "bench" / "corpus" / corpus / "inbox"
    return inbox, ROOT / "bench" / "results" / f"outputs-{corpus}"


def prepare(corpus: str) -> None:
    from oneplan.flows.oneplan_flow import run_plan

    from bench.measure import scope

    inbox, out = _paths(corpus)
    manifest = json.loads((inbox.parent / "manifest.json").read_text())
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    started = time.perf_counter()
    run_plan(
        inbox,
        out / "oneplan.duckdb",
        out / "export",
        staging=str(out / "staging"),
        provinces=scope(manifest),
    )
    print(f"run_plan {time.perf_counter() - started:.1f} s")


def _sources(db: Path, inbox: Path) -> dict[str, Path]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        files = [
            r[0]
            for r in con.execute(
                "select source_file from submissions where status = 'current'"
            ).fetchall()
        ]
    finally:
        con.close()
    return {f: inbox / f for f in files}


def _plant_issue(db: Path, copy: Path, n: int) -> None:
    """A copy of the database with one more issue on its first current file."""
    import duckdb

    shutil.copyfile(db, copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute(
            "insert into data_issues by name select * replace "
            "(message || ? as message) from data_issues where submission_id = "
            "(select min(submission_id) from submissions where status = 'current') limit 1",
            [f" (bench {n})"],
        )
    finally:
        con.close()


def time_outputs(corpus: str, runs: int, changed: bool) -> None:
    import inspect

    from oneplan.flows.paths import mark_export
    from oneplan.flows.workbook import write_outputs

    inbox, out = _paths(corpus)
    db = out / "oneplan.duckdb"
    sources = _sources(db, inbox)
    work = out / "timing"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    takes_previous = "previous" in inspect.signature(write_outputs).parameters
    previous = None
    if changed:
        previous = work / "v0"
        previous.mkdir()
        mark_export(previous)  # a version folder of ours, as build_export leaves it
        kwargs = {"previous": None} if takes_previous else {}
        write_outputs(db, previous, sources, **kwargs)
    seconds = []
    for n in range(1, runs + 1):
        target = work / f"v{n}"
        target.mkdir()
        mark_export(target)
        use = db
        if changed:
            use = work / f"db{n}.duckdb"
            _plant_issue(db, use, n)
        kwargs = {"previous": previous} if takes_previous else {}
        started = time.perf_counter()
        result = write_outputs(use, target, sources, **kwargs)
        seconds.append(time.perf_counter() - started)
        written = len(result.get("written", [])) if isinstance(result, dict) else "?"
        print(f"run {n}: {seconds[-1]:.2f} s ({written} files written)", flush=True)
        if changed:
            previous = target
    print(f"median {statistics.median(seconds):.2f} s (load {os.getloadavg()[0]:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=("prepare", "time"))
    parser.add_argument("--corpus", default="district-region")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--changed", action="store_true")
    args = parser.parse_args()
    if args.what == "prepare":
        prepare(args.corpus)
    else:
        time_outputs(args.corpus, args.runs, args.changed)


if __name__ == "__main__":
    main()
