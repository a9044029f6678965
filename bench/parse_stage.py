"""Time the parse stage alone on a benchmark corpus, serial, one core: read_sheets (the
reader), staged_tables (to Arrow), staging writes, and read_staged of every file.

    PYTHONPATH=. .venv/bin/python -m bench.parse_stage [--corpus district-region] [--runs 3]
        [--dump DIR]   # also write each file's staged tables as Parquet under DIR (to compare)

The files are read (calamine / csv) once before timing: that cost is the reading floor, not
the parse. Prints the median of each part over the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench import corpus_district
from bench.measure import scope


def _cold_caches() -> None:
    """Empty every memo of the reader, so each run pays what a fresh process pays."""
    from oneplan.transforms import numbers, sheet, text

    for module in (text, numbers, sheet):
        for value in vars(module).values():
            if hasattr(value, "cache_clear"):
                value.cache_clear()
    if hasattr(sheet, "_LAST_LOOKUPS"):
        sheet._LAST_LOOKUPS = None


def _read_all(inputs, rules, matcher, read_sheets):
    return [read_sheets(sheets, ctx, rules, matcher) for _, sheets, ctx in inputs]


def _tables_all(inputs, results, staged_tables):
    from oneplan.transforms.consolidate import with_file_columns

    return [
        with_file_columns(staged_tables(r), j.submission_id, j.source_file, j.district_code)
        for (j, _, _), r in zip(inputs, results, strict=True)
    ]


def _legacy_write_staged(target: Path, tables, plan, job) -> str:
    """How stage_file wrote a parse before one Arrow IPC file per parse (one Parquet file per
    non-empty kind): to time an older checkout with this script."""
    import pyarrow.parquet as pq
    from oneplan.transforms import schema

    target.mkdir(parents=True)
    for kind, table in tables.items():
        if table.num_rows:
            path = target / f"{schema.STAGED_TABLES[kind].name}.parquet"
            pq.write_table(table, path, compression="none", write_statistics=False)
    (target / "plan.json").write_text(json.dumps(plan))
    (target / "done").write_text(json.dumps(job))
    return str(target)


def _write_all(staging, tables, write_staged):
    return [
        {"job": {}, "staged": write_staged(staging / f"{k}", t, {}, {})}
        for k, t in enumerate(tables)
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="district-region")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dump", default=None)
    args = ap.parse_args()
    manifest = corpus_district.ensure_corpus(args.corpus.removeprefix("district-"))
    inbox = Path("bench/corpus") / args.corpus / "inbox"
    provinces = scope(manifest)

    from oneplan.flows import stage
    from oneplan.flows.read import read_bytes
    from oneplan.flows.reference import load_matcher, load_rules
    from oneplan.flows.steps import read_staged
    from oneplan.transforms.sheet import FileContext, read_sheets
    from oneplan.transforms.staging import staged_tables

    jobs, _ = stage.discover_inbox(inbox, provinces)
    rules, matcher = load_rules(), load_matcher(provinces)
    started = time.perf_counter()
    inputs = []
    for job in jobs:
        path = Path(job.path)
        sheets = read_bytes(path.read_bytes(), path.suffix.lower())
        plan = stage.plan_of_file(job.source_file, job.district_code, sheets)
        folders = tuple(Path(job.source_file).parts[1:-1])
        ctx = FileContext(
            job.source_file, job.district_code, job.district_name_th, path.stem, folders,
            plan.default_place,
        )  # fmt: skip
        inputs.append((job, sheets, ctx))
    read_s = time.perf_counter() - started
    times: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}

    def timed(name, fn, *a):
        t, c = time.perf_counter(), time.process_time()
        out = fn(*a)
        times.setdefault(name, []).append(time.perf_counter() - t)
        cpu.setdefault(name, []).append(time.process_time() - c)
        return out

    for run in range(args.runs):
        _cold_caches()
        results = timed("read_sheets", _read_all, inputs, rules, matcher, read_sheets)
        tables = timed("staged_tables", _tables_all, inputs, results, staged_tables)
        staging = Path(tempfile.mkdtemp(prefix="oneplan-parse-stage-"))
        try:
            write = getattr(stage, "write_staged", _legacy_write_staged)
            staged = timed("write_staged", _write_all, staging, tables, write)
            timed("read_staged", read_staged, staged)
        finally:
            shutil.rmtree(staging)
        if args.dump and run == 0:
            import pyarrow.parquet as pq

            out = Path(args.dump)
            out.mkdir(parents=True, exist_ok=True)
            for (j, _, _), t in zip(inputs, tables, strict=True):
                for kind, table in t.items():
                    pq.write_table(table, out / f"{j.submission_id}-{kind}.parquet")
    load = os.getloadavg()
    print(f"{len(jobs)} files; reading (calamine/csv, once): {read_s:.2f} s")
    total = 0.0
    for name, ts in times.items():
        med = statistics.median(ts)
        total += med if name != "read_staged" else 0
        print(
            f"{name:14s} median {med:6.2f} s wall, {statistics.median(cpu[name]):6.2f} s cpu"
            f"  runs {', '.join(f'{t:.2f}' for t in ts)}"
        )
    print(f"parse+stage (read_sheets + staged_tables + write_staged): {total:.2f} s")
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(json.dumps({k: statistics.median(v) for k, v in times.items()}))


if __name__ == "__main__":
    main()
