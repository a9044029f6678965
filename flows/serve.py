"""`oneplan serve`: one long-running process that registers the nightly deployment
("oneplan-nightly/nightly", cron 0 2 * * * Asia/Bangkok) on a real Prefect server and runs
its flow runs, scheduled or triggered (`prefect deployment run 'oneplan-nightly/nightly'`).

Schedules need a real server (`prefect server start`); a temporary one forgets them when the
process ends, so this refuses to start without PREFECT_API_URL. The schedule is left active
when the process stops (pause_on_shutdown=False): a restart or an upgrade must not silently
switch the nightly run off.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

DEPLOYMENT_NAME = "nightly"
API_URL_HINT = "http://127.0.0.1:4200/api"


class ServeError(RuntimeError):
    """The serving process cannot start; the message is one line meant for the operator."""


def api_url() -> str:
    """PREFECT_API_URL from the environment or the active Prefect profile, or a ServeError."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        raise ServeError(
            "PREFECT_API_URL is not set: schedules need a real Prefect server. Start one with "
            f"`prefect server start` and `export PREFECT_API_URL={API_URL_HINT}`"
        )
    return url.rstrip("/")


def wait_for_api(url: str, timeout: float = 60.0) -> None:
    """Wait (bounded) until the server answers /health: under systemd the server unit may
    still be starting when this one does."""
    import httpx

    deadline = time.monotonic() + timeout
    error = ""
    while True:
        try:
            response = httpx.get(f"{url}/health", timeout=5)
            if response.status_code == 200:
                return
            error = f"HTTP {response.status_code}"
        except httpx.HTTPError as err:
            error = f"{type(err).__name__}: {err}"
        if time.monotonic() >= deadline:
            raise ServeError(
                f"the Prefect server at PREFECT_API_URL={url} did not answer within "
                f"{timeout:.0f} s ({error}); is `prefect server start` running?"
            )
        time.sleep(1)


def nightly_schedule(cron: str, timezone: str):
    """The deployment's schedule; a bad cron expression or time zone is a ServeError."""
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.schedules import Cron
    from pydantic import ValidationError

    try:
        CronSchedule(cron=cron, timezone=timezone)
    except ValidationError as err:
        reasons = "; ".join(e["msg"] for e in err.errors())
        raise ServeError(f"bad schedule {cron!r} {timezone!r}: {reasons}") from None
    return Cron(cron, timezone=timezone)


def check_api_is_closed(url: str) -> None:
    """A server reachable from other machines must ask for credentials: refuse a
    non-loopback PREFECT_API_URL unless the client has PREFECT_API_AUTH_STRING."""
    from urllib.parse import urlsplit

    from prefect.settings import PREFECT_API_AUTH_STRING

    host = (urlsplit(url).hostname or "").lower()
    if host in {"127.0.0.1", "localhost", "::1"}:
        return
    if not PREFECT_API_AUTH_STRING.value():
        raise ServeError(
            f"PREFECT_API_URL={url} is not a loopback address and PREFECT_API_AUTH_STRING is "
            "not set: bind the server to 127.0.0.1 or give it an auth string (deploy/README.md)"
        )


def serve(
    inbox: str | Path | None = None,
    db: str | Path | None = None,
    export: str | Path | None = None,
    cron: str = "0 2 * * *",
    timezone: str = "Asia/Bangkok",
    name: str = DEPLOYMENT_NAME,
    api_timeout: float = 60.0,
    settings: dict | None = None,
) -> None:
    """Register the deployment `oneplan-nightly/<name>` and run its flow runs until stopped.

    `settings` come from flows/config.py (options > environment > oneplan.toml; no sample
    defaults); without them, from `inbox`, `db`, `export` and the environment. The paths
    become the deployment's parameters (absolute) and this process's ONEPLAN_* environment,
    which its flow runs inherit: a triggered run may only use paths inside them
    (flows/config.py `deployment_paths`).
    """

    from oneplan.flows.config import ENV, REQUIRED, ConfigError, resolve

    if settings is None:
        try:
            settings = resolve({"inbox": inbox, "db": db, "export": export})
        except ConfigError as err:
            raise ServeError(str(err)) from None

    missing = [ENV[key] for key in REQUIRED if not settings[key].is_set]
    if missing:
        raise ServeError(
            f"no {', '.join(missing)}: give --inbox, --db and --export (or set them in the "
            "environment or oneplan.toml); the deployment never runs on the sample defaults"
        )
    url = api_url()
    check_api_is_closed(url)
    schedule = nightly_schedule(cron, timezone)
    wait_for_api(url, api_timeout)

    from oneplan.flows.oneplan_flow import oneplan_flow
    from prefect.types.entrypoint import EntrypointType

    parameters = {key: absolute(key, settings[key].value) for key in REQUIRED}
    for key, setting in settings.items():
        if setting.is_set:
            value = setting.value
            if key in ("inbox", "db", "export", "staging"):
                value = absolute(key, value)
            os.environ[ENV[key]] = value
    # One DuckDB writer: a run triggered during the nightly one waits for it (limit=1).
    runner = stoppable_runner()(name=name, pause_on_shutdown=False, limit=1)
    runner.add_flow(
        oneplan_flow,
        name=name,
        schedules=[schedule],
        parameters=parameters,
        description="Rebuild the Chai Nat One Plan from the district inbox, "
        "publish DuckDB and Parquet.",
        # flows.oneplan_flow is importable wherever the package is installed; a file path
        # entrypoint would depend on the working directory of this process.
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    print(
        f"oneplan serve: serving {oneplan_flow.name}/{name} ({cron}, {timezone}) on {url}; "
        "stop with SIGTERM or Ctrl-C",
        flush=True,
    )
    previous = signal.signal(signal.SIGTERM, _raise_stopped)  # until the runner takes over
    try:
        asyncio.run(runner.start())
    except (Stopped, KeyboardInterrupt):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    print("oneplan serve: stopped; the schedule stays active", flush=True)


def _raise_stopped(signum, frame) -> None:
    raise Stopped


def absolute(key: str, value: str) -> str:
    """A configured path made absolute. The export is not resolved: after the first
    publication it is our symlink to the current version folder, and resolving it would pin
    the deployment (and every log line) to that one version."""
    if key == "export":
        return os.path.abspath(value)
    return str(Path(value).resolve())


class Stopped(Exception):
    """SIGTERM before the runner's event loop runs (or after it ended)."""


def stoppable_runner():
    """A Prefect Runner that stops cleanly on SIGTERM. Prefect's own handler calls the
    runner's stop() from the signal handler, inside the event loop, where it returns a
    coroutine nobody awaits ("coroutine 'Runner.astop' was never awaited" on every stop),
    then calls sys.exit. This one schedules astop() on the running loop: the runner cancels
    its polling, its start() returns, and the process exits 0."""
    from prefect.runner import Runner

    class StoppableRunner(Runner):
        def handle_sigterm(self, *args, **kwargs) -> None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                raise Stopped from None
            self._logger.info("SIGTERM received, shutting down")
            # Thread-safe scheduling writes to the loop's self-pipe: the loop wakes now,
            # not at its next poll.
            loop.call_soon_threadsafe(self._start_stopping, loop)

        def _start_stopping(self, loop) -> None:
            if getattr(self, "_stop_task", None) is None and self.started:
                self._stop_task = loop.create_task(self.astop())

    return StoppableRunner
