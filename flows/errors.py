"""What a run raises when it cannot publish, and the crash-test hook."""

from __future__ import annotations

import os
import signal


class PublishError(RuntimeError):
    """The new plan could not be published; the previous publication is untouched."""


class ChecksFailed(PublishError):
    """Data checks of sql/checks found offending rows in the new database."""

    def __init__(self, failed: dict[str, list[tuple]]) -> None:
        self.checks = list(failed)
        details = "; ".join(f"{name}: {rows[:2]}" for name, rows in failed.items())
        super().__init__(f"data checks failed, nothing published: {details}")


def fault_point(name: str) -> None:
    """Crash-test hook: `ONEPLAN_FAULT_AT=<name>` makes the process SIGKILL itself here, so
    tests can prove a run killed at that point leaves the old publication intact."""
    if os.environ.get("ONEPLAN_FAULT_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
