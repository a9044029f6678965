"""The built wheel works outside the repository: build it from a copy of the source, install
it (no dependencies) into a fresh venv that borrows the project venv's installed dependencies,
and run `oneplan --version`, `oneplan check` and `oneplan run` (the packaged sample) from
another directory. Everything happens under the test's temp dir; offline."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ("flows", "transforms", "sample", "sql", "data", "oneplan")
CSV = 'ที่,ตำบล,โครงการ,2568\n1,ตลุก,ถนน,"150,000"\n2,เขาแก้ว,ขุดลอกคลอง,"20,000.50"\n'


def _clean_env(tmp: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PREFECT_", "ONEPLAN_", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(
        PREFECT_HOME=str(tmp / "prefect-home"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="90",
    )
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(bin folder of the fresh venv, its site-packages, a working dir outside the repo)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for name in SOURCE:
        shutil.copytree(
            ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", ".", "-w", str(tmp / "dist")],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=300,
    )
    wheels = list((tmp / "dist").glob("oneplan-*.whl"))
    if built.returncode != 0 or not wheels:
        pytest.fail(f"pip wheel failed:\n{built.stdout[-2000:]}\n{built.stderr[-2000:]}")
    [wheel] = wheels
    with zipfile.ZipFile(wheel) as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
    assert tops == {"oneplan", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}

    env_dir = tmp / "venv"
    venv.create(env_dir, with_pip=False)
    purelib = Path(
        sysconfig.get_path("purelib", vars={"base": str(env_dir), "platbase": str(env_dir)})
    )
    # The project's installed dependencies, borrowed: a plain path entry (its .pth files,
    # among them the editable install of this checkout, are not run).
    (purelib / "project-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    bin_dir = env_dir / "bin"
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(bin_dir / "python"),
            "install",
            "--no-deps",
            "--no-index",
            "-q",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    work = tmp / "elsewhere"
    work.mkdir()
    return bin_dir, purelib, work, _clean_env(tmp)


def _oneplan(installed, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    bin_dir, _, work, env = installed
    return subprocess.run(
        [str(bin_dir / "oneplan"), *args],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_the_package_comes_from_the_wheel(installed):
    bin_dir, purelib, work, env = installed
    probe = subprocess.run(
        [
            str(bin_dir / "python"),
            "-c",
            "import oneplan.flows.cli as c, oneplan.flows.reference as r, importlib.util as u;"
            "print(c.__file__); print(r.DATA); print(u.find_spec('flows'))",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr
    cli_file, data, flows_spec = probe.stdout.splitlines()
    assert Path(cli_file).is_relative_to(purelib / "oneplan")
    assert Path(data) == purelib / "oneplan" / "data"
    assert flows_spec == "None"  # nothing installed under a generic top-level name


def test_version(installed):
    done = _oneplan(installed, "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "oneplan 0.1.0"


def test_check_a_plan_file(installed):
    _, _, work, _ = installed
    plan = work / "1804" / "plan.csv"
    plan.parent.mkdir(exist_ok=True)
    plan.write_text(CSV, encoding="utf-8")
    done = _oneplan(installed, "check", str(plan), "--lang", "en", timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "Rows read 3: 2 accepted · 0 rejected · 1 skipped" in done.stdout
    assert "PASS: no errors found" in done.stdout


def test_run_the_packaged_sample_writes_under_the_working_dir(installed):
    _, purelib, work, _ = installed
    done = _oneplan(installed, "run")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    db = work / "out" / "oneplan.duckdb"
    assert f"Published {db}" in done.stdout
    assert (work / "out" / "export").is_dir()
    assert not (purelib / "oneplan" / "out").exists()
    con = duckdb.connect(str(db), read_only=True)
    try:
        [(n,)] = con.execute("select count(*) from projects").fetchall()
    finally:
        con.close()
    expected = __import__("json").loads((ROOT / "data" / "sample" / "expected.json").read_text())
    assert n == sum(d["n_projects"] for d in expected["districts"].values())
    status = _oneplan(installed, "status", timeout=120)
    assert status.returncode == 0, status.stderr
    assert status.stdout.startswith("การรันล่าสุด: เผยแพร่สำเร็จ")


def test_sample_default_is_not_inside_the_package(installed):
    _, purelib, work, _ = installed
    done = _oneplan(installed, "sample", "--help", timeout=60)
    assert done.returncode == 0, done.stderr
    # argparse wraps long paths at any hyphen: compare without whitespace
    assert f"(default:{work / 'sample'})" in "".join(done.stdout.split())
    assert str(purelib) not in done.stdout
