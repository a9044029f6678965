"""Time ours against the naive pandas baseline and the python-calamine floor.

    python -m bench [--scale province|region|nation|all] [--runs 3] [--prefect-runs 1]
                    [--out bench/results] [--modes ours_cold,baseline,...]

Every run is a fresh subprocess (`bench.child`, or the `oneplan` command for the Prefect rows);
its peak memory is the child's ru_maxrss from os.wait4 (the largest single process of its tree),
and "tree MB" is the largest sum of resident memory over the process tree, sampled every 0.1 s
(what matters for --runner process). Seconds are the median over the runs of the time around
the work inside the child (imports and interpreter start excluded; for `oneplan run` the whole
process, Prefect start-up included); "process s" is the median wall time of the whole process.

Scales measured:
- province: the province corpus, every mode.
- region: the region corpus (baseline, floor; ours only if the pipeline resolves its folders)
  and the province-xN corpus (every mode), which has the region's row count in Chai Nat folders.
- nation: the nation corpus (baseline, floor; ours only if the pipeline resolves its folders).
Ratios are computed within one corpus and one invocation.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import corpus

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024
CHILD_TIMEOUT_S = 4 * 3600

MODES: dict[str, str] = {
    "ours_cold": "ours: run_plan, cold (no Prefect)",
    "prefect_local": "ours: oneplan run --runner local, cold (Prefect)",
    "prefect_process": "ours: oneplan run --runner process, cold (Prefect)",
    "server_cold": "ours: oneplan run against a running Prefect server, cold",
    "server_unchanged": "ours: oneplan run against a running Prefect server, unchanged rerun",
    "ours_rerun_unchanged": "ours: run_plan, unchanged rerun",
    "ours_rerun_one_changed": "ours: run_plan, one file changed",
    "baseline": "baseline: pandas read_excel/read_csv(header=None) + concat + to_parquet",
    "baseline_header0": "baseline as briefed, pandas default header=0 (concat of title columns)",
    "floor": "floor: python-calamine cells + csv parse",
}
OURS_MODES = tuple(m for m in MODES if m.startswith(("ours", "prefect", "server")))
SERVER_MODES = ("server_cold", "server_unchanged")
# header=0 makes the nation's concat explode (> 5 GB, > 6 min): there only when asked for.
DEFAULT_MODES = {
    "province": tuple(MODES),
    "region": tuple(MODES),
    "nation": tuple(m for m in MODES if m != "baseline_header0" and m not in SERVER_MODES),
}
PREFECT_MODES = ("prefect_local", "prefect_process")
COLD_MODES = ("ours_cold", "prefect_local", "prefect_process")
SCALE_CORPORA = {
    "province": ("province",),
    "region": ("region", "province-xN"),
    "nation": ("nation",),
}
PREFECT_ENV = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "60",
}


# ---- the arithmetic ------------------------------------------------------------------------------
def summarize(values: list[float]) -> dict[str, float | int | None]:
    """n, median, min and max of some timings (None when there are none)."""
    if not values:
        return {"n": 0, "median": None, "min": None, "max": None}
    return {
        "n": len(values),
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def per_second(count: int | None, seconds: float | None) -> float | None:
    return ratio(float(count), seconds) if count is not None else None


def unchanged_over_cold(medians: dict[str, float | None]) -> float | None:
    """`oneplan run` unchanged / cold against one running Prefect server (target < 0.15)."""
    return ratio(medians.get("server_unchanged"), medians.get("server_cold"))


def compare(medians: dict[str, float | None]) -> dict[str, dict[str, float | None]]:
    """For each cold ours mode: speed-up over the baseline (baseline / ours), ours / floor."""
    out = {}
    for mode in COLD_MODES:
        if medians.get(mode) is None:
            continue
        out[mode] = {
            "speedup_vs_baseline": ratio(medians.get("baseline"), medians[mode]),
            "ours_over_floor": ratio(medians[mode], medians.get("floor")),
        }
        if medians.get("baseline_header0") is not None:
            out[mode]["speedup_vs_baseline_header0"] = ratio(
                medians["baseline_header0"], medians[mode]
            )
    return out


# ---- running one child ---------------------------------------------------------------------------
@dataclass
class Run:
    wall_s: float
    work_s: float | None
    peak_mb: float
    tree_peak_mb: float | None  # None: ended before the first sample
    returncode: int
    info: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, resident pages) for every process we can see."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()
        table[int(entry.name)] = (int(fields[1]), int(fields[21]))
    return table


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            total += table[pid][1]
        todo += children.get(pid, [])
    return total * PAGE / MB


def run_child(argv: list[str], env: dict[str, str] | None = None, timed_inside: bool = True) -> Run:
    """Run one measured subprocess; its JSON last line of stdout becomes `info`."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=err)
        peak: list[float | None] = [None]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                with contextlib.suppress(Exception):  # a process vanished mid-scan
                    peak[0] = max(peak[0] or 0.0, tree_rss_mb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            done.set()
            sampler.join()
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    info: dict[str, Any] = {}
    lines = [line for line in stdout.splitlines() if line.strip()]
    if timed_inside and lines:
        try:
            info = json.loads(lines[-1])
        except json.JSONDecodeError:
            info = {}
    work = info.get("work_s") if timed_inside else wall
    error = "" if proc.returncode == 0 else (stderr or stdout)[-2000:]
    return Run(
        wall_s=wall,
        work_s=work if proc.returncode == 0 else None,
        peak_mb=usage.ru_maxrss / 1024,  # kB on Linux
        tree_peak_mb=peak[0],
        returncode=proc.returncode,
        info=info,
        error=error,
    )


def code_fingerprint() -> str:
    """Digest of the pipeline's code and rules (flows/, transforms/, data/*.csv, sql/): which
    version of ours a timing measured (other people edit them while benchmarks run)."""
    digest = hashlib.sha256()
    paths = [
        *sorted((ROOT / "flows").glob("*.py")),
        *sorted((ROOT / "transforms").glob("*.py")),
        *sorted((ROOT / "data").glob("*.csv")),
        *sorted((ROOT / "sql").rglob("*.sql")),
    ]
    for path in paths:
        digest.update(path.relative_to(ROOT).as_posix().encode())
        with contextlib.suppress(OSError):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# ---- the one-file change -------------------------------------------------------------------------
def bump_one_budget(path: Path, delta: int) -> tuple[int, int, str, str]:
    """Add `delta` to the first budget (a number of 10,000 or more) of a CSV plan, in place.

    Keeps the file's encoding (UTF-8 with BOM or cp874); returns (row, col, old, new) 1-based.
    """
    data = path.read_bytes()
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "cp874"
    rows = list(csv.reader(io.StringIO(data.decode(encoding), newline="")))
    for r, row in enumerate(rows[1:], 2):
        for c, cell in enumerate(row[1:], 2):
            digits = cell.strip().replace(",", "")
            try:
                value = float(digits)
            except ValueError:
                continue
            if value >= 10_000:
                new = f"{value + delta:,.2f}"
                row[c - 1] = new
                buf = io.StringIO()
                csv.writer(buf, lineterminator="\r\n").writerows(rows)
                path.write_bytes(buf.getvalue().encode(encoding))
                return r, c, cell, new
    raise ValueError(f"no budget cell in {path}")


# ---- one corpus ----------------------------------------------------------------------------------
def _python() -> str:
    return sys.executable


def _oneplan() -> str:
    return str(Path(sys.executable).parent / "oneplan")


def scope(manifest: dict[str, Any]) -> str:
    """The `provinces` scope ours needs for a corpus: "18", "12,13,...", or "all"."""
    codes = manifest["spec"]["provinces"]
    return "all" if manifest["spec"]["scale"] == "nation" else ",".join(codes)


def _cli_scope_args(provinces: str) -> list[str]:
    """`--provinces X` when `oneplan run` has that option, else nothing (Chai Nat only)."""
    try:
        text = subprocess.run(
            [_oneplan(), "run", "--help"], capture_output=True, text=True, cwd=ROOT, timeout=120
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return ["--provinces", provinces] if "--provinces" in text else []


def ours_blocker(inbox: Path, provinces: str) -> str | None:
    """Why ours cannot read this inbox (district folders it does not resolve), or None."""
    run = run_child([_python(), "-m", "bench.child", "check", str(inbox), provinces])
    if run.returncode != 0:
        return f"folder check failed: {run.error[-300:]}"
    unresolved = run.info.get("unresolved", [])
    if unresolved:
        scoped = run.info.get("options") or {"provinces": "18 (run_plan has no scope option)"}
        return (
            f"{len(unresolved)} of {run.info['folders']} district folders are not resolved by "
            f"the pipeline with provinces={scoped['provinces']}, e.g. "
            f"{', '.join(unresolved[:3])}"
        )
    return None


def _log_run(name: str, mode: str, i: int, run: Run, log) -> None:
    if run.returncode:
        log(f"    {name} {mode} #{i + 1}: FAILED rc={run.returncode}: {run.error[-400:]}")
        return
    log(
        f"    {name} {mode} #{i + 1}: work {run.work_s:.2f}s, process {run.wall_s:.2f}s, "
        f"peak {run.peak_mb:.0f} MB, tree {_f(run.tree_peak_mb, '.0f')} MB"
    )


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def prefect_server(work: Path, log=print):
    """A real `prefect server start` on a free loopback port (SQLite in `work`), as the
    nightly machine runs one; yields its API URL and stops it (its process group) after."""
    import httpx

    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    home = Path(tempfile.mkdtemp(prefix="prefect-server-", dir=work))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_UI_ENABLED="false",
        PREFECT_API_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{home}/prefect.db",
    )
    prefect = str(Path(sys.executable).parent / "prefect")
    with open(home / "server.log", "wb") as server_log:
        proc = subprocess.Popen(
            [prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=work,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        started = time.monotonic()
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"prefect server exited with {proc.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() - started > 120:
                raise RuntimeError("prefect server did not answer /health within 120 s")
            time.sleep(0.5)
        log(f"    prefect server at {url} healthy after {time.monotonic() - started:.1f} s")
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait(timeout=10)


def measure_corpus(
    name: str,
    manifest: dict[str, Any],
    runs: int,
    prefect_runs: int,
    modes: list[str],
    work: Path,
    log=print,
) -> dict[str, Any]:
    """Every requested mode on one corpus; returns the raw runs, summaries and ratios."""
    inbox = corpus.inbox_of(name)
    load_before = list(os.getloadavg())
    code_before = code_fingerprint()
    results: dict[str, list[Run]] = {}
    provinces = scope(manifest)
    blocked = ours_blocker(inbox, provinces) if any(m in OURS_MODES for m in modes) else None
    if blocked:
        log(f"    {name}: ours blocked: {blocked}")
    cli_modes = (*PREFECT_MODES, *SERVER_MODES)
    scope_args = _cli_scope_args(provinces) if any(m in cli_modes for m in modes) else []
    ours_argv = [_python(), "-m", "bench.child", "ours"]

    def repeat(mode: str, n: int, make_argv, env=None, timed_inside=True, before=None) -> None:
        results[mode] = []
        for i in range(n):
            if before:
                before(i)
            run = run_child(make_argv(i), env, timed_inside)
            _log_run(name, mode, i, run, log)
            results[mode].append(run)

    cold_out = work / f"{name}-cold"
    ours_ok = not blocked
    if ours_ok and ("ours_cold" in modes or any(m.startswith("ours_rerun") for m in modes)):

        def fresh(i: int) -> None:
            shutil.rmtree(cold_out, ignore_errors=True)

        n = runs if "ours_cold" in modes else 1
        repeat(
            "ours_cold",
            n,
            lambda i: [*ours_argv, str(inbox), str(cold_out), provinces],
            before=fresh,
        )
        if "ours_cold" not in modes:
            del results["ours_cold"]
    for mode, runner in (("prefect_local", "local"), ("prefect_process", "process")):
        if mode not in modes or not ours_ok:
            continue
        out = work / f"{name}-{runner}"
        env = {**os.environ, **PREFECT_ENV}
        argv = [
            _oneplan(), "run", "--inbox", str(inbox), "--db", str(out / "oneplan.duckdb"),
            "--export", str(out / "export"), "--runner", runner, *scope_args,
        ]  # fmt: skip

        def fresh_home(i: int, out: Path = out, env: dict = env) -> None:
            shutil.rmtree(out, ignore_errors=True)
            env["PREFECT_HOME"] = tempfile.mkdtemp(prefix="prefect-home-", dir=work)

        repeat(
            mode,
            min(runs, prefect_runs),
            lambda i, argv=argv: argv,
            env,
            timed_inside=False,
            before=fresh_home,
        )
        shutil.rmtree(out, ignore_errors=True)
    if ours_ok and any(m in modes for m in SERVER_MODES):
        out = work / f"{name}-server"
        n = min(runs, prefect_runs)
        with prefect_server(work, log) as url:
            env = {**os.environ, **PREFECT_ENV, "PREFECT_API_URL": url}
            env["PREFECT_HOME"] = tempfile.mkdtemp(prefix="prefect-client-", dir=work)
            argv = [
                _oneplan(), "run", "--inbox", str(inbox), "--db", str(out / "oneplan.duckdb"),
                "--export", str(out / "export"), *scope_args,
            ]  # fmt: skip
            repeat(
                "server_cold",
                n,
                lambda i: argv,
                env,
                timed_inside=False,
                before=lambda i: shutil.rmtree(out, ignore_errors=True),
            )
            if "server_unchanged" in modes:
                repeat("server_unchanged", n, lambda i: argv, env, timed_inside=False)
        if "server_cold" not in modes:
            del results["server_cold"]
        shutil.rmtree(out, ignore_errors=True)
    if ours_ok and "ours_rerun_unchanged" in modes:
        repeat(
            "ours_rerun_unchanged",
            runs,
            lambda i: [*ours_argv, str(inbox), str(cold_out), provinces],
        )
    if ours_ok and "ours_rerun_one_changed" in modes:
        copy_inbox, copy_out = work / f"{name}-changed-inbox", work / f"{name}-changed-out"
        shutil.rmtree(copy_inbox, ignore_errors=True)
        shutil.rmtree(copy_out, ignore_errors=True)
        shutil.copytree(inbox, copy_inbox, symlinks=True)
        shutil.copytree(cold_out, copy_out)  # the published state and staging of a cold run
        target = next(f["path"] for f in manifest["files"] if f["format"] == "csv")
        changes = []

        def change(i: int) -> None:
            changes.append(bump_one_budget(copy_inbox / target, 1000 * (i + 1)))

        repeat(
            "ours_rerun_one_changed",
            runs,
            lambda i: [*ours_argv, str(copy_inbox), str(copy_out), provinces],
            before=change,
        )
        for run, (r, c, old, new) in zip(results["ours_rerun_one_changed"], changes, strict=True):
            run.info["changed"] = f"{target} row {r} col {c}: {old!r} -> {new!r}"
        shutil.rmtree(copy_inbox, ignore_errors=True)
        shutil.rmtree(copy_out, ignore_errors=True)
    shutil.rmtree(cold_out, ignore_errors=True)
    for mode, header in (("baseline", "none"), ("baseline_header0", "0")):
        if mode not in modes:
            continue
        parquet = work / f"{name}-{mode}.parquet"
        repeat(
            mode,
            runs,
            lambda i, p=parquet, h=header: [
                _python(),
                "-m",
                "bench.child",
                "baseline",
                str(inbox),
                str(p),
                h,
            ],  # fmt: skip
        )
        parquet.unlink(missing_ok=True)
    if "floor" in modes:
        repeat("floor", runs, lambda i: [_python(), "-m", "bench.child", "floor", str(inbox)])
    summary = summarize_corpus(name, manifest, results, blocked)
    summary["loadavg_before_after"] = [load_before, list(os.getloadavg())]
    summary["code_before_after"] = [code_before, code_fingerprint()]
    return summary


def _coverage_problem(mode: str, runs: list[Run], manifest: dict[str, Any]) -> str:
    """Ours must have seen every file of the corpus (else its timing measures something else)."""
    if mode not in OURS_MODES or mode in PREFECT_MODES or mode in SERVER_MODES:
        return ""
    for run in runs:
        seen = (run.info.get("files_parsed") or 0) + (run.info.get("files_reused") or 0)
        if run.returncode == 0 and seen != manifest["n_files"]:
            return f"read {seen} of {manifest['n_files']} files"
    return ""


def summarize_corpus(
    name: str, manifest: dict[str, Any], results: dict[str, list[Run]], blocked: str | None
) -> dict[str, Any]:
    rows, files = manifest["n_rows"], manifest["n_files"]
    modes = {}
    for mode, runs in results.items():
        ok = [r for r in runs if r.returncode == 0 and r.work_s is not None]
        work = summarize([r.work_s for r in ok])
        modes[mode] = {
            "label": MODES[mode],
            "runs": [asdict(r) for r in runs],
            "failed": len(runs) - len(ok),
            "work_s": work,
            "process_s": summarize([r.wall_s for r in ok]),
            "rows_per_s": per_second(rows, work["median"]),
            "peak_mb": max((r.peak_mb for r in ok), default=None),
            "tree_peak_mb": max(
                (r.tree_peak_mb for r in ok if r.tree_peak_mb is not None), default=None
            ),
            "problem": _coverage_problem(mode, runs, manifest),
        }
    medians = {mode: m["work_s"]["median"] for mode, m in modes.items()}
    return {
        "corpus": name,
        "spec": manifest["spec"],
        "n_rows": rows,
        "n_files": files,
        "n_projects": manifest["n_projects"],
        "bytes": manifest["bytes"],
        "formats": manifest["formats"],
        "ours_blocked": blocked,
        "measurements": modes,
        "ratios": compare(medians),
        "server_unchanged_over_cold": unchanged_over_cold(medians),
    }


# ---- reporting -----------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    total_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal:"))
    versions = {}
    for package in ("pandas", "pyarrow", "duckdb", "python-calamine", "openpyxl", "prefect"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "nproc": os.cpu_count(),
        "nproc_usable": len(os.sched_getaffinity(0)),
        "mem_total_mb": round(total_kb / 1024),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "packages": versions,
    }


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def _f(value: float | None, fmt: str = ".2f") -> str:
    return "–" if value is None else format(value, fmt)


def corpus_markdown(c: dict[str, Any]) -> str:
    spec = c["spec"]
    title = f"### Corpus `{c['corpus']}`"
    if c["corpus"] == "province-xN":
        title += f" (Chai Nat's 8 district folders x {spec['replicas']} batches: NOT the region)"
    lines = [
        title,
        "",
        f"{spec['n_districts']} districts, {spec['n_tambon_plans']} tambon plans, "
        f"{c['n_files']} files ({', '.join(f'{n} {k}' for k, n in c['formats'].items())}), "
        f"{c['n_rows']:,} non-blank rows, {c['n_projects']:,} projects, "
        f"{c['bytes'] / MB:.1f} MB.",
        "",
    ]
    if c.get("loadavg_before_after"):
        before, after = c["loadavg_before_after"]
        lines += [
            f"Load average (1/5/15 min) before: {' '.join(f'{x:.2f}' for x in before)}, "
            f"after: {' '.join(f'{x:.2f}' for x in after)} (other work on the machine skews "
            "timings).",
            "",
        ]
    if c.get("code_before_after"):
        before, after = c["code_before_after"]
        lines += [
            f"Pipeline code fingerprint: `{before}`"
            + ("" if before == after else f" -> `{after}`: **the code changed while measuring**")
            + ".",
            "",
        ]
    if c["ours_blocked"]:
        lines += [f"**ours not measured on this corpus**: {c['ours_blocked']}.", ""]
    lines += [
        "| measurement | runs | rows | files | median s | min s | max s | rows/s | peak MB "
        "| tree MB | process s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in c["measurements"].values():
        w = m["work_s"]
        label = m["label"] + (f" ({m['failed']} failed)" if m["failed"] else "")
        label += f" **{m['problem']}**" if m["problem"] else ""
        lines.append(
            f"| {label} | {w['n']} | {c['n_rows']:,} | {c['n_files']:,} | {_f(w['median'])} "
            f"| {_f(w['min'])} | {_f(w['max'])} | {_f(m['rows_per_s'], ',.0f')} "
            f"| {_f(m['peak_mb'], '.0f')} | {_f(m['tree_peak_mb'], '.0f')} "
            f"| {_f(m['process_s']['median'])} |"
        )
    if c.get("server_unchanged_over_cold") is not None:
        lines += [
            "",
            "`oneplan run` against a running Prefect server: unchanged rerun / cold = "
            f"{c['server_unchanged_over_cold']:.1%} (target < 15%).",
        ]
    if c["ratios"]:
        literal = any("speedup_vs_baseline_header0" in r for r in c["ratios"].values())
        lines += [
            "",
            "| ours (cold) | speed-up vs baseline | ours / floor |"
            + (" speed-up vs header=0 baseline |" if literal else ""),
            "|---|---:|---:|" + ("---:|" if literal else ""),
        ]
        for mode, r in c["ratios"].items():
            extra = f" {_f(r.get('speedup_vs_baseline_header0'))}x |" if literal else ""
            lines.append(
                f"| {MODES[mode]} | {_f(r['speedup_vs_baseline'])}x "
                f"| {_f(r['ours_over_floor'])}x |{extra}"
            )
    return "\n".join(lines)


def report_markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    head = [
        f"## Benchmark: scale `{result['scale']}` ({result['started_at']})",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['mem_total_mb']:,} MB RAM, "
        f"Python {m['python']}, {m['platform']}; "
        + ", ".join(f"{k} {v}" for k, v in m["packages"].items()),
        "",
        f"Command: `{result['command']}`; runs {result['runs']} "
        f"(Prefect rows: {result['prefect_runs']}). Seconds: median over runs of the work "
        "inside a fresh subprocess (imports excluded; Prefect rows: the whole `oneplan run` "
        "process, fresh PREFECT_HOME each run). process s: whole subprocess wall time. "
        "peak MB: ru_maxrss of the child (largest single process); tree MB: peak sum of RSS "
        "over the process tree (sampled every 0.1 s). Baseline reads .xlsx with openpyxl and "
        ".xls/.ods with calamine (xlrd is not installed). Cold = fresh output and staging "
        "folder; the OS file cache is warm in every mode.",
        "",
    ]
    return "\n".join(head + [corpus_markdown(c) + "\n" for c in result["corpora"]])


# ---- entry point ---------------------------------------------------------------------------------
def run_scale(
    scale: str, runs: int, prefect_runs: int, modes: list[str], out: Path, keep: bool, log=print
) -> dict[str, Any]:
    started = datetime.now(UTC)
    work = Path(tempfile.mkdtemp(prefix=f"oneplan-bench-{scale}-"))
    result: dict[str, Any] = {
        "scale": scale,
        "started_at": started.isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench", *sys.argv[1:]]),
        "runs": runs,
        "prefect_runs": min(runs, prefect_runs),
        "modes": modes,
        "machine": machine(),
        "corpora": [],
    }
    try:
        for name in SCALE_CORPORA[scale]:
            manifest = corpus.ensure_corpus(name, log=log)
            log(f"  measuring {name}: {manifest['n_files']} files, {manifest['n_rows']} rows")
            result["corpora"].append(
                measure_corpus(name, manifest, runs, prefect_runs, modes, work, log)
            )
    finally:
        if keep:
            log(f"  work files kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    result["elapsed_s"] = (datetime.now(UTC) - started).total_seconds()
    out.mkdir(parents=True, exist_ok=True)
    markdown = report_markdown(result)
    (out / f"{scale}.md").write_text(markdown, encoding="utf-8")
    (out / f"{scale}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8"
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=(*SCALE_CORPORA, "all"), default="province")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument(
        "--prefect-runs",
        type=int,
        default=1,
        help="runs of the `oneplan run` (Prefect) rows, at most --runs (default 1: each costs "
        "15-50 s of Prefect start-up on the province corpus)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where <scale>.md/.json go")
    parser.add_argument(
        "--modes",
        help=f"comma-separated subset of: {', '.join(MODES)} (default: all; at nation all but "
        "baseline_header0)",
    )
    parser.add_argument("--keep-work", action="store_true", help="keep the temporary outputs")
    args = parser.parse_args(argv)
    asked = [m.strip() for m in args.modes.split(",") if m.strip()] if args.modes else None
    unknown = set(asked or ()) - set(MODES)
    if unknown or args.runs < 1:
        parser.error(f"unknown modes {sorted(unknown)}" if unknown else "--runs must be >= 1")
    scales = list(SCALE_CORPORA) if args.scale == "all" else [args.scale]
    for scale in scales:
        print(f"bench: scale {scale}", flush=True)
        result = run_scale(
            scale,
            args.runs,
            args.prefect_runs,
            asked or list(DEFAULT_MODES[scale]),
            args.out,
            args.keep_work,
            lambda s: print(s, flush=True),
        )
        print("\n" + report_markdown(result), flush=True)
        print(f"wrote {args.out / (scale + '.md')} and {args.out / (scale + '.json')}")
    return 0
