"""Profile ours (run_plan, cold, no Prefect) on one benchmark corpus with cProfile.

    python -m bench.profile [--corpus province-xN|district-province|...] [--top 25] [--rerun]
                            [--out bench/results]

Prints the top functions by cumulative and by own time, a per-stage split (discover, parse,
publish), and writes `<out>/profile-<corpus>.prof` (open with `python -m pstats` or snakeviz).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import corpus, corpus_district
from bench.measure import RESULTS, code_fingerprint, scope

STAGES = (  # (label, function name, where it lives: a path fragment)
    ("discover_inbox", "discover_inbox", "flows/"),
    ("stage_file (read + parse + stage, all files)", "stage_file", "flows/"),
    ("  read_file (calamine / csv)", "read_file", "flows/"),
    ("  read_sheets (transforms.sheet)", "read_sheets", "transforms/"),
    ("  staged_tables (to Arrow)", "staged_tables", "transforms/"),
    ("  pq.write_table (staging)", "write_table", "pyarrow/parquet/"),
    ("consolidate (step)", "consolidate", "flows/"),
    ("  read_staged (all staged Parquet)", "read_staged", "flows/"),
    ("  consolidate (transforms.consolidate)", "consolidate", "transforms/"),
    ("    _same_name_other_tambon", "_same_name_other_tambon", "transforms/"),
    ("    _large_budgets", "_large_budgets", "transforms/"),
    ("assemble_publication", "assemble_publication", "transforms/"),
    ("  assemble_tables", "assemble_tables", "transforms/"),
    ("  project_changes (rerun history)", "project_changes", "transforms/"),
    ("build_database", "build_database", "flows/"),
    ("check_database", "check_database", "flows/"),
    ("build_export", "build_export", "flows/"),
    ("write_quality_report", "write_quality_report", "flows/"),
    ("  run_summary", "run_summary", "flows/"),
)


def stage_split(stats: pstats.Stats, total: float) -> list[tuple[str, int, float, float]]:
    """(label, calls, cumulative seconds, share of total) for each known stage: the entry of
    that name under that path with the largest cumulative time (a name can occur twice)."""
    out = []
    raw = stats.stats  # type: ignore[attr-defined]
    for label, func, where in STAGES:
        found = [
            (ct, ncalls)
            for (path, _, name), (_, ncalls, _, ct, _) in raw.items()
            if name == func and where in path.replace("\\", "/")
        ]
        if found:
            cum, calls = max(found)
            out.append((label, int(calls), cum, cum / total if total else 0.0))
    return out


def top(stats: pstats.Stats, key: str, n: int) -> str:
    buf = io.StringIO()
    stats.stream = buf  # type: ignore[attr-defined]
    stats.sort_stats(key).print_stats(n)
    return buf.getvalue()


def profile(name: str, n: int, rerun: bool, out: Path) -> str:
    if name.startswith("district-"):  # bench.corpus_district's corpora
        manifest = corpus_district.ensure_corpus(name.removeprefix("district-"))
    else:
        manifest = corpus.ensure_corpus(name)
    from oneplan.flows.oneplan_flow import run_plan

    work = Path(tempfile.mkdtemp(prefix="oneplan-profile-"))
    kwargs = {"provinces": scope(manifest)}
    try:
        db, export = work / "oneplan.duckdb", work / "export"
        if rerun:  # profile the second run: everything staged already
            run_plan(corpus.inbox_of(name), db, export, **kwargs)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        summary = run_plan(corpus.inbox_of(name), db, export, **kwargs)
        profiler.disable()
        total = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    prof = out / f"profile-{name}{'-rerun' if rerun else ''}.prof"
    profiler.dump_stats(prof)
    stats = pstats.Stats(profiler)
    lines = [
        f"pipeline code fingerprint {code_fingerprint()}",
        f"run_plan on {name} ({'rerun, all staged' if rerun else 'cold'}): "
        f"{manifest['n_files']} files, {manifest['n_rows']} rows, {summary['projects']} "
        f"projects, {total:.2f}s under cProfile",
        "",
        "stage split (cumulative s, share of the run):",
    ]
    for label, calls, cum, share in stage_split(stats, total):
        lines.append(f"  {label:<48} {calls:>6} calls {cum:>8.2f}s {share:>6.1%}")
    lines += ["", f"top {n} by cumulative:", top(stats, "cumulative", n)]
    lines += [f"top {n} by tottime:", top(stats, "tottime", n), f"written {prof}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    district = [corpus_district.corpus_name(s) for s in corpus_district.SCALES]
    parser.add_argument("--corpus", choices=(*corpus.SCALES, *district), default="province-xN")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--rerun", action="store_true", help="profile an all-staged rerun")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    print(profile(args.corpus, args.top, args.rerun, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
