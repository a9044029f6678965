"""`oneplan check` of one district workbook: whole-process seconds and CPU, and where they go.

    python -m bench.check [--scale province] [--runs 5] [--file PATH --district CODE]
                          [--out bench/results]

The file is the district corpus's .xlsx closest to 500 rows (bench.paired.check_target; the
corpus is generated when missing), or `--file`. Each run is a fresh `oneplan check FILE
--district CODE` process, timed from the outside like a district officer's command: wall
seconds, and CPU seconds (user + system) of the process and the reader child it waited for
(os.wait4). The machine's 1-minute load average is recorded with each run: on a shared machine
the wall time is the CPU time stretched by the load, so compare CPU, or wall at load < 1.

Then one more process splits the CPU time into phases (`--phases`: interpreter start, pandas
import, the other imports, the reading rules, the areas, reading the file, consolidating it,
the report), which is the profile of what stands between the command and its target
(README: `oneplan check` of a 500-row workbook under 0.5 s). Exit code 1 of a check ("the
file has errors") is a success here: the corpus plants errors.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
SCALES = ("province", "region", "nation")  # bench.corpus_district.SCALES (imported lazily:
# the phase split's process must not pay for the corpus generator's imports)
PHASES = (
    ("start", "interpreter start and site"),
    ("pandas", "import pandas (numpy, pyarrow)"),
    ("imports", "import oneplan.flows.check and what it imports"),
    ("rules", "load_rules: data/ tables into the reading rules"),
    ("areas", "load_areas: the official areas (geothai)"),
    ("read", "read the file (its sheets, rows and issues)"),
    ("consolidate", "consolidate the district: duplicates, issues, row log"),
    ("report", "format the report"),
)


def phases(path: str, district: str) -> dict[str, float]:
    """CPU seconds of this process per phase of one check (run in a fresh process: the
    imports are only cold once). The reader child's CPU is not in it (see `run_once`)."""
    cpu = [time.process_time()]
    import pandas  # noqa: F401

    cpu.append(time.process_time())
    from oneplan.flows import check
    from oneplan.flows.reference import load_areas, load_rules

    cpu.append(time.process_time())
    load_rules()
    cpu.append(time.process_time())
    load_areas()
    cpu.append(time.process_time())
    split: dict[str, float] = {"read": 0.0, "consolidate": 0.0}
    timed = {"read_one": "read", "consolidate_district": "consolidate"}
    originals = {name: getattr(check, name) for name in timed}

    def timer(name):
        def call(*args, **kwargs):
            started = time.process_time()
            try:
                return originals[name](*args, **kwargs)
            finally:
                split[timed[name]] += time.process_time() - started

        return call

    for name in timed:
        setattr(check, name, timer(name))
    try:
        result = check.check_files([Path(path)], district)
    finally:
        for name, original in originals.items():
            setattr(check, name, original)
    cpu.append(time.process_time())
    check.format_report(result)
    cpu.append(time.process_time())
    out = {
        "start": cpu[0],
        "pandas": cpu[1] - cpu[0],
        "imports": cpu[2] - cpu[1],
        "rules": cpu[3] - cpu[2],
        "areas": cpu[4] - cpu[3],
        **split,
        "report": cpu[6] - cpu[5],
        "total": cpu[6],
        "issues": sum(len(f.issues) for f in result.files),
        "row_log": sum(len(f.row_log) for f in result.files),
    }
    out["other"] = cpu[5] - cpu[4] - split["read"] - split["consolidate"]
    return out


def run_once(argv: list[str]) -> dict[str, Any]:
    """One fresh process: wall seconds, CPU seconds (itself and its waited-for children),
    peak memory, exit code and the load average as it started."""
    load = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    error = proc.stderr.read().decode("utf-8", "replace")[-2000:] if code not in (0, 1) else ""
    proc.stderr.close()
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "returncode": code,
        "load_1min": load,
        "error": error,
    }


def target(scale: str) -> tuple[Path, str, int | None]:
    from bench import corpus_district
    from bench.paired import check_target

    manifest = corpus_district.ensure_corpus(scale)
    chosen = check_target(manifest)
    inbox = corpus_district.inbox_of(scale)
    return inbox / chosen["path"], chosen["district_code"], chosen["rows"]


def summarize(runs: list[dict[str, Any]]) -> dict[str, float | None]:
    good = [r for r in runs if r["returncode"] in (0, 1)]

    def median(key: str) -> float | None:
        return statistics.median(r[key] for r in good) if good else None

    return {
        "runs": len(good),
        "wall_median_s": median("wall_s"),
        "wall_min_s": min((r["wall_s"] for r in good), default=None),
        "cpu_median_s": median("cpu_s"),
        "cpu_min_s": min((r["cpu_s"] for r in good), default=None),
        "peak_mb_median": median("peak_mb"),
        "load_median": median("load_1min"),
    }


def markdown(result: dict[str, Any]) -> str:
    s = result["summary"]

    def f(value: float | None) -> str:
        return "–" if value is None else f"{value:.3f}"

    lines = [
        f"### `oneplan check` of {result['file']} ({result['rows']} rows, district "
        f"{result['district']})",
        "",
        f"{s['runs']} fresh processes, code `{result['code']}`, {result['when']}, load average "
        f"(1 min) median {f(s['load_median'])} on {os.cpu_count()} cores.",
        "",
        "| | median | min |",
        "| --- | ---: | ---: |",
        f"| wall s | {f(s['wall_median_s'])} | {f(s['wall_min_s'])} |",
        f"| CPU s (process + reader child) | {f(s['cpu_median_s'])} | {f(s['cpu_min_s'])} |",
        "",
        "CPU seconds of the checking process by phase (one fresh process; the reader child's "
        "CPU is not in it):",
        "",
        "| phase | CPU s |",
        "| --- | ---: |",
    ]
    split = result["phases"]
    for key, label in (*PHASES, ("other", "the rest of check_files"), ("total", "total")):
        lines.append(f"| {label} | {f(split.get(key))} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="province", choices=SCALES)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--file", type=Path, help="check this file instead of the corpus's")
    parser.add_argument("--district", help="its district code (with --file)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--phases", nargs=2, metavar=("FILE", "DISTRICT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phases:  # the child of the phase split
        print(json.dumps(phases(*args.phases)))
        return 0
    if args.file:
        if not args.district:
            parser.error("--file needs --district")
        path, district, rows = args.file, args.district, None
    else:
        path, district, rows = target(args.scale)
    oneplan = str(Path(sys.executable).parent / "oneplan")
    argv_check = [oneplan, "check", str(path), "--district", district]
    runs = []
    for i in range(args.runs):
        run = run_once(argv_check)
        runs.append(run)
        print(
            f"  run {i + 1}: wall {run['wall_s']:.3f} s, CPU {run['cpu_s']:.3f} s, "
            f"load {run['load_1min']:.2f}, exit {run['returncode']}",
            flush=True,
        )
        if run["error"]:
            print(run["error"], file=sys.stderr)
            return 2
    split = subprocess.run(
        [sys.executable, "-m", "bench.check", "--phases", str(path), district],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    from bench.measure import code_fingerprint

    result = {
        "file": str(path.name),
        "rows": rows,
        "district": district,
        "code": code_fingerprint(),
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "runs": runs,
        "summary": summarize(runs),
        "phases": json.loads(split.stdout.strip().splitlines()[-1]),
    }
    text = markdown(result)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"check-{args.scale if not args.file else 'file'}"
    (args.out / f"{stem}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    (args.out / f"{stem}.md").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
