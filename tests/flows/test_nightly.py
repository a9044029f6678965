"""The nightly path pays for what changed only: an unchanged rerun of the real flow runs no
parse task (files already staged are reused before any task is submitted), and a cold run on
the local task runner parses every file in one task (flows/parallel.py uses both cores)."""

from __future__ import annotations

import pytest
from oneplan.flows.oneplan_flow import oneplan_flow

pytestmark = pytest.mark.e2e

CSV = 'ที่,ตำบล,โครงการ,2568\n1,ตลุก,ถนน,"150,000"\n2,เขาแก้ว,ขุดลอกคลอง,"20,000.50"\n'


def _task_names(client, flow_run_id) -> list[str]:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    runs = client.read_task_runs(
        flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
    )
    return sorted(run.name.split(" ")[0].rsplit("-", 1)[0] for run in runs)


def test_unchanged_rerun_runs_no_parse_task(tmp_path, harness):
    from prefect.client.orchestration import get_client

    inbox = tmp_path / "inbox"
    for district in ("1804", "1805"):
        (inbox / district).mkdir(parents=True)
        (inbox / district / "plan.csv").write_text(CSV, encoding="utf-8")
    paths = {"inbox": str(inbox), "db": str(tmp_path / "db.duckdb"), "export": str(tmp_path / "e")}
    first = oneplan_flow(**paths, return_state=True)
    second = oneplan_flow(**paths, return_state=True)
    assert first.result()["files_parsed"] == 2
    assert second.result()["unchanged"] is True
    with get_client(sync_client=True) as client:
        cold = _task_names(client, first.state_details.flow_run_id)
        unchanged = _task_names(client, second.state_details.flow_run_id)
    assert cold.count("parse") == 1, cold  # one task for both files, not one per file
    assert "parse" not in unchanged, unchanged
    assert "discover" in unchanged and "consolidate" not in unchanged, unchanged
