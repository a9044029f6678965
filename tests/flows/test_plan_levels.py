"""Plans of every level in one inbox, read by the one reader, linked and counted once:
real files, real DuckDB (run_plan, no Prefect start-up)."""

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from oneplan.flows.db import check_queries, connect
from oneplan.flows.oneplan_flow import run_plan

TAMBON = (
    "แผนพัฒนาตำบล อำเภอสรรพยา\n"
    "ที่,ตำบล,โครงการ,วิธีดำเนินการ,2568,2569\n"
    '1,ตลุก,ก่อสร้างถนนคอนกรีตเสริมเหล็ก สายบ้านนายสมชาย หมู่ที่ 3,ขอรับการสนับสนุน,"500,000",\n'
    '2,ตลุก,ขุดลอกคลองส่งน้ำ หมู่ที่ 5,ทำเอง,"120,000","120,000"\n'
    '3,เขาแก้ว,ซ่อมแซมถนนลูกรังเพื่อการเกษตร หมู่ที่ 2,ขอรับการสนับสนุน,"80,000",\n'
    '4,เขาแก้ว,ติดตั้งไฟฟ้าส่องสว่างพลังงานแสงอาทิตย์ หมู่ที่ 4,ขอรับการสนับสนุน,"90,000",\n'
)
VILLAGE = (
    "แผนชุมชน หมู่ที่ 5 ตำบลตลุก\n"
    "ที่,โครงการ,2568,2569\n"
    '1,โครงการขุดลอกคลองส่งน้ำ,"120,000","120,000"\n'
    '2,จัดตั้งกองทุนเมล็ดพันธุ์ข้าวชุมชน,"30,000",\n'
)
DISTRICT = (
    "แผนพัฒนาอำเภอสรรพยา พ.ศ. 2568-2570\n"
    "ที่,ตำบล,โครงการ,2568,2569\n"
    '1,ต.ตลุก,ก่อสร้างถนน คสล. สายบ้านนายสมชาย ม.3,"500,000",\n'
    '2,,จัดงานมหกรรมของดีอำเภอสรรพยา,"300,000","300,000"\n'
    '3,ทั้งอำเภอ,พัฒนาศูนย์เรียนรู้เศรษฐกิจพอเพียงระดับอำเภอ,"200,000",\n'
)
PROVINCE = (
    "แผนพัฒนาจังหวัดชัยนาท (พ.ศ. 2568 - 2570)\n"
    "ที่,โครงการ,พื้นที่ดำเนินการ,2568,2569\n"
    '1,ซ่อมแซมถนนลูกรัง เพื่อการเกษตร หมู่ 2,ต.เขาแก้ว อ.สรรพยา,"80,000",\n'
    '2,โครงการจัดงานมหกรรมของดีอำเภอสรรพยา,อ.สรรพยา,"300,000","300,000"\n'
    '3,พัฒนาระบบโลจิสติกส์สินค้าเกษตรของจังหวัด,ทั้งจังหวัด,"2,000,000",\n'
    '4,ส่งเสริมการท่องเที่ยวเชิงเกษตร,อ.หันคา,"150,000",\n'
)


def write_inbox(inbox: Path, province: str = PROVINCE) -> None:
    files = {
        "อำเภอสรรพยา/แผนพัฒนาตำบล อ.สรรพยา.csv": TAMBON,
        "อำเภอสรรพยา/แผนชุมชน หมู่ที่ 5 ต.ตลุก.csv": VILLAGE,
        "อำเภอสรรพยา/แผนพัฒนาอำเภอสรรพยา.csv": DISTRICT,
        "จังหวัด/แผนพัฒนาจังหวัดชัยนาท.csv": province,
    }
    for rel, text in files.items():
        (inbox / rel).parent.mkdir(parents=True, exist_ok=True)
        (inbox / rel).write_text(text, encoding="utf-8")


def publish_site(root: Path) -> dict:
    inbox = root / "inbox"
    write_inbox(inbox)
    site = {"inbox": inbox, "db": root / "out" / "plan.duckdb", "export": root / "ex"}
    run_plan(site["inbox"], site["db"], site["export"])
    return site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The plans published once, for the tests that only read (or copy) what was published."""
    return publish_site(tmp_path_factory.mktemp("levels"))


@pytest.fixture
def own_site(tmp_path):
    """The plans published for one test, which changes them."""
    return publish_site(tmp_path)


def query(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_each_level_is_read_at_the_precision_its_file_gives(site):
    rows = query(
        site["db"],
        "select s.plan_level, p.district_code, p.tambon_code, p.village_numbers, p.project_name "
        "from projects as p inner join submissions as s using (submission_id) "
        "order by s.plan_level, p.source_file, p.source_row",
    )
    assert [(lvl, d, t, v) for lvl, d, t, v, _ in rows] == [
        ("district", "1804", "180402", [3]),  # ต.ตลุก in a district plan
        ("district", "1804", "1804", []),  # no tambon written: district-wide
        ("district", "1804", "1804", []),  # ทั้งอำเภอ
        ("province", "1804", "180403", [2]),  # ต.เขาแก้ว อ.สรรพยา
        ("province", "1804", "1804", []),  # อ.สรรพยา: district-wide
        ("province", "18", "18", []),  # ทั้งจังหวัด
        ("province", "1806", "1806", []),  # อ.หันคา, another district
        ("tambon", "1804", "180402", [3]),
        ("tambon", "1804", "180402", [5]),
        ("tambon", "1804", "180403", [2]),
        ("tambon", "1804", "180403", [4]),
        ("village", "1804", "180402", [5]),  # หมู่ที่ 5 from the file, not the row
        ("village", "1804", "180402", [5]),
    ]
    assert query(site["db"], "select count(*) from rejected_rows") == [(0,)]
    places = query(
        site["db"], "select tambon_code, area_level from areas where area_level <> 'tambon'"
    )
    assert ("18", "province") in places and ("1804", "district") in places
    assert len(places) == 9


def test_links_roll_up_and_money_is_counted_once(site):
    links = query(
        site["db"],
        "select a.plan_level, a.project_name, b.plan_level, l.link_kind, l.status "
        "from project_links as l inner join projects as a using (project_id) "
        "inner join projects as b on b.project_id = l.linked_project_id order by all",
    )
    assert [(a, n, b, k, s) for a, n, b, k, s in links] == [
        ("district", "จัดงานมหกรรมของดีอำเภอสรรพยา", "province", "rolls_up_to", "accepted"),
        (
            "tambon",
            "ก่อสร้างถนนคอนกรีตเสริมเหล็ก สายบ้านนายสมชาย หมู่ที่ 3",
            "district",
            "rolls_up_to",
            "accepted",
        ),
        ("tambon", "ซ่อมแซมถนนลูกรังเพื่อการเกษตร หมู่ที่ 2", "province", "rolls_up_to", "accepted"),
        ("village", "โครงการขุดลอกคลองส่งน้ำ", "tambon", "rolls_up_to", "accepted"),
    ]
    counted = query(
        site["db"],
        "select plan_level, project_name, funded_at_level, is_counted from projects "
        "where not is_counted or funded_at_level is distinct from plan_level order by all",
    )
    assert counted == [
        ("district", "จัดงานมหกรรมของดีอำเภอสรรพยา", "province", False),
        ("tambon", "ก่อสร้างถนนคอนกรีตเสริมเหล็ก สายบ้านนายสมชาย หมู่ที่ 3", "district", False),
        ("tambon", "ซ่อมแซมถนนลูกรังเพื่อการเกษตร หมู่ที่ 2", "province", False),
        ("tambon", "ติดตั้งไฟฟ้าส่องสว่างพลังงานแสงอาทิตย์ หมู่ที่ 4", None, True),  # waiting
        ("village", "โครงการขุดลอกคลองส่งน้ำ", "tambon", False),
    ]
    written, once = query(
        site["db"], "select sum(amount_thb), sum(counted_amount_thb) from plan_rollup"
    )[0]
    assert written == Decimal("5_310_000")
    # Counted once: the road (500,000), the ลูกรัง road (80,000), the fair (600,000) and
    # the canal (240,000) each once, at the level that funds them.
    assert once == written - Decimal("500_000") - Decimal("80_000") - Decimal("600_000") - Decimal(
        "240_000"
    )
    waiting = query(
        site["db"],
        "select place_name_th, sum(n_waiting), sum(waiting_amount_thb) from plan_rollup "
        "where plan_level = 'tambon' and n_waiting > 0 group by all",
    )
    assert waiting == [("เขาแก้ว", 1, Decimal("90000.00"))]


def test_links_survive_a_resubmission_and_changes_record_links_made_and_broken(own_site):
    site = own_site
    before = query(site["db"], "select link_id, project_id from project_links order by all")
    # The provincial plan is resubmitted with one more row: every link stays as it was.
    extra = PROVINCE + '5,ส่งเสริมอาชีพผู้สูงอายุ,ทั้งจังหวัด,"50,000",\n'
    write_inbox(site["inbox"], extra)
    run_plan(site["inbox"], site["db"], site["export"])
    assert query(site["db"], "select link_id, project_id from project_links order by all") == before
    assert query(site["db"], "select change from project_changes") == [("added",)]
    # Then the province drops the ลูกรัง road: that link is broken.
    without = extra.replace('1,ซ่อมแซมถนนลูกรัง เพื่อการเกษตร หมู่ 2,ต.เขาแก้ว อ.สรรพยา,"80,000",\n', "")
    write_inbox(site["inbox"], without)
    run_plan(site["inbox"], site["db"], site["export"])
    changes = query(
        site["db"],
        "select change, project_name, linked_project_id is not null from project_changes "
        "where change like 'link%'",
    )
    assert changes == [("link_broken", "ซ่อมแซมถนนลูกรังเพื่อการเกษตร หมู่ที่ 2", True)]
    # and made again when it comes back.
    write_inbox(site["inbox"], extra)
    run_plan(site["inbox"], site["db"], site["export"])
    assert query(
        site["db"], "select change from project_changes where change like 'link%' order by all"
    ) == [("link_broken",), ("link_made",)]


def test_marts_count_money_once_as_the_rollup_does(site):
    """plan_by_route, plan_by_strategy and the requests count only the projects the One Plan
    counts: the two requests taken up above are not asked of anyone a second time."""
    db = site["db"]
    once = query(db, "select sum(counted_amount_thb) from plan_rollup")[0][0]
    by_route = query(
        db,
        "select sum(own_thb), sum(joint_thb), sum(requested_thb), sum(unknown_thb) "
        "from plan_by_route",
    )[0]
    assert by_route == (
        Decimal("240000.00"), Decimal("0.00"), Decimal("90000.00"), once - Decimal("330000.00")
    )  # fmt: skip
    assert query(db, "select sum(amount_thb) from plan_by_strategy")[0][0] == once
    assert query(
        db, "select project_name, fiscal_year, amount_thb, requested_from from agency_request_list"
    ) == [("ติดตั้งไฟฟ้าส่องสว่างพลังงานแสงอาทิตย์ หมู่ที่ 4", 2568, Decimal("90000.00"), None)]
    assert query(db, "select sum(n_projects), sum(amount_thb) from agency_requests") == [
        (1, Decimal("90000.00"))
    ]
    assert query(db, check_queries()["marts_reconcile"]) == []


UNCOUNTED_ROUTE = """create or replace view plan_by_route as
select district_code, district_name_th, fiscal_year,
    coalesce(sum(amount_thb) filter (where funding_route = 'own'), 0) as own_thb,
    coalesce(sum(amount_thb) filter (where funding_route = 'joint'), 0) as joint_thb,
    coalesce(sum(amount_thb) filter (where funding_route = 'requested'), 0) as requested_thb,
    coalesce(sum(amount_thb) filter (where funding_route is null), 0) as unknown_thb,
    count(distinct project_id) as n_projects
from oneplan group by all"""


def test_marts_reconcile_catches_a_mart_counting_linked_money(site, tmp_path):
    """A plan_by_route that sums every level's copy of a project (as a hand consolidation
    does) is caught: its money differs from the counted One Plan and plan_rollup."""
    check = check_queries()["marts_reconcile"]
    copy = tmp_path / "planted.duckdb"
    shutil.copy(site["db"], copy)
    con = connect(copy)
    try:
        assert con.execute(check).fetchall() == []
        con.execute(UNCOUNTED_ROUTE)
        rows = con.execute("select district_code, fiscal_year from (" + check + ")").fetchall()
    finally:
        con.close()
    assert sorted(rows) == [("1804", 2568), ("1804", 2569)]


PLANTS = {
    "flag": "update projects set is_counted = true where not is_counted",
    "dangling": "insert into project_links select 'x', project_id, 'gone', 'rolls_up_to', "
    "'accepted', 99.0, 'm', [], null from projects where plan_level = 'tambon' and is_counted "
    "limit 1",
    "totals": "create temp table planted as select * from projects limit 1; "
    "update planted set project_id = '#p', tambon_code = '999999', source_row = 99, "
    "is_counted = true; insert into projects select * from planted; "
    "insert into project_budgets values ('#p', 2568, 1000)",
}


@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_plan_rollup_check_catches_a_planted_fault(site, tmp_path, plant):
    check = check_queries()["plan_rollup_reconciles"]
    copy = tmp_path / "planted.duckdb"
    shutil.copy(site["db"], copy)
    con = connect(copy)
    try:
        assert con.execute(check).fetchall() == []
        con.execute(PLANTS[plant])
        assert con.execute(check).fetchall() != []
    finally:
        con.close()


def test_oneplan_check_reads_a_file_of_the_province_folder(tmp_path):
    from oneplan.flows.check import check_files

    write_inbox(tmp_path)
    result = check_files([tmp_path / "จังหวัด" / "แผนพัฒนาจังหวัดชัยนาท.csv"])
    [checked] = result.files
    assert checked.district_code == "18"
    assert checked.outcome_counts() == {"read": 6, "accepted": 4, "rejected": 0, "skipped": 2}
    assert result.exit_code == 0
