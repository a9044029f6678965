"""The benchmark: ours against the pandas script on district-sized files, paired, whole process.

    python -m bench [--scale province[,region,...]] [--runs 3] [--modes a,b,...] [--out DIR]
    python -m bench --tiny [bench.measure options]     the old tiny-file corpora (bench.measure)

Corpora: bench.corpus_district (one workbook per district or per tambon, 100 to ~1,000 rows,
the sample's layouts, real DOPA codes). Every measurement is a fresh process, timed from the
outside: interpreter start and imports included, as a user or the nightly timer pays them.
A round runs every measurement once, in an order rotated each round; medians are over rounds,
and each ratio is the median of the ratios within a round (paired), so a load spike from other
work on the machine hits both sides of a ratio. The load average is recorded with each round.

Measurements (modes):
- run_plan_cold / _unchanged / _one_changed: `run_plan` (the flow's steps, no Prefect) in a
  fresh process: into a fresh output folder; again on the same inbox (nothing changed); again
  after one budget of one CSV file was raised (one file changed).
- cli_cold / _unchanged / _one_changed: the same three through `oneplan run`, which starts a
  temporary Prefect server for the run (no PREFECT_API_URL), one PREFECT_HOME per corpus.
- cli_server_*: the same three against a Prefect server that is already running (the nightly
  path), only with `--server-url URL` (start one with `prefect server start`).
- pandas_openpyxl: the pandas script as usually written: read_excel (openpyxl for .xlsx,
  calamine for .xls/.ods) / read_csv of every sheet, header=None, concat, to_parquet.
- pandas_calamine: the same script with calamine for .xlsx too (the fairest baseline).
- floor: python-calamine reads every cell and csv parses every line, nothing else.
- check_500: `oneplan check FILE --district CODE` of the corpus's .xlsx closest to 500 rows
  (exit 1, "the file has errors", is a success here: the corpus plants errors).

Growth exponent: the slope of log(median seconds) against log(rows) over the scales run in the
invocation (least squares; 1.0 is linear), for each mode measured at two scales or more.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import corpus_district
from bench.measure import (
    PREFECT_ENV,
    RESULTS,
    Run,
    _f,
    bump_one_budget,
    code_fingerprint,
    machine,
    ours_blocker,
    run_child,
    scope,
)

MODES: dict[str, str] = {
    "run_plan_cold": "`run_plan`, cold",
    "run_plan_unchanged": "`run_plan`, unchanged rerun",
    "run_plan_one_changed": "`run_plan`, one file changed",
    "cli_cold": "`oneplan run` (temporary Prefect server), cold",
    "cli_unchanged": "`oneplan run` (temporary server), unchanged rerun",
    "cli_one_changed": "`oneplan run` (temporary server), one file changed",
    "cli_server_cold": "`oneplan run` against a running Prefect server, cold",
    "cli_server_unchanged": "`oneplan run` against a running server, unchanged rerun",
    "cli_server_one_changed": "`oneplan run` against a running server, one file changed",
    "pandas_openpyxl": "pandas script, openpyxl for .xlsx, header=None, every sheet",
    "pandas_calamine": "pandas script, calamine, header=None, every sheet",
    "floor": "floor: python-calamine cells + csv parse",
    "check_500": "`oneplan check` of the .xlsx closest to 500 rows",
}
# A unit runs in one go within a round: its modes depend on each other (rerun after cold).
UNITS: dict[str, tuple[str, ...]] = {
    "run_plan": ("run_plan_cold", "run_plan_unchanged", "run_plan_one_changed"),
    "cli": ("cli_cold", "cli_unchanged", "cli_one_changed"),
    "cli_server": ("cli_server_cold", "cli_server_unchanged", "cli_server_one_changed"),
    "pandas_openpyxl": ("pandas_openpyxl",),
    "pandas_calamine": ("pandas_calamine",),
    "floor": ("floor",),
    "check_500": ("check_500",),
}
OURS = UNITS["run_plan"] + UNITS["cli"] + UNITS["cli_server"]
SERVER_MODES = UNITS["cli_server"]  # only with --server-url
RATIOS: tuple[tuple[str, str], ...] = (  # (numerator, denominator), paired within a round
    ("run_plan_cold", "pandas_openpyxl"),
    ("run_plan_cold", "pandas_calamine"),
    ("run_plan_cold", "floor"),
    ("cli_cold", "pandas_openpyxl"),
    ("cli_cold", "pandas_calamine"),
    ("cli_cold", "run_plan_cold"),
    ("cli_server_cold", "run_plan_cold"),
    ("cli_server_cold", "pandas_calamine"),
    ("cli_server_unchanged", "cli_server_cold"),
    ("cli_server_one_changed", "cli_server_cold"),
    ("run_plan_unchanged", "run_plan_cold"),
    ("run_plan_one_changed", "run_plan_cold"),
    ("cli_unchanged", "cli_cold"),
    ("cli_one_changed", "cli_cold"),
    ("pandas_openpyxl", "pandas_calamine"),
)


# ---- the arithmetic (plain functions, tested) ----------------------------------------------------
def median_or_none(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def paired_ratio(
    rounds: list[dict[str, float | None]], numerator: str, denominator: str
) -> dict[str, Any]:
    """Median over rounds of numerator/denominator, using only rounds where both succeeded."""
    values = [
        r[numerator] / r[denominator]
        for r in rounds
        if r.get(numerator) is not None and r.get(denominator)
    ]
    return {"n": len(values), "median": median_or_none(values), "values": values}


def growth_exponent(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(seconds) on log(rows); None with fewer than two row counts."""
    pts = [(math.log(n), math.log(s)) for n, s in points if n > 0 and s and s > 0]
    if len({x for x, _ in pts}) < 2:
        return None
    mx = statistics.fmean(x for x, _ in pts)
    my = statistics.fmean(y for _, y in pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sxx


def marginal_kb_per_row(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of peak MB on rows, in KB a row; None with fewer than two counts."""
    pts = [(float(n), mb) for n, mb in points if mb is not None]
    if len({x for x, _ in pts}) < 2:
        return None
    mx = statistics.fmean(x for x, _ in pts)
    my = statistics.fmean(y for _, y in pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sxx * 1024


def rotated(units: list[str], round_index: int) -> list[str]:
    """The units in the order of a round: rotated by the round's index."""
    k = round_index % len(units) if units else 0
    return units[k:] + units[:k]


# ---- one corpus ----------------------------------------------------------------------------------
def _python() -> str:
    return sys.executable


def _oneplan() -> str:
    return str(Path(sys.executable).parent / "oneplan")


def _target_csv(manifest: dict[str, Any]) -> str:
    """The file the one-file change edits: the corpus's first CSV plan."""
    return next(f["path"] for f in manifest["files"] if f["format"] == "csv")


def _coverage(mode: str, run: Run, n_files: int) -> str:
    """What is wrong with a run_plan run's coverage ("" when it read what it should)."""
    if not mode.startswith("run_plan") or run.returncode:
        return ""
    parsed = run.info.get("files_parsed") or 0
    seen = parsed + (run.info.get("files_reused") or 0)
    if seen != n_files:
        return f"saw {seen} of {n_files} files"
    want = {"run_plan_cold": n_files, "run_plan_unchanged": 0, "run_plan_one_changed": 1}[mode]
    return "" if parsed == want else f"parsed {parsed} files, expected {want}"


def _ours_unit(
    unit: str, i: int, inbox: Path, manifest: dict, provinces: str, work: Path, env: dict
) -> dict[str, Run]:
    """cold, unchanged, one changed on a private copy of the inbox (copying is not timed)."""
    own_inbox, out = work / f"{unit}-inbox", work / f"{unit}-out"
    for path in (own_inbox, out):
        shutil.rmtree(path, ignore_errors=True)
    shutil.copytree(inbox, own_inbox, symlinks=True)
    db, export = out / "oneplan.duckdb", out / "export"
    if unit == "run_plan":
        argv = [_python(), "-m", "bench.child", "ours", str(own_inbox), str(out), provinces]
        timed_inside = True
    else:
        argv = [
            _oneplan(), "run", "--inbox", str(own_inbox), "--db", str(db),
            "--export", str(export), "--provinces", provinces,
        ]  # fmt: skip
        timed_inside = False
    runs: dict[str, Run] = {}
    for mode in UNITS[unit]:
        if mode.endswith("one_changed"):
            target = _target_csv(manifest)
            r, c, old, new = bump_one_budget(own_inbox / target, 1000 * (i + 1))
        run = run_child(argv, env, timed_inside)
        if mode.endswith("one_changed"):
            run.info["changed"] = f"{target} row {r} col {c}: {old!r} -> {new!r}"
        runs[mode] = run
        if run.returncode:
            break  # a rerun of a failed run measures nothing
    shutil.rmtree(own_inbox, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    return runs


def check_target(manifest: dict[str, Any]) -> dict[str, Any]:
    """The .xlsx file whose row count is closest to 500 (Chai Nat's first: `oneplan check`
    knows Chai Nat's districts; then path order)."""
    xlsx = [f for f in manifest["files"] if f["format"] == "xlsx"]
    return min(
        xlsx,
        key=lambda f: (not f["district_code"].startswith("18"), abs(f["rows"] - 500), f["path"]),
    )


def _check_unit(inbox: Path, manifest: dict[str, Any]) -> dict[str, Run]:
    target = check_target(manifest)
    argv = [_oneplan(), "check", str(inbox / target["path"]), "--district", target["district_code"]]
    run = run_child(argv, timed_inside=False)
    if run.returncode == 1:  # errors found: the check did its job
        run.returncode, run.error = 0, ""
    run.info = {"file": target["path"], "rows": target["rows"]}
    return {"check_500": run}


def _other_unit(unit: str, inbox: Path, work: Path) -> dict[str, Run]:
    if unit == "floor":
        return {"floor": run_child([_python(), "-m", "bench.child", "floor", str(inbox)])}
    parquet = work / f"{unit}.parquet"
    engine = unit.removeprefix("pandas_")
    argv = [_python(), "-m", "bench.child", "baseline", str(inbox), str(parquet), "none", engine]
    run = run_child(argv)
    parquet.unlink(missing_ok=True)
    return {unit: run}


def measure_corpus(
    scale: str,
    manifest: dict[str, Any],
    runs: int,
    modes: list[str],
    work: Path,
    log=print,
    server_url: str = "",
) -> dict[str, Any]:
    """`runs` rounds of every unit holding a requested mode, on one district-sized corpus."""
    name = corpus_district.corpus_name(scale)
    inbox = corpus_district.inbox_of(scale)
    provinces = scope(manifest)
    units = [u for u, ms in UNITS.items() if set(ms) & set(modes)]
    blocked = None
    if {"run_plan", "cli", "cli_server"} & set(units):
        blocked = ours_blocker(inbox, provinces)
        if blocked:
            log(f"    {name}: ours not measured: {blocked}")
            units = [u for u in units if u not in ("run_plan", "cli", "cli_server")]
    home = Path(tempfile.mkdtemp(prefix="prefect-home-", dir=work))
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_ENV, PREFECT_HOME=str(home))
    code_before = code_fingerprint()
    rounds: list[dict[str, Any]] = []
    for i in range(runs):
        load = list(os.getloadavg())
        got: dict[str, Run] = {}
        for unit in rotated(units, i):
            if unit in ("run_plan", "cli", "cli_server"):
                unit_env = dict(env, PREFECT_API_URL=server_url) if unit == "cli_server" else env
                new = _ours_unit(unit, i, inbox, manifest, provinces, work, unit_env)
            elif unit == "check_500":
                new = _check_unit(inbox, manifest)
            else:
                new = _other_unit(unit, inbox, work)
            got.update(new)
            for mode, run in new.items():
                if mode not in modes:
                    continue
                state = f"FAILED rc={run.returncode}: {run.error[-300:]}" if run.returncode else ""
                log(
                    f"    {name} round {i + 1} {mode}: {run.wall_s:.2f}s, peak "
                    f"{run.peak_mb:.0f} MB {state}{_coverage(mode, run, manifest['n_files'])}"
                )
        rounds.append({"loadavg": load, "runs": {m: r for m, r in got.items() if m in modes}})
    return summarize_corpus(scale, manifest, rounds, modes, blocked, code_before)


def summarize_corpus(
    scale: str,
    manifest: dict[str, Any],
    rounds: list[dict[str, Any]],
    modes: list[str],
    blocked: str | None,
    code_before: str,
) -> dict[str, Any]:
    rows, n_files = manifest["n_rows"], manifest["n_files"]
    ok_seconds: list[dict[str, float | None]] = []
    for r in rounds:
        ok_seconds.append(
            {
                m: (run.wall_s if run.returncode == 0 else None)
                for m, run in r["runs"].items()
                if not _coverage(m, run, n_files)
            }
        )
    measurements = {}
    for mode in modes:
        runs = [r["runs"][mode] for r in rounds if mode in r["runs"]]
        if not runs:
            continue
        ok = [s[mode] for s in ok_seconds if s.get(mode) is not None]
        good = [run for run in runs if run.returncode == 0]
        med = median_or_none(ok)
        measurements[mode] = {
            "label": MODES[mode],
            "n": len(ok),
            "failed": len(runs) - len(ok),
            "problems": sorted({p for run in runs if (p := _coverage(mode, run, n_files))}),
            "median_s": med,
            "min_s": min(ok, default=None),
            "max_s": max(ok, default=None),
            "rows_per_s": (good[0].info.get("rows", rows) if mode == "check_500" else rows) / med
            if med and good
            else None,
            "peak_mb": max((run.peak_mb for run in good), default=None),
            "tree_peak_mb": max(
                (run.tree_peak_mb for run in good if run.tree_peak_mb is not None), default=None
            ),
            "work_s_inside": median_or_none(
                [run.work_s for run in good if run.work_s is not None and mode in OURS[:3]]
            ),
            "runs": [
                {
                    "wall_s": run.wall_s,
                    "peak_mb": run.peak_mb,
                    "rc": run.returncode,
                    "info": run.info,
                    "error": run.error[-500:],
                }
                for run in runs
            ],  # fmt: skip
        }
    ratios = {
        f"{a} / {b}": paired_ratio(ok_seconds, a, b)
        for a, b in RATIOS
        if a in measurements and b in measurements
    }
    return {
        "scale": scale,
        "corpus": corpus_district.corpus_name(scale),
        "spec": manifest["spec"],
        "n_rows": rows,
        "n_files": n_files,
        "n_projects": manifest["n_projects"],
        "bytes": manifest["bytes"],
        "formats": manifest["formats"],
        "file_rows": corpus_district.file_rows(manifest),
        "ours_blocked": blocked,
        "loadavg_by_round": [r["loadavg"] for r in rounds],
        "loadavg_after": list(os.getloadavg()),
        "code_before_after": [code_before, code_fingerprint()],
        "measurements": measurements,
        "ratios": ratios,
    }


# ---- reporting -----------------------------------------------------------------------------------
def growth(corpora: list[dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """Per mode measured on two corpora or more: the time exponent and the peak memory a row."""
    out = {}
    for mode in (m for m in MODES if m != "check_500"):  # check reads one file at every scale
        found = [
            (c["n_rows"], c["measurements"][mode])
            for c in corpora
            if mode in c["measurements"] and c["measurements"][mode]["median_s"]
        ]
        if len(found) >= 2:
            out[mode] = {
                "time_exponent": growth_exponent([(n, m["median_s"]) for n, m in found]),
                "kb_per_row": marginal_kb_per_row([(n, m["peak_mb"]) for n, m in found]),
            }
    return out


def corpus_markdown(c: dict[str, Any]) -> str:
    spec, fr = c["spec"], c["file_rows"]
    loads = "; ".join(" ".join(f"{x:.1f}" for x in load) for load in c["loadavg_by_round"])
    before, after = c["code_before_after"]
    lines = [
        f"### `{c['corpus']}`: {spec['n_districts']} districts, {spec['n_tambon_plans']} tambon "
        f"plans, {c['n_files']} files, {c['n_rows']:,} rows",
        "",
        f"{', '.join(f'{n} {k}' for k, n in c['formats'].items())}; rows a file: min "
        f"{fr['min']}, median {fr['median']}, max {fr['max']}; {c['n_projects']:,} projects, "
        f"{c['bytes'] / 1024 / 1024:.1f} MB. Load average (1/5/15 min) at the start of each "
        f"round: {loads}; after: {' '.join(f'{x:.1f}' for x in c['loadavg_after'])}. Code "
        f"`{before}`" + ("" if before == after else f" -> `{after}` (**changed while measuring**)")
        + ".",
        "",
    ]  # fmt: skip
    if c["ours_blocked"]:
        lines += [f"**ours not measured**: {c['ours_blocked']}.", ""]
    lines += [
        "| measurement | runs | median s | min s | max s | rows/s | peak MB | tree MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in c["measurements"].values():
        label = m["label"] + (f" ({m['failed']} failed)" if m["failed"] else "")
        if m["runs"] and m["runs"][0]["info"].get("file"):  # check_500: which file
            label += f" ({m['runs'][0]['info']['rows']} rows)"
        label += "".join(f" **{p}**" for p in m["problems"])
        lines.append(
            f"| {label} | {m['n']} | {_f(m['median_s'])} | {_f(m['min_s'])} | {_f(m['max_s'])} "
            f"| {_f(m['rows_per_s'], ',.0f')} | {_f(m['peak_mb'], '.0f')} "
            f"| {_f(m['tree_peak_mb'], '.0f')} |"
        )
    if c["ratios"]:
        lines += ["", "| paired ratio | rounds | median |", "|---|---:|---:|"]
        for key, r in c["ratios"].items():
            lines.append(f"| {key} | {r['n']} | {_f(r['median'])} |")
    return "\n".join(lines)


def report_markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        f"## Benchmark, district-sized files ({result['started_at']})",
        "",
        f"Command: `{result['command']}`. Machine: {m['nproc']} CPUs ({m['cpu']}), "
        f"{m['mem_total_mb']:,} MB RAM, Python {m['python']}; "
        + ", ".join(f"{k} {v}" for k, v in m["packages"].items())
        + f". {result['runs']} paired rounds; seconds are whole-process wall time (interpreter "
        "start and imports included), medians over rounds; ratios are medians of the ratios "
        "within a round. peak MB: ru_maxrss of the largest process; tree MB: peak RSS summed "
        "over the process tree (0.1 s samples). The OS file cache is warm in every mode.",
        "",
    ]
    lines += [corpus_markdown(c) + "\n" for c in result["corpora"]]
    grown = growth(result["corpora"])
    if grown:
        lines += [
            "### Growth over the scales run",
            "",
            "Time exponent: slope of log median seconds on log rows (1.0 is linear); peak "
            "memory: slope of peak MB on rows, in KB a row.",
            "",
            "| measurement | time exponent | peak KB a row |",
            "|---|---:|---:|",
            *(
                f"| {MODES[k]} | {_f(v['time_exponent'])} | {_f(v['kb_per_row'])} |"
                for k, v in grown.items()
            ),
            "",
        ]
    return "\n".join(lines)


# ---- entry point ---------------------------------------------------------------------------------
def run(
    scales: list[str], runs: int, modes: list[str], out: Path, log=print, server_url: str = ""
) -> dict[str, Any]:
    started = datetime.now(UTC)
    result: dict[str, Any] = {
        "started_at": started.isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench", *sys.argv[1:]]),
        "runs": runs,
        "modes": modes,
        "machine": machine(),
        "corpora": [],
    }
    for scale in scales:
        manifest = corpus_district.ensure_corpus(scale, log=log)
        log(f"  measuring {corpus_district.corpus_name(scale)}: {manifest['n_files']} files")
        work = Path(tempfile.mkdtemp(prefix=f"oneplan-bench-{scale}-"))
        try:
            result["corpora"].append(
                measure_corpus(scale, manifest, runs, modes, work, log, server_url)
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
    result["growth"] = growth(result["corpora"])
    result["elapsed_s"] = (datetime.now(UTC) - started).total_seconds()
    out.mkdir(parents=True, exist_ok=True)
    stem = "district-" + "-".join(scales)
    (out / f"{stem}.md").write_text(report_markdown(result), encoding="utf-8")
    (out / f"{stem}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8"
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        default="province",
        help=f"comma-separated scales of {', '.join(corpus_district.SCALES)} (default province;"
        " two or more give the growth exponent)",
    )
    parser.add_argument("--runs", type=int, default=3, help="paired rounds (default 3)")
    parser.add_argument("--modes", help=f"comma-separated subset of: {', '.join(MODES)}")
    parser.add_argument("--no-prefect", action="store_true", help="leave out the cli_* modes")
    parser.add_argument(
        "--server-url",
        default="",
        help="PREFECT_API_URL of a running Prefect server: adds the cli_server_* modes",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the .md/.json go")
    args = parser.parse_args(argv)
    scales = [s.strip() for s in args.scale.split(",") if s.strip()]
    modes = [m.strip() for m in args.modes.split(",")] if args.modes else list(MODES)
    if not args.server_url:
        if args.modes and set(modes) & set(SERVER_MODES):
            parser.error("the cli_server_* modes need --server-url")
        modes = [m for m in modes if m not in SERVER_MODES]
    if args.no_prefect:
        modes = [m for m in modes if not m.startswith("cli")]
    if bad := sorted(set(scales) - set(corpus_district.SCALES)) + sorted(set(modes) - set(MODES)):
        parser.error(f"unknown scale or mode: {', '.join(bad)}")
    if args.runs < 1:
        parser.error("--runs must be >= 1")
    log = lambda s: print(s, flush=True)  # noqa: E731
    result = run(scales, args.runs, modes, args.out, log, args.server_url)
    print("\n" + report_markdown(result), flush=True)
    print(f"wrote {args.out}/district-{'-'.join(scales)}.md and .json")
    return 0
