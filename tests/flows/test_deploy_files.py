"""The files in deploy/ and prefect.yaml say what they must: loopback, auth, CORS, no paths in
the deployment, and a notification automation Prefect accepts."""

from __future__ import annotations

import uuid
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_notification_automation_is_a_valid_prefect_automation():
    from prefect.events.schemas.automations import AutomationCore

    spec = yaml.safe_load((ROOT / "deploy" / "notify-failed.yaml").read_text())
    automation = AutomationCore.model_validate(spec)
    assert automation.trigger.expect == {"prefect.flow-run.Failed", "prefect.flow-run.Crashed"}
    [action] = automation.actions
    assert action.type == "send-notification"
    assert isinstance(action.block_document_id, uuid.UUID)


def test_prefect_yaml_deployment_carries_no_paths():
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    [deployment] = spec["deployments"]
    assert deployment["parameters"] == {}
    assert deployment["concurrency_limit"] == 1
    assert deployment["schedules"][0]["timezone"] == "Asia/Bangkok"


def test_units_bind_loopback_and_close_the_api():
    server = (ROOT / "deploy" / "oneplan-server.service").read_text()
    assert "--host 127.0.0.1" in server
    assert "PREFECT_SERVER_CORS_ALLOWED_ORIGINS=http://127.0.0.1:4200" in server
    for name in ("oneplan-server.service", "oneplan-serve.service", "oneplan-worker.service"):
        unit = (ROOT / "deploy" / name).read_text()
        assert "EnvironmentFile=/etc/oneplan/prefect-auth.env" in unit, name
    for name in ("oneplan-serve.service", "oneplan-worker.service"):
        unit = (ROOT / "deploy" / name).read_text()
        assert "Environment=ONEPLAN_CONFIG=/etc/oneplan/oneplan.toml" in unit, name
    assert "ONEPLAN_ROOT=" in (ROOT / "deploy" / "oneplan-worker.service").read_text()


def test_example_config_is_valid():
    from oneplan.flows.config import read_config_file

    values = read_config_file(ROOT / "deploy" / "oneplan.toml.example")
    assert values == {
        "inbox": "/srv/oneplan/inbox",
        "db": "/srv/oneplan/oneplan.duckdb",
        "export": "/srv/oneplan/export",
    }


def test_work_pool_template_takes_no_job_variable():
    """The pool of the prefect.yaml route (issue 22 item 8): a fixed command and environment,
    and a variables schema that takes no job variable."""
    import json

    template = json.loads((ROOT / "deploy" / "oneplan-pool.json").read_text())
    assert template["variables"]["properties"] == {}
    assert template["variables"]["additionalProperties"] is False
    config = template["job_configuration"]
    assert "env" not in config and config["command"] is None
    assert not [k for k, v in config.items() if "{{" in json.dumps(v)]
    assert "--base-job-template deploy/oneplan-pool.json" in (ROOT / "prefect.yaml").read_text()
    readme = (ROOT / "deploy" / "README.md").read_text()
    assert "--base-job-template deploy/oneplan-pool.json" in readme
