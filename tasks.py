#!/usr/bin/env python3
"""The few commands people type, with nothing but Python 3.11+ installed.

    python3 tasks.py run [oneplan run options]   set up .venv, then run the pipeline on the sample
    python3 tasks.py test [pytest options]       set up .venv, then run the test suite
    python3 tasks.py bench [bench options]       set up .venv, then run the benchmark
    python3 tasks.py oneplan ARGS...             any oneplan command inside .venv
    python3 tasks.py docs                        regenerate README.md's generated sections
    python3 tasks.py lock                        re-pin requirements.lock from the current .venv

Set-up creates `.venv` beside this file and installs the project with the versions pinned in
`requirements.lock`. It runs again only when `pyproject.toml` or the lock file changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".oneplan-installed"
LOCK = ROOT / "requirements.lock"


def _inputs_digest() -> str:
    digest = hashlib.sha256()
    for path in (ROOT / "pyproject.toml", LOCK):
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


def ensure_venv() -> None:
    """Create .venv and install the pinned dependencies, unless already done for these pins."""
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py runs on whatever python3 is
        sys.exit(f"oneplan needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    wanted = _inputs_digest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print(f"creating {VENV.relative_to(ROOT)} ...", flush=True)
        venv.create(VENV, with_pip=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    constraints = ["-c", str(LOCK)] if LOCK.exists() else []
    print("installing pinned dependencies (first run only) ...", flush=True)
    subprocess.run([*pip, *constraints, "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(wanted)


def run_in_venv(*args: str) -> int:
    return subprocess.call([str(BIN / args[0]), *args[1:]], cwd=ROOT)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "lock":
        ensure_venv()
        frozen = subprocess.run(
            [str(BIN / "python"), "-m", "pip", "freeze", "--exclude-editable"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        LOCK.write_text(frozen)
        STAMP.write_text(_inputs_digest())
        print(f"wrote {LOCK.name}: {len(frozen.splitlines())} pins")
        return 0
    ensure_venv()
    if command == "run":
        return run_in_venv("oneplan", "run", *rest)
    if command == "test":
        return run_in_venv("python", "-m", "pytest", *rest)
    if command == "bench":
        return run_in_venv("python", "-m", "bench", *rest)
    if command == "oneplan":
        return run_in_venv("oneplan", *rest)
    if command == "docs":
        return run_in_venv("python", "-m", "oneplan.flows.docs", *rest)
    print(f"unknown command {command!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
