"""The flow on a local Dask cluster (two worker processes) publishes the same plan as a
run in one process."""

import json

import duckdb
import pytest
from oneplan.flows.reference import ROOT

MANIFEST = json.loads((ROOT / "data" / "sample" / "expected.json").read_text("utf-8"))

pytestmark = pytest.mark.e2e
INBOX = ROOT / "data" / "sample" / "inbox"
MANIFEST = json.loads((ROOT / "data" / "sample" / "expected.json").read_text(encoding="utf-8"))
COMPARED = {
    "projects": "select * from projects order by project_id",
    "project_budgets": "select * from project_budgets order by all",
    "rejected_rows": "select * from rejected_rows order by source_file, source_sheet, source_row",
    "data_issues": "select * exclude (submission_id) from data_issues order by all",
    "submissions": "select * exclude (loaded_at, first_seen_at, last_seen_at) "
    "from submissions order by submission_id",
    "coverage": "select * from coverage order by tambon_code",
    "project_links": "select * from project_links order by link_id",
}


def snapshot(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {name: con.execute(sql).fetchall() for name, sql in COMPARED.items()}
    finally:
        con.close()


def test_dask_cluster_run_publishes_identical_tables(harness, tmp_path):
    from distributed import LocalCluster
    from oneplan.flows.oneplan_flow import oneplan_flow, run_plan
    from prefect_dask import DaskTaskRunner

    local_db, dask_db = tmp_path / "local" / "plan.duckdb", tmp_path / "dask" / "plan.duckdb"
    run_plan(INBOX, local_db, tmp_path / "local" / "export")
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        flow = oneplan_flow.with_options(
            task_runner=DaskTaskRunner(address=cluster.scheduler_address)
        )
        summary = flow(inbox=str(INBOX), db=str(dask_db), export=str(tmp_path / "dask" / "export"))
    n_files = len(MANIFEST["files"])
    assert summary["files_parsed"] == n_files  # nothing reused: every file went to the cluster
    local, dask = snapshot(local_db), snapshot(dask_db)
    for name in COMPARED:
        assert dask[name] == local[name], name
    assert len(local["projects"]) == len(MANIFEST["projects"])
    assert len(local["project_links"]) >= len(MANIFEST["links"])
