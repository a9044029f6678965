"""Alignment on a real run: a new plan cycle's strategies are a CSV edit, and the checks that
hold alignment and the marts catch what is planted in a published database.

The runs use `run_plan` (the flow's steps without Prefect) on a tiny real inbox.
"""

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from oneplan.flows import reference
from oneplan.flows.db import check_queries
from oneplan.flows.oneplan_flow import run_plan

PLAN = (
    "ที่,ตำบล,โครงการ,ความสอดคล้องกับยุทธศาสตร์จังหวัด,2568,หน่วยงานรับผิดชอบ,แหล่งงบประมาณ\n"
    '1,สุขเดือนห้า,ส่งเสริมอาชีพเกษตรอินทรีย์,1,"50,000",อบต.สุขเดือนห้า,งบประมาณ อบต.\n'
    '2,กะบกเตี้ย,ก่อสร้างถนนคอนกรีตเสริมเหล็ก,,"500,000",องค์การบริหารส่วนตำบลกะบกเตี้ย,'
    "ขอรับการสนับสนุนจาก ทช.\n"
    '3,เนินขาม,จัดซื้อครุภัณฑ์สำนักงาน,,"10,000",ชมรมผู้สูงอายุ,\n'
)
CACHED = ("load_alignment", "load_rules", "rules_fingerprint", "build_fingerprint")


def _clear_caches():
    for name in CACHED:
        getattr(reference, name).cache_clear()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A copy of data/ that the run reads instead of the real one."""
    data = tmp_path / "data"
    data.mkdir()
    for path in reference.DATA.glob("*.csv"):
        shutil.copy(path, data / path.name)
    monkeypatch.setattr(reference, "DATA", data)
    _clear_caches()
    yield data
    monkeypatch.undo()
    _clear_caches()


@pytest.fixture
def inbox(tmp_path):
    (tmp_path / "inbox" / "1808").mkdir(parents=True)
    (tmp_path / "inbox" / "1808" / "plan.csv").write_text(PLAN, encoding="utf-8")
    return tmp_path / "inbox"


def publish(inbox: Path, out: Path) -> Path:
    run_plan(inbox, out / "plan.duckdb", out / "export", staging=str(out / "staging"))
    return out / "plan.duckdb"


def query(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


PROJECTS = (
    "select project_name, strategy_code, strategy_source, responsible_agency, requested_from "
    "from projects order by source_row"
)


def test_a_run_aligns_and_routes_each_project(data_dir, inbox, tmp_path):
    db = publish(inbox, tmp_path / "out")
    assert query(db, PROJECTS) == [
        ("ส่งเสริมอาชีพเกษตรอินทรีย์", "P1", "column", "องค์การบริหารส่วนตำบลสุขเดือนห้า", None),
        (
            "ก่อสร้างถนนคอนกรีตเสริมเหล็ก",
            "P4",
            "inferred",
            "องค์การบริหารส่วนตำบลกะบกเตี้ย",
            "กรมทางหลวงชนบท",
        ),
        ("จัดซื้อครุภัณฑ์สำนักงาน", None, None, "ชมรมผู้สูงอายุ", None),
    ]
    issues = query(
        db,
        "select source_row, code from data_issues where severity = 'info' order by source_row",
    )
    assert issues == [(4, "strategy_unknown"), (4, "agency_unknown")]
    assert query(
        db, "select requested_from, fiscal_year, n_projects, amount_thb from agency_requests"
    ) == [("กรมทางหลวงชนบท", 2568, 1, Decimal("500000.00"))]
    assert query(db, "select own_thb, requested_thb, unknown_thb from plan_by_route") == [
        (Decimal("50000.00"), Decimal("500000.00"), Decimal("10000.00"))
    ]
    for name in ("plan_by_strategy", "agency_requests", "agency_request_list", "plan_by_route"):
        assert (tmp_path / "out" / "export" / name / f"{name}.parquet").is_file(), name


def test_a_new_plan_cycle_is_a_csv_edit(data_dir, inbox, tmp_path):
    (data_dir / "strategies_provincial.csv").write_text(
        "code,number,name_th,name_en\n"
        "C1,1,เกษตรมูลค่าสูงและเศรษฐกิจชุมชน,High-value agriculture and community economy\n"
        "C2,2,เมืองน่าอยู่และโครงสร้างพื้นฐาน,Liveable towns and infrastructure\n",
        encoding="utf-8",
    )
    (data_dir / "strategy_links.csv").write_text(
        "strategy_code,parent_code,note\nC1,N2,\nC2,N5,\nC2,N4,\n", encoding="utf-8"
    )
    (data_dir / "strategy_keywords.csv").write_text(
        "strategy_code,keyword,note\nC1,เกษตร,\nC2,ถนน,\nC2,ครุภัณฑ์,\n", encoding="utf-8"
    )
    db = publish(inbox, tmp_path / "out")
    assert query(
        db, "select strategy_code, parent_codes from strategies where level = 'provincial'"
    ) == [("C1", ["N2"]), ("C2", ["N5", "N4"])]
    assert [row[1:3] for row in query(db, PROJECTS)] == [
        ("C1", "column"),
        ("C2", "inferred"),
        ("C2", "inferred"),
    ]
    assert query(
        db,
        "select strategy_code, national_codes, amount_thb from plan_by_strategy order by all",
    ) == [("C1", ["N2"], Decimal("50000.00")), ("C2", ["N5", "N4"], Decimal("510000.00"))]


def test_a_strategy_link_to_nothing_stops_the_run(data_dir, inbox, tmp_path):
    with open(data_dir / "strategy_links.csv", "a", encoding="utf-8") as fh:
        fh.write("P9,N1,\n")
    with pytest.raises(ValueError, match="strategy_links.csv line"):
        publish(inbox, tmp_path / "out")
    assert not (tmp_path / "out" / "plan.duckdb").exists()


@pytest.mark.parametrize(
    "check, fault",
    [
        (
            "projects_aligned_or_reported",
            "update projects set strategy_code = null where strategy_code = 'P1'",
        ),
        # A route outside own/joint/requested is counted as unstated by construction (the
        # marts read plan_summary), so the fault planted is a mart that loses a baht.
        (
            "marts_reconcile",
            "create or replace view plan_by_route as select district_code, district_name_th, "
            "fiscal_year, own_thb - (case when fiscal_year = (select min(fiscal_year) from "
            "plan_summary) and district_code = (select min(district_code) from plan_summary) "
            "then 1 else 0 end) as own_thb, joint_thb, requested_thb, unstated_thb as "
            "unknown_thb, n_counted_projects as n_projects from plan_summary "
            "where not is_plan_total and n_counted_projects > 0",
        ),
    ],
)
def test_alignment_checks_catch_a_planted_fault(data_dir, inbox, tmp_path, check, fault):
    db = publish(inbox, tmp_path / "out")
    copy = tmp_path / "planted.duckdb"
    shutil.copy(db, copy)
    assert query(copy, check_queries()[check]) == []
    con = duckdb.connect(str(copy))
    try:
        con.execute(fault)
    finally:
        con.close()
    assert len(query(copy, check_queries()[check])) == 1


def test_every_level_of_the_frame_is_published_and_aligned(data_dir, inbox, tmp_path):
    db = publish(inbox, tmp_path / "out")
    assert query(db, "select level, count(*) from strategies group by level order by all") == [
        ("cluster", 3),
        ("national", 6),
        ("provincial", 4),
        ("regional", 4),
    ]
    assert query(
        db,
        "select strategy_code, cluster_codes, regional_codes, national_codes "
        "from plan_by_strategy order by strategy_code nulls last",
    ) == [
        ("P1", ["CL1"], ["RG1"], ["N2"]),
        ("P4", ["CL3"], ["RG3", "RG4"], ["N3", "N4", "N1"]),
        (None, None, None, None),
    ]
    assert query(
        db,
        "select project_name, cluster_codes, regional_codes, national_codes from oneplan "
        "order by source_row",
    ) == [
        ("ส่งเสริมอาชีพเกษตรอินทรีย์", ["CL1"], ["RG1"], ["N2"]),
        ("ก่อสร้างถนนคอนกรีตเสริมเหล็ก", ["CL3"], ["RG3", "RG4"], ["N3", "N4", "N1"]),
        ("จัดซื้อครุภัณฑ์สำนักงาน", None, None, None),
    ]


def test_the_cluster_and_regional_plans_are_a_csv_edit(data_dir, inbox, tmp_path):
    (data_dir / "strategies_cluster.csv").write_text(
        "code,number,name_th,name_en\nK1,1,เกษตรและอาหาร,Agriculture and food\n", encoding="utf-8"
    )
    (data_dir / "strategies_regional.csv").write_text(
        "code,number,name_th,name_en\nR1,1,ฐานการผลิตอาหาร,Food production base\n", encoding="utf-8"
    )
    (data_dir / "strategy_links.csv").write_text(
        "strategy_code,parent_code,note\nP1,K1,\nK1,R1,\nR1,N2,\nR1,N5,\n", encoding="utf-8"
    )
    db = publish(inbox, tmp_path / "out")
    assert query(
        db,
        "select level, strategy_code, parent_codes, regional_codes, national_codes "
        "from strategies where level in ('cluster', 'regional') order by strategy_code",
    ) == [
        ("cluster", "K1", ["R1"], ["R1"], ["N2", "N5"]),
        ("regional", "R1", ["N2", "N5"], [], ["N2", "N5"]),
    ]
    assert query(
        db,
        "select strategy_code, cluster_codes, national_codes from plan_by_strategy "
        "where strategy_code = 'P1'",
    ) == [("P1", ["K1"], ["N2", "N5"])]
