"""Every data check in sql/checks refuses publication when exactly one offending row is planted
in an otherwise valid database (built from small tables, written by the real DuckDB writer)."""

from datetime import UTC, datetime
from decimal import Decimal

import pyarrow as pa
import pytest
from oneplan.flows.db import build_database, check_database, check_queries, write_database
from oneplan.flows.errors import PublishError
from oneplan.transforms import schema

NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def _submission(submission_id: str, source_file: str, status: str = "current", **counts) -> dict:
    rows = {"n_rows_read": 2, "n_rows_accepted": 1, "n_rows_rejected": 1, "n_rows_skipped": 0}
    rows.update(counts)
    rows.setdefault("n_rows_nonblank", rows["n_rows_read"])
    return {
        "submission_id": submission_id,
        "district_code": "1804",
        "source_file": source_file,
        "file_sha256": submission_id * 4,
        **rows,
        "file_modified_at": NOW,
        "loaded_at": NOW,
        "status": status,
        "first_seen_at": NOW,
        "last_seen_at": NOW,
        "plan_level": "tambon",
    }


def _project(project_id: str, tambon_code: str = "180401", submission_id: str = "s1") -> dict:
    return {
        "project_id": project_id,
        "district_code": "1804",
        "tambon_code": tambon_code,
        "village_numbers": [3],
        "project_name": f"โครงการ {project_id}",
        "submission_id": submission_id,
        "source_file": "1804/ตลุก.xlsx",
        "source_sheet": "ต.ตลุก",
        "source_row": 5,
        "strategy_code": "P1",
        "strategy_source": "column",
        "plan_level": "tambon",
        "funded_at_level": "tambon",
        "is_counted": True,
    }


def valid_rows() -> dict[str, list[dict]]:
    """A database every check passes: one district (its own row and two tambons), one current
    file with one accepted project (a budget in two years) and one rejected row."""
    return {
        "areas": [
            {
                "district_code": "1804",
                "district_name_th": "หันคา",
                "district_name_en": "Hankha",
                "tambon_code": code,
                "tambon_name_th": name,
                "tambon_name_en": name_en,
                "area_level": level,
            }
            for code, name, name_en, level in (
                ("1804", "หันคา", "Hankha", "district"),  # the place of district-wide projects
                ("180401", "หันคา", "Hankha", "tambon"),
                ("180402", "บ้านเชี่ยน", "Ban Chian", "tambon"),
            )
        ],
        "submissions": [_submission("s1", "1804/ตลุก.xlsx")],
        "projects": [_project("p1")],
        "project_budgets": [
            {"project_id": "p1", "fiscal_year": 2568, "amount_thb": Decimal("150000.00")},
            {"project_id": "p1", "fiscal_year": 2569, "amount_thb": Decimal("200000.50")},
        ],
        "project_measures": [
            {
                "project_id": "p1",
                "fiscal_year": 2568,
                "measure": "ordinance",
                "amount_thb": Decimal("120000.00"),
            }
        ],
        "rejected_rows": [
            {
                "submission_id": "s1",
                "source_file": "1804/ตลุก.xlsx",
                "source_sheet": "ต.ตลุก",
                "source_row": 6,
                "reasons": ["unreadable_budget"],
                "raw": "{}",
            }
        ],
        "data_issues": [],
        "project_changes": [],
        "project_links": [],
        "link_decisions": [],
        "publications": [],
    }


def tables_of(rows: dict[str, list[dict]]) -> dict[str, pa.Table]:
    return {
        name: pa.Table.from_pylist(
            [{c: row.get(c) for c in schema.TABLES_BY_NAME[name].column_names} for row in items],
            schema=schema.arrow_schema(schema.TABLES_BY_NAME[name]),
        )
        for name, items in rows.items()
    }


# Each check, and the one row that breaks it (added to the valid tables).
PLANTED = {
    "budgets_have_projects": (
        "project_budgets",
        {"project_id": "gone", "fiscal_year": 2569, "amount_thb": Decimal("1.00")},
    ),
    "one_current_version_per_file": (
        "submissions",
        _submission("s2", "1804/ตลุก.xlsx", n_rows_read=0, n_rows_accepted=0, n_rows_rejected=0),
    ),
    "projects_from_current_submissions": ("projects", _project("p2", submission_id="s0")),
    "row_accounting": (
        "submissions",
        _submission("s3", "1804/อื่น.xlsx", n_rows_read=3, n_rows_accepted=1, n_rows_rejected=0),
    ),
    "tambon_in_areas": ("projects", _project("p3", tambon_code="189999")),
    "measures_have_projects": (
        "project_measures",
        {"project_id": "gone", "fiscal_year": 2569, "measure": "spent", "amount_thb": Decimal(1)},
    ),
    "projects_aligned_or_reported": (
        "projects",
        {**_project("p4"), "strategy_code": None, "strategy_source": None},
    ),
}
# Checks over views, each caught by a planted fault in its own test: oneplan_reconciles below,
# marts_reconcile in tests/flows/test_alignment_cycle.py and tests/flows/test_plan_levels.py,
# plan_rollup_reconciles in tests/flows/test_plan_levels.py.
VIEW_CHECKS = {
    "oneplan_reconciles",
    "marts_reconcile",
    "plan_rollup_reconciles",
    "outputs_reconcile",
}


def test_valid_tables_pass_every_check(tmp_path):
    db = tmp_path / "ok.duckdb"
    write_database(db, tables_of(valid_rows()))
    assert db.exists()


def test_every_check_has_a_planted_row_test():
    assert set(check_queries()) == {*PLANTED, *VIEW_CHECKS}


@pytest.mark.parametrize("check", sorted(PLANTED))
def test_planted_row_refuses_publication_naming_the_check(tmp_path, check):
    rows = valid_rows()
    table, row = PLANTED[check]
    if check == "projects_from_current_submissions":
        rows["submissions"].append(_submission("s0", "1804/เก่า.xlsx", status="superseded"))
    rows[table].append(row)
    with pytest.raises(PublishError) as err:
        write_database(tmp_path / "bad.duckdb", tables_of(rows))
    assert err.value.checks == [check]
    assert f"{check}: [" in str(err.value)


def test_a_view_that_loses_a_budget_fails_oneplan_reconciles(tmp_path):
    """oneplan_reconciles guards the view's SQL: a view dropping one budget row is caught, and
    so is the marts' money against plan_rollup's (marts_reconcile), which reads the tables."""
    import duckdb

    db = tmp_path / "view.duckdb"
    build_database(db, tables_of(valid_rows()))
    con = duckdb.connect(str(db))
    con.execute("alter view oneplan rename to oneplan_whole")
    con.execute(  # every column still there (the marts read them), one budget row lost
        "create view oneplan as select * from oneplan_whole where fiscal_year <> 2569"
    )
    con.close()
    with pytest.raises(PublishError) as err:
        check_database(db)
    assert err.value.checks == ["marts_reconcile", "oneplan_reconciles"]


def test_a_row_with_no_outcome_fails_row_accounting(tmp_path):
    """A file whose sheets hold three non-blank rows but whose row log gives two outcomes (the
    outcomes still add up): the vanished row refuses the publication."""
    rows = valid_rows()
    rows["submissions"].append(
        _submission(
            "s4", "1804/หาย.xlsx", n_rows_nonblank=3, n_rows_read=2, n_rows_accepted=2,
            n_rows_rejected=0,
        )
    )  # fmt: skip
    with pytest.raises(PublishError) as err:
        write_database(tmp_path / "bad.duckdb", tables_of(rows))
    assert err.value.checks == ["row_accounting"]


def _replace_view(db, name: str, body: str) -> None:
    """Swap a built view for a wrong one that keeps its columns (`body` reads `<name>_whole`)."""
    import duckdb

    con = duckdb.connect(str(db))
    con.execute(f"alter view {name} rename to {name}_whole")
    con.execute(f"create view {name} as {body}")
    con.close()


def test_a_view_that_drops_a_project_with_no_amount_fails_oneplan_reconciles(tmp_path):
    """The oneplan view lists every project: the old inner join over budgets lost a project
    with no amount in any year from the view, the workbook and the CSV."""
    rows = valid_rows()
    rows["projects"].append(_project("p2"))  # no budget row at all
    db = tmp_path / "lost.duckdb"
    build_database(db, tables_of(rows))
    _replace_view(db, "oneplan", "select * from oneplan_whole where fiscal_year is not null")
    with pytest.raises(PublishError) as err:
        check_database(db)
    assert err.value.checks == ["oneplan_reconciles"]
    assert "project not in the oneplan view" in str(err.value)


def test_a_workbook_total_that_adds_written_money_fails_outputs_reconcile(tmp_path):
    """The workbook's district totals must be plan_summary's: totals that add up the written
    money (every level) instead of the counted are caught before anything is published."""
    db = tmp_path / "written.duckdb"
    build_database(db, tables_of(valid_rows()))
    _replace_view(
        db,
        "workbook_totals",
        "select * replace (written_thb + 1 as counted_thb) from workbook_totals_whole",
    )
    with pytest.raises(PublishError) as err:
        check_database(db)
    assert err.value.checks == ["outputs_reconcile"]
    assert "district totals differ" in str(err.value)


def test_request_totals_that_disagree_with_their_rows_fail_outputs_reconcile(tmp_path):
    db = tmp_path / "requests.duckdb"
    rows = valid_rows()
    rows["projects"][0]["funding_route"] = "requested"
    rows["projects"][0]["requested_from"] = "องค์การบริหารส่วนจังหวัดชัยนาท"
    build_database(db, tables_of(rows))
    _replace_view(
        db,
        "agency_request_totals",
        "select * replace (case when is_all_districts and is_all_years then amount_thb + 10 "
        "else amount_thb end as amount_thb) from agency_request_totals_whole",
    )
    with pytest.raises(PublishError) as err:
        check_database(db)
    assert err.value.checks == ["outputs_reconcile"]
    assert "request totals differ" in str(err.value)
