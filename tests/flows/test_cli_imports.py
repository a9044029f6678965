"""`oneplan check` and `oneplan status` start without Prefect, and `status` without pandas:
each command runs in a fresh interpreter that then reports which modules it had imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from oneplan.flows.oneplan_flow import run_plan

ROOT = Path(__file__).resolve().parents[2]
# Runs the CLI's main in this interpreter, then prints the top-level modules it imported.
PROBE = """
import json, sys
from oneplan.flows.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
names = {m.split(".")[0] for m in sys.modules} | {m for m in sys.modules if "." in m}
print(json.dumps({"code": code, "modules": sorted(names)}))
"""
# What check does not use: the package version (importlib.metadata, read only for
# --version), DuckDB, the workbook writers.
CHECK_DOES_NOT_USE = {
    "prefect",
    "importlib.metadata",
    "openpyxl",
    "xlsxwriter",
    "duckdb",
}


def imported_by(*argv: str) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("published")
    inbox = tmp / "inbox"
    (inbox / "1805").mkdir(parents=True)
    (inbox / "1805" / "plan.csv").write_text(
        'ที่,ตำบล,โครงการ,2568\n1,ห้วยกรด,ประปา,"1,000"\n', encoding="utf-8"
    )
    run_plan(inbox, tmp / "out" / "oneplan.duckdb", tmp / "out" / "export")
    return inbox / "1805" / "plan.csv", tmp / "out" / "oneplan.duckdb"


def test_status_imports_neither_prefect_nor_pandas(published):
    _, db = published
    code, modules = imported_by("status", "--db", str(db))
    assert code == 0
    assert "duckdb" in modules  # the probe sees what the command really used
    assert not {"prefect", "pandas"} & modules


def test_check_does_not_import_prefect(published):
    plan, _ = published
    code, modules = imported_by("check", str(plan), "--district", "1805")
    assert code == 0
    assert "oneplan" in modules
    assert "prefect" not in modules
    assert not CHECK_DOES_NOT_USE & modules


def test_check_of_a_workbook_reads_it_in_the_child_it_started_first(tmp_path):
    """The reader child is started before the check imports pandas (its start overlaps
    them) and is the one that reads the workbook: one child, started once."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["ที่", "ตำบล", "โครงการ", "2568"])
    book.active.append([1, "ห้วยกรด", "ประปา", 1000])
    path = tmp_path / "1805" / "plan.xlsx"
    path.parent.mkdir()
    book.save(path)
    probe = (
        "import sys\n"
        "import oneplan.flows.contain as contain\n"
        "started = []\n"
        "real = contain._Worker.__init__\n"
        "def counting(self, *args, **kwargs):\n"
        "    started.append('pandas' in sys.modules)\n"
        "    real(self, *args, **kwargs)\n"
        "contain._Worker.__init__ = counting\n"
        + PROBE.replace("print(", "print('started', started)\nprint(")
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", probe, "check", str(path), "--district", "1805"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    lines = done.stdout.strip().splitlines()
    assert json.loads(lines[-1])["code"] == 0, done.stdout + done.stderr
    assert lines[-2] == "started [False]"  # one child, started before pandas was imported


def test_version_is_still_there():
    done = subprocess.run(
        [sys.executable, "-m", "oneplan", "--version"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0
    assert done.stdout.startswith("oneplan ") and len(done.stdout.split()) == 2


def test_the_probe_sees_prefect_when_a_command_imports_it(published):
    """The planted fault: `--help` of `run` does not import Prefect, so import it the way `run`
    does and see the probe report it (a probe that cannot see Prefect would pass vacuously)."""
    done = subprocess.run(
        [sys.executable, "-c", "import prefect\n" + PROBE, "status", "--db", str(published[1])],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert "prefect" in json.loads(done.stdout.strip().splitlines()[-1])["modules"]
