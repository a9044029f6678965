#!/usr/bin/env python3
"""The few commands people type, with nothing but Python 3.11+ installed.

    python3 tasks.py run [oneplan run options]   set up .venv, then run the pipeline on the sample
    python3 tasks.py test [pytest options]       set up .venv, then run the test suite (with no
                                                 options: the fast tests on both cores, then
                                                 the end-to-end tests in one process)
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
import re
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".oneplan-installed"
LOCK = ROOT / "requirements.lock"
INSTALL_LOG = VENV / "pip-install.log"


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
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
    pip += ["--progress-bar", "off"]
    constraints = ["-c", str(LOCK)] if LOCK.exists() else []
    total = len(pins(LOCK))
    print(f"installing {total} pinned packages into .venv (first run only) ...", flush=True)
    code = install_with_progress([*pip, *constraints, "-e", f"{ROOT}[dev]"], total, INSTALL_LOG)
    if code:
        sys.exit(f"pip install failed (exit {code}); its whole output is in {INSTALL_LOG}")
    STAMP.write_text(wanted)


def pins(lock: Path) -> list[str]:
    """The package names pinned in the lock file (empty when there is none)."""
    if not lock.exists():
        return []
    lines = (line.split("#", 1)[0].strip() for line in lock.read_text().splitlines())
    return [line.split("==", 1)[0] for line in lines if "==" in line]


def progress_line(line: str, seen: list[str], total: int) -> str | None:
    """What to show of one line of pip's output: each package collected as `n/total name`,
    the final "Successfully installed" as a count, errors as they are; nothing else (pip's
    warnings go to the log only)."""
    text = line.strip()
    starts = ("Collecting ", "Requirement already satisfied: ", "Obtaining ", "Processing ")
    if text.startswith(starts):
        token = text.split(": ", 1)[1] if text.startswith("Req") else text.split(" ", 1)[1]
        token = token.split(" ", 1)[0].rstrip("/")
        if text.startswith("Obtaining "):
            name = "this checkout (editable)"
        elif text.startswith("Processing "):  # a local wheel or sdist: name-version-...
            name = token.rsplit("/", 1)[-1].split("-", 1)[0]
        else:
            name = re.split(r"[=<>!~\[;(]", token)[0]
        seen.append(name)
        return f"  {len(seen):>3}/{max(total, len(seen))} {name}"
    if text.startswith("Installing collected packages"):
        return "  installing the collected packages ..."
    if text.startswith("Successfully installed"):
        return f"  installed {len(text.split()) - 2} packages"
    if text.startswith("ERROR"):  # why an install fails is always shown
        return "  " + text
    return None


def install_with_progress(argv: list[str], total: int, log_path: Path) -> int:
    """Run pip, its whole output to `log_path`, one short line per package to the terminal
    (on a terminal they overwrite each other)."""
    tty = sys.stdout.isatty()
    seen: list[str] = []
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            shown = progress_line(line, seen, total)
            if shown is None:
                continue
            is_package = shown.lstrip()[0].isdigit()
            if tty and is_package:
                print("\r\033[K" + shown, end="", flush=True)
            elif tty:
                print("\r\033[K" + shown, flush=True)
            elif not is_package or len(seen) % 10 == 1:  # a log file: every 10th package
                print(shown, flush=True)
        code = proc.wait()
    return code


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
        if rest:
            return run_in_venv("python", "-m", "pytest", *rest)
        # The whole suite in two runs: the fast tests on both cores (tests/conftest.py), then
        # the end-to-end tests in one process, where they share one temporary Prefect server.
        fast = run_in_venv("python", "-m", "pytest", "-m", "not e2e")
        e2e = run_in_venv("python", "-m", "pytest", "-m", "e2e")
        return fast or e2e
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
