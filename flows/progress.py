"""Progress of a run as it happens: files as they are parsed, then each stage with its time.

The steps report to the current reporter (`current()`); nothing is shown unless a command
installs one with `reporting(...)`: `oneplan run` shows a progress bar on a terminal and one
line per file otherwise. The Prefect flow adds a `LogReporter` on its run logger, so the
Prefect UI follows a deployed run: each step with its time and counts, and the files read
every N files or every few seconds (not a line per file for 300 files).
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Callable, Iterator
from typing import TextIO


class Reporter:
    """Reports nothing (the default: the flow's own log lines say what happened)."""

    def start_files(self, total: int) -> None:
        pass

    def file_done(self, staged: dict) -> None:
        pass

    def stage_done(self, name: str, seconds: float, detail: str = "") -> None:
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

    def stage_done(self, name: str, seconds: float, detail: str = "") -> None:
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

    def stage_done(self, name: str, seconds: float, detail: str = "") -> None:
        self._stop_bar()
        super().stage_done(name, seconds, detail)

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


class LogReporter(Reporter):
    """Each step and the file progress as log records (the flow run's logger: Prefect's UI
    shows them). Files are logged every `every_files` files or `every_seconds` seconds,
    whichever comes first, and when the last one is done."""

    def __init__(
        self,
        log: logging.Logger | logging.LoggerAdapter,
        every_files: int = 25,
        every_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.log = log
        self.every_files = every_files
        self.every_seconds = every_seconds
        self.clock = clock
        self.total = self.done = self.reused = 0
        self.started = self.last_at = 0.0
        self.last_done = 0

    def start_files(self, total: int) -> None:
        self.total, self.done, self.reused, self.last_done = total, 0, 0, 0
        self.started = self.last_at = self.clock()
        self.log.info("parse: %d file(s) to read", total)

    def file_done(self, staged: dict) -> None:
        self.done += 1
        self.reused += bool(staged.get("reused"))
        now = self.clock()
        due = (
            self.done == self.total
            or self.done - self.last_done >= self.every_files
            or now - self.last_at >= self.every_seconds
        )
        if due:
            self.last_done, self.last_at = self.done, now
            self.log.info(
                "parse: %d/%d file(s) (%d read, %d unchanged) in %.1f s; last: %s",
                self.done,
                self.total,
                self.done - self.reused,
                self.reused,
                now - self.started,
                _file_label(staged),
            )

    def stage_done(self, name: str, seconds: float, detail: str = "") -> None:
        if detail:
            self.log.info("step %s done in %.2f s: %s", name, seconds, detail)
        else:
            self.log.info("step %s done in %.2f s", name, seconds)


class TeeReporter(Reporter):
    """Reports to several reporters (the terminal's and the flow run's log)."""

    def __init__(self, *reporters: Reporter) -> None:
        self.reporters = reporters

    def start_files(self, total: int) -> None:
        for reporter in self.reporters:
            reporter.start_files(total)

    def file_done(self, staged: dict) -> None:
        for reporter in self.reporters:
            reporter.file_done(staged)

    def stage_done(self, name: str, seconds: float, detail: str = "") -> None:
        for reporter in self.reporters:
            reporter.stage_done(name, seconds, detail)

    def close(self) -> None:
        for reporter in self.reporters:
            reporter.close()
