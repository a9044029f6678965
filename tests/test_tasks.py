"""tasks.py, the README's two commands: what the first one shows while it installs, and that
the second (the tests) never touches the out/ the first one leaves in the checkout."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tasks  # noqa: E402


def test_pip_output_becomes_one_short_line_per_package_and_no_warning():
    seen: list[str] = []
    lines = [
        "Obtaining file:///work/oneplan",
        "Collecting pandas==3.1.1 (from -c requirements.lock (line 80))",
        "  Using cached pandas-3.1.1-cp311-manylinux.whl (12.1 MB)",
        "WARNING: The candidate selected for download or install is a yanked version",
        "DEPRECATION: Legacy editable install of oneplan",
        "Requirement already satisfied: pip in ./.venv/lib/python3.11/site-packages (24.0)",
        "Collecting duckdb[all]>=2.0",
        "Processing /opt/pypi/files/openpyxl-3.1.5-py2.py3-none-any.whl (from oneplan==0.1.0)",
        "Installing collected packages: pandas, duckdb",
        "Successfully installed duckdb-2.0.0 pandas-3.1.1",
        "ERROR: No matching distribution found for nothere==1.0",
    ]
    shown = [tasks.progress_line(line, seen, 3) for line in lines]
    assert shown == [
        "    1/3 this checkout (editable)",
        "    2/3 pandas",
        None,
        None,
        None,
        "    3/3 pip",
        "    4/4 duckdb",
        "    5/5 openpyxl",
        "  installing the collected packages ...",
        "  installed 2 packages",
        "  ERROR: No matching distribution found for nothere==1.0",
    ]


def test_install_shows_progress_and_keeps_the_whole_output_in_a_log(tmp_path, capsys):
    script = tmp_path / "fake_pip.py"
    script.write_text(
        "print('Collecting a==1')\n"
        "print('WARNING: noisy')\n"
        "print('Collecting b==2')\n"
        "print('Successfully installed a-1 b-2')\n"
        "raise SystemExit(0)\n"
    )
    log = tmp_path / "pip.log"
    assert tasks.install_with_progress([sys.executable, str(script)], 2, log) == 0
    out = capsys.readouterr().out
    assert "1/2 a" in out and "installed 2 packages" in out
    assert "WARNING" not in out
    assert "WARNING: noisy" in log.read_text()


def test_the_lock_pins_are_counted():
    assert len(tasks.pins(ROOT / "requirements.lock")) > 50


def test_no_test_reads_or_writes_the_checkouts_out_folder():
    """The README's first command leaves out/ in the checkout; a test that looks there fails
    (or passes) because of it. Tests use tmp_path; the deployment test reads the run's log."""
    pattern = re.compile(r"""(ROOT|parents\[\d\]|CHECKOUT)\s*/\s*["']out["']""")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line) and path.name != "test_tasks.py"
    ]
    assert offenders == []
