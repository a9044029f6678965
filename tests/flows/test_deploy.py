"""The prefect.yaml route against a REAL Prefect server (subprocess, SQLite, 127.0.0.1 only),
started as deploy/ starts it: basic auth and a restrictive CORS origin.

`prefect deploy --name nightly` from the folder holding flows/ (prefect.yaml's `parameters` are
empty), a process worker with ONEPLAN_ROOT but no configured paths: a run is refused with a
one-line reason and publishes nothing (before, it silently published the sample). The API
refuses requests without the auth string and answers no foreign origin.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENT = "oneplan-nightly/nightly"
AUTH = "oneplan:test-secret-4f1c"
ORIGIN = "http://127.0.0.1:4200"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def _tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return f"({path.name}: no log)"
    text = path.read_text(errors="replace").splitlines()
    return f"--- last {lines} lines of {path.name} ---\n" + "\n".join(text[-lines:])


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PREFECT_", "ONEPLAN_")) and k != "PYTHONPATH"
    }
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", **extra)
    return env


class Stack:
    def __init__(self, root: Path):
        self.root = root
        self.logs = {name: root / f"{name}.log" for name in ("server", "deploy", "worker")}
        self.procs: dict[str, subprocess.Popen] = {}
        self.url = ""

    def start(self, name: str, argv: list, env: dict, cwd: Path) -> None:
        with open(self.logs[name], "wb") as log:
            self.procs[name] = subprocess.Popen(
                argv,
                env=env,
                cwd=cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def all_logs(self) -> str:
        return "\n".join(_tail(path) for path in self.logs.values())

    def wait(self, what: str, timeout: float, probe, interval: float = 0.5):
        deadline = time.monotonic() + timeout
        while True:
            for name, proc in self.procs.items():
                if name != "deploy" and proc.poll() is not None:
                    pytest.fail(f"{name} exited with {proc.returncode}\n{self.all_logs()}")
            result = probe()
            if result:
                return result
            if time.monotonic() > deadline:
                pytest.fail(f"{what}: not within {timeout:.0f} s\n{self.all_logs()}")
            time.sleep(interval)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    root = tmp_path_factory.mktemp("deploy")
    stack = Stack(root)
    port = _free_port()
    stack.url = f"http://127.0.0.1:{port}/api"
    client_env = {"PREFECT_API_URL": stack.url, "PREFECT_API_AUTH_STRING": AUTH}
    try:
        stack.start(
            "server",
            [BIN / "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            _env(
                root / "server-home",
                PREFECT_API_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{root}/prefect.db",
                PREFECT_UI_ENABLED="false",
                PREFECT_SERVER_API_AUTH_STRING=AUTH,
                PREFECT_SERVER_CORS_ALLOWED_ORIGINS=ORIGIN,
            ),
            root,
        )

        def healthy() -> bool:
            try:
                return httpx.get(f"{stack.url}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        stack.wait("server /api/health", 90, healthy)
        home = root / "client-home"
        subprocess.run(
            [
                *(BIN / "prefect", "work-pool", "create", "oneplan", "--type", "process"),
                *("--base-job-template", ROOT / "deploy" / "oneplan-pool.json"),
            ],
            env=_env(home, **client_env),
            cwd=root,
            check=True,
            capture_output=True,
            timeout=120,
        )
        # prefect deploy reads prefect.yaml and imports the entrypoint from the folder holding
        # flows/; it writes nothing there (checked below).
        before = sorted(p.name for p in ROOT.iterdir())
        deployed = subprocess.run(
            [BIN / "prefect", "--no-prompt", "deploy", "--name", "nightly"],
            env=_env(home, **client_env),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        assert sorted(p.name for p in ROOT.iterdir()) == before
        stack.start(
            "worker",
            [BIN / "prefect", "worker", "start", "--pool", "oneplan", "--type", "process"],
            # As deploy/README.md's worker, minus the configured paths.
            _env(
                root / "worker-home",
                **client_env,
                ONEPLAN_ROOT=str(ROOT),
                PREFECT_WORKER_QUERY_SECONDS="1",
            ),
            root,
        )
        from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

        with temporary_settings(
            updates={PREFECT_API_URL: stack.url, PREFECT_API_AUTH_STRING: AUTH}
        ):
            yield stack
    finally:
        for proc in stack.procs.values():
            _stop(proc)


@pytest.fixture(scope="module")
def client(stack):
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        yield client


def _run(stack, client, parameters: dict, timeout: float = 150):
    deployment = client.read_deployment_by_name(DEPLOYMENT)
    run = client.create_flow_run_from_deployment(deployment.id, parameters=parameters)

    def final():
        state = client.read_flow_run(run.id).state
        return state if state is not None and state.is_final() else None

    return stack.wait(f"flow run {run.id} to finish", timeout, final)


def _log_messages(client, flow_run_id) -> list[str]:
    """The messages the flow run logged to the server."""
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
    return [log.message for log in logs]


def test_prefect_yaml_deployment_has_no_paths_and_the_nightly_schedule(stack, client):
    deployment = client.read_deployment_by_name(DEPLOYMENT)
    assert deployment.parameters == {}
    [schedule] = deployment.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 2 * * *", "Asia/Bangkok")


def test_run_without_configured_paths_is_refused(stack, client):
    state = _run(stack, client, {})
    assert state.is_failed(), f"{state.type}: {state.message}\n{stack.all_logs()}"
    assert "ONEPLAN_INBOX, ONEPLAN_DB, ONEPLAN_EXPORT" in state.message, state.message
    assert "refusing to run on defaults" in state.message
    # Nothing published anywhere: the run never got as far as reading the inbox, and nothing
    # was written beside the worker. (The checkout's out/ is never looked at: the README's
    # first command leaves one there, and tests do not read or write it.)
    messages = _log_messages(client, state.state_details.flow_run_id)
    assert not [m for m in messages if "published" in m or "reading" in m], messages
    assert not list(stack.root.rglob("*.duckdb"))


def test_run_with_paths_only_from_the_api_is_refused(stack, client, tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "1804").mkdir(parents=True)
    (inbox / "1804" / "plan.csv").write_text("ที่,ตำบล,โครงการ,2568\n1,ตลุก,ถนน,1\n")
    parameters = {"inbox": str(inbox), "db": str(tmp_path / "x.duckdb"), "export": str(tmp_path)}
    state = _run(stack, client, parameters)
    assert state.is_failed(), f"{state.type}: {state.message}\n{stack.all_logs()}"
    assert "refusing to run on defaults" in state.message
    assert not (tmp_path / "x.duckdb").exists()


def test_job_variables_are_refused_before_a_worker_runs_them(stack, client, tmp_path):
    """Issue 22 item 8: with Prefect's default pool template a flow run's `command` (or its
    env PATH) ran on the worker with the API password; the pool of deploy/oneplan-pool.json
    takes no job variable, so the server refuses the flow run."""
    from prefect.exceptions import PrefectHTTPStatusError

    marker = tmp_path / "pwned"
    deployment = client.read_deployment_by_name(DEPLOYMENT)
    for variables in (
        {"command": f"touch {marker}"},
        {"env": {"PATH": str(tmp_path)}},
        {"working_dir": str(tmp_path)},
    ):
        with pytest.raises(PrefectHTTPStatusError, match="422"):
            client.create_flow_run_from_deployment(deployment.id, job_variables=variables)
    time.sleep(3)  # the worker polls every second: it would have run it by now
    assert not marker.exists()


def test_api_needs_the_auth_string(stack):
    denied = httpx.post(f"{stack.url}/deployments/filter", json={}, timeout=10)
    assert denied.status_code == 401
    allowed = httpx.post(
        f"{stack.url}/deployments/filter", json={}, timeout=10, auth=tuple(AUTH.split(":", 1))
    )
    assert allowed.status_code == 200


def test_api_answers_no_foreign_origin(stack):
    def preflight(origin: str) -> httpx.Response:
        return httpx.options(
            f"{stack.url}/deployments/filter",
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
            timeout=10,
        )

    assert "access-control-allow-origin" not in preflight("https://evil.example").headers
    assert preflight(ORIGIN).headers.get("access-control-allow-origin") == ORIGIN


def test_oneplan_run_uses_the_running_server(stack, client, tmp_path):
    """With PREFECT_API_URL set, `oneplan run` reports to that server (no temporary one)."""
    inbox = tmp_path / "inbox"
    (inbox / "1804").mkdir(parents=True)
    (inbox / "1804" / "plan.csv").write_text("ที่,ตำบล,โครงการ,2568\n1,ตลุก,ถนน,1\n")
    db = tmp_path / "out" / "oneplan.duckdb"
    done = subprocess.run(
        [BIN / "oneplan", "run", "--inbox", inbox, "--db", db, "--export", tmp_path / "export"],
        env=_env(tmp_path / "home", PREFECT_API_URL=stack.url, PREFECT_API_AUTH_STRING=AUTH),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    from oneplan.flows.runs import read_runs

    [run] = read_runs(db)
    flow_run = client.read_flow_run(run["flow_run_id"])
    assert flow_run.state.is_completed()
    assert flow_run.deployment_id is None
    assert flow_run.parameters["db"] == str(db)
