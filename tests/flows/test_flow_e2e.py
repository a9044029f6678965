"""The real Prefect flow on the bundled sample, checked against what the generator wrote.

One temporary Prefect server (prefect_test_harness) serves every test in this module.
"""

import json
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.dataset as ds
import pytest
from oneplan.flows.db import check_queries
from oneplan.flows.reference import ROOT

pytestmark = pytest.mark.e2e
SAMPLE = ROOT / "data" / "sample"
MANIFEST = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def published(harness, tmp_path_factory):
    from oneplan.flows.oneplan_flow import oneplan_flow

    out = tmp_path_factory.mktemp("run")
    summary = oneplan_flow(
        inbox=str(SAMPLE / "inbox"), db=str(out / "oneplan.duckdb"), export=str(out / "export")
    )
    return {"summary": summary, "db": out / "oneplan.duckdb", "export": out / "export"}


def query(db: Path, sql: str, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_summary_matches_generator_per_district_and_year(published):
    got = {d["district_code"]: d for d in published["summary"]["districts"]}
    for code, expected in MANIFEST["districts"].items():
        assert got[code]["projects"] == expected["n_projects"], code
        assert got[code]["budget_by_year"] == expected["budget_by_year"], code
    assert published["summary"]["files_parsed"] == len(MANIFEST["files"])


def test_database_totals_to_the_baht(published):
    rows = query(
        published["db"],
        "select district_code, fiscal_year, sum(counted_amount_thb) from oneplan "
        "where fiscal_year is not null group by all having count(*) filter (where is_counted) > 0",
    )
    got = {(code, str(year)): amount for code, year, amount in rows}
    expected = {
        (code, year): Decimal(amount)
        for code, d in MANIFEST["districts"].items()
        for year, amount in d["budget_by_year"].items()
    }
    assert got == expected


def test_every_rejected_row_is_findable_by_file_and_row(published):
    rows = query(
        published["db"], "select source_file, source_sheet, source_row, reasons from rejected_rows"
    )
    got = sorted((f, s, r, tuple(reasons)) for f, s, r, reasons in rows)
    want = sorted(
        (r["source_file"], r["source_sheet"], r["source_row"], tuple(r["reasons"]))
        for r in MANIFEST["rejected"]
    )
    assert got == want


def test_row_accounting_per_file_matches_generator(published):
    rows = query(
        published["db"],
        "select source_file, n_rows_read, n_rows_accepted, n_rows_rejected, n_rows_skipped "
        "from submissions where status = 'current'",
    )
    got = {f: counts for f, *counts in rows}
    want = {
        f: [e["n_rows_read"], e["n_rows_accepted"], e["n_rows_rejected"], e["n_rows_skipped"]]
        for f, e in MANIFEST["files"].items()
    }
    assert got == want


def test_planted_warnings_are_reported_at_their_rows(published):
    got = set(
        query(
            published["db"], "select source_file, source_sheet, source_row, code from data_issues"
        )
    )
    for issue in MANIFEST["issues"]:
        key = (issue["source_file"], issue["source_sheet"], issue["source_row"], issue["code"])
        assert key in got, key


def test_projects_match_generator_field_by_field(published):
    rows = query(
        published["db"],
        "select source_file, source_sheet, source_row, tambon_code, project_name, "
        "village_numbers, funding_route, category from projects",
    )
    got = {(f, s, r): (t, n, list(v), route, cat) for f, s, r, t, n, v, route, cat in rows}
    want = {
        (p["source_file"], p["source_sheet"], p["source_row"]): (
            p["tambon_code"],
            p["project_name"],
            p["village_numbers"],
            p["funding_route"],
            p["category"],
        )
        for p in MANIFEST["projects"]
    }
    assert got == want


def test_other_measures_are_published_apart_to_the_baht(published):
    """The เทศบัญญัติ years of the official form: in project_measures, never in the budgets."""
    rows = query(
        published["db"],
        "select p.source_file, p.source_sheet, p.source_row, m.measure, m.fiscal_year, "
        "m.amount_thb from project_measures as m join projects as p using (project_id)",
    )
    want = {
        (x["source_file"], x["source_sheet"], x["source_row"], x["measure"], x["fiscal_year"],
         Decimal(x["amount_thb"]))
        for x in MANIFEST["measures"]
    }  # fmt: skip
    assert set(rows) == want and len(rows) == len(want) > 0


def test_plan_revisions_match_generator(published):
    rows = query(
        published["db"], "select source_file, source_sheet, source_row, plan_revision from projects"
    )
    got = {(f, s, r): rev for f, s, r, rev in rows}
    want = {
        (p["source_file"], p["source_sheet"], p["source_row"]): p["plan_revision"]
        for p in MANIFEST["projects"]
    }
    assert got == want
    assert len({v for v in want.values() if v}) >= 3


@pytest.mark.parametrize("check", sorted(check_queries()))
def test_data_check_returns_no_offending_rows(published, check):
    assert query(published["db"], check_queries()[check]) == []


def _link_key(kind: str, a: tuple, b: tuple):
    return (kind, frozenset((a, b))) if kind == "possible_duplicate" else (kind, a, b)


def test_links_across_levels_have_precision_and_recall_of_at_least_95(published):
    rows = query(
        published["db"],
        "select l.link_kind, l.status, a.source_file, a.source_sheet, a.source_row, "
        "b.source_file, b.source_sheet, b.source_row from project_links as l "
        "inner join projects as a on a.project_id = l.project_id "
        "inner join projects as b on b.project_id = l.linked_project_id",
    )
    true = {
        _link_key(x["link_kind"], tuple(x["project"]), tuple(x["linked_project"]))
        for x in MANIFEST["links"]
    }
    found = {_link_key(kind, tuple(r[:3]), tuple(r[3:])): st for kind, st, *r in rows}
    accepted = {k for k, st in found.items() if st == "accepted"}
    precision = len(accepted & true) / len(accepted)
    found_or_flagged_precision = len(set(found) & true) / len(found)
    recall = len(set(found) & true) / len(true)
    print(f"links: {len(true)} true, {len(accepted)} accepted, {len(found) - len(accepted)} "
          f"to review; precision {precision:.3f} (accepted), {found_or_flagged_precision:.3f} "
          f"(accepted or flagged), recall {recall:.3f} (found or flagged)")  # fmt: skip
    assert precision >= 0.95 and found_or_flagged_precision >= 0.95 and recall >= 0.95
    assert len(true) >= 25


def test_plan_rollup_counts_each_baht_once_to_the_baht(published):
    rows = query(
        published["db"],
        "select plan_level, district_code, fiscal_year, sum(amount_thb), "
        "sum(counted_amount_thb) from plan_rollup group by all",
    )
    got = {(lvl, code, year): (a, c) for lvl, code, year, a, c in rows}
    want = {
        (r["plan_level"], r["district_code"], r["fiscal_year"]): (
            Decimal(r["amount_thb"]),
            Decimal(r["counted_amount_thb"]),
        )
        for r in MANIFEST["plan_rollup"]
    }
    assert got == want
    written = sum(a for a, _ in want.values())
    counted = sum(c for _, c in want.values())
    assert counted < written  # money taken up above or copied is counted once


def test_each_plan_level_is_recognised_and_placed(published):
    rows = query(
        published["db"],
        "select s.plan_level, length(p.tambon_code), count(*) from projects as p "
        "inner join submissions as s using (submission_id) group by all",
    )
    got = {(level, width) for level, width, _ in rows}
    want = {(p["plan_level"], len(p["tambon_code"])) for p in MANIFEST["projects"]}
    assert got == want
    assert {("province", 2), ("province", 4), ("district", 4), ("village", 6)} <= got


def test_coverage_lists_all_53_tambons_all_covered(published):
    rows = query(
        published["db"], "select count(*), count(*) filter (where is_covered) from coverage"
    )
    assert rows == [(53, 53)]


def test_parquet_export_reads_back_in_pandas_and_duckdb(published):
    export = published["export"]
    for table in ("oneplan", "projects", "project_budgets", "submissions", "areas", "coverage"):
        assert (export / table).is_dir(), table
    assert sorted(p.name for p in (export / "oneplan").iterdir()) == ["oneplan.parquet"]
    expected = {
        code: sum(Decimal(a) for a in d["budget_by_year"].values())
        for code, d in MANIFEST["districts"].items()
    }
    # district_code stays text for every reader: no partition path for a reader to re-type.
    for frame in (
        pd.read_parquet(export / "oneplan"),
        pd.read_parquet(export / "oneplan" / "oneplan.parquet", engine="pyarrow"),
        ds.dataset(export / "oneplan").to_table().to_pandas(),
    ):
        assert pd.api.types.is_string_dtype(frame["district_code"])
        assert pd.api.types.is_integer_dtype(frame["source_row"])
        counted = frame[frame["is_counted"]]  # money counted once, at the level that funds it
        assert counted.groupby("district_code")["amount_thb"].sum().to_dict() == expected
    rows = duckdb.sql(
        "select typeof(district_code), sum(amount_thb) "
        f"from read_parquet('{export}/oneplan/*.parquet') where is_counted group by all"
    ).fetchall()
    assert rows == [("VARCHAR", sum(expected.values()))]


def test_project_ids_are_the_same_on_a_second_run(published, tmp_path):
    from oneplan.flows.oneplan_flow import oneplan_flow

    oneplan_flow(
        inbox=str(SAMPLE / "inbox"), db=str(tmp_path / "b.duckdb"), export=str(tmp_path / "e")
    )
    sql = "select project_id, source_file, source_sheet, source_row from projects order by all"
    assert query(tmp_path / "b.duckdb", sql) == query(published["db"], sql)


def test_every_table_and_column_has_a_comment(published):
    missing = query(
        published["db"],
        "select table_name, column_name from duckdb_columns() "
        "where database_name = current_database() and not internal "
        "and (comment is null or comment = '')",
    )
    assert missing == []


def test_run_command_prints_summary_and_exits_0(harness, tmp_path, capsys):
    from oneplan.flows.cli import main

    code = main(
        [
            "run",
            "--inbox",
            str(SAMPLE / "inbox"),
            "--db",
            str(tmp_path / "c.duckdb"),
            "--export",
            str(tmp_path / "x"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    total = sum(d["n_projects"] for d in MANIFEST["districts"].values())
    assert "total  " in out and f" {total} " in out
    assert "1805 สรรคบุรี" in out
    lines = out.splitlines()
    n_files = len(MANIFEST["files"])
    parsed = [line for line in lines if line.startswith("  [") and line.endswith(" (parsed)")]
    assert len(parsed) == n_files and parsed[-1].startswith(f"  [{n_files}/{n_files}] ")
    stages = [line.split()[0] for line in lines if re.fullmatch(r"  \w+ +\d+\.\d\d s", line)]
    assert stages == [
        "discover",
        "parse",
        "consolidate",
        "assemble",
        "build",
        "checks",
        "export",
        "swap",
    ]
    assert re.fullmatch(r"Wall time: \d+\.\d s", lines[-1])


def test_run_command_missing_inbox_exits_2(tmp_path, capsys):
    from oneplan.flows.cli import main

    paths = ["--db", str(tmp_path / "d.duckdb"), "--export", str(tmp_path / "export")]
    assert main(["run", "--inbox", str(tmp_path / "missing"), *paths]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_run_command_without_plan_files_exits_1_with_one_line(harness, tmp_path, capsys):
    from oneplan.flows.cli import main

    (tmp_path / "inbox" / "1801").mkdir(parents=True)
    (tmp_path / "inbox" / "1801" / "notes.txt").write_text("not a plan")
    # every path given: a test never reads or writes the checkout's out/ (the sample default)
    paths = ["--db", str(tmp_path / "d.duckdb"), "--export", str(tmp_path / "export")]
    code = main(["run", "--inbox", str(tmp_path / "inbox"), *paths])
    captured = capsys.readouterr()
    assert code == 1
    inbox = tmp_path / "inbox"
    assert captured.err.strip().splitlines()[-1] == (
        f"oneplan run: not published: no plan file (.xlsx .xls .ods .csv) under {inbox}"
    )
    assert "Traceback" not in captured.err + captured.out
    assert not (tmp_path / "d.duckdb").exists()


def _project_years():
    """(project, fiscal year, amount) for the budgets of every expected project counted once:
    a project linked to another (taken up by a plan above, or a copy) is counted there."""
    linked = {tuple(link["project"]) for link in MANIFEST["links"]}
    for p in MANIFEST["projects"]:
        if (p["source_file"], p["source_sheet"], p["source_row"]) in linked:
            continue
        for year, amount in p["budgets"].items():
            yield p, int(year), Decimal(amount)


def test_projects_alignment_matches_generator(published):
    rows = query(
        published["db"],
        "select source_file, source_sheet, source_row, strategy_code, strategy_source, "
        "responsible_agency, requested_from from projects",
    )
    got = {(f, s, r): tuple(rest) for f, s, r, *rest in rows}
    want = {
        (p["source_file"], p["source_sheet"], p["source_row"]): (
            p["strategy_code"],
            p["strategy_source"],
            p["responsible_agency"],
            p["requested_from"],
        )
        for p in MANIFEST["projects"]
    }
    assert got == want
    sources = {p["strategy_source"] for p in MANIFEST["projects"]}
    assert sources == {"column", "section", "file", "inferred", None}


def test_plan_by_strategy_matches_generator(published):
    rows = query(
        published["db"],
        "select district_code, strategy_code, fiscal_year, n_projects, amount_thb, "
        "share_of_district, national_codes from plan_by_strategy",
    )
    want: dict = {}
    totals: dict = {}
    for p, year, amount in _project_years():
        key = (p["district_code"], p["strategy_code"], year)
        n, total = want.get(key, (0, Decimal(0)))
        want[key] = (n + 1, total + amount)
        district_year = (p["district_code"], year)
        totals[district_year] = totals.get(district_year, Decimal(0)) + amount
    assert {(d, s, y): (n, a) for d, s, y, n, a, _, _ in rows} == want
    shares = {}
    for d, _, y, _, a, share, _ in rows:
        assert abs(share - a / totals[(d, y)]) <= Decimal("0.00005")
        shares[(d, y)] = shares.get((d, y), 0) + share
    assert all(abs(total - 1) < Decimal("0.001") for total in shares.values())
    national = {s: n for _, s, _, _, _, _, n in rows if s}
    assert national == {"P1": ["N2"], "P2": ["N2"], "P3": ["N5"], "P4": ["N3", "N4", "N1"]}


def test_agency_requests_and_their_list_match_generator(published):
    rows = query(
        published["db"],
        "select requested_from, district_code, fiscal_year, n_projects, amount_thb "
        "from agency_requests",
    )
    want: dict = {}
    listed = []
    for p, year, amount in _project_years():
        if p["funding_route"] not in ("requested", "joint"):
            continue
        key = (p["requested_from"], p["district_code"], year)
        n, total = want.get(key, (0, Decimal(0)))
        want[key] = (n + 1, total + amount)
        listed.append((p["requested_from"], p["project_name"], p["tambon_code"], year, amount))
    assert {(a, d, y): (n, t) for a, d, y, n, t in rows} == want
    got_list = query(
        published["db"],
        "select requested_from, project_name, tambon_code, fiscal_year, amount_thb "
        "from agency_request_list",
    )
    key = lambda row: tuple("" if v is None else str(v) for v in row)  # noqa: E731
    assert sorted(got_list, key=key) == sorted(listed, key=key)
    assert len({r[0] for r in listed if r[0]}) >= 4  # several agencies asked


def test_plan_by_route_matches_generator(published):
    rows = query(
        published["db"],
        "select district_code, fiscal_year, own_thb, joint_thb, requested_thb, unknown_thb "
        "from plan_by_route",
    )
    routes = ("own", "joint", "requested", None)
    want: dict = {}
    for p, year, amount in _project_years():
        sums = want.setdefault((p["district_code"], year), [Decimal(0)] * 4)
        sums[routes.index(p["funding_route"])] += amount
    assert {(d, y): list(sums) for d, y, *sums in rows} == want
    by_route = {code: d["budget_by_route"] for code, d in MANIFEST["districts"].items()}
    for code, expected in by_route.items():
        got = [sum(s[i] for (d, _), s in want.items() if d == code) for i in range(4)]
        assert got == [Decimal(expected[r]) for r in ("own", "joint", "requested", "null")]


def test_every_project_has_a_strategy_or_a_strategy_unknown_issue(published):
    unknown = query(
        published["db"],
        "select source_file, source_sheet, source_row from projects where strategy_code is null",
    )
    reported = query(
        published["db"],
        "select source_file, source_sheet, source_row from data_issues "
        "where code = 'strategy_unknown'",
    )
    assert unknown and sorted(unknown) == sorted(reported)


def test_flow_run_log_has_a_line_per_file_and_no_task_state_lines(harness, tmp_path):
    """The flow run's log in Prefect: one line per file with its counts, a warning per
    district with errors, and no "Finished in state" line per task."""
    import logging

    from oneplan.flows.oneplan_flow import oneplan_flow
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogHandler

    prefect_logger = logging.getLogger("prefect")
    level = prefect_logger.level
    prefect_logger.setLevel(logging.INFO)  # the suite runs with PREFECT_LOGGING_LEVEL=WARNING
    try:
        state = oneplan_flow(
            inbox=str(SAMPLE / "inbox"),
            db=str(tmp_path / "l.duckdb"),
            export=str(tmp_path / "e"),
            return_state=True,
        )
    finally:
        prefect_logger.setLevel(level)
    for handler in logging.getLogger("prefect.flow_runs").handlers:
        if isinstance(handler, APILogHandler):
            handler.flush()  # send the queued log records to the server now
    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
    messages = [(log.level, log.task_run_id, log.message) for log in logs]
    per_file = [m for lvl, _, m in messages if lvl == logging.INFO and " accepted, " in m]
    assert sorted(m.split(": ", 1)[0] for m in per_file) == sorted(MANIFEST["files"])
    assert any(lvl == logging.WARNING and m.startswith("district ") for lvl, _, m in messages)
    assert [m for _, task_run, m in messages if task_run and "Finished in state" in m] == []
    # A deployed run can be followed in the UI: each step with its time and counts, the
    # files read at a sane rate (not one line per file), the paths the user gave.
    steps = [m.split()[1] for _, _, m in messages if m.startswith("step ")]
    assert steps == STEPS
    assert any(
        m.startswith("step discover done in ") and " plan file(s)" in m for m in per_all(messages)
    )
    parse = [m for m in per_all(messages) if m.startswith("parse: ")]
    n = len(MANIFEST["files"])
    assert parse[0] == f"parse: {n} file(s) to read"
    assert parse[-1].startswith(f"parse: {n}/{n} file(s) ({n} read, 0 unchanged) in ")
    assert 2 <= len(parse) <= 2 + n // 25 + 10  # every 25 files or 5 s, never one per file
    assert f"reading {SAMPLE / 'inbox'} into {tmp_path / 'l.duckdb'} and {tmp_path / 'e'}" in (
        per_all(messages)
    )
    assert not [m for m in per_all(messages) if ".versions" in m]


STEPS = ["discover", "parse", "consolidate", "assemble", "build", "checks", "export", "swap"]


def per_all(messages: list[tuple]) -> list[str]:
    return [m for _, _, m in messages]


def test_agencies_the_sample_names_are_all_known(published):
    """Every agency the generator writes (district offices and village committees included)
    is in data/agencies.csv: an agency_unknown issue would be a false report to the officer."""
    planted = [i for i in MANIFEST["issues"] if i["code"] == "agency_unknown"]
    got = query(
        published["db"], "select source_file from data_issues where code = 'agency_unknown'"
    )
    assert (planted, got) == ([], [])
