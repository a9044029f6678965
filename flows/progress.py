"""Progress of a run as it happens: files as they are parsed, then each stage with its time.

The steps report to the current reporter (`current()`); nothing is shown unless a command
installs one with `reporting(...)`: `oneplan run` shows a progress bar on a terminal and one
line per file otherwise.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TextIO


class Reporter:
    """Reports nothing (the default: the flow's own log lines say what happened)."""

    def start_files(self, total: int) -> None:
        pass

    def file_done(self, staged: dict) -> None:
        pass

    def stage_done(self, name: str, seconds: float) -> None:
        pass

    def close(self) -> None:
        pass


_current: Reporter = Reporter()


def current() -> Reporter:
    return _current


@contextlib.contextmanager
def reporting(reporter: Reporter) -> Iterator[Reporter]:
    """Make `reporter` the current one for the duration of the block."""
    global _current
    previous, _current = _current, reporter
    try:
        yield reporter
    finally:
        reporter.close()
        _current = previous


def _file_label(staged: dict) -> str:
    """A file's name as shown: inert (no ESC, RLO or newline from a file name reaches the
    terminal)."""
    from oneplan.transforms.outputs import inert_line

    return inert_line(staged["job"]["source_file"])


class LineReporter(Reporter):
    """One line per file parsed and per stage: for logs, pipes and CI."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.total = 0
        self.done = 0

    def _print(self, text: str) -> None:
        # Not print(): inside the flow, log_prints turns print() into log records.
        self.stream.write(text + "\n")
        self.stream.flush()

    def start_files(self, total: int) -> None:
        self.total, self.done = total, 0

    def file_done(self, staged: dict) -> None:
        self.done += 1
        how = "unchanged, staged parse reused" if staged["reused"] else "parsed"
        width = len(str(self.total))
        self._print(f"  [{self.done:>{width}}/{self.total}] {_file_label(staged)} ({how})")

    def stage_done(self, name: str, seconds: float) -> None:
        self._print(f"  {name:<12} {seconds:7.2f} s")


class BarReporter(LineReporter):
    """A progress bar over the files on a terminal (rich), then one line per stage."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        from rich.console import Console

        self.console = Console(file=self.stream)
        self.bar = None
        self.task = None

    def start_files(self, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        super().start_files(total)
        self.bar = Progress(
            TextColumn("  parse"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=self.console,
            transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task("", total=total)

    def file_done(self, staged: dict) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=_file_label(staged))

    def stage_done(self, name: str, seconds: float) -> None:
        self._stop_bar()
        super().stage_done(name, seconds)

    def _stop_bar(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def close(self) -> None:
        self._stop_bar()


def terminal_reporter(stream: TextIO | None = None) -> Reporter:
    """A progress bar when `stream` is a terminal, one line per file otherwise."""
    stream = stream or sys.stdout
    return BarReporter(stream) if stream.isatty() else LineReporter(stream)
