"""What one measured subprocess does; prints one JSON line (last line of stdout).

    python -m bench.child ours INBOX OUT [PROVINCES]   run_plan(INBOX, OUT/oneplan.duckdb,
                                                       OUT/export, provinces=PROVINCES)
    python -m bench.child baseline INBOX OUT.parquet [none|0] [openpyxl|calamine]
                                                       naive pandas read + concat + to_parquet,
                                                       header=None (or header=0), .xlsx read
                                                       by openpyxl (default) or calamine
    python -m bench.child floor INBOX                  python-calamine cells + csv parse, no more
    python -m bench.child check INBOX [PROVINCES]      district folders the pipeline resolves

PROVINCES: "18", "12,13,18" or "all" (the scope of run_plan's `provinces` option; ignored,
i.e. Chai Nat only, by a run_plan without that option).

`work_s` is timed around the work only (imports excluded); the parent also times the process.
"""

from __future__ import annotations

import csv
import inspect
import io
import json
import sys
import time
from pathlib import Path

SPREADSHEETS = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
PROVINCES_PARAM = "provinces"  # run_plan's scope option (Chai Nat only without it)


def plan_files(inbox: Path) -> list[Path]:
    """The plan files under the inbox, in path order (what every measurement reads)."""
    return sorted(
        p
        for p in Path(inbox).rglob("*")
        if p.is_file()
        and not p.name.startswith((".", "~$"))
        and p.suffix.lower() in SPREADSHEETS | {".csv"}
    )


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp874")


def province_kwargs(func, provinces: str | None) -> dict:
    """{"provinces": PROVINCES} when run_plan takes that option and a scope is given."""
    if provinces and PROVINCES_PARAM in inspect.signature(func).parameters:
        return {PROVINCES_PARAM: provinces}
    return {}


def ours(inbox: str, out: str, provinces: str | None = None) -> dict:
    t0 = time.perf_counter()
    from oneplan.flows.oneplan_flow import run_plan

    imported = time.perf_counter()
    out_dir = Path(out)
    kwargs = province_kwargs(run_plan, provinces)
    summary = run_plan(inbox, out_dir / "oneplan.duckdb", out_dir / "export", **kwargs)
    done = time.perf_counter()
    return {
        "work_s": done - imported,
        "import_s": imported - t0,
        "projects": summary.get("projects"),
        "files_parsed": summary.get("files_parsed"),
        "files_reused": summary.get("files_reused"),
        "inbox_issues": summary.get("inbox_issues"),
        "options": kwargs,
    }


def baseline(inbox: str, out: str, header: str = "none", xlsx_engine: str = "openpyxl") -> dict:
    """The naive way: pandas reads every sheet of every file, concat, to_parquet.

    .xlsx with openpyxl (pandas' default; xlsx_engine "calamine" for the fast script); .xls
    and .ods with calamine, because xlrd is not installed (and odf would be slower still); CSV
    with read_csv, utf-8-sig then cp874.
    Everything is read as text so that the concat of differently shaped plans can be written.

    header "none" (the reference baseline): header=None, columns by position. header "0":
    pandas' default header=0, as literally briefed: every file's title row becomes a column
    name, so the concat is the union of thousands of mostly empty columns; at nation scale it
    passed 5 GB and 6 minutes before it was stopped, which measures the concat, not reading.
    """
    kw = {"header": None} if header == "none" else {"header": int(header)}
    t0 = time.perf_counter()
    import pandas as pd

    imported = time.perf_counter()
    frames = []
    for path in plan_files(Path(inbox)):
        suffix = path.suffix.lower()
        if suffix == ".csv":
            try:
                sheets = {"": pd.read_csv(path, dtype=str, encoding="utf-8-sig", **kw)}
            except UnicodeDecodeError:
                sheets = {"": pd.read_csv(path, dtype=str, encoding="cp874", **kw)}
        else:
            engine = xlsx_engine if suffix in {".xlsx", ".xlsm"} else "calamine"
            sheets = pd.read_excel(path, sheet_name=None, engine=engine, dtype=str, **kw)
        for name, frame in sheets.items():
            frame.columns = [str(c) for c in frame.columns]
            frames.append(frame.assign(source_file=str(path), source_sheet=name))
    table = pd.concat(frames, ignore_index=True)
    table.to_parquet(out)
    done = time.perf_counter()
    return {
        "work_s": done - imported,
        "import_s": imported - t0,
        "rows": len(table),
        "columns": table.shape[1],
        "files": len(set(table["source_file"])),
    }


def floor(inbox: str) -> dict:
    """The least any reader must do: every cell of every sheet, every CSV line parsed."""
    t0 = time.perf_counter()
    from python_calamine import CalamineWorkbook

    imported = time.perf_counter()
    n_files = n_rows = n_cells = 0
    for path in plan_files(Path(inbox)):
        n_files += 1
        if path.suffix.lower() == ".csv":
            rows = list(csv.reader(io.StringIO(decode(path.read_bytes()), newline="")))
            n_rows += len(rows)
            n_cells += sum(map(len, rows))
            continue
        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            rows = workbook.get_sheet_by_name(name).to_python()
            n_rows += len(rows)
            n_cells += sum(map(len, rows))
        workbook.close()
    done = time.perf_counter()
    return {
        "work_s": done - imported,
        "import_s": imported - t0,
        "files": n_files,
        "rows": n_rows,
        "cells": n_cells,
    }


def check(inbox: str, provinces: str | None = None) -> dict:
    """Which district folders of the inbox the pipeline resolves within its scope."""
    from oneplan.flows.oneplan_flow import run_plan
    from oneplan.flows.reference import load_areas
    from oneplan.transforms.areas import resolve_district_folder

    kwargs = province_kwargs(run_plan, provinces)
    folders = sorted(p.name for p in Path(inbox).iterdir() if p.is_dir())
    areas = load_areas(*kwargs.values())
    unresolved = [f for f in folders if resolve_district_folder(f, areas) is None]
    return {"folders": len(folders), "unresolved": unresolved, "options": kwargs}


def main(argv: list[str]) -> int:
    mode, *args = argv
    result = {"ours": ours, "baseline": baseline, "floor": floor, "check": check}[mode](*args)
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
