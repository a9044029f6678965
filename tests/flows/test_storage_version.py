"""Readers of every generation: the published database is written in DuckDB storage v1.4.0 by
default (config `duckdb_storage_version`), so DuckDB 1.4, installed here into a temp venv,
opens it and reads the `oneplan` view; with `latest` it cannot (the option is what does it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import duckdb
import pytest
from oneplan.flows.oneplan_flow import run_plan

pytestmark = pytest.mark.e2e

CSV = 'ที่,ตำบล,โครงการ,2568\n1,ตลุก,ถนน,"150,000"\n2,เขาแก้ว,ขุดลอกคลอง,"20,000.50"\n'
READ = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
rows = con.execute(
    "select count(*), sum(amount_thb)::varchar, min(tambon_name_th collate th) from oneplan"
).fetchone()
print(json.dumps({"version": duckdb.__version__, "rows": list(rows)}))
"""


@pytest.fixture(scope="module")
def duckdb14(tmp_path_factory) -> Path:
    """The python of a temp venv with DuckDB 1.4.x (skipped if the index has none)."""
    env_dir = tmp_path_factory.mktemp("duckdb14") / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "duckdb==1.4.*"],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    if done.returncode != 0:
        pytest.skip(
            f"duckdb 1.4.x cannot be installed from the package index: {done.stderr[-300:]}"
        )
    return python


def _publish(root: Path, config: str | None = None) -> Path:
    inbox = root / "inbox"
    (inbox / "1804").mkdir(parents=True)
    (inbox / "1804" / "plan.csv").write_text(CSV, encoding="utf-8")
    db = root / "out" / "oneplan.duckdb"
    if config is not None:
        db.parent.mkdir(parents=True)
        (db.parent / "oneplan.toml").write_text(config)
    run_plan(inbox, db, root / "out" / "export")
    return db


def _read_with(python: Path, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(python), "-c", READ, str(db)], capture_output=True, text=True, timeout=120
    )


def test_duckdb_14_opens_the_published_file(tmp_path, duckdb14, monkeypatch):
    monkeypatch.delenv("ONEPLAN_DUCKDB_STORAGE_VERSION", raising=False)
    monkeypatch.delenv("ONEPLAN_CONFIG", raising=False)
    db = _publish(tmp_path)
    done = _read_with(duckdb14, db)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["version"].startswith("1.4.")
    assert result["rows"] == [2, "170000.50", "เขาแก้ว"]
    con = duckdb.connect(str(db), read_only=True)
    try:
        [(ours,)] = con.execute("select count(*) from oneplan").fetchall()
    finally:
        con.close()
    assert ours == 2


def test_latest_storage_is_not_readable_by_duckdb_14(tmp_path, duckdb14, monkeypatch):
    monkeypatch.delenv("ONEPLAN_DUCKDB_STORAGE_VERSION", raising=False)
    monkeypatch.delenv("ONEPLAN_CONFIG", raising=False)
    db = _publish(tmp_path, config='duckdb_storage_version = "latest"\n')
    done = _read_with(duckdb14, db)
    assert done.returncode != 0
    assert "Error" in done.stderr
